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
    /// Also show the findings suppressions hid, with their reasons.
    pub show_suppressed: bool,
    /// Only the findings: no summary line.
    pub quiet: bool,
}

impl Style {
    /// No colour, 100 columns, findings and summary: for files and tests.
    pub fn plain() -> Style {
        Style {
            color: false,
            width: 100,
            show_suppressed: false,
            quiet: false,
        }
    }
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
    let suppressed = outcome
        .suppressed
        .iter()
        .filter(|_| style.show_suppressed)
        .map(|s| {
            (
                &s.finding,
                Some(s.reason.as_deref().unwrap_or("no reason given")),
            )
        });
    for (finding, suppressed) in outcome.findings.iter().map(|f| (f, None)).chain(suppressed) {
        let file = finding
            .span
            .and_then(|span| outcome.sources.get(span.source))
            .cloned();
        let report = diagnostic(finding, file.as_deref(), suppressed);
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
    if !style.quiet {
        out.push_str(&summary(outcome));
        out.push('\n');
    }
    out
}

/// A finding as a miette report; `suppressed` holds the reason when a suppression hid it.
fn diagnostic(finding: &Finding, file: Option<&SourceFile>, suppressed: Option<&str>) -> Report {
    let severity = match (finding.severity, suppressed) {
        (_, Some(_)) => MietteSeverity::Advice,
        (Severity::Critical | Severity::High, None) => MietteSeverity::Error,
        (Severity::Medium, None) => MietteSeverity::Warning,
        (Severity::Low | Severity::Info, None) => MietteSeverity::Advice,
    };
    let tag = match suppressed {
        Some(reason) => format!("[{}, suppressed: {reason}]", finding.severity),
        None => format!("[{}]", finding.severity),
    };
    let message = match (&finding.path, finding.span) {
        (Some(path), None) => format!("{tag} {path}: {}", finding.message),
        _ => format!("{tag} {}", finding.message),
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
    let scanned = match outcome.baseline {
        None => scanned,
        Some(applied) if applied.fixed == 0 => {
            format!("{scanned}, {} in baseline", applied.hidden)
        }
        Some(applied) => format!(
            "{scanned}, {} in baseline ({} baseline entries fixed: write it again)",
            applied.hidden, applied.fixed
        ),
    };
    match total {
        0 => format!("no findings — {scanned}"),
        1 => format!("1 finding: {} — {scanned}", counts.join(", ")),
        _ => format!("{total} findings: {} — {scanned}", counts.join(", ")),
    }
}
