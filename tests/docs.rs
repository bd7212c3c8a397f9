//! The documentation's examples are real output.

use std::fmt::Write;
use std::path::Path;
use std::process::Command;

use preflight::authoring::rules::{self, FixtureIndex};
use preflight::engine::Host;
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

/// docs/rules/ is `preflight docs --out docs/rules` of the default pack: an index and one page per rule, with
/// its fixtures. `PREFLIGHT_BLESS=1 cargo test --test docs` rewrites it after a rule changes.
#[test]
fn the_rules_reference_is_current() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let (host, errors) = Host::load(&[], Default::default(), &mut SourceMap::default());
    assert!(errors.is_empty(), "the default pack loads");
    // Fixture paths relative to the checkout, as `preflight docs` run there shows them.
    std::env::set_current_dir(root).unwrap();
    let index = FixtureIndex::new(&host, Some(std::path::Path::new("tests/fixtures")), &[]);
    let pages = rules::pages(
        &host,
        &index,
        rules::root_from(Path::new("docs/rules")).as_deref(),
    );
    let expected: std::collections::BTreeSet<String> = pages
        .iter()
        .map(|(rel, _)| format!("docs/rules/{rel}"))
        .collect();
    if std::env::var_os("PREFLIGHT_BLESS").is_some() {
        let _ = std::fs::remove_dir_all(root.join("docs/rules"));
    }
    for (rel, text) in &pages {
        let path = root.join("docs/rules").join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        check_generated(&format!("docs/rules/{rel}"), text);
    }
    let stale: Vec<String> =
        preflight::walk::walk(&root.join("docs/rules"), u64::MAX, &|_| true, None)
            .files
            .into_iter()
            .map(|f| format!("docs/rules/{}", f.rel))
            .filter(|rel| !expected.contains(rel))
            .collect();
    assert!(
        stale.is_empty(),
        "pages of rules that no longer exist: {stale:?}; run `PREFLIGHT_BLESS=1 cargo test --test docs`"
    );
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

/// Every function the host registers for policies is in the reference of
/// docs/writing-policies.md, so the hand-written API tables cannot fall behind the engine.
#[test]
fn every_host_function_is_documented() {
    let docs = include_str!("../docs/writing-policies.md");
    let checker = preflight::check::Checker::new(&Default::default());
    let mut missing: Vec<String> = checker
        .host()
        .api_signatures()
        .iter()
        .filter_map(|signature| {
            let name = signature.split('(').next()?;
            // Operators and indexers are documented by their syntax, not a name.
            let name = name.strip_prefix("get$").unwrap_or(name);
            (name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !docs.contains(&format!("{name}("))
                && !docs.contains(&format!(".{name}")))
            .then(|| name.to_string())
        })
        .collect();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "host functions missing from docs/writing-policies.md: {missing:?}"
    );
}

/// docs/checklist-coverage.md is the pack's checklist metadata, item by item.
#[test]
fn the_checklist_coverage_is_current() {
    let checker = preflight::check::Checker::new(&Default::default());
    let rules: Vec<(&str, &[String])> = checker
        .host()
        .rules()
        .iter()
        .map(|r| (r.meta.id.as_str(), r.meta.checklist.as_slice()))
        .collect();
    check_generated(
        "docs/checklist-coverage.md",
        &preflight::checklist::coverage_markdown(&rules),
    );
}
