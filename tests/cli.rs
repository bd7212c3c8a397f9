//! The command line as users and CI run it: exit codes, output formats, bad input.

mod common;

use std::fs;
use std::path::Path;

use predicates::prelude::*;
use serde_json::Value;

use common::{manifest, preflight, write};

/// Runs `preflight <args>`, asserts the exit code, returns what it printed.
fn stdout(args: &[&str], code: i32) -> Vec<u8> {
    preflight()
        .args(args)
        .assert()
        .code(code)
        .get_output()
        .stdout
        .clone()
}

/// Runs `preflight check <args> --format json`, asserts the exit code, returns the findings.
fn check_json(args: &[&str], code: i32) -> Vec<Value> {
    let args: Vec<&str> = ["check"]
        .into_iter()
        .chain(args.iter().copied())
        .chain(["--format", "json"])
        .collect();
    let output = stdout(&args, code);
    let report: Value = serde_json::from_slice(&output).expect("--format json prints JSON");
    report["findings"]
        .as_array()
        .expect("findings array")
        .clone()
}

/// Each finding as `"rule" "path":line`.
fn locations(findings: &[Value]) -> Vec<String> {
    findings
        .iter()
        .map(|f| format!("{} {}:{}", f["rule"], f["path"], f["span"]["start"]["line"]))
        .collect()
}

const ROOT_COMPOSE: &str = "services:\n  web:\n    image: nginx:1.27\n    user: root\n";

#[test]
fn a_hardened_project_exits_zero_with_no_findings() {
    let findings = check_json(&[&manifest("tests/projects/hardened")], 0);
    assert_eq!(findings, Vec::<Value>::new());
}

#[test]
fn the_demo_project_exits_one() {
    preflight()
        .args(["check", &manifest("examples/demo"), "--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("docker/runs-as-root"))
        .stdout(predicate::str::contains("critical"));
}

#[test]
fn fail_on_sets_the_threshold() {
    let dir = tempfile::tempdir().unwrap();
    // Only medium findings: an unpinned image without other problems.
    write(
        dir.path(),
        "Dockerfile",
        "FROM python\nUSER app\nHEALTHCHECK CMD true\n",
    );
    let path = dir.path().to_str().unwrap();
    preflight().args(["check", path]).assert().code(0);
    preflight()
        .args(["check", path, "--fail-on", "medium"])
        .assert()
        .code(1);
    preflight()
        .args(["check", path, "--fail-on", "severe"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown severity `severe`"));
}

#[test]
fn a_missing_path_exits_two_with_one_line() {
    preflight()
        .args(["check", "/no/such/project"])
        .assert()
        .code(2)
        .stdout("")
        .stderr("error: path `/no/such/project` does not exist\n");
}

#[test]
fn json_output_has_the_documented_shape() {
    let output = stdout(
        &["check", &manifest("examples/demo"), "--format", "json"],
        1,
    );
    let report: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(report["version"], 1);
    let findings = report["findings"].as_array().unwrap();
    for finding in findings {
        for key in [
            "rule",
            "severity",
            "message",
            "path",
            "span",
            "checklist",
            "help",
        ] {
            assert!(
                finding.get(key).is_some(),
                "finding lacks `{key}`: {finding}"
            );
        }
        // A finding about the project as a whole has `path: null` and no span.
        if finding["path"].is_null() {
            continue;
        }
        assert!(finding["span"]["start"]["line"].as_u64().unwrap() >= 1);
        assert!(finding["span"]["end"]["column"].as_u64().unwrap() >= 1);
        assert!(
            !finding["path"].as_str().unwrap().starts_with('/'),
            "paths are relative to the scan root"
        );
    }
    let total = report["summary"]["findings"].as_u64().unwrap() as usize;
    assert_eq!(total, report["findings"].as_array().unwrap().len());
}

#[test]
fn a_broken_yaml_file_is_reported_at_its_line_and_the_rest_is_still_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "broken.yaml", "a: 1\nb: [1, 2\nc: 3\n");
    write(dir.path(), "docker-compose.yml", ROOT_COMPOSE);
    let findings = check_json(&[dir.path().to_str().unwrap()], 1);
    let parse_error = findings
        .iter()
        .find(|f| f["rule"] == "parse-error")
        .expect("the broken file is reported");
    assert_eq!(parse_error["path"], "broken.yaml");
    assert!(parse_error["span"]["start"]["line"].as_u64().unwrap() >= 2);
    assert!(
        findings
            .iter()
            .any(|f| f["rule"] == "compose/runs-as-root" && f["span"]["start"]["line"] == 4),
        "the other file is still checked: {findings:?}"
    );
}

#[test]
fn policy_errors_are_reported_and_other_rules_still_run() {
    let project = tempfile::tempdir().unwrap();
    write(project.path(), "docker-compose.yml", ROOT_COMPOSE);
    let policies = tempfile::tempdir().unwrap();
    write(
        policies.path(),
        "org/broken-syntax.rhai",
        "const META = #{ id: \"org/broken-syntax\", title: \"t\", severity: \"high\" };\nfn check(doc) {\n    let x = ;\n}\n",
    );
    write(
        policies.path(),
        "org/endless-loop.rhai",
        "const META = #{ id: \"org/endless-loop\", title: \"t\", severity: \"high\", applies_to: [\"compose\"] };\nfn check(doc) {\n    loop { }\n}\n",
    );
    let findings = check_json(
        &[
            project.path().to_str().unwrap(),
            "--policies",
            policies.path().to_str().unwrap(),
        ],
        2,
    );
    let policy_errors: Vec<_> = findings
        .iter()
        .filter(|f| f["rule"] == "policy-error")
        .collect();
    assert_eq!(policy_errors.len(), 2, "{policy_errors:?}");
    let syntax = policy_errors
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("broken-syntax.rhai"))
        .unwrap();
    assert_eq!(syntax["span"]["start"]["line"], 3);
    assert!(syntax["message"].as_str().unwrap().contains("syntax error"));
    let endless = policy_errors
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("endless-loop.rhai"))
        .unwrap();
    assert!(
        endless["message"]
            .as_str()
            .unwrap()
            .contains("operations limit"),
        "{endless}"
    );
    assert!(findings.iter().any(|f| f["rule"] == "compose/runs-as-root"));
}

