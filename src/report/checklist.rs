//! `--format checklist`: both production checklists in their own structure, every item marked
//! passed (by which rules), failed (with the findings), attested (by whom, when) or needing a
//! person — Markdown to paste into a release pull request, with a plain verdict on top.

use std::collections::BTreeSet;

use crate::attest::{Attestation, Date};
use crate::check::Outcome;
use crate::checklist::{self, CHECKLISTS, Item, Verifiable};
use crate::finding::{Finding, Severity};

/// At most this many findings are listed under one item.
const MAX_LISTED: usize = 5;

enum Status<'a> {
    Failed(Vec<&'a Finding>),
    Passed(Vec<&'a str>),
    Attested(&'a Attestation),
    /// An attestation that has expired: the item needs one again.
    Expired(&'a Attestation),
    NeedsAttestation,
}

struct Row<'a> {
    item: &'a Item,
    status: Status<'a>,
    /// Rules cover part of a `partial` item; a person confirms the rest.
    partly: bool,
}

pub fn render(outcome: &Outcome, attestations: &[Attestation], today: Date) -> String {
    let rows: Vec<Row> = checklist::items()
        .iter()
        .map(|item| row(outcome, attestations, today, item))
        .collect();
    let mut out = String::from("# Production readiness report\n\n");
    out.push_str(&verdict(outcome, &rows));
    out.push_str(&tally(&rows));

    out.push_str("\n## Critical failures\n\n");
    for row in rows.iter().filter(|r| r.item.is_failure()) {
        out.push_str(&failure_line(row));
    }
    for (name, title) in CHECKLISTS {
        out.push_str(&format!("\n## {title}\n"));
        let mut section = "";
        for row in rows
            .iter()
            .filter(|r| r.item.checklist == name && !r.item.is_failure())
        {
            if row.item.section != section {
                section = &row.item.section;
                out.push_str(&format!("\n### {section}\n\n"));
            }
            out.push_str(&item_line(row));
        }
    }
    out
}

fn row<'a>(
    outcome: &'a Outcome,
    attestations: &'a [Attestation],
    today: Date,
    item: &'a Item,
) -> Row<'a> {
    let findings: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.checklist.contains(&item.id))
        .collect();
    let rules: BTreeSet<&str> = outcome
        .rules
        .iter()
        .filter(|r| r.meta.checklist.contains(&item.id))
        .map(|r| r.meta.id.as_str())
        .collect();
    let attestation = attestations.iter().rev().find(|a| a.item == item.id);
    let status = if !findings.is_empty() {
        Status::Failed(findings)
    } else if let Some(attestation) = attestation {
        if attestation.valid_on(today) {
            Status::Attested(attestation)
        } else {
            Status::Expired(attestation)
        }
    } else if !rules.is_empty() {
        Status::Passed(rules.iter().copied().collect())
    } else {
        Status::NeedsAttestation
    };
    let partly = matches!(status, Status::Passed(_)) && item.verifiable == Verifiable::Partial;
    Row {
        item,
        status,
        partly,
    }
}

fn verdict(outcome: &Outcome, rows: &[Row]) -> String {
    let failures: Vec<&Row> = rows
        .iter()
        .filter(|r| r.item.is_failure() && matches!(r.status, Status::Failed(_)))
        .collect();
    let critical = outcome
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Critical)
        .count();
    let unconfirmed = rows
        .iter()
        .filter(|r| {
            r.item.is_failure() && matches!(r.status, Status::NeedsAttestation | Status::Expired(_))
        })
        .count();
    if !failures.is_empty() || critical > 0 {
        let names: Vec<&str> = failures.iter().map(|r| r.item.text.as_str()).collect();
        let mut reasons = Vec::new();
        if !names.is_empty() {
            reasons.push(format!("critical failures present: {}", names.join("; ")));
        }
        if critical > 0 {
            reasons.push(format!("{critical} critical findings"));
        }
        format!("**DO NOT DEPLOY** — {}.\n\n", reasons.join(", "))
    } else if unconfirmed > 0 {
        format!(
            "**DO NOT DEPLOY** — no critical failure found, but {unconfirmed} critical item{} no file can show must be confirmed by a person (`[attest]` in preflight.toml).\n\n",
            if unconfirmed == 1 { "" } else { "s" }
        )
    } else {
        "**DEPLOY** — no critical failure found or left unconfirmed.\n\n".to_string()
    }
}

