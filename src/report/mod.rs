//! Renders findings: one file per output format.

pub mod json;
pub mod pretty;

use crate::finding::{Finding, Severity};

/// Counts of findings per severity, most severe first.
pub fn counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::DESCENDING
        .into_iter()
        .map(|sev| (sev, findings.iter().filter(|f| f.severity == sev).count()))
        .collect()
}
