//! The Rhai host API as policies use it: each call's result is checked through the findings
//! that tests/projects/api-policies/api/probe.rhai reports.

use std::path::Path;

use preflight::check::{Checker, Options};

fn manifest(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn the_node_api_reads_values_text_spans_and_reports() {
    let checker = Checker::new(&Options {
        policy_dirs: vec![manifest("tests/projects/api-policies")],
        ..Options::default()
    });
    let outcome = checker.run(&manifest("tests/projects/api/docker-compose.yml"));
    let probe: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "api/probe")
        .map(|f| {
            let span = f.span.expect("every report has a span");
            format!(
                "{}:{} {} [{}] {}",
                span.start.line,
                span.start.column,
                f.message,
                f.severity,
                f.help.as_deref().unwrap_or("")
            )
        })
        .collect();
    insta::assert_snapshot!(probe.join("\n"));
    assert!(
        outcome.findings.iter().all(|f| f.rule != "policy-error"),
        "{:?}",
        outcome.findings
    );
}

#[test]
fn the_host_api_surface() {
    let checker = Checker::new(&Options::default());
    insta::assert_snapshot!(checker.host().api_signatures().join("\n"));
}

#[test]
fn the_project_api_lists_files_documents_and_resolves_paths() {
    let checker = Checker::new(&Options {
        policy_dirs: vec![manifest("tests/projects/project-api-policies")],
        ..Options::default()
    });
    let outcome = checker.run(&manifest("tests/projects/project-api"));
    let probe: Vec<String> = outcome
        .findings
        .iter()
        .filter(|f| f.rule.starts_with("probe/") || f.rule == "policy-error")
        .map(|f| {
            let place = match (&f.path, f.span) {
                (Some(path), Some(span)) => {
                    format!("{path}:{}:{}", span.start.line, span.start.column)
                }
                _ => "(project)".to_string(),
            };
            let line = format!("{place} {} [{}] {}", f.rule, f.severity, f.message);
            line.replace(concat!(env!("CARGO_MANIFEST_DIR"), "/"), "")
        })
        .collect();
    insta::assert_snapshot!(probe.join("\n"));
}
