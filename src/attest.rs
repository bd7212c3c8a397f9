//! Attestations: a person vouching for a checklist item no file can show (an on-call
//! rotation, a penetration test), recorded in `preflight.toml`:
//!
//! ```toml
//! [attest."readiness.security.penetration-test"]
//! by = "Jane Doe <jane@example.com>"
//! date = 2026-09-14
//! evidence = "https://wiki.example.com/security/pentest-2026"
//! expires = 2027-09-14          # optional: after this it no longer counts
//! ```

use std::fmt;
use std::sync::Arc;

use crate::checklist;
use crate::config::config_error;
use crate::finding::Finding;
use crate::model::{Node, SourceFile, Span, Value};
use crate::suggest::closest;

#[derive(Debug, Clone)]
pub struct Attestation {
    pub item: String,
    pub by: String,
    pub date: Date,
    pub evidence: Option<String>,
    pub expires: Option<Date>,
    pub span: Span,
}

impl Attestation {
    /// Whether it still counts on `today`.
    pub fn valid_on(&self, today: Date) -> bool {
        self.expires.is_none_or(|expires| today <= expires)
    }
}

/// A calendar date, ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    /// `2026-09-14` (a TOML date, or a string holding one).
    pub fn parse(text: &str) -> Option<Date> {
        let mut parts = text.trim_matches('"').splitn(3, '-');
        let year = parts.next()?.parse().ok()?;
        let month = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.get(..2)?.parse().ok()?;
        let valid = (1..=12).contains(&month) && (1..=days_in_month(year, month)).contains(&day);
        valid.then_some(Date { year, month, day })
    }

    /// Today in UTC, from the system clock.
    pub fn today() -> Date {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_days((secs / 86_400) as i64)
    }

    /// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
    fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Reads the `[attest]` table: one sub-table per checklist item id.
pub fn attest_table(
    file: &Arc<SourceFile>,
    table: &Node,
    errors: &mut Vec<Finding>,
) -> Vec<Attestation> {
    let Value::Map(entries) = &table.value else {
        errors.push(config_error(
            file,
            table.span,
            "`attest` must be a table: `[attest.\"<checklist item id>\"]` with by, date, evidence"
                .into(),
        ));
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in entries.iter() {
        if checklist::item(&key.name).is_none() {
            let ids: Vec<&str> = checklist::items().iter().map(|i| i.id.as_str()).collect();
            let hint = closest(&key.name, ids.iter().copied())
                .map(|id| format!("; did you mean `{id}`?"))
                .unwrap_or_else(|| "; ids are listed in docs/checklist-coverage.md".into());
            errors.push(config_error(
                file,
                key.span,
                format!("unknown checklist item `{}`{hint}", key.name),
            ));
            continue;
        }
        let mut error =
            |span: Span, message: String| errors.push(config_error(file, span, message));
        let Value::Map(fields) = &value.value else {
            error(
                value.span,
                format!(
                    "`attest.\"{}\"` must be a table with by, date, evidence",
                    key.name
                ),
            );
            continue;
        };
        let (mut by, mut date, mut evidence, mut expires) = (None, None, None, None);
        for (field, v) in fields.iter() {
            let text = v.as_str().map(str::to_string);
            match &*field.name {
                "by" => by = text.filter(|t| !t.trim().is_empty()),
                "evidence" => evidence = text,
                "date" | "expires" => {
                    let parsed = text.as_deref().and_then(Date::parse);
                    if parsed.is_none() {
                        error(
                            v.span,
                            format!("`{}` must be a date like 2026-09-14", field.name),
                        );
                    }
                    if &*field.name == "date" {
                        date = parsed;
                    } else {
                        expires = parsed;
                    }
                }
                other => error(
                    field.span,
                    format!(
                        "unknown key `{other}` in an attestation; known: by, date, evidence, expires"
                    ),
                ),
            }
        }
        let (Some(by), Some(date)) = (by, date) else {
            error(
                value.span,
                format!(
                    "the attestation of `{}` needs `by` (who) and `date` (when)",
                    key.name
                ),
            );
            continue;
        };
        if expires.is_some_and(|e| e < date) {
            error(
                value.span,
                format!("the attestation of `{}` expires before its date", key.name),
            );
            continue;
        }
        out.push(Attestation {
            item: key.name.to_string(),
            by,
            date,
            evidence,
            expires,
            span: key.span,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceMap;

    #[test]
    fn dates_parse_validate_and_come_from_the_clock() {
        assert_eq!(
            Date::parse("2024-02-29"),
            Some(Date {
                year: 2024,
                month: 2,
                day: 29
            })
        );
        assert_eq!(Date::parse("2023-02-29"), None);
        assert_eq!(Date::parse("2026-13-01"), None);
        assert_eq!(Date::parse("yesterday"), None);
        assert_eq!(Date::from_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_days(20_780).to_string(), "2026-11-23");
        assert!(Date::today() > Date::parse("2025-01-01").unwrap());
    }

    #[test]
    fn attestations_are_read_and_mistakes_reported_at_their_place() {
        let mut sources = SourceMap::default();
        let file = sources.add(
            "preflight.toml",
            r#"[attest."readiness.critical.security-audit-failures"]
by = "Jane Doe"
date = 2026-09-14
evidence = "https://wiki.example.com/audit"
expires = 2027-09-14

[attest."deploy.security.django.debug-flase"]
by = "x"
date = 2026-01-01

[attest."readiness.critical.no-monitoring"]
date = "soon"
"#,
        );
        let parsed = crate::parse::toml::parse(&file);
        let root = &parsed.roots[0];
        let mut errors = Vec::new();
        let found = attest_table(&file, root.get("attest").unwrap(), &mut errors);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].by, "Jane Doe");
        assert!(found[0].valid_on(Date::parse("2027-09-14").unwrap()));
        assert!(!found[0].valid_on(Date::parse("2027-09-15").unwrap()));
        let messages: Vec<String> = errors
            .iter()
            .map(|e| format!("{} {}", e.span.unwrap().start.line, e.message))
            .collect();
        assert_eq!(
            messages,
            vec![
                "7 unknown checklist item `deploy.security.django.debug-flase`; did you mean `deploy.security.django.debug-false`?",
                "12 `date` must be a date like 2026-09-14",
                "11 the attestation of `readiness.critical.no-monitoring` needs `by` (who) and `date` (when)",
            ]
        );
    }
}
