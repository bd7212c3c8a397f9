//! Baselines: adopt preflight on an existing project without fixing every finding first.
//!
//! `--write-baseline FILE` records the current findings by fingerprint (rule, path and the
//! normalised text of the flagged line, so moving lines does not break a match);
//! `--baseline FILE` then reports only findings that are not in it, and counts the entries
//! whose finding is gone, so the file can be regenerated as the debt shrinks.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::check::Outcome;
use crate::finding::builtin;
use crate::report;

const VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// One accepted finding. Only `fingerprint` matches; the rest is for people reading the file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Entry {
    pub fingerprint: String,
    pub rule: String,
    pub path: Option<String>,
    #[serde(default)]
    pub line: Option<u32>,
    #[serde(default)]
    pub message: String,
}

/// What applying a baseline did, for the summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Applied {
    /// Findings hidden because the baseline has them.
    pub hidden: usize,
    /// Baseline entries no current finding matches: fixed since it was written.
    pub fixed: usize,
}

/// Findings that stop a run from being trusted are never accepted into a baseline.
fn acceptable(rule: &str) -> bool {
    rule != builtin::POLICY_ERROR && rule != builtin::CONFIG_ERROR
}

impl Baseline {
    /// The baseline of everything `outcome` found.
    pub fn of(outcome: &Outcome) -> Baseline {
        let findings = outcome
            .findings
            .iter()
            .zip(report::fingerprints(outcome))
            .filter(|(f, _)| acceptable(&f.rule))
            .map(|(f, fingerprint)| Entry {
                fingerprint,
                rule: f.rule.clone(),
                path: f.path.clone(),
                line: f.span.map(|s| s.start.line),
                message: f.message.clone(),
            })
            .collect();
        Baseline {
            version: VERSION,
            findings,
        }
    }

    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        text
    }

    pub fn parse(text: &str) -> Result<Baseline, String> {
        let baseline: Baseline = serde_json::from_str(text)
            .map_err(|err| format!("not a preflight baseline (line {}): {err}", err.line()))?;
        if baseline.version != VERSION {
            return Err(format!(
                "baseline version {} is not supported (expected {VERSION}); write it again with --write-baseline",
                baseline.version
            ));
        }
        Ok(baseline)
    }

    /// Removes from `outcome` the findings this baseline accepts.
    pub fn apply(&self, outcome: &mut Outcome) -> Applied {
        let mut remaining: HashMap<&str, usize> = HashMap::new();
        for entry in &self.findings {
            *remaining.entry(entry.fingerprint.as_str()).or_default() += 1;
        }
        let fingerprints = report::fingerprints(outcome);
        let mut hidden = 0;
        let mut kept = Vec::with_capacity(outcome.findings.len());
        for (finding, fingerprint) in std::mem::take(&mut outcome.findings)
            .into_iter()
            .zip(&fingerprints)
        {
            let slot = remaining
                .get_mut(fingerprint.as_str())
                .filter(|n| **n > 0 && acceptable(&finding.rule));
            match slot {
                Some(n) => {
                    *n -= 1;
                    hidden += 1;
                }
                None => kept.push(finding),
            }
        }
        outcome.findings = kept;
        Applied {
            hidden,
            fixed: remaining.values().sum(),
        }
    }
}
