//! Renders findings: one file per output format.

pub mod checklist;
pub mod gcc;
pub mod github;
pub mod json;
pub mod junit;
pub mod pretty;
pub mod sarif;

use std::collections::HashMap;

use crate::check::Outcome;
use crate::finding::{Finding, Severity};

/// Counts of findings per severity, most severe first.
pub fn counts(findings: &[Finding]) -> Vec<(Severity, usize)> {
    Severity::DESCENDING
        .into_iter()
        .map(|sev| (sev, findings.iter().filter(|f| f.severity == sev).count()))
        .collect()
}

/// Each finding's fingerprint, in order: a hash of its rule, its path and the text of the line
/// it starts on with whitespace collapsed (its message, for a finding without a place), so it
/// survives lines moving above it. Findings that share all three are numbered in order
/// (`…:2`) to stay distinct.
pub fn fingerprints(outcome: &Outcome) -> Vec<String> {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    outcome
        .findings
        .iter()
        .map(|finding| {
            let line = finding
                .span
                .and_then(|span| {
                    let file = outcome.sources.get(span.source)?;
                    Some(file.line_text(span.start.line).to_string())
                })
                .unwrap_or_else(|| finding.message.clone());
            let normalised = line.split_whitespace().collect::<Vec<_>>().join(" ");
            let path = finding.path.as_deref().unwrap_or("");
            let hash = fnv1a(&[&finding.rule, path, &normalised]);
            let count = seen.entry(hash).or_default();
            *count += 1;
            if *count == 1 {
                format!("{hash:016x}")
            } else {
                format!("{hash:016x}:{count}")
            }
        })
        .collect()
}

/// FNV-1a over the parts, each followed by a NUL: small, and stable across Rust versions
/// and platforms, which `std`'s hasher does not promise.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for byte in part.bytes().chain([0]) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}
