//! Every way a policy can fail, as the user sees it: a `policy-error` diagnostic with the
//! `.rhai` snippet at the exact line and column, naming the document for runtime errors.

use std::path::{Path, PathBuf};

use preflight::check::{self, Options};
use preflight::report::pretty;

const META: &str =
    r#"const META = #{ id: "org/rule", title: "t", severity: "high", applies_to: ["compose"] };"#;

fn project() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/projects/snapshot")
}

/// The policy errors of a scan with `rules` (`(path under the org dir, text)`) loaded.
fn policy_errors(rules: &[(&str, &str)]) -> String {
    let org = tempfile::tempdir().unwrap();
    for (rel, text) in rules {
        let path = org.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let options = Options {
        policy_dirs: vec![org.path().to_path_buf()],
        ..Options::default()
    };
    let outcome = check::run(&project(), &options);
    let errors = outcome
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
    pretty::render(&only_errors, &style).replace(&org.path().display().to_string(), "<org>")
}

fn runtime(body: &str) -> String {
    policy_errors(&[(
        "org/rule.rhai",
        &format!("{META}\n\nfn check(doc) {{\n{body}\n}}\n"),
    )])
}

#[test]
fn compile_error() {
    insta::assert_snapshot!(runtime("    let x = ;"));
}

#[test]
fn type_mismatch() {
    insta::assert_snapshot!(runtime(
        "    let services = doc.services;\n    if services.len() { print(\"some\"); }"
    ));
}

#[test]
fn missing_function() {
    insta::assert_snapshot!(runtime(
        "    let image = doc.services.web.image;\n    image.registry_of();"
    ));
}

#[test]
fn index_out_of_bounds() {
    insta::assert_snapshot!(runtime("    let names = [];\n    let first = names[3];"));
}

#[test]
fn throw() {
    insta::assert_snapshot!(runtime("    throw `cannot handle ${document_path()}`;"));
}

#[test]
fn operations_limit() {
    insta::assert_snapshot!(runtime("    loop { }"));
}

#[test]
fn call_depth_limit() {
    insta::assert_snapshot!(policy_errors(&[(
        "org/rule.rhai",
        &format!(
            "{META}\n\nfn deeper(n) {{ deeper(n + 1) }}\n\nfn check(doc) {{\n    deeper(0);\n}}\n"
        ),
    )]));
}

#[test]
fn metadata_errors() {
    let rule = |meta: &str| format!("const META = #{{\n{meta}\n}};\n\nfn check(doc) {{ }}\n");
    insta::assert_snapshot!(policy_errors(&[
        (
            "org/no-id.rhai",
            &rule("    title: \"t\",\n    severity: \"high\",\n    applies_to: [\"compose\"],"),
        ),
        (
            "org/no-severity.rhai",
            &rule(
                "    id: \"org/no-severity\",\n    title: \"t\",\n    applies_to: [\"compose\"],"
            ),
        ),
        (
            "org/no-kinds.rhai",
            &rule("    id: \"org/no-kinds\",\n    title: \"t\",\n    severity: \"high\","),
        ),
        (
            "org/bad-kind.rhai",
            &rule(
                "    id: \"org/bad-kind\",\n    title: \"t\",\n    severity: \"high\",\n    applies_to: [\"kubernetes\"],"
            ),
        ),
        (
            "org/bad-checklist.rhai",
            &rule(
                "    id: \"org/bad-checklist\",\n    title: \"t\",\n    severity: \"high\",\n    applies_to: [\"compose\"],\n    checklist: [\"deploy.security.django.debug\"],"
            ),
        ),
        (
            "compose/latest-tag.rhai",
            &rule(
                "    id: \"compose/latest-tag\",\n    title: \"t\",\n    severity: \"high\",\n    applies_to: [\"compose\"],"
            ),
        ),
        (
            "org/replaces-nothing.rhai",
            &rule(
                "    id: \"org/replaces-nothing\",\n    title: \"t\",\n    severity: \"high\",\n    applies_to: [\"compose\"],\n    replaces: true,"
            ),
        ),
    ]));
}

/// An org rule may replace a default one when it says so.
#[test]
fn replacing_a_default_rule_takes_replaces_true() {
    let text = policy_errors(&[(
        "compose/latest-tag.rhai",
        "const META = #{ id: \"compose/latest-tag\", title: \"mine\", severity: \"low\", applies_to: [\"compose\"], replaces: true };\nfn check(doc) { }\n",
    )]);
    assert!(text.starts_with("no findings"), "{text}");
}

/// A rule that fails on one document still runs on the others.
#[test]
fn an_error_on_one_document_leaves_the_others_checked() {
    let org = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(org.path().join("org")).unwrap();
    std::fs::write(
        org.path().join("org/rule.rhai"),
        format!(
            "{META}\nfn check(doc) {{\n    if doc.services.web != () {{ throw \"no web\"; }}\n    report(doc.services, \"checked\");\n}}\n"
        ),
    )
    .unwrap();
    let project = tempfile::tempdir().unwrap();
    std::fs::write(
        project.path().join("docker-compose.yml"),
        "services:\n  web:\n    image: a\n",
    )
    .unwrap();
    std::fs::write(
        project.path().join("compose.prod.yaml"),
        "services:\n  api:\n    image: a\n",
    )
    .unwrap();
    let outcome = check::run(
        project.path(),
        &Options {
            policy_dirs: vec![org.path().to_path_buf()],
            ..Options::default()
        },
    );
    let mut mine: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "org/rule" || f.rule == "policy-error")
        .map(|f| {
            (
                f.rule.as_str(),
                f.path
                    .as_deref()
                    .unwrap_or_default()
                    .rsplit('/')
                    .next()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    mine.sort();
    assert_eq!(
        mine,
        vec![
            ("org/rule", "compose.prod.yaml".to_string()),
            ("policy-error", "rule.rhai".to_string()),
        ]
    );
}
