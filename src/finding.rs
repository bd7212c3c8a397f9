//! What a check produces: a finding at a place, with a severity.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::model::Span;

/// How bad a finding is; ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Most severe first, the order summaries list them in.
    pub const DESCENDING: [Severity; 5] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
        Severity::Info,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::DESCENDING
            .into_iter()
            .find(|sev| sev.as_str() == s)
            .ok_or_else(|| {
                format!("unknown severity `{s}`: expected critical, high, medium, low or info")
            })
    }
}

/// Rule ids the host itself reports under.
pub mod builtin {
    /// A file that could not be parsed.
    pub const PARSE_ERROR: &str = "parse-error";
    /// A file that could not be read, or was skipped (too big, not UTF-8, a symlink loop).
    pub const INPUT_ERROR: &str = "input-error";
    /// A policy that failed to load, threw, or exceeded a limit.
    pub const POLICY_ERROR: &str = "policy-error";
    /// A mistake in `preflight.toml`.
    pub const CONFIG_ERROR: &str = "config-error";

    /// The host's ids a config may select, ignore or re-grade like any rule's: the problems
    /// in the project's files, not the ones that make a run untrustworthy.
    pub const FILTERABLE: [&str; 4] = [
        PARSE_ERROR,
        INPUT_ERROR,
        crate::suppress::MISSING_REASON,
        crate::suppress::UNUSED,
    ];

    /// Whether `rule` says a file, policy or config could not be used, rather than naming a
    /// problem in the project: such findings are never suppressed, and SARIF reports them as
    /// notifications.
    pub fn is_tool_problem(rule: &str) -> bool {
        [PARSE_ERROR, INPUT_ERROR, POLICY_ERROR, CONFIG_ERROR].contains(&rule)
    }
}

/// One problem found, at a place.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub rule: String,
    pub severity: Severity,
    pub message: String,
    /// Path relative to the scan root; `None` for project-level findings.
    pub path: Option<String>,
    pub span: Option<Span>,
    pub checklist: Vec<String>,
    pub help: Option<String>,
}

impl Finding {
    /// `path:line:column`, or `path` for a finding about a whole file; `None` for a finding
    /// about the project as a whole.
    pub fn place(&self) -> Option<String> {
        let path = self.path.as_ref()?;
        Some(match self.span {
            Some(span) => format!("{path}:{}:{}", span.start.line, span.start.column),
            None => path.clone(),
        })
    }

    /// The order findings are printed in: by path, position, then rule.
    pub fn sort_key(&self) -> (Option<&str>, u32, u32, &str, &str) {
        let (line, column) = self.span.map_or((0, 0), |s| (s.start.line, s.start.column));
        (
            self.path.as_deref(),
            line,
            column,
            &self.rule,
            &self.message,
        )
    }
}
