//! Inline suppressions: `# preflight-ignore: docker/runs-as-root -- base image drops root`.
//!
//! A marker in a comment suppresses the named rules' findings that start on its line (a
//! trailing comment) or, on a comment line of its own, on the next line;
//! `preflight-ignore-file:` suppresses them in the whole file. `area/*` names every rule of
//! an area. Suppressions must say why after ` -- `: one without a reason is reported, and so
//! is one that suppresses nothing, so they never rot silently.

use crate::config::{Config, pattern_names};
use crate::finding::{Finding, Severity, builtin};
use crate::model::{SourceFile, Span};

pub const MISSING_REASON: &str = "suppression/missing-reason";
pub const UNUSED: &str = "suppression/unused";

const LINE_MARKER: &str = "preflight-ignore:";
const FILE_MARKER: &str = "preflight-ignore-file:";

/// A finding that a suppression hid, with the reason it gave.
#[derive(Debug, Clone)]
pub struct Suppressed {
    pub finding: Finding,
    pub reason: Option<String>,
}

/// One rule named by one marker.
#[derive(Debug)]
struct Marker {
    rule: String,
    /// The line whose findings it hides; `None` for the whole file.
    target: Option<u32>,
    reason: Option<String>,
    /// Where the rule id is written, for diagnostics about the marker itself.
    span: Span,
    used: bool,
}

/// Splits `findings` into those that stay and those suppressed, and adds a finding for each
/// suppression without a reason and each one that matched nothing. `files` are the scanned
/// files (not policies), whose comments may hold markers; `config` holds the config's
/// `[[ignore]]` entries, whose paths are relative to the config's directory (`prefix` makes
/// a finding's path so).
pub fn apply<'a>(
    findings: Vec<Finding>,
    files: impl Iterator<Item = &'a SourceFile>,
    config: &Config,
    prefix: &str,
) -> (Vec<Finding>, Vec<Suppressed>) {
    let mut markers: Vec<(String, Vec<Marker>)> = files
        .filter(|f| f.text.contains(LINE_MARKER) || f.text.contains(FILE_MARKER))
        .map(|f| (f.path.clone(), markers_in(f)))
        .collect();
    let mut kept = Vec::new();
    let mut suppressed = Vec::new();
    let mut config_used = vec![false; config.ignore.len()];
    for finding in findings {
        let line = finding.span.map(|s| s.start.line);
        let file_markers = finding
            .path
            .as_ref()
            .filter(|_| !builtin::is_tool_problem(&finding.rule))
            .and_then(|path| markers.iter_mut().find(|(p, _)| p == path))
            .map(|(_, m)| m);
        let hit = file_markers.and_then(|markers| {
            markers.iter_mut().find(|m| {
                pattern_names(&m.rule, &finding.rule) && (m.target.is_none() || m.target == line)
            })
        });
        if let Some(marker) = hit {
            marker.used = true;
            suppressed.push(Suppressed {
                finding,
                reason: marker.reason.clone(),
            });
            continue;
        }
        let entry = finding
            .path
            .as_ref()
            .filter(|_| !builtin::is_tool_problem(&finding.rule))
            .and_then(|path| {
                let path = format!("{prefix}{path}");
                config
                    .ignore
                    .iter()
                    .position(|e| e.rule.matches(&finding.rule) && e.glob.is_match(&path))
            });
        match entry {
            Some(index) => {
                config_used[index] = true;
                suppressed.push(Suppressed {
                    finding,
                    reason: Some(config.ignore[index].reason.clone()),
                });
            }
            None => kept.push(finding),
        }
    }
    for (entry, _) in config
        .ignore
        .iter()
        .zip(&config_used)
        .filter(|(_, used)| !**used)
    {
        kept.push(Finding {
            rule: UNUSED.into(),
            severity: Severity::Low,
            message: format!(
                "[[ignore]] of `{}` in `{}` matches no finding",
                entry.rule.pattern, entry.path
            ),
            path: config.file.clone(),
            span: Some(entry.span),
            checklist: Vec::new(),
            help: Some(
                "Remove the entry: the problem it hid is fixed, or its rule or path is misspelt."
                    .into(),
            ),
        });
    }
    for (path, markers) in &markers {
        for marker in markers {
            if marker.reason.is_none() {
                kept.push(problem(
                    path,
                    marker,
                    MISSING_REASON,
                    format!(
                        "suppression of `{}` gives no reason: say why after ` -- `",
                        marker.rule
                    ),
                    format!(
                        "Write `preflight-ignore: {} -- <why this is acceptable here>`.",
                        marker.rule
                    ),
                ));
            }
            if !marker.used {
                kept.push(problem(
                    path,
                    marker,
                    UNUSED,
                    format!(
                        "suppression of `{}` matches no finding {}",
                        marker.rule,
                        if marker.target.is_some() {
                            "on its line"
                        } else {
                            "in this file"
                        }
                    ),
                    "Remove it: the problem it hid is fixed, or the rule id is misspelt.".into(),
                ));
            }
        }
    }
    kept.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    (kept, suppressed)
}

fn markers_in(file: &SourceFile) -> Vec<Marker> {
    let mut out = Vec::new();
    let mut offset = 0;
    for (index, line) in file.text.split_inclusive('\n').enumerate() {
        let number = index as u32 + 1;
        for (marker, whole_file) in [(FILE_MARKER, true), (LINE_MARKER, false)] {
            let Some(at) = line.find(marker) else {
                continue;
            };
            let before = line[..at].trim_end();
            // Only comments suppress: `preflight-ignore:` inside a value is data.
            let Some(comment) = before.rfind('#').or_else(|| before.rfind("//")) else {
                continue;
            };
            let own_line = line[..comment].trim().is_empty();
            let rest = line[at + marker.len()..].trim_end_matches(['\n', '\r']);
            let (rules, reason) = match rest.split_once("--") {
                Some((rules, reason)) => (rules, Some(reason.trim()).filter(|r| !r.is_empty())),
                None => (rest, None),
            };
            let rules_start = at + marker.len();
            let mut searched = 0;
            for rule in rules.split([',', ' ']).filter(|r| !r.is_empty()) {
                let column = searched + rules[searched..].find(rule).unwrap_or(0);
                searched = column + rule.len();
                let start = offset + rules_start + column;
                out.push(Marker {
                    rule: rule.to_string(),
                    target: if whole_file {
                        None
                    } else if own_line {
                        Some(number + 1)
                    } else {
                        Some(number)
                    },
                    reason: reason.map(str::to_string),
                    span: file.span(start..start + rule.len()),
                    used: false,
                });
            }
            // A line holds one marker; `preflight-ignore-file:` also contains no `-ignore:`.
            break;
        }
        offset += line.len();
    }
    out
}

fn problem(path: &str, marker: &Marker, rule: &str, message: String, help: String) -> Finding {
    Finding {
        rule: rule.into(),
        severity: Severity::Low,
        message,
        path: Some(path.to_string()),
        span: Some(marker.span),
        checklist: Vec::new(),
        help: Some(help),
    }
}
