//! Findings as the editor shows them: diagnostics, hovers and code actions.

use std::collections::HashMap;
use std::path::Path;
use std::str::FromStr;

use lsp_types::{
    CodeAction, CodeActionKind, CodeDescription, Diagnostic, DiagnosticSeverity, Hover,
    HoverContents, MarkupContent, MarkupKind, NumberOrString, Position, Range, TextEdit, Uri,
    WorkspaceEdit,
};

use super::position;
use super::workspace::{Shown, Workspace};
use crate::embedded;
use crate::engine::Rule;
use crate::finding::{Severity, builtin};
use crate::model::Format;

/// The diagnostics of a file.
pub fn diagnostics(workspace: &Workspace, path: &Path) -> Vec<Diagnostic> {
    workspace
        .shown(path)
        .iter()
        .map(|shown| {
            let finding = &shown.finding;
            Diagnostic {
                range: shown.range,
                severity: Some(severity(finding.severity)),
                code: Some(NumberOrString::String(finding.rule.clone())),
                code_description: workspace
                    .rule(&finding.rule)
                    .and_then(|rule| doc_link(rule, &workspace.settings().rules_url))
                    .map(|href| CodeDescription { href }),
                source: Some("preflight".into()),
                message: finding.message.clone(),
                ..Diagnostic::default()
            }
        })
        .collect()
}

/// Critical and high findings fail `check` by default: errors. Medium ones are warnings.
fn severity(severity: Severity) -> DiagnosticSeverity {
    match severity {
        Severity::Critical | Severity::High => DiagnosticSeverity::ERROR,
        Severity::Medium => DiagnosticSeverity::WARNING,
        Severity::Low => DiagnosticSeverity::INFORMATION,
        Severity::Info => DiagnosticSeverity::HINT,
    }
}

/// Where a rule is documented: its page under docs/rules for the default pack, its own file
/// (whose `//!` block is its documentation) for an organisation's rule.
pub fn doc_link(rule: &Rule, rules_url: &str) -> Option<Uri> {
    let default_pack = embedded::POLICIES.iter().any(|(p, _)| *p == rule.origin);
    if default_pack {
        Uri::from_str(&format!(
            "{}/{}.md",
            rules_url.trim_end_matches('/'),
            rule.meta.id
        ))
        .ok()
    } else {
        position::uri_of(Path::new(&rule.origin))
    }
}

/// GitHub's anchor for a Markdown heading: lowercase, punctuation dropped, spaces as `-`.
/// The rule, rationale and fix of every finding under the cursor.
pub fn hover(workspace: &Workspace, path: &Path, at: Position) -> Option<Hover> {
    let under: Vec<&Shown> = workspace
        .shown(path)
        .iter()
        .filter(|s| position::contains(&s.range, at))
        .collect();
    let first = under.first()?;
    let mut text = String::new();
    for shown in &under {
        if !text.is_empty() {
            text.push_str("\n\n---\n\n");
        }
        text.push_str(&explain(workspace, shown));
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(first.range),
    })
}

fn explain(workspace: &Workspace, shown: &Shown) -> String {
    let finding = &shown.finding;
    let rule = workspace.rule(&finding.rule);
    let title = rule.map_or(finding.rule.as_str(), |r| r.meta.title.as_str());
    let mut out = format!(
        "**{title}** · `{}` · {}\n\n{}",
        finding.rule, finding.severity, finding.message
    );
    if let Some(why) = rule.and_then(|r| section(&r.docs, "Why is this bad?")) {
        out.push_str(&format!("\n\n**Why?** {why}"));
    }
    if let Some(help) = &finding.help {
        out.push_str(&format!("\n\n**Fix:** {help}"));
    }
    if let Some(instead) = rule.and_then(|r| section(&r.docs, "Use instead")) {
        out.push_str(&format!("\n\n{instead}"));
    }
    if let Some(link) = rule.and_then(|r| doc_link(r, &workspace.settings().rules_url)) {
        out.push_str(&format!("\n\n[Rule documentation]({})", link.as_str()));
    }
    out
}

/// The text under a `## heading` of a rule's documentation, up to the next heading.
fn section(docs: &str, heading: &str) -> Option<String> {
    let mut lines = docs
        .lines()
        .skip_while(|l| l.trim() != format!("## {heading}"));
    lines.next()?;
    let body: Vec<&str> = lines.take_while(|l| !l.starts_with("## ")).collect();
    let body = body.join("\n").trim().to_string();
    (!body.is_empty()).then_some(body)
}

/// For each finding in `range`: its declared fix, when the flagged text has one, and a
/// suppression comment, in formats that have comments.
pub fn code_actions(
    workspace: &Workspace,
    uri: &Uri,
    path: &Path,
    range: Range,
) -> Vec<CodeAction> {
    let comment = workspace.format(path).and_then(comment_marker);
    let text = workspace.text(path);
    let diagnostics = diagnostics(workspace, path);
    let mut actions = Vec::new();
    for (shown, diagnostic) in workspace.shown(path).iter().zip(diagnostics) {
        let overlaps = shown.range.start <= range.end && range.start <= shown.range.end;
        let finding = &shown.finding;
        // Problems of the tool, and of suppressions themselves, cannot be suppressed.
        if !overlaps
            || builtin::is_tool_problem(&finding.rule)
            || finding.rule.starts_with("suppression/")
        {
            continue;
        }
        let fix = workspace.rule(&finding.rule).and_then(|rule| {
            rule.meta
                .fix
                .iter()
                .find(|(flagged, _)| *flagged == shown.flagged)
        });
        if let Some((flagged, replacement)) = fix {
            actions.push(CodeAction {
                title: format!(
                    "Replace `{flagged}` with `{replacement}` ({})",
                    finding.rule
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit(uri, shown.range, replacement.clone())),
                is_preferred: Some(true),
                ..CodeAction::default()
            });
        }
        let (Some(comment), Some(text)) = (comment, &text) else {
            continue;
        };
        let line = shown.range.start.line;
        let indent: String = text
            .lines()
            .nth(line as usize)
            .unwrap_or("")
            .chars()
            .take_while(|c| c.is_whitespace())
            .collect();
        // The reason is left for the user to write: until they do, preflight reports the
        // suppression as giving none.
        let marker = format!("{indent}{comment} preflight-ignore: {} -- \n", finding.rule);
        let at = Position { line, character: 0 };
        actions.push(CodeAction {
            title: format!(
                "Suppress `{}` on this line (then write the reason)",
                finding.rule
            ),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            edit: Some(edit(uri, Range { start: at, end: at }, marker)),
            ..CodeAction::default()
        });
    }
    actions
}

/// How a line comment starts in a format; JSON has none (package.json tooling rejects them).
fn comment_marker(format: Format) -> Option<&'static str> {
    match format {
        Format::Json => None,
        Format::Javascript => Some("//"),
        Format::Yaml
        | Format::Toml
        | Format::Hcl
        | Format::Dockerfile
        | Format::Python
        | Format::Dotenv
        | Format::Nginx
        | Format::Pgconf => Some("#"),
    }
}

fn edit(uri: &Uri, range: Range, new_text: String) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(
            uri.clone(),
            vec![TextEdit { range, new_text }],
        )])),
        ..WorkspaceEdit::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_end_at_the_next_heading() {
        let docs = "Summary.\n\n## Why is this bad?\nLeaks.\nMore.\n\n## Example\nx";
        assert_eq!(
            section(docs, "Why is this bad?").as_deref(),
            Some("Leaks.\nMore.")
        );
        assert_eq!(section(docs, "Use instead"), None);
    }
}
