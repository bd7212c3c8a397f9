//! Every rule of the default pack against its fixtures: marked lines must be reported, nothing
//! else may be, and `pass` fixtures must stay clean.

use std::path::Path;

use preflight::fixtures::{checker, discover, run_fixture};

fn fixtures_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
}

#[test]
fn every_fixture_matches_its_marks() {
    let mut failures = Vec::new();
    let mut checked = 0;
    let checker = checker(&[]);
    for (rule, files) in discover(fixtures_root()) {
        for (path, must_fail) in files {
            let result = run_fixture(&checker, &rule, &path, must_fail);
            checked += 1;
            if !result.passed() {
                failures.push(format!(
                    "{}:\n{}",
                    path.strip_prefix(fixtures_root())
                        .unwrap_or(&path)
                        .display(),
                    result.describe()
                ));
            }
        }
    }
    assert!(checked > 0, "no fixtures found");
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_fail_fixture_has_a_mark() {
    for (rule, files) in discover(fixtures_root()) {
        for (path, _) in files.into_iter().filter(|(_, must_fail)| *must_fail) {
            let marks = preflight::fixtures::marks(&path);
            assert!(
                marks
                    .iter()
                    .any(|(_, mark)| preflight::fixtures::mark_rule(mark) == rule),
                "{} has no `expect: {rule}` mark",
                path.display()
            );
        }
    }
}

#[test]
fn every_rule_has_pass_and_fail_fixtures_and_every_fixture_dir_has_a_rule() {
    let mut sources = preflight::model::SourceMap::default();
    let (host, errors) = preflight::engine::Host::load(&[], Default::default(), &mut sources);
    assert!(
        errors.is_empty(),
        "the default pack must load cleanly: {:?}",
        errors.iter().map(|e| &e.message).collect::<Vec<_>>()
    );
    let fixtures = discover(fixtures_root());
    for rule in host.rules() {
        let files = fixtures
            .get(&rule.meta.id)
            .map(Vec::as_slice)
            .unwrap_or_default();
        assert!(
            files.iter().any(|(_, fail)| *fail),
            "{} has no fail fixture",
            rule.meta.id
        );
        assert!(
            files.iter().any(|(_, fail)| !*fail),
            "{} has no pass fixture",
            rule.meta.id
        );
    }
    for id in fixtures.keys() {
        assert!(
            host.rules().iter().any(|r| &r.meta.id == id),
            "fixtures for `{id}`, which is not a rule"
        );
    }
}

#[test]
fn the_org_policy_examples_pass_their_fixtures() {
    let examples = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/org-policies"
    ));
    let checker = checker(&[examples.to_path_buf()]);
    let fixtures = discover(&examples.join("tests/fixtures"));
    assert!(!fixtures.is_empty());
    for (rule, files) in fixtures {
        assert!(
            files.iter().any(|(_, fail)| *fail),
            "{rule} has no fail fixture"
        );
        for (path, must_fail) in files {
            let result = run_fixture(&checker, &rule, &path, must_fail);
            assert!(
                result.passed(),
                "{}:\n{}",
                path.display(),
                result.describe()
            );
        }
    }
}

/// tests/projects/unready is one realistic project that is not ready for production: every
/// rule of the default pack fires on it, at the lines its marks name, and nothing else does.
#[test]
fn the_unready_project_triggers_every_rule_at_its_marks() {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/projects/unready"
    ));
    let checker = checker(&[]);
    let result = run_fixture(&checker, "*", root, true);
    assert!(
        result.passed(),
        "tests/projects/unready:\n{}",
        result.describe()
    );
    let marked: std::collections::BTreeSet<String> = preflight::fixtures::marks(root)
        .into_iter()
        .map(|(_, mark)| preflight::fixtures::mark_rule(&mark).to_string())
        .collect();
    let unmarked: Vec<_> = checker
        .host()
        .rules()
        .iter()
        .map(|r| r.meta.id.clone())
        .filter(|id| !marked.contains(id))
        .collect();
    assert!(
        unmarked.is_empty(),
        "rules that tests/projects/unready does not trigger: {unmarked:?}"
    );
}

#[test]
fn a_mark_may_pin_the_severity() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = |mark: &str| {
        let path = dir.path().join("Dockerfile");
        std::fs::write(
            &path,
            format!("FROM python:3.12-slim\nUSER root\n# ^expect: docker/runs-as-root{mark}\n"),
        )
        .unwrap();
        run_fixture(&checker(&[]), "docker/runs-as-root", &path, true)
    };
    assert!(fixture("").passed());
    assert!(fixture("@critical").passed());
    let wrong = fixture("@low");
    assert!(!wrong.passed());
    assert_eq!(wrong.missing.len(), 1, "{}", wrong.describe());
    assert_eq!(wrong.unexpected.len(), 1, "{}", wrong.describe());
}
