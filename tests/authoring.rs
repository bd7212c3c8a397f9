//! The policy author's commands, end to end: `new`, `test`, `rules`, `explain`, `docs`, and
//! rule parameters.

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;

fn preflight() -> Command {
    Command::cargo_bin("preflight").unwrap()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_new_rule_passes_its_own_fixtures_and_a_broken_fixture_fails_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    preflight()
        .current_dir(dir.path())
        .args([
            "new",
            "compose/team-label",
            "--kind",
            "compose",
            "--dir",
            "org",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "created org/compose/team-label.rhai",
        ));
    preflight()
        .current_dir(dir.path())
        .args(["test", "org"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "ok   compose/team-label (1 fail, 1 pass)",
        ))
        .stdout(predicate::str::ends_with("\n2 passed, 0 failed\n"));

    // A mark one line off from the finding, and a pass fixture that now triggers the rule.
    let fixtures = dir.path().join("org/tests/fixtures/compose/team-label");
    std::fs::write(
        fixtures.join("fail/docker-compose.yml"),
        "services:\n  web: # expect: compose/team-label\n    image: nginx:1.27.3\n",
    )
    .unwrap();
    std::fs::write(
        fixtures.join("pass/docker-compose.yml"),
        "services:\n  web:\n    image: nginx:1.27.3\n",
    )
    .unwrap();
    let output = preflight()
        .current_dir(dir.path())
        .args(["test", "org", "--color", "never"])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(output).unwrap();
    insta::assert_snapshot!(text);
}

