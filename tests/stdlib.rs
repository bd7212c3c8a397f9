//! The stdlib modules' cases, written in Rhai (`tests/stdlib/<module>.rhai`): each is a rule
//! that throws on the first case whose result is not the expected one.

use std::path::Path;

use preflight::check::{self, Options};

#[test]
fn stdlib_cases_hold() {
    let org = tempfile::tempdir().unwrap();
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stdlib");
    std::fs::create_dir_all(org.path().join("cases")).unwrap();
    let mut count = 0;
    for entry in std::fs::read_dir(&cases).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(
            &path,
            org.path().join("cases").join(path.file_name().unwrap()),
        )
        .unwrap();
        count += 1;
    }
    assert!(count > 0);
    let project = tempfile::tempdir().unwrap();
    std::fs::write(project.path().join("settings.toml"), "a = 1\n").unwrap();
    let outcome = check::run(
        project.path(),
        &Options {
            policy_dirs: vec![org.path().to_path_buf()],
            ..Options::default()
        },
    );
    let errors: Vec<_> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == "policy-error")
        .map(|f| &f.message)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}
