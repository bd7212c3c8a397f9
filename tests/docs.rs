//! The documentation's examples are real output.

use std::process::Command;

/// docs/model.md's `preflight parse` examples match what this build prints.
#[test]
fn model_docs_examples_are_current() {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/model-docs.py");
    let Ok(output) = Command::new("python3")
        .args([script, env!("CARGO_BIN_EXE_preflight"), "--check"])
        .output()
    else {
        eprintln!("python3 not found: docs/model.md examples not checked");
        return;
    };
    assert!(
        output.status.success(),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}
