//! preflight.toml as a team uses it: found above the scan root, selecting and re-grading
//! rules, excluding paths, suppressing findings in JSON, and mistakes at their TOML line.

mod common;

use common::{check, preflight, write};

/// A hardened compose file but for two findings of different areas: `compose/privileged`
/// (line 4) and `secrets/default-password-in-env` (line 6).
const COMPOSE: &str = "services:
  web:
    image: nginx:1.27.2
    privileged: true
    environment:
      POSTGRES_PASSWORD: postgres
    user: \"101:101\"
    read_only: true
    restart: unless-stopped
    security_opt: [\"no-new-privileges:true\"]
    healthcheck: { test: [\"CMD\", \"true\"] }
    deploy: { resources: { limits: { memory: 256m } } }
";

fn rules(findings: &[String]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f.split(' ').next().unwrap())
        .collect()
}

#[test]
fn the_config_in_an_ancestor_applies_with_globs_from_its_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "preflight.toml",
        "exclude = [\"services/api/legacy/\"]\n[rules]\nignore = [\"secrets/*\"]\n",
    );
    write(dir.path(), "services/api/docker-compose.yml", COMPOSE);
    write(
        dir.path(),
        "services/api/legacy/docker-compose.yml",
        COMPOSE,
    );
    let report = check(&[dir.path().join("services/api").to_str().unwrap()]);
    assert_eq!(
        report.findings,
        vec!["compose/privileged docker-compose.yml:4"]
    );
    // --no-config: everything again.
    let report = check(&[
        dir.path().join("services/api").to_str().unwrap(),
        "--no-config",
    ]);
    assert!(report.findings.len() >= 4, "{:?}", report.findings);
}

#[test]
fn select_and_flags_choose_the_rules_that_run() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.yml", COMPOSE);
    write(
        dir.path(),
        "preflight.toml",
        "[rules]\nselect = [\"secrets/*\"]\n",
    );
    let root = dir.path().to_str().unwrap();
    let report = check(&[root]);
    assert_eq!(
        report.findings,
        vec!["secrets/default-password-in-env docker-compose.yml:6"]
    );
    assert!(report.json["summary"]["rules"].as_u64().unwrap() < 20);
    // --select replaces the config's selection; --ignore adds to it.
    let report = check(&[
        root,
        "--select",
        "compose/*,secrets/*",
        "--ignore",
        "secrets/*",
    ]);
    assert_eq!(rules(&report.findings), vec!["compose/privileged"]);
}

#[test]
fn severity_overrides_regrade_findings_and_fail_on_comes_from_the_config() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.yml", COMPOSE);
    write(
        dir.path(),
        "preflight.toml",
        "fail-on = \"critical\"\n[rules]\nselect = [\"compose/privileged\"]\n[rules.severity]\n\"compose/*\" = \"medium\"\n",
    );
    let root = dir.path().to_str().unwrap();
    let report = check(&[root]);
    assert_eq!(report.json["findings"][0]["severity"], "medium");
    assert_eq!(report.code, 0, "medium is below the config's fail-on");
    // The command line overrides the config.
    assert_eq!(check(&[root, "--fail-on", "medium"]).code, 1);
}

#[test]
fn ignore_entries_suppress_findings_in_files_without_comments() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "frontend/package.json",
        "{\n  \"name\": \"shop\",\n  \"dependencies\": {\"next\": \"15.1.0\"},\n  \"env\": {\"NEXT_PUBLIC_STRIPE_SECRET_KEY\": \"sk_live_51HqLyjWDarjtT1zdp7dcPbJoNAbpzBzNqLwm0a9YBDwvNpyHZPZbQTWGQ7aCCqxSxi\"}\n}\n",
    );
    let root = dir.path().to_str().unwrap();
    let before = check(&[root]);
    assert!(
        !before.findings.is_empty(),
        "the fixture must have findings"
    );
    let rule = rules(&before.findings)[0].to_string();
    write(
        dir.path(),
        "preflight.toml",
        &format!(
            "[[ignore]]\npath = \"frontend/*.json\"\nrule = \"{rule}\"\nreason = \"a test key, revoked\"\n\n[[ignore]]\npath = \"backend/*.json\"\nrule = \"{rule}\"\nreason = \"stale\"\n"
        ),
    );
    let after = check(&[root]);
    assert!(
        !after
            .findings
            .iter()
            .any(|f| f.starts_with(&format!("{rule} "))),
        "{:?}",
        after.findings
    );
    // The entry that matched nothing is reported at its place in the config.
    assert!(
        after
            .findings
            .contains(&"suppression/unused preflight.toml:6".to_string()),
        "{:?}",
        after.findings
    );
    let suppressed = after.json["suppressed"].as_array().unwrap();
    assert!(
        suppressed
            .iter()
            .any(|s| s["rule"] == rule.as_str() && s["reason"] == "a test key, revoked")
    );
}

#[test]
fn an_unknown_rule_id_is_reported_at_its_toml_line_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.yml", COMPOSE);
    write(
        dir.path(),
        "preflight.toml",
        "[rules]\nignore = [\n  \"compose/privilegd\",\n]\n",
    );
    let report = check(&[dir.path().to_str().unwrap()]);
    assert_eq!(report.code, 2);
    assert!(
        report
            .findings
            .contains(&"config-error preflight.toml:3".to_string())
    );
    let message = report.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "config-error")
        .unwrap()["message"]
        .clone();
    assert_eq!(
        message,
        "unknown rule `compose/privilegd`; did you mean `compose/privileged`?"
    );
}

