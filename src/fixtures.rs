//! The rule fixture runner: `tests/fixtures/<area>/<rule>/{fail,pass}/*`.
//!
//! A fixture is a file, or a directory checked as one project (for rules that look across
//! files). A `fail` fixture marks each line where a finding is expected with a comment holding
//! `expect: <rule-id>`; a mark in a comment of its own that starts with `^` (`# ^expect: …`)
//! points at the line above it instead, for formats whose lines cannot carry a comment, and
//! `expect-project: <rule-id>` expects a finding about the project as a whole (no file). A
//! mark may pin the severity, `expect: <rule-id>@low`, where a rule lowers it on purpose. The
//! runner checks that the rule reports exactly the marked places, and nothing on `pass`
//! fixtures. The default pack's tests and `preflight test` share it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::{Checker, Options};
use crate::finding::{Finding, builtin};
use crate::model::SourceFile;

/// The outcome of one fixture file.
#[derive(Debug, Clone)]
pub struct FixtureResult {
    pub rule: String,
    pub path: PathBuf,
    /// Places marked but not reported, as `(place, rule)`.
    pub missing: Vec<(Place, String)>,
    /// Findings not marked.
    pub unexpected: Vec<Unexpected>,
}

/// A finding no mark expected, with the file its span points into (a fixture file, or the
/// `.rhai` file of a rule that failed).
#[derive(Debug, Clone)]
pub struct Unexpected {
    pub place: Place,
    pub finding: Finding,
    pub source: Option<Arc<SourceFile>>,
}

/// Where a finding is expected: `path:line` inside a directory fixture, `line` in a file
/// fixture, `project` for a finding about the whole project.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Place {
    pub path: Option<String>,
    pub line: u32,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.path {
            None => f.write_str("project"),
            Some(path) if path.is_empty() => write!(f, "{}", self.line),
            Some(path) => write!(f, "{path}:{}", self.line),
        }
    }
}

impl FixtureResult {
    pub fn passed(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty()
    }

    /// What went wrong, one line per mark or finding.
    pub fn describe(&self) -> String {
        let missing = self
            .missing
            .iter()
            .map(|(place, rule)| format!("  missing   {place} {rule}"));
        let unexpected = self.unexpected.iter().map(|u| {
            format!(
                "  unexpected {} {}: {}",
                u.place, u.finding.rule, u.finding.message
            )
        });
        missing.chain(unexpected).collect::<Vec<_>>().join("\n")
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
                for file in sorted_entries(&rule_dir.join(sub)) {
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

/// Checks one fixture (a file or a directory) against its marks. `rule` is the rule under
/// test, or `*` to hold every rule to the marks.
pub fn run_fixture(checker: &Checker, rule: &str, path: &Path, must_fail: bool) -> FixtureResult {
    let outcome = checker.run(path);
    let mut expected = if must_fail { marks(path) } else { Vec::new() };
    let single_file = path.is_file();
    let mut unexpected = Vec::new();
    for finding in &outcome.findings {
        let relevant =
            rule == "*" || finding.rule == rule || builtin::is_tool_problem(&finding.rule);
        if !relevant {
            continue;
        }
        let place = Place {
            path: finding.path.as_ref().map(|p| {
                if single_file {
                    String::new()
                } else {
                    p.clone()
                }
            }),
            line: finding.span.map_or(0, |s| s.start.line),
        };
        match expected
            .iter()
            .position(|(p, mark)| *p == place && mark_matches(mark, finding))
        {
            Some(i) => {
                expected.remove(i);
            }
            None => unexpected.push(Unexpected {
                place,
                finding: finding.clone(),
                source: finding
                    .span
                    .and_then(|span| outcome.sources.get(span.source).cloned()),
            }),
        }
    }
    FixtureResult {
        rule: rule.to_string(),
        path: path.to_path_buf(),
        missing: expected,
        unexpected,
    }
}

/// `docker/runs-as-root` matches a finding of that rule; `docker/runs-as-root@low` only one
/// at that severity, for rules whose severity depends on what they found.
fn mark_matches(mark: &str, finding: &crate::finding::Finding) -> bool {
    match mark.split_once('@') {
        Some((rule, severity)) => rule == finding.rule && severity == finding.severity.as_str(),
        None => mark == finding.rule,
    }
}

/// The rule id of a mark, without its `@severity`.
pub fn mark_rule(mark: &str) -> &str {
    mark.split_once('@').map_or(mark, |(rule, _)| rule)
}

/// Every mark of a fixture: of the file itself, or of each file under the directory, with
/// paths relative to it.
pub fn marks(path: &Path) -> Vec<(Place, String)> {
    if path.is_file() {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        return file_marks("", &text);
    }
    let mut out = Vec::new();
    let walked = crate::walk::walk(path, u64::MAX, &|_| true, None);
    for file in walked.files {
        let text = std::fs::read_to_string(&file.path).unwrap_or_default();
        out.extend(file_marks(&file.rel, &text));
    }
    out.sort();
    out
}

fn file_marks(path: &str, text: &str) -> Vec<(Place, String)> {
    let place = |line| Place {
        path: Some(path.to_string()),
        line,
    };
    let project = |_| Place {
        path: None,
        line: 0,
    };
    let mut out: Vec<_> = expectations(text)
        .into_iter()
        .map(|(line, rule)| (place(line), rule))
        .collect();
    out.extend(
        text.lines()
            .flat_map(|line| line.split("expect-project:").skip(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .flat_map(|ids| ids.split(','))
            .filter(|id| !id.is_empty())
            .map(|id| (project(()), id.to_string())),
    );
    out
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

/// Files and directories of `dir`, each one fixture.
fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
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
