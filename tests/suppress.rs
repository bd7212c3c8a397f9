//! Inline suppressions: they hide the named finding on their line, must give a reason, and
//! are reported when they hide nothing.

mod common;

use std::path::Path;

use common::{preflight, write};
use serde_json::Value;

/// `(exit code, findings as "rule path:line", summary)` of `preflight check DIR --format json`.
fn check(dir: &Path) -> (i32, Vec<String>, Value) {
    let report = common::check(&[dir.to_str().unwrap()]);
    (report.code, report.findings, report.json["summary"].clone())
}

const COMPOSE: &str = "services:
  proxy:
    image: nginx:1.27.2
    user: \"101:101\"
    read_only: true
    restart: unless-stopped
    security_opt: [\"no-new-privileges:true\"]
    healthcheck: { test: [\"CMD\", \"true\"] }
    deploy: { resources: { limits: { memory: 256m } } }
";

#[test]
fn a_trailing_suppression_with_a_reason_hides_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let compose = COMPOSE.replace(
        "    read_only: true\n",
        "    read_only: true\n    privileged: true  # preflight-ignore: compose/privileged -- needs raw sockets for the VPN\n",
    );
    write(dir.path(), "docker-compose.yml", &compose);
    let (code, findings, summary) = check(dir.path());
    assert_eq!(findings, Vec::<String>::new());
    assert_eq!(summary["suppressed"], 1);
    assert_eq!(code, 0);
}

#[test]
fn a_suppression_on_its_own_line_hides_the_next_line() {
    let dir = tempfile::tempdir().unwrap();
    let compose = COMPOSE.replace(
        "    read_only: true\n",
        "    read_only: true\n    # preflight-ignore: compose/privileged -- needs raw sockets for the VPN\n    privileged: true\n",
    );
    write(dir.path(), "docker-compose.yml", &compose);
    let (code, findings, _) = check(dir.path());
    assert_eq!(findings, Vec::<String>::new());
    assert_eq!(code, 0);
}

#[test]
fn a_suppression_without_a_reason_still_hides_but_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let compose = COMPOSE.replace(
        "    read_only: true\n",
        "    read_only: true\n    privileged: true  # preflight-ignore: compose/privileged\n",
    );
    write(dir.path(), "docker-compose.yml", &compose);
    let (code, findings, summary) = check(dir.path());
    assert_eq!(
        findings,
        vec!["suppression/missing-reason docker-compose.yml:6"]
    );
    assert_eq!(summary["suppressed"], 1);
    assert_eq!(code, 0, "missing reasons are low: they do not fail the run");
}

#[test]
fn a_suppression_that_hides_nothing_is_reported_at_its_rule_id() {
    let dir = tempfile::tempdir().unwrap();
    let compose = COMPOSE.replace(
        "    user: \"101:101\"\n",
        "    user: \"101:101\"  # preflight-ignore: compose/runs-as-root -- was root before 2024\n",
    );
    write(dir.path(), "docker-compose.yml", &compose);
    let output = preflight()
        .args(["check", dir.path().to_str().unwrap(), "--format", "gcc"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text,
        "docker-compose.yml:4:42: low: suppression of `compose/runs-as-root` matches no finding on its line [suppression/unused]\n"
    );
}

#[test]
fn a_file_suppression_hides_an_area_in_the_whole_file_and_values_are_not_comments() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "Dockerfile",
        "# preflight-ignore-file: docker/* -- a throwaway CI image, never deployed\nFROM python\nRUN echo hi\n",
    );
    // The marker in a value is data, not a suppression.
    write(
        dir.path(),
        "worker/Dockerfile",
        "FROM python:3.12-slim\nLABEL note=\"preflight-ignore: docker/runs-as-root\"\n",
    );
    let (_, findings, summary) = check(dir.path());
    assert!(
        findings.iter().all(|f| !f.contains(" Dockerfile:")),
        "{findings:?}"
    );
    assert!(
        findings.contains(&"docker/runs-as-root worker/Dockerfile:1".to_string()),
        "{findings:?}"
    );
    assert!(summary["suppressed"].as_u64().unwrap() >= 2, "{summary}");
}
