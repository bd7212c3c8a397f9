//! `--format junit`: JUnit XML, which GitLab, Jenkins and Azure DevOps render as test
//! results.
//!
//! One `testsuite` per rule, one failing `testcase` per finding: dashboards then show each
//! rule as a test that passed or failed, with its failures listed by place. A rule with no
//! findings is one passing `testcase`, so the report shows everything that was checked, not
//! only what failed. Files, policies and config that could not be used are `error`s of a
//! `preflight` suite.

use std::collections::BTreeMap;

use crate::check::Outcome;
use crate::finding::{Finding, builtin};

pub fn render(outcome: &Outcome) -> String {
    let mut by_rule: BTreeMap<&str, Vec<&Finding>> = BTreeMap::new();
    let mut problems = Vec::new();
    for f in &outcome.findings {
        if builtin::is_tool_problem(&f.rule) {
            problems.push(f);
        } else {
            by_rule.entry(&f.rule).or_default().push(f);
        }
    }
    let failures = outcome.findings.len() - problems.len();
    let tests: usize = outcome
        .rules
        .iter()
        .map(|r| by_rule.get(r.meta.id.as_str()).map_or(1, Vec::len))
        .sum::<usize>()
        + problems.len();

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"preflight\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{}\">\n",
        problems.len()
    ));
    if !problems.is_empty() {
        out.push_str(&format!(
            "  <testsuite name=\"preflight\" tests=\"{0}\" failures=\"0\" errors=\"{0}\">\n",
            problems.len()
        ));
        for f in &problems {
            testcase(&mut out, f, "error");
        }
        out.push_str("  </testsuite>\n");
    }
    for rule in &outcome.rules {
        let id = rule.meta.id.as_str();
        let findings = by_rule.get(id).map(Vec::as_slice).unwrap_or_default();
        out.push_str(&format!(
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\">\n",
            xml(id),
            findings.len().max(1),
            findings.len()
        ));
        if findings.is_empty() {
            out.push_str(&format!(
                "    <testcase name=\"{}\" classname=\"{}\"/>\n",
                xml(&rule.meta.title),
                xml(id)
            ));
        }
        for f in findings {
            testcase(&mut out, f, "failure");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}

fn testcase(out: &mut String, f: &Finding, element: &str) {
    let place = f.place().unwrap_or_else(|| "(project)".to_string());
    let mut attributes = format!("name=\"{}\" classname=\"{}\"", xml(&place), xml(&f.rule));
    if let Some(path) = &f.path {
        attributes.push_str(&format!(" file=\"{}\"", xml(path)));
    }
    if let Some(span) = f.span {
        attributes.push_str(&format!(" line=\"{}\"", span.start.line));
    }
    let mut body = format!("{place}: {}: {}", f.severity, f.message);
    if let Some(help) = &f.help {
        body.push_str(&format!("\nhelp: {help}"));
    }
    out.push_str(&format!(
        "    <testcase {attributes}>\n      <{element} message=\"{}\" type=\"{}\">{}</{element}>\n    </testcase>\n",
        xml(&f.message),
        f.severity,
        xml(&body)
    ));
}

/// Text and attribute values: the five XML escapes, and control characters XML 1.0 forbids
/// dropped.
fn xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out
}