#[test]
fn an_org_rule_replaces_the_default_rule_with_its_id_when_it_says_so() {
    let project = tempfile::tempdir().unwrap();
    write(project.path(), "docker-compose.yml", ROOT_COMPOSE);
    let policies = tempfile::tempdir().unwrap();
    let rule = |replaces: &str| {
        format!(
            "const META = #{{ id: \"compose/runs-as-root\", title: \"t\", severity: \"low\", applies_to: [\"compose\"]{replaces} }};\nfn check(doc) {{\n    report(doc.services.web.user, \"org says\");\n}}\n"
        )
    };
    let project = project.path().to_str().unwrap();
    // Without `replaces: true` the same id is a mistake: a policy error, the default rule stays.
    write(policies.path(), "compose/runs-as-root.rhai", &rule(""));
    let findings = check_json(
        &[project, "--policies", policies.path().to_str().unwrap()],
        2,
    );
    assert!(findings.iter().any(|f| {
        f["rule"] == "policy-error"
            && f["message"]
                .as_str()
                .unwrap()
                .contains("add `replaces: true`")
    }));
    assert!(!findings.iter().any(|f| f["message"] == "org says"));
    write(
        policies.path(),
        "compose/runs-as-root.rhai",
        &rule(", replaces: true"),
    );
    let findings: Vec<_> = check_json(
        &[project, "--policies", policies.path().to_str().unwrap()],
        0,
    )
    .into_iter()
    .filter(|f| f["rule"] == "compose/runs-as-root")
    .collect();
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0]["message"], "org says");
    assert_eq!(findings[0]["severity"], "low");
}