fn tally(rows: &[Row]) -> String {
    let count = |f: fn(&Status) -> bool| rows.iter().filter(|r| f(&r.status)).count();
    let passed = count(|s| matches!(s, Status::Passed(_)));
    let failed = count(|s| matches!(s, Status::Failed(_)));
    let attested = count(|s| matches!(s, Status::Attested(_)));
    let open = count(|s| matches!(s, Status::NeedsAttestation | Status::Expired(_)));
    format!(
        "| status | items |\n|---|---:|\n| ✅ passed (checked by rules) | {passed} |\n| ❌ failed | {failed} |\n| 🖊 attested | {attested} |\n| ❔ needs a person | {open} |\n"
    )
}

fn failure_line(row: &Row) -> String {
    let text = &row.item.text;
    match &row.status {
        Status::Failed(findings) => format!(
            "- ❌ **{text}** — found:\n{}",
            findings_list(findings, "  ")
        ),
        Status::Passed(rules) => format!(
            "- ✅ **{text}** — not found (checked by {})\n",
            rule_list(rules)
        ),
        other => format!("- **{text}** — {}\n", describe(other, &row.item.id)),
    }
}

fn item_line(row: &Row) -> String {
    let indent = if row.item.parent.is_some() { "  " } else { "" };
    let text = &row.item.text;
    let line = match &row.status {
        Status::Failed(findings) => format!(
            "- [ ] {text} — ❌ **failed**:\n{}",
            findings_list(findings, &format!("{indent}  "))
        ),
        Status::Passed(rules) if row.partly => format!(
            "- [ ] {text} — ✅ configuration checked by {}; the rest needs a person (`[attest.\"{}\"]`)\n",
            rule_list(rules),
            row.item.id
        ),
        Status::Passed(rules) => format!("- [x] {text} — ✅ passed ({})\n", rule_list(rules)),
        Status::Attested(_) => format!("- [x] {text} — {}\n", describe(&row.status, &row.item.id)),
        other => format!("- [ ] {text} — {}\n", describe(other, &row.item.id)),
    };
    format!("{indent}{line}")
}

/// The status of an item that is a person's to give.
fn describe(status: &Status, id: &str) -> String {
    match status {
        Status::Attested(a) => {
            let evidence = a
                .evidence
                .as_ref()
                .map(|e| format!(" ([evidence]({e}))"))
                .unwrap_or_default();
            let until = a
                .expires
                .map(|e| format!(", valid until {e}"))
                .unwrap_or_default();
            format!("🖊 attested by {} on {}{until}{evidence}", a.by, a.date)
        }
        Status::Expired(a) => format!(
            "❔ attestation by {} expired on {}: confirm it again (`[attest.\"{id}\"]`)",
            a.by,
            a.expires.map(|e| e.to_string()).unwrap_or_default()
        ),
        _ => format!("❔ needs a person (`[attest.\"{id}\"]`)"),
    }
}

fn rule_list(rules: &[&str]) -> String {
    rules
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn findings_list(findings: &[&Finding], indent: &str) -> String {
    let mut out = String::new();
    for f in findings.iter().take(MAX_LISTED) {
        let place = f.place().unwrap_or_else(|| "project".to_string());
        out.push_str(&format!(
            "{indent}- `{place}` {} — {} (`{}`)\n",
            f.severity,
            f.message.replace('\n', " "),
            f.rule
        ));
    }
    if findings.len() > MAX_LISTED {
        out.push_str(&format!(
            "{indent}- … and {} more\n",
            findings.len() - MAX_LISTED
        ));
    }
    out
}
