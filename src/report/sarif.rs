//! `--format sarif`: SARIF 2.1.0, as GitHub code scanning and other CI dashboards read it.
//!
//! Every rule of the run is a `reportingDescriptor` built from its metadata; findings are
//! `results` with exact regions; files, policies and config that could not be used are
//! `toolExecutionNotifications`, not results, so they never count as problems of the project.

use serde_json::{Value, json};

use crate::check::{Outcome, RuleInfo};
use crate::finding::{Finding, Severity, builtin};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

pub fn render(outcome: &Outcome) -> String {
    let fingerprints = super::fingerprints(outcome);
    let mut results = Vec::new();
    let mut notifications = Vec::new();
    for (finding, fingerprint) in outcome.findings.iter().zip(&fingerprints) {
        if builtin::is_tool_problem(&finding.rule) {
            notifications.push(notification(finding));
        } else {
            results.push(result(outcome, finding, Some(fingerprint)));
        }
    }
    // Suppressed findings stay in SARIF, marked, as the format intends: dashboards show them
    // as dismissed, with the reason.
    for suppressed in &outcome.suppressed {
        let mut result = result(outcome, &suppressed.finding, None);
        result["suppressions"] = json!([{
            "kind": "inSource",
            "justification": suppressed.reason.clone().unwrap_or_default(),
        }]);
        results.push(result);
    }
    let report = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "preflight",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "rules": outcome.rules.iter().map(descriptor).collect::<Vec<_>>(),
                }
            },
            "invocations": [{
                "executionSuccessful": !outcome.has_setup_errors(),
                "toolExecutionNotifications": notifications,
            }],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_default();
    text.push('\n');
    text
}

fn descriptor(rule: &RuleInfo) -> Value {
    let meta = &rule.meta;
    let area = meta.id.split('/').next().unwrap_or_default();
    let mut tags = vec![area.to_string()];
    tags.extend(meta.checklist.iter().cloned());
    let summary = rule.docs.split("\n\n").next().unwrap_or_default().trim();
    let mut descriptor = json!({
        "id": meta.id,
        "name": pascal_case(&meta.id),
        "shortDescription": { "text": meta.title },
        "fullDescription": { "text": if summary.is_empty() { meta.title.as_str() } else { summary } },
        "help": {
            "text": meta.help.clone().unwrap_or_else(|| meta.title.clone()),
            "markdown": if rule.docs.trim().is_empty() { meta.title.as_str() } else { &*rule.docs },
        },
        "defaultConfiguration": { "level": level(meta.severity) },
        "properties": {
            "tags": tags,
            "severity": meta.severity,
            "security-severity": security_severity(meta.severity),
            "peers": meta.peers,
        },
    });
    if let Some(uri) = meta.references.first() {
        descriptor["helpUri"] = json!(uri);
    }
    descriptor
}

fn result(outcome: &Outcome, finding: &Finding, fingerprint: Option<&str>) -> Value {
    let mut result = json!({
        "ruleId": finding.rule,
        "level": level(finding.severity),
        "message": { "text": finding.message },
        "properties": { "severity": finding.severity, "checklist": finding.checklist },
    });
    if let Some(fingerprint) = fingerprint {
        result["partialFingerprints"] = json!({ "preflight/v1": fingerprint });
    }
    if let Some(index) = outcome.rules.iter().position(|r| r.meta.id == finding.rule) {
        result["ruleIndex"] = json!(index);
    }
    if let Some(help) = &finding.help {
        result["properties"]["help"] = json!(help);
    }
    // A finding about the whole project has no place in a file, but code scanning needs one:
    // it is shown on the project's README (or first file), line 1.
    if let Some(location) = location(finding) {
        result["locations"] = json!([location]);
    } else if let Some(anchor) = &outcome.anchor {
        result["locations"] = json!([{ "physicalLocation": {
            "artifactLocation": { "uri": uri(anchor), "uriBaseId": "%SRCROOT%" },
            "region": { "startLine": 1 },
        }}]);
        result["properties"]["project"] = json!(true);
    }
    result
}

fn notification(finding: &Finding) -> Value {
    let mut notification = json!({
        "level": if finding.severity >= Severity::High { "error" } else { "warning" },
        "message": { "text": finding.message },
        "descriptor": { "id": finding.rule },
    });
    if let Some(location) = location(finding) {
        notification["locations"] = json!([location]);
    }
    notification
}

fn location(finding: &Finding) -> Option<Value> {
    let path = finding.path.as_ref()?;
    let mut physical = json!({
        "artifactLocation": { "uri": uri(path), "uriBaseId": "%SRCROOT%" },
    });
    if let Some(span) = finding.span {
        // SARIF's endColumn is the column after the region, as our span's end is.
        physical["region"] = json!({
            "startLine": span.start.line,
            "startColumn": span.start.column,
            "endLine": span.end.line,
            "endColumn": span.end.column.max(span.start.column + 1),
        });
    }
    Some(json!({ "physicalLocation": physical }))
}

/// error for what fails a deploy by default, warning for what should be fixed, note for advice.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

/// GitHub code scanning buckets: ≥ 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium, < 4 low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "1.0",
    }
}

/// A relative path as a URI reference: `/` kept, everything outside the unreserved set
/// percent-encoded (`my app/x.yml` → `my%20app/x.yml`).
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `docker/runs-as-root` → `DockerRunsAsRoot`, the descriptor's readable name.
fn pascal_case(id: &str) -> String {
    id.split(['/', '-'])
        .map(|word| {
            let mut chars = word.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_uppercase().chain(chars).collect()
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(pascal_case("docker/runs-as-root"), "DockerRunsAsRoot");
        assert_eq!(uri("my app/ü.yml"), "my%20app/%C3%BC.yml");
    }
}
