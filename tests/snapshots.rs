//! Snapshots of what users see: rendered diagnostics and the JSON report.

use std::path::Path;

use preflight::check::{self, Options};
use preflight::report::{json, pretty};

fn manifest(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

#[test]
fn demo_project_json() {
    let outcome = check::run(&manifest("examples/demo"), &Options::default());
    insta::assert_snapshot!(json::render(&outcome));
}

#[test]
fn pretty_diagnostics() {
    let outcome = check::run(&manifest("tests/projects/snapshot"), &Options::default());
    let style = pretty::Style::plain();
    insta::assert_snapshot!(pretty::render(&outcome, &style));
}

#[test]
fn pretty_policy_errors() {
    let options = Options {
        policy_dirs: vec![manifest("tests/projects/broken-policies")],
        ..Options::default()
    };
    let outcome = check::run(&manifest("tests/projects/snapshot"), &options);
    let errors: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "policy-error")
        .cloned()
        .collect();
    let only_errors = check::Outcome {
        findings: errors,
        ..outcome
    };
    let style = pretty::Style::plain();
    // Policy paths are absolute on disk; keep the snapshot machine-independent.
    let text = pretty::render(&only_errors, &style).replace(env!("CARGO_MANIFEST_DIR"), "<repo>");
    insta::assert_snapshot!(text);
}

/// The stdout of a successful `preflight` run in `dir`.
fn run_in(dir: &str, args: &[&str]) -> String {
    let output = assert_cmd::Command::cargo_bin("preflight")
        .unwrap()
        .current_dir(manifest(dir))
        .args(args)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    String::from_utf8(output).unwrap()
}

#[test]
fn parse_output_as_yaml_with_spans() {
    insta::assert_snapshot!(run_in(
        "tests/projects/snapshot",
        &["parse", "--spans", "docker-compose.yml", "Dockerfile"]
    ));
}

#[test]
fn parse_output_of_inherited_django_settings() {
    insta::assert_snapshot!(run_in(
        "tests/projects/django-split",
        &["parse", "--spans", "config/settings/production.py"]
    ));
}
