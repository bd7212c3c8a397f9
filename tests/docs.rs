//! The documentation's examples are real output.

use std::fmt::Write;
use std::process::Command;

use preflight::engine::{Entry, Host};
use preflight::model::SourceMap;

/// docs/model.md's `preflight parse` examples match what this build prints.
#[test]
fn model_docs_examples_are_current() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/model-docs.py");
    let Ok(output) = Command::new("python3")
        .args([script, env!("CARGO_BIN_EXE_preflight"), "--check"])
        .output()
    else {
        eprintln!("python3 not found: docs/model.md examples not checked");
        return;
    };
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// docs/rules.md is the default pack's metadata and first doc paragraph, rule by rule.
/// `PREFLIGHT_BLESS=1 cargo test --test docs` rewrites it after a rule changes.
#[test]
fn the_rules_reference_is_current() {
    check_generated("docs/rules.md", &rules_reference());
}

/// Compares a generated page with the file, or rewrites the file under `PREFLIGHT_BLESS`.
fn check_generated(rel: &str, expected: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    if std::env::var_os("PREFLIGHT_BLESS").is_some() {
        std::fs::write(&path, expected).unwrap();
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == expected,
        "{rel} is out of date: run `PREFLIGHT_BLESS=1 cargo test --test docs`"
    );
}

fn rules_reference() -> String {
    let (host, errors) = Host::load(&[], Default::default(), &mut SourceMap::default());
    assert!(errors.is_empty(), "the default pack loads");
    let mut out = String::from(
        "# Rules of the default pack\n\n\
         Generated from each rule's metadata and documentation by `PREFLIGHT_BLESS=1 cargo test \\\n\
         --test docs`; edit the rule files under `policies/`, not this page.\n",
    );
    let mut area = "";
    for rule in host.rules() {
        let meta = &rule.meta;
        let this_area = meta.id.split('/').next().unwrap_or_default();
        if this_area != area {
            area = this_area;
            let _ = write!(out, "\n## {area}\n");
        }
        let summary = rule
            .docs
            .split("\n\n")
            .next()
            .unwrap_or_default()
            .replace('\n', " ");
        let _ = write!(out, "\n### `{}` — {}\n\n{summary}\n\n", meta.id, meta.title);
        let kinds: Vec<_> = meta.applies_to.iter().map(|k| format!("`{k}`")).collect();
        let _ = writeln!(out, "- severity: {}", meta.severity);
        let _ = writeln!(
            out,
            "- checks: {}",
            match (rule.entry, kinds.is_empty()) {
                (Entry::Project, _) => "the whole project".to_string(),
                (Entry::Document, true) => "every document".to_string(),
                (Entry::Document, false) => kinds.join(", "),
            }
        );
        if !meta.checklist.is_empty() {
            let items: Vec<_> = meta.checklist.iter().map(|c| format!("`{c}`")).collect();
            let _ = writeln!(out, "- checklist: {}", items.join(", "));
        }
        if !meta.peers.is_empty() {
            let peers: Vec<_> = meta.peers.iter().map(|p| format!("`{p}`")).collect();
            let _ = writeln!(out, "- same check in: {}", peers.join(", "));
        }
        let _ = writeln!(out, "- source: [`{}`](../{})", rule.origin, rule.origin);
    }
    out
}

/// docs/stdlib.md is every public stdlib function with its `///` documentation.
/// `PREFLIGHT_BLESS=1 cargo test --test docs` rewrites it after a module changes.
#[test]
fn the_stdlib_reference_is_current() {
    check_generated("docs/stdlib.md", &stdlib_reference());
}

fn stdlib_reference() -> String {
    let mut out = String::from(
        "# Stdlib modules\n\n\
         Helpers written in Rhai and embedded in the binary. Import one by name at the top of a\n\
         rule (`import \"nginx\" as nginx;`) and call `nginx::servers(doc)`. Generated from the\n\
         modules' `///` comments by `PREFLIGHT_BLESS=1 cargo test --test docs`.\n",
    );
    let mut modules: Vec<_> = preflight::embedded::STDLIB.iter().collect();
    modules.sort_by_key(|(path, _)| *path);
    for (path, text) in modules {
        let name = path
            .rsplit('/')
            .next()
            .unwrap_or(path)
            .trim_end_matches(".rhai");
        let intro: Vec<&str> = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .map(|l| l.trim_start_matches("//!").trim())
            .collect();
        let _ = write!(out, "\n## `{name}`\n\n");
        if !intro.is_empty() {
            let _ = write!(out, "{}\n\n", intro.join(" "));
        }
        let mut doc: Vec<&str> = Vec::new();
        for line in text.lines() {
            if let Some(comment) = line.strip_prefix("///") {
                doc.push(comment.trim());
                continue;
            }
            if let Some(signature) = line.strip_prefix("fn ") {
                let signature = signature.split('{').next().unwrap_or_default().trim();
                let _ = write!(out, "### `{name}::{signature}`\n\n");
                if !doc.is_empty() {
                    let _ = write!(out, "{}\n\n", doc.join(" "));
                }
            }
            doc.clear();
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}