#[test]
fn new_refuses_to_overwrite_and_checks_the_id() {
    let dir = tempfile::tempdir().unwrap();
    let new = |id: &str| {
        preflight()
            .current_dir(dir.path())
            .args(["new", id, "--kind", "dockerfile"])
            .assert()
    };
    new("docker/base-image").success();
    new("docker/base-image")
        .code(2)
        .stderr(predicate::str::contains(
            "exists already; `new` does not overwrite",
        ));
    new("Docker Base")
        .code(2)
        .stderr(predicate::str::contains("is not a rule id"));
    preflight()
        .current_dir(dir.path())
        .args(["new", "x/y", "--kind", "kube"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown kind `kube`"));
}

/// Every kind's scaffold is a working rule: `preflight test` passes right after `new`.
#[test]
fn every_kind_scaffolds_a_passing_rule() {
    let dir = tempfile::tempdir().unwrap();
    let kinds = preflight::model::Kind::ALL;
    for kind in kinds {
        preflight()
            .current_dir(dir.path())
            .args(["new", &format!("scaffold/{kind}"), "--kind", kind.as_str()])
            .assert()
            .success();
    }
    preflight()
        .current_dir(dir.path())
        .arg("test")
        .assert()
        .success()
        .stdout(predicate::str::ends_with(format!(
            "\n{} passed, 0 failed\n",
            kinds.len() * 2
        )));
}

#[test]
fn the_org_policy_examples_pass_preflight_test() {
    preflight()
        .current_dir(repo())
        .args(["test", "examples/org-policies"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ok   docker/approved-registry"))
        .stdout(predicate::str::contains("ok   django/axes-installed"))
        .stdout(predicate::str::ends_with("\n6 passed, 0 failed\n"));
    preflight()
        .current_dir(repo())
        .args(["test", "examples/org-policies", "--filter", "django/"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("\n2 passed, 0 failed\n"));
}

#[test]
fn rules_without_fixtures_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("org/compose")).unwrap();
    std::fs::write(
        dir.path().join("org/compose/untested.rhai"),
        "const META = #{ id: \"compose/untested\", title: \"t\", severity: \"low\", applies_to: [\"compose\"] };\nfn check(doc) { }\n",
    )
    .unwrap();
    preflight()
        .current_dir(dir.path())
        .args(["test", "org"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "rules without fixtures: compose/untested",
        ));
}

#[test]
fn rules_lists_default_and_org_rules() {
    let assert = preflight()
        .current_dir(repo())
        .args([
            "rules",
            "--format",
            "json",
            "--policies",
            "examples/org-policies",
        ])
        .assert()
        .success();
    let rules: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    let find = |id: &str| {
        rules
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .unwrap()
    };
    let default = find("django/hsts-max-age-short");
    assert_eq!(default["source"], "embedded");
    assert_eq!(default["kinds"], serde_json::json!(["django-settings"]));
    assert_eq!(default["params"]["min_hsts_seconds"], 31536000);
    let org = find("docker/approved-registry");
    assert_eq!(org["source"], "path");
    assert_eq!(
        org["path"],
        "examples/org-policies/docker/approved-registry.rhai"
    );
    assert_eq!(
        org["checklist"],
        serde_json::json!(["org.supply-chain.approved-registry"])
    );
    preflight()
        .args(["rules", "--format", "markdown"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "| `docker/runs-as-root` | critical | dockerfile |",
        ));
}

#[test]
fn explain_prints_the_rule_page_or_the_nearest_id() {
    preflight()
        .current_dir(repo())
        .args(["explain", "django/hsts-max-age-short"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "# `django/hsts-max-age-short` — HSTS max-age shorter than a year\n",
        ))
        .stdout(predicate::str::contains("## Why is this bad?"))
        .stdout(predicate::str::contains("min_hsts_seconds = 31536000"))
        .stdout(predicate::str::contains(
            "tests/fixtures/django/hsts-max-age-short/pass/settings.py",
        ))
        .stdout(predicate::str::contains("## References"));
    preflight()
        .args(["explain", "docker/run-as-root"])
        .assert()
        .code(2)
        .stderr("error: no rule `docker/run-as-root`; did you mean `docker/runs-as-root`?\n");
    preflight()
        .args(["explain", "runs-as-root"])
        .assert()
        .code(2)
        .stderr("error: no rule `runs-as-root`; did you mean `compose/runs-as-root` or `docker/runs-as-root` or `k8s/runs-as-root`?\n");
}

#[test]
fn docs_writes_an_index_and_a_page_per_rule() {
    let out = tempfile::tempdir().unwrap();
    preflight()
        .current_dir(repo())
        .args(["docs", "--policies", "examples/org-policies", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let index = std::fs::read_to_string(out.path().join("index.md")).unwrap();
    assert!(index.contains("| [`docker/approved-registry`](docker/approved-registry.md) | high |"));
    let page = std::fs::read_to_string(out.path().join("docker/approved-registry.md")).unwrap();
    assert!(
        page.contains("FROM node:22-bookworm-slim AS assets\n# ^expect: docker/approved-registry"),
        "{page}"
    );
    assert!(
        page.contains("registries = [\"registry.example.com/\"]"),
        "{page}"
    );
}

#[test]
fn params_are_overridden_with_checked_types() {
    let mut checker = preflight::check::Checker::new(&Default::default());
    let host = checker.host_mut();
    let map = |script: &str| rhai::Engine::new().eval::<rhai::Map>(script).unwrap();
    assert_eq!(
        host.set_params("django/hsts-max-age-shrt", map("#{}")),
        Err(
            "no rule `django/hsts-max-age-shrt` (did you mean `django/hsts-max-age-short`?)".into()
        )
    );
    assert_eq!(
        host.set_params("django/hsts-max-age-short", map("#{ min_seconds: 5 }")),
        Err("rule `django/hsts-max-age-short` has no parameter `min_seconds`; its parameters: `min_hsts_seconds`".into())
    );
    assert_eq!(
        host.set_params("django/hsts-max-age-short", map(r#"#{ min_hsts_seconds: "1y" }"#)),
        Err("parameter `min_hsts_seconds` of rule `django/hsts-max-age-short` takes an integer, like its default `31536000`, not a string `1y`".into())
    );
    assert_eq!(
        host.set_params("docker/unofficial-base-image", map(r#"#{ trusted_namespaces: "acme" }"#)),
        Err("parameter `trusted_namespaces` of rule `docker/unofficial-base-image` takes an array, like its default `[]`, not a string `acme`".into())
    );
    assert_eq!(
        host.set_params("docker/runs-as-root", map("#{ x: 1 }")),
        Err("rule `docker/runs-as-root` takes no parameters, so not `x`".into())
    );

    // Two years required: a one-year max-age is now too short.
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("settings.py"),
        "DEBUG = False\nMIDDLEWARE = [\"django.middleware.security.SecurityMiddleware\"]\nSECURE_HSTS_SECONDS = 31536000\n",
    )
    .unwrap();
    std::fs::write(
        project.path().join("Dockerfile"),
        "FROM acme/python:3.12\nUSER app\n",
    )
    .unwrap();
    let hsts = |checker: &preflight::check::Checker| {
        checker
            .run(project.path())
            .findings
            .into_iter()
            .filter(|f| f.rule == "django/hsts-max-age-short")
            .map(|f| f.message)
            .collect::<Vec<_>>()
    };
    assert!(hsts(&checker).is_empty());
    let unofficial = |checker: &preflight::check::Checker| {
        checker
            .run(project.path())
            .findings
            .iter()
            .any(|f| f.rule == "docker/unofficial-base-image")
    };
    assert!(unofficial(&checker));
    // A preflight.toml table, as the config reads it, converts to the values set_params takes.
    let mut sources = preflight::model::SourceMap::default();
    let file = sources.add(
        "preflight.toml",
        "[params]\ntrusted_namespaces = [\"acme\"]\n",
    );
    let (documents, _) =
        preflight::parse::parse_file(&file, preflight::model::Format::Toml, None, &|_, _| None);
    let table = documents[0].root.get("params").unwrap();
    let overrides = preflight::engine::param_from_node(table).cast::<rhai::Map>();
    assert_eq!(
        checker
            .host_mut()
            .set_params("docker/unofficial-base-image", overrides),
        Ok(())
    );

    assert!(!unofficial(&checker));

    checker
        .host_mut()
        .set_params(
            "django/hsts-max-age-short",
            map("#{ min_hsts_seconds: 63072000 }"),
        )
        .unwrap();
    assert_eq!(
        hsts(&checker),
        vec!["SECURE_HSTS_SECONDS is 31536000 (about 365 days), less than the required 63072000"]
    );
}

/// `<dir>/stdlib/<name>.rhai` is a module the directory's rules import by name; it is not a
/// rule, and it cannot take a built-in module's name.
#[test]
fn an_org_directory_brings_its_own_modules() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "org/stdlib/teams.rhai",
        "/// The label naming a service's team.\nfn label() { \"com.example.team\" }\n",
    );
    write(
        "org/compose/team.rhai",
        "import \"teams\" as teams;\nconst META = #{ id: \"compose/team\", title: \"t\", severity: \"low\", applies_to: [\"compose\"] };\nfn check(doc) {\n    for s in doc.services.entries() {\n        if s.value.labels[teams::label()] == () { report(s.key, \"no team\"); }\n    }\n}\n",
    );
    write(
        "org/tests/fixtures/compose/team/fail/docker-compose.yml",
        "services:\n  web: # expect: compose/team\n    image: a\n",
    );
    write(
        "org/tests/fixtures/compose/team/pass/docker-compose.yml",
        "services:\n  web:\n    image: a\n    labels:\n      com.example.team: shop\n",
    );
    preflight()
        .current_dir(dir.path())
        .args(["test", "org"])
        .assert()
        .success()
        .stdout(predicate::str::ends_with("\n2 passed, 0 failed\n"));

    write("org/stdlib/images.rhai", "fn parse(x) { x }\n");
    preflight()
        .current_dir(dir.path())
        .args(["test", "org", "--color", "never"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "a module named `images` is loaded already",
        ));
}
