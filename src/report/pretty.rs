//! `--format pretty`: miette diagnostics with the source snippet, then a summary line.

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report,
    Severity as MietteSeverity,
};

use crate::check::Outcome;
use crate::finding::{Finding, Severity};
use crate::model::SourceFile;

/// Spans longer than this many lines are labelled on their first line only.
const MAX_LABEL_LINES: u32 = 3;

pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(outcome: &Outcome, style: &Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    for finding in &outcome.findings {
        let file = finding
            .span
            .and_then(|span| outcome.sources.get(span.source))
            .cloned();
        let report = diagnostic(finding, file.as_deref());
        let report = match file {
            Some(file) => {
                report.with_source_code(NamedSource::new(file.path.clone(), file.text.clone()))
            }
            None => report,
        };
        // Writing into a String cannot fail.
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push('\n');
    }
    out.push_str(&summary(outcome));
    out.push('\n');
    out
}

fn diagnostic(finding: &Finding, file: Option<&SourceFile>) -> Report {
    let severity = match finding.severity {
        Severity::Critical | Severity::High => MietteSeverity::Error,
        Severity::Medium => MietteSeverity::Warning,
        Severity::Low | Severity::Info => MietteSeverity::Advice,
    };
    let message = match (&finding.path, finding.span) {
        (Some(path), None) => format!("[{}] {path}: {}", finding.severity, finding.message),
        _ => format!("[{}] {}", finding.severity, finding.message),
    };
    let mut diag = MietteDiagnostic::new(message)
        .with_code(finding.rule.clone())
        .with_severity(severity);
    if let Some(help) = &finding.help {
        diag = diag.with_help(help.clone());
    }
    if let (Some(span), Some(file)) = (finding.span, file) {
        let mut range = span.byte_range();
        if span.end.line >= span.start.line + MAX_LABEL_LINES {
            range.end = file.line_start(span.start.line) + file.line_text(span.start.line).len();
        }
        let label = finding.severity.to_string();
        diag = diag.with_label(LabeledSpan::new_primary_with_span(Some(label), range));
    }
    Report::new(diag)
}

/// `12 findings: 3 critical, 4 high, 3 medium, 2 low, 0 info — 9 files, 11 documents, 17 rules`.
pub fn summary(outcome: &Outcome) -> String {
    let counts: Vec<String> = super::counts(&outcome.findings)
        .into_iter()
        .map(|(sev, n)| format!("{n} {sev}"))
        .collect();
    let total = outcome.findings.len();
    let scanned = format!(
        "{} files, {} documents, {} rules",
        outcome.files_checked,
        outcome.documents,
        outcome.rules.len()
    );
    let scanned = match outcome.suppressed.len() {
        0 => scanned,
        n => format!("{scanned}, {n} suppressed"),
    };
    match total {
        0 => format!("no findings — {scanned}"),
        1 => format!("1 finding: {} — {scanned}", counts.join(", ")),
        _ => format!("{total} findings: {} — {scanned}", counts.join(", ")),
    }
}
