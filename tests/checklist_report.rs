//! `--format checklist`: the checklists filled in from findings, rules and attestations, with
//! a verdict a release manager can act on.

mod common;

use common::{manifest, preflight, write};

fn report(path: &str) -> (i32, String) {
    let output = preflight()
        .args(["check", path, "--format", "checklist"])
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

/// The line of the report that starts an item with this text.
fn line<'a>(report: &'a str, text: &str) -> &'a str {
    report
        .lines()
        .find(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line for {text:?} in\n{report}"))
}

#[test]
fn an_unready_project_is_not_deployed_and_shows_the_failures_at_their_place() {
    let (code, text) = report(&manifest("tests/projects/unready"));
    assert_eq!(code, 1);
    assert!(text.starts_with(
        "# Production readiness report\n\n**DO NOT DEPLOY** — critical failures present: "
    ));
    assert!(line(&text, "**Debug mode enabled**").starts_with("- ❌"));
    assert!(text.contains(
        "  - `backend/config/settings.py:7:9` critical — DEBUG is `True` (`django/debug-enabled`)\n"
    ));
    assert!(line(&text, "`DEBUG = False` in production settings").starts_with("- [ ] "));
    assert!(line(&text, "`DEBUG = False` in production settings").contains("❌ **failed**"));
}

#[test]
fn a_hardened_project_passes_every_item_its_rules_check() {
    let (code, text) = report(&manifest("tests/projects/hardened"));
    assert_eq!(code, 0);
    assert!(text.contains("| ❌ failed | 0 |"), "{text}");
    assert!(line(&text, "**Debug mode enabled**").starts_with("- ✅"));
    assert!(line(&text, "`DEBUG = False` in production settings").starts_with("- [x] "));
    // The attested items say who vouched for them, and when.
    assert!(line(&text, "**Security audit failures**").contains(
        "🖊 attested by Security team <security@example.com> on 2026-10-02, valid until 2099-10-02 ([evidence](https://wiki.example.com/security/audit-2026-q3))"
    ));
    assert!(line(&text, "Perform penetration testing").starts_with("- [x] "));
    assert!(
        !text.contains("- ❌") && !text.contains("❌ **failed**"),
        "{text}"
    );
    // An item rules can check only in part says what is left for a person.
    assert!(
        line(&text, "Authentication required for all non-public endpoints").ends_with(
            "✅ configuration checked by `django/drf-allow-any`; the rest needs a person (`[attest.\"deploy.api.auth-required\"]`)"
        )
    );
}

#[test]
fn an_expired_attestation_no_longer_counts() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "preflight.toml",
        "[attest.\"readiness.testing.pen-test\"]\nby = \"Jane\"\ndate = 2020-01-10\nexpires = 2021-01-10\n",
    );
    write(dir.path(), "docker-compose.yml", "services: {}\n");
    let (_, text) = report(dir.path().to_str().unwrap());
    assert!(
        line(&text, "Perform penetration testing").ends_with(
            "❔ attestation by Jane expired on 2021-01-10: confirm it again (`[attest.\"readiness.testing.pen-test\"]`)"
        ),
        "{text}"
    );
    assert!(text.contains("**DO NOT DEPLOY** — no critical failure found, but 1 critical item "));
}

#[test]
fn an_attestation_of_an_unknown_item_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "preflight.toml",
        "[attest.\"readiness.testing.pentest\"]\nby = \"Jane\"\ndate = 2026-01-10\n",
    );
    let report = common::check(&[dir.path().to_str().unwrap()]);
    assert_eq!(report.code, 2);
    assert_eq!(report.findings, vec!["config-error preflight.toml:1"]);
    assert!(
        report.json["findings"][0]["message"]
            .as_str()
            .unwrap()
            .ends_with("did you mean `readiness.testing.pen-test`?")
    );
}
