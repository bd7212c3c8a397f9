//! `--format gcc`: `path:line:col: severity: message [rule]`, one per line, for editors'
//! error lists and for grep.

use crate::check::Outcome;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        // A finding about the whole project is named as gcc names its driver's messages.
        let place = f.place().unwrap_or_else(|| "preflight".to_string());
        let message = f.message.replace('\n', " ");
        out.push_str(&format!(
            "{place}: {}: {message} [{}]\n",
            f.severity, f.rule
        ));
    }
    out
}