#[test]
fn unreadable_input_is_reported_without_stopping_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("latin1.yaml"), b"name: caf\xe9\n").unwrap();
    write(dir.path(), "docker-compose.yml", ROOT_COMPOSE);
    #[cfg(unix)]
    std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).unwrap();
    let findings = check_json(&[dir.path().to_str().unwrap()], 1);
    let input = findings
        .iter()
        .find(|f| f["rule"] == "input-error" && f["path"] == "latin1.yaml")
        .expect("non-UTF-8 file reported");
    assert!(
        input["message"]
            .as_str()
            .unwrap()
            .contains("not valid UTF-8")
    );
    #[cfg(unix)]
    assert!(
        findings.iter().any(|f| f["rule"] == "input-error"
            && f["message"] == "symlink loop back to the scan root: not followed"),
        "{findings:?}"
    );
    assert!(findings.iter().any(|f| f["rule"] == "compose/runs-as-root"));
}

#[test]
fn gitignored_files_are_not_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), ".gitignore", "generated/\n");
    write(dir.path(), "generated/docker-compose.yml", ROOT_COMPOSE);
    preflight()
        .args(["check", dir.path().to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("no findings — 0 files"));
}

#[test]
fn parse_prints_the_model() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.yml", ROOT_COMPOSE);
    let output = stdout(
        &[
            "parse",
            "--format",
            "json",
            dir.path().join("docker-compose.yml").to_str().unwrap(),
        ],
        0,
    );
    let docs: Value = serde_json::from_slice(&output).unwrap();
    assert_eq!(docs[0]["kind"], "compose");
    assert_eq!(docs[0]["root"]["services"]["web"]["user"], "root");
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let demo = manifest("examples/demo");
    let plain = stdout(&["check", &demo], 1);
    assert!(
        !plain.contains(&0x1b),
        "no escape codes when stdout is not a terminal"
    );
    let coloured = stdout(&["check", &demo, "--color", "always"], 1);
    assert!(coloured.contains(&0x1b), "--color always colours");
}

/// The real-world corpus beside the project, when present: every file is handled without a
/// policy error, and the only parse errors are templates reported as info.
#[test]
fn the_shared_corpus_checks_cleanly() {
    let corpus = manifest("../shared/corpus");
    if !Path::new(&corpus).is_dir() {
        return;
    }
    let findings = check_json(&[&corpus], 1);
    // Archived Kubernetes examples repeat a key (`selector:` twice): reported, and still
    // checked, so not a failure to read the corpus.
    let broken: Vec<_> = findings
        .iter()
        .filter(|f| {
            f["rule"] == "policy-error"
                || (f["rule"] == "parse-error"
                    && f["severity"] != "info"
                    && !f["message"].as_str().unwrap().starts_with("duplicate key"))
        })
        .collect();
    assert!(broken.is_empty(), "{broken:#?}");
    assert!(
        findings.len() > 500,
        "the pack finds problems in real projects"
    );
}

#[test]
fn an_inherited_django_setting_is_reported_where_it_was_written() {
    let findings: Vec<Value> = check_json(&[&manifest("tests/projects/django-split")], 1)
        .into_iter()
        .filter(|f| {
            let rule = f["rule"].as_str().unwrap();
            ["secret-key", "debug", "allowed-hosts"]
                .iter()
                .any(|setting| rule.starts_with(&format!("django/{setting}")))
        })
        .collect();
    let summary = locations(&findings);
    // production.py and local.py both inherit SECRET_KEY from base.py: one finding, in base.py.
    // DEBUG and ALLOWED_HOSTS are overridden in production.py, and local.py is for development.
    assert_eq!(
        summary,
        vec!["\"django/secret-key-weak\" \"config/settings/base.py\":6"]
    );
    assert_eq!(findings[0]["severity"], "critical");
}

#[test]
fn the_readme_quotes_the_demo_summary_as_it_is() {
    let readme = fs::read_to_string(manifest("README.md")).unwrap();
    let output = stdout(
        &["check", &manifest("examples/demo"), "--color", "never"],
        1,
    );
    let text = String::from_utf8(output).unwrap();
    let summary = text.lines().last().unwrap();
    assert!(
        readme.contains(summary),
        "README.md should quote `{summary}`"
    );
}

