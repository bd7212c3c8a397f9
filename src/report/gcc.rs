//! `--format gcc`: `path:line:col: severity: message [rule]`, one per line, for editors'
//! error lists and for grep.

use crate::check::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let place = match (&f.path, f.span) {
            (Some(path), Some(span)) => {
                format!("{path}:{}:{}", span.start.line, span.start.column)
            }
            (Some(path), None) => path.clone(),
            // A finding about the whole project, named as gcc names its driver's messages.
            (None, _) => "preflight".to_string(),
        };
        let message = f.message.replace('\n', " ");
        out.push_str(&format!(
            "{place}: {}: {message} [{}]\n",
            f.severity, f.rule
        ));
    }
    out
}
