//! Helpers the CLI test files share: write a project, run `preflight check` on it.

#![allow(dead_code)] // each test file uses some of them

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

pub fn preflight() -> Command {
    let mut cmd = Command::cargo_bin("preflight").expect("binary builds");
    cmd.env_remove("NO_COLOR").env("COLUMNS", "100");
    cmd
}

/// A path inside the repository, as a string for command arguments.
pub fn manifest(path: &str) -> String {
    format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))
}

pub fn write(dir: &Path, path: &str, text: &str) {
    let path = dir.join(path);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// What `preflight check --format json` said.
pub struct Report {
    pub code: i32,
    /// Each finding as `rule path:line` (`-` for no path, `0` for no line).
    pub findings: Vec<String>,
    pub json: Value,
}

/// Runs `preflight check <args> --format json` (the scan root among `args`).
pub fn check(args: &[&str]) -> Report {
    let output = preflight()
        .arg("check")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
        panic!(
            "not JSON ({err}): {}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} {}:{}",
                f["rule"].as_str().unwrap(),
                f["path"].as_str().unwrap_or("-"),
                f["span"]["start"]["line"].as_u64().unwrap_or(0)
            )
        })
        .collect();
    Report {
        code: output.status.code().unwrap(),
        findings,
        json,
    }
}