#[test]
fn nginx_includes_are_followed_and_findings_point_into_the_included_file() {
    let findings = check_json(&[&manifest("tests/projects/nginx-include")], 0);
    let summary = locations(&findings);
    // `server_tokens off` comes into nginx.conf's http block from conf.d/security.conf, so
    // nginx/server-tokens-on stays quiet. The plain-HTTP server is seen through the include and
    // in conf.d/shop.conf itself: reported once, where it is written.
    assert_eq!(
        summary,
        vec!["\"nginx/no-https-redirect\" \"nginx/conf.d/shop.conf\":2"]
    );
}

#[test]
fn a_jinja_templated_settings_module_is_skipped_as_a_template() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config/settings.py",
        "DEBUG = False\n{% if cookiecutter.use_sentry == 'y' %}\nDEBUG = True\n{% endif %}\n",
    );
    let findings = check_json(&[dir.path().to_str().unwrap()], 0);
    assert_eq!(findings.len(), 1, "{findings:?}");
    assert_eq!(findings[0]["rule"], "parse-error");
    assert_eq!(findings[0]["severity"], "info");
    assert_eq!(findings[0]["span"]["start"]["line"], 2);
}

#[test]
fn detect_overrides_in_preflight_toml_route_files_to_a_format() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "preflight.toml",
        "[detect]\n\"deploy/*.site\" = \"nginx\"\n",
    );
    write(
        dir.path(),
        "deploy/shop.site",
        "http {\n    server_tokens on;\n}\n",
    );
    let findings = check_json(&[dir.path().to_str().unwrap()], 0);
    assert_eq!(
        locations(&findings),
        vec![r#""nginx/server-tokens-on" "deploy/shop.site":2"#]
    );
}

#[test]
fn a_mistake_in_preflight_toml_exits_two_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "preflight.toml",
        "[detect]\n\"deploy/*.site\" = \"ngnix\"\n",
    );
    let findings = check_json(&[dir.path().to_str().unwrap()], 2);
    assert_eq!(
        locations(&findings),
        vec![r#""config-error" "preflight.toml":2"#]
    );
    assert!(
        findings[0]["message"]
            .as_str()
            .unwrap()
            .contains("unknown kind or format `ngnix`")
    );
}

#[test]
fn django_settings_module_hints_make_any_module_a_settings_module() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "manage.py",
        "import os\nos.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"shop.conf.live\")\n",
    );
    write(dir.path(), "shop/conf/common.py", "DEBUG = True\n");
    write(
        dir.path(),
        "shop/conf/live.py",
        "from .common import *\nALLOWED_HOSTS = [\"shop.example.com\"]\n",
    );
    // A module no hint names stays unread.
    write(dir.path(), "shop/conf/unused.py", "DEBUG = True\n");
    let findings = check_json(&[dir.path().to_str().unwrap()], 1);
    assert_eq!(
        locations(&findings),
        vec![r#""django/debug-enabled" "shop/conf/common.py":1"#]
    );
}

#[test]
fn compose_env_file_targets_are_read_as_dotenv() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "deploy/docker-compose.yml",
        "services:\n  db:\n    image: postgres:16\n    user: postgres\n    env_file:\n      - path: ../envs/database\n",
    );
    write(dir.path(), "envs/database", "POSTGRES_PASSWORD=postgres\n");
    let findings = check_json(&[dir.path().to_str().unwrap(), "--fail-on", "critical"], 1);
    assert!(
        locations(&findings)
            .contains(&r#""secrets/default-password-in-env" "envs/database":1"#.to_string()),
        "{findings:#?}"
    );
}

#[test]
fn timings_go_to_stderr_slowest_first() {
    let output = preflight()
        .args([
            "check",
            &manifest("examples/demo"),
            "--format",
            "json",
            "--timings",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines[0].starts_with("rule"), "{stderr}");
    assert!(lines.last().unwrap().starts_with("all rules"), "{stderr}");
    let totals: Vec<f64> = lines[1..lines.len() - 1]
        .iter()
        .map(|l| l.split_whitespace().nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{stderr}");
    // stdout is still the JSON report alone.
    serde_json::from_slice::<Value>(&output.stdout).expect("JSON on stdout");
}