#[test]
fn a_config_named_on_the_command_line_must_exist() {
    let dir = tempfile::tempdir().unwrap();
    preflight()
        .args(["check", dir.path().to_str().unwrap(), "--config"])
        .arg(dir.path().join("nope.toml"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("nope.toml` does not exist"));
}

#[test]
fn init_writes_a_starter_config_that_checks_cleanly_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    preflight()
        .args(["init", dir.path().to_str().unwrap()])
        .assert()
        .success();
    let text = std::fs::read_to_string(dir.path().join("preflight.toml")).unwrap();
    assert!(text.contains("[rules]"));
    let report = check(&[dir.path().to_str().unwrap()]);
    assert_eq!(report.code, 0, "{:?}", report.findings);
    preflight()
        .args(["init", dir.path().to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("exists already"));
}

#[test]
fn a_baseline_hides_known_findings_survives_moved_lines_and_counts_fixes() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.yml", COMPOSE);
    let root = dir.path().to_str().unwrap();
    let baseline = dir.path().join("baseline.json");
    let written = check(&[root, "--write-baseline", baseline.to_str().unwrap()]);
    assert!(written.findings.len() >= 2);

    // Lines move, one finding is fixed, a new one appears.
    write(
        dir.path(),
        "docker-compose.yml",
        &format!(
            "# the shop\n\n{}",
            COMPOSE
                .replace("    privileged: true\n", "")
                .replace("nginx:1.27.2", "nginx:latest")
        ),
    );
    let report = check(&[root, "--baseline", baseline.to_str().unwrap()]);
    assert_eq!(
        rules(&report.findings),
        vec!["compose/latest-tag"],
        "only the new finding is reported"
    );
    let summary = &report.json["summary"]["baseline"];
    assert_eq!(summary["fixed"], 1);
    assert_eq!(summary["hidden"], written.findings.len() as u64 - 1);

    // The config can name the baseline too.
    write(
        dir.path(),
        "preflight.toml",
        "baseline = \"baseline.json\"\n",
    );
    assert_eq!(rules(&check(&[root]).findings), vec!["compose/latest-tag"]);
}

#[test]
fn quiet_prints_only_findings_and_show_suppressed_prints_the_hidden_ones() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "docker-compose.yml",
        &COMPOSE.replace(
            "privileged: true",
            "privileged: true  # preflight-ignore: compose/privileged -- VPN sidecar needs raw sockets",
        ),
    );
    let root = dir.path().to_str().unwrap();
    let quiet = preflight()
        .args(["check", root, "--quiet", "--color", "never"])
        .output()
        .unwrap();
    let quiet = String::from_utf8(quiet.stdout).unwrap();
    assert!(quiet.contains("secrets/default-password-in-env"));
    assert!(!quiet.contains("findings:"), "{quiet}");
    assert!(!quiet.contains("compose/privileged"));

    let shown = preflight()
        .args(["check", root, "--show-suppressed", "--color", "never"])
        .output()
        .unwrap();
    let shown = String::from_utf8(shown.stdout).unwrap();
    assert!(
        shown.contains("suppressed: VPN sidecar needs raw sockets"),
        "{shown}"
    );
    assert!(shown.contains("1 suppressed"));
}

#[test]
fn rule_parameters_come_from_the_config_and_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "config/settings.py",
        "DEBUG = False\nMIDDLEWARE = [\"django.middleware.security.SecurityMiddleware\"]\nSECURE_HSTS_SECONDS = 31536000\n",
    );
    let root = dir.path().to_str().unwrap();
    let hsts = |report: &common::Report| {
        report
            .findings
            .iter()
            .filter(|f| f.starts_with("django/hsts-max-age-short "))
            .count()
    };
    assert_eq!(hsts(&check(&[root])), 0, "a year is the default minimum");
    write(
        dir.path(),
        "preflight.toml",
        "[rules.params.\"django/hsts-max-age-short\"]\nmin_hsts_seconds = 63072000\n",
    );
    assert_eq!(hsts(&check(&[root])), 1, "two years required by the config");

    write(
        dir.path(),
        "preflight.toml",
        "[rules.params.\"django/hsts-max-age-short\"]\nmin_hsts_seconds = \"2y\"\nmin_seconds = 1\n",
    );
    let report = check(&[root]);
    assert_eq!(report.code, 2);
    let errors: Vec<String> = report.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "config-error")
        .map(|f| {
            format!(
                "{}:{} {}",
                f["span"]["start"]["line"], f["span"]["start"]["column"], f["message"]
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].starts_with("2:20 \"parameter `min_hsts_seconds`"),
        "{errors:#?}"
    );
    assert!(
        errors[1]
            .starts_with("3:1 \"rule `django/hsts-max-age-short` has no parameter `min_seconds`"),
        "{errors:#?}"
    );
}

#[test]
fn limits_in_the_config_apply_to_the_scan() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "docker-compose.yml", COMPOSE);
    write(
        dir.path(),
        "big.json",
        &format!("[{}1]", "1, ".repeat(1000)),
    );
    let root = dir.path().to_str().unwrap();
    assert!(
        !check(&[root])
            .findings
            .iter()
            .any(|f| f.starts_with("input-error"))
    );
    write(
        dir.path(),
        "preflight.toml",
        "[limits]\nmax-file-size = 2000\n",
    );
    let report = check(&[root]);
    assert!(
        report
            .findings
            .contains(&"input-error big.json:0".to_string()),
        "{:?}",
        report.findings
    );
    // The other files are still checked.
    assert!(
        report
            .findings
            .contains(&"compose/privileged docker-compose.yml:4".to_string())
    );
}
