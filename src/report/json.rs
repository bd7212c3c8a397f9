//! `--format json`: the stable machine-readable shape of DESIGN.md, shown in the README.

use serde_json::{Value, json};

use crate::check::Outcome;
use crate::finding::Finding;

pub const VERSION: u32 = 1;

pub fn render(outcome: &Outcome) -> String {
    let findings: Vec<Value> = outcome.findings.iter().map(finding).collect();
    let by_severity: serde_json::Map<String, Value> = super::counts(&outcome.findings)
        .into_iter()
        .map(|(sev, n)| (sev.to_string(), json!(n)))
        .collect();
    let suppressed: Vec<Value> = outcome
        .suppressed
        .iter()
        .map(|s| {
            let mut value = finding(&s.finding);
            value["reason"] = json!(s.reason);
            value
        })
        .collect();
    let baseline = outcome
        .baseline
        .map(|b| json!({"hidden": b.hidden, "fixed": b.fixed}));
    let report = json!({
        "version": VERSION,
        "findings": findings,
        "suppressed": suppressed,
        "summary": {
            "files": outcome.files_checked,
            "documents": outcome.documents,
            "rules": outcome.rules.len(),
            "findings": outcome.findings.len(),
            "by_severity": by_severity,
            "suppressed": outcome.suppressed.len(),
            "baseline": baseline,
        },
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn finding(f: &Finding) -> Value {
    let span = f.span.map(|s| {
        json!({
            "start": {"line": s.start.line, "column": s.start.column},
            "end": {"line": s.end.line, "column": s.end.column},
        })
    });
    json!({
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "path": f.path,
        "span": span,
        "checklist": f.checklist,
        "help": f.help,
    })
}
