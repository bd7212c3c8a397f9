//! `--format github`: workflow commands that GitHub Actions shows as annotations on the
//! pull request's diff.

use crate::check::Outcome;
use crate::finding::Severity;

pub fn render(outcome: &Outcome) -> String {
    let mut out = String::new();
    for f in &outcome.findings {
        let command = match f.severity {
            Severity::Critical | Severity::High => "error",
            Severity::Medium => "warning",
            Severity::Low | Severity::Info => "notice",
        };
        let mut properties = Vec::new();
        if let Some(path) = &f.path {
            properties.push(format!("file={}", property(path)));
        }
        if let Some(span) = f.span.filter(|_| f.path.is_some()) {
            properties.push(format!("line={}", span.start.line));
            properties.push(format!("col={}", span.start.column));
            properties.push(format!("endLine={}", span.end.line));
            properties.push(format!("endColumn={}", span.end.column));
        }
        properties.push(format!(
            "title={}",
            property(&format!("{} ({})", f.rule, f.severity))
        ));
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            message.push_str("\n\n");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} {}::{}\n",
            properties.join(","),
            data(&message)
        ));
    }
    out
}

/// A command's message: `%`, CR and LF escaped, as the runner decodes them.
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A command's property value: also `:` and `,`, which end a property.
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_the_runner_decodes() {
        assert_eq!(data("50%\nok"), "50%25%0Aok");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
