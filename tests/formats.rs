//! The CI formats: SARIF validates against the official schema, JUnit is well-formed XML with
//! the right counts, and each format's text is pinned by a snapshot.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn manifest(path: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(path)
        .to_string_lossy()
        .into_owned()
}

/// `preflight check PATH --format FORMAT`'s stdout; exit code 1 (findings) expected.
fn render(path: &str, format: &str) -> String {
    let output = Command::cargo_bin("preflight")
        .unwrap()
        .args(["check", &manifest(path), "--format", format])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "{output:?}");
    String::from_utf8(output.stdout).unwrap()
}

/// A project with a parse error and a finding in a file with a space in its name, beside
/// the snapshot project's findings.
fn awkward_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let write = |path: &str, text: &str| {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write("broken/docker-compose.yml", "services:\n  web: [\n");
    write("my app/Dockerfile", "FROM python:3.12\nUSER root\n");
    write(
        "ci/Dockerfile",
        "# preflight-ignore-file: docker/* -- a CI image, never deployed\nFROM python:3.12\n",
    );
    dir
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(manifest("tests/schemas/sarif-schema-2.1.0.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let awkward = awkward_project();
    for path in [
        "tests/projects/unready",
        "examples/demo",
        awkward.path().to_str().unwrap(),
    ] {
        let sarif: Value = serde_json::from_str(&render(path, "sarif")).unwrap();
        // GitHub code scanning rejects a result without a location, even one about the
        // project as a whole.
        for result in sarif["runs"][0]["results"].as_array().unwrap() {
            let uri = &result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
            assert!(uri.is_string(), "{path}: {result}");
        }
        let errors: Vec<String> = validator
            .iter_errors(&sarif)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
    }
}

#[test]
fn json_validates_against_the_documented_schema() {
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(manifest("docs/output.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let awkward = awkward_project();
    let baseline = awkward.path().join("baseline.json");
    std::fs::write(
        &baseline,
        r#"{"version": 1, "findings": [{"fingerprint": "0", "rule": "x", "path": null}]}"#,
    )
    .unwrap();
    let with_baseline = Command::cargo_bin("preflight")
        .unwrap()
        .args([
            "check",
            awkward.path().to_str().unwrap(),
            "--format",
            "json",
        ])
        .arg("--baseline")
        .arg(&baseline)
        .output()
        .unwrap()
        .stdout;
    let mut reports: Vec<Value> = ["tests/projects/unready", "examples/demo"]
        .iter()
        .map(|path| serde_json::from_str(&render(path, "json")).unwrap())
        .collect();
    reports.push(serde_json::from_slice(&with_baseline).unwrap());
    assert_eq!(reports[2]["summary"]["baseline"]["fixed"], 1);
    assert_eq!(
        reports[2]["suppressed"][0]["reason"],
        "a CI image, never deployed"
    );
    for report in &reports {
        let errors: Vec<String> = validator
            .iter_errors(report)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
    // The schema is strict enough to catch a changed shape.
    let mut changed = reports[0].clone();
    changed["findings"][0]["severity"] = "severe".into();
    changed["findings"][1]["line"] = 3.into();
    assert_eq!(validator.iter_errors(&changed).count(), 2);
}

#[test]
fn sarif_results_carry_regions_fingerprints_and_rule_indexes() {
    let awkward = awkward_project();
    let sarif: Value =
        serde_json::from_str(&render(awkward.path().to_str().unwrap(), "sarif")).unwrap();
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    let root = results
        .iter()
        .find(|r| r["ruleId"] == "docker/runs-as-root")
        .expect("a runs-as-root result");
    let index = root["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "docker/runs-as-root");
    let location = &root["locations"][0]["physicalLocation"];
    assert_eq!(location["artifactLocation"]["uri"], "my%20app/Dockerfile");
    assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
    assert_eq!(location["region"]["startLine"], 2);
    assert_eq!(location["region"]["startColumn"], 1);
    assert!(root["partialFingerprints"]["preflight/v1"].is_string());
    assert_eq!(root["level"], "error");
    // The parse error is a notification of the run, not a result about the project.
    let invocation = &run["invocations"][0];
    assert_eq!(invocation["executionSuccessful"], true);
    let notes = invocation["toolExecutionNotifications"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert_eq!(notes[0]["descriptor"]["id"], "parse-error");
    assert!(results.iter().all(|r| r["ruleId"] != "parse-error"));
    // Suppressed findings are results marked with their justification.
    let suppressed: Vec<_> = results
        .iter()
        .filter(|r| r.get("suppressions").is_some())
        .collect();
    assert!(!suppressed.is_empty());
    assert!(suppressed.iter().all(|r| {
        r["suppressions"][0]["kind"] == "inSource"
            && r["suppressions"][0]["justification"] == "a CI image, never deployed"
    }));
}

#[test]
fn junit_is_one_suite_per_rule_with_a_failure_per_finding() {
    let xml = render("examples/demo", "junit");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let suites: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    let json: Value = serde_json::from_str(&render("examples/demo", "json")).unwrap();
    let rules = json["summary"]["rules"].as_u64().unwrap() as usize;
    let findings = json["summary"]["findings"].as_u64().unwrap() as usize;
    assert_eq!(suites.len(), rules);
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    assert_eq!(failures, findings);
    assert_eq!(
        root.attribute("failures"),
        Some(findings.to_string().as_str())
    );
    // A rule without findings passes, as one test case without a failure.
    let passing = suites
        .iter()
        .find(|s| s.attribute("failures") == Some("0"))
        .expect("some rule has no findings on the demo");
    assert_eq!(passing.attribute("tests"), Some("1"));
}

#[test]
fn text_formats_are_pinned() {
    for format in ["gcc", "github"] {
        let text = render("tests/projects/snapshot", format);
        insta::assert_snapshot!(format!("format_{format}"), text);
    }
    // SARIF and JUnit describe every rule that ran: select the ones that fire here, so the
    // snapshots do not change each time the pack grows.
    let selected = "docker/runs-as-root,compose/runs-as-root,env/debug-enabled,secrets/default-password-in-env,docker/unofficial-base-image";
    for format in ["sarif", "junit"] {
        let output = Command::cargo_bin("preflight")
            .unwrap()
            .args([
                "check",
                &manifest("tests/projects/snapshot"),
                "--format",
                format,
            ])
            .args(["--select", selected])
            .output()
            .unwrap();
        let text = String::from_utf8(output.stdout)
            .unwrap()
            .replace(env!("CARGO_PKG_VERSION"), "[version]");
        insta::assert_snapshot!(format!("format_{format}"), text);
    }
}

#[test]
fn output_writes_the_report_to_a_file_and_prints_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.sarif");
    let output = Command::cargo_bin("preflight")
        .unwrap()
        .args([
            "check",
            &manifest("examples/demo"),
            "--format",
            "sarif",
            "--output",
        ])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let json: Value = serde_json::from_str(&render("examples/demo", "json")).unwrap();
    let findings = json["summary"]["findings"].as_u64().unwrap();
    assert!(
        stdout.starts_with(&format!("{findings} findings:")),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1);
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
}

#[test]
fn output_is_byte_identical_on_one_thread_and_on_four() {
    let project = manifest("tests/projects/unready");
    for format in ["json", "sarif", "junit", "github", "gcc", "pretty"] {
        let run = |jobs: &str| {
            let output = Command::cargo_bin("preflight")
                .unwrap()
                .args(["check", &project, "--format", format, "--color", "never"])
                .args(["-j", jobs])
                .output()
                .unwrap();
            assert_eq!(output.status.code(), Some(1), "{output:?}");
            output.stdout
        };
        let one = run("1");
        assert!(one.len() > 1000, "{format}: the project has findings");
        assert!(one == run("4"), "{format} differs between -j1 and -j4");
    }
}
