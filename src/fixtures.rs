//! The rule fixture runner: `tests/fixtures/<area>/<rule>/{fail,pass}/*`.
//!
//! A `fail` fixture marks each line where a finding is expected with a comment holding
//! `expect: <rule-id>`; a mark in a comment of its own that starts with `^` (`# ^expect: …`)
//! points at the line above it instead, for formats whose lines cannot carry a comment. The
//! runner checks that the rule reports exactly the marked lines, and nothing on `pass`
//! fixtures. The default pack's tests and `preflight test` share it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::check::{Checker, Options};
use crate::finding::builtin;

/// The outcome of one fixture file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixtureResult {
    pub rule: String,
    pub path: PathBuf,
    /// Lines marked but not reported, as `(line, rule)`.
    pub missing: Vec<(u32, String)>,
    /// Findings not marked, as `(line, rule: message)`.
    pub unexpected: Vec<(u32, String)>,
}

impl FixtureResult {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }
}

/// Every fixture file under `root`, grouped by rule id (`area/rule`), with whether it must fail.
pub fn discover(root: &Path) -> BTreeMap<String, Vec<(PathBuf, bool)>> {
    let mut out: BTreeMap<String, Vec<(PathBuf, bool)>> = BTreeMap::new();
    for area in sorted_dirs(root) {
        for rule_dir in sorted_dirs(&area) {
            let id = format!("{}/{}", name(&area), name(&rule_dir));
            let entry = out.entry(id).or_default();
            for (sub, must_fail) in [("fail", true), ("pass", false)] {
                for file in sorted_files(&rule_dir.join(sub)) {
                    entry.push((file, must_fail));
                }
            }
        }
    }
    out
}

/// A checker with the default pack plus `policy_dirs`, to run fixtures with.
pub fn checker(policy_dirs: &[PathBuf]) -> Checker {
    Checker::new(&Options {
        policy_dirs: policy_dirs.to_vec(),
        ..Options::default()
    })
}

/// Checks one fixture file against its marks.
pub fn run_fixture(checker: &Checker, rule: &str, path: &Path, must_fail: bool) -> FixtureResult {
    let outcome = checker.run(path);
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut expected = if must_fail {
        expectations(&text)
    } else {
        Vec::new()
    };
    let mut unexpected = Vec::new();
    for finding in &outcome.findings {
        let relevant = finding.rule == rule
            || finding.rule == builtin::PARSE_ERROR
            || finding.rule == builtin::POLICY_ERROR
            || finding.rule == builtin::INPUT_ERROR;
        if !relevant {
            continue;
        }
        let line = finding.span.map_or(0, |s| s.start.line);
        match expected
            .iter()
            .position(|(l, r)| *l == line && r == &finding.rule)
        {
            Some(i) => {
                expected.remove(i);
            }
            None => unexpected.push((line, format!("{}: {}", finding.rule, finding.message))),
        }
    }
    FixtureResult {
        rule: rule.to_string(),
        path: path.to_path_buf(),
        missing: expected,
        unexpected,
    }
}

/// `(line, rule)` for every `expect:` mark in a fixture's text.
pub fn expectations(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut last_code_line = 0;
    for (index, line) in text.lines().enumerate() {
        let number = index as u32 + 1;
        let mut marked_above = false;
        for (at, _) in line.match_indices("expect:") {
            let before = line[..at].trim_end();
            // Only comments mark: `expect:` inside a value is data.
            if !(before.contains('#') || before.contains("//")) {
                continue;
            }
            let above = before.ends_with('^');
            marked_above |= above;
            let target = if above { last_code_line } else { number };
            let ids = line[at + "expect:".len()..]
                .split_whitespace()
                .next()
                .unwrap_or("");
            for id in ids.split(',').filter(|id| !id.is_empty()) {
                out.push((target, id.to_string()));
            }
        }
        if !marked_above {
            last_code_line = number;
        }
    }
    out
}

fn name(path: &Path) -> String {
    path.file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
}

fn sorted_dirs(dir: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_name_their_line_or_the_line_above() {
        let text = "a: 1\nb: 2  # expect: x/y\nFROM x\n# ^expect: d/e,d/f\nc: 3 # expect: x/y expect: x/z\nd: \"expect: not/a-mark\"\n";
        assert_eq!(
            expectations(text),
            vec![
                (2, "x/y".to_string()),
                (3, "d/e".to_string()),
                (3, "d/f".to_string()),
                (5, "x/y".to_string()),
                (5, "x/z".to_string()),
            ]
        );
    }
}
