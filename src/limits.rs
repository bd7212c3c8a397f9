//! Every bound preflight puts on what it reads and on the policies it runs, in one place:
//! files are written by whoever opened the pull request and policies come from elsewhere, so
//! no input may exhaust memory or time. `[limits]` in `preflight.toml` changes them
//! (docs/limits.md lists them with their defaults).

use std::sync::Arc;
use std::time::Duration;

use crate::config::config_error;
use crate::finding::Finding;
use crate::model::{Node, SourceFile, Value};

/// The limits of a scan. Exceeding a file limit is an `input-error` or `parse-error` on that
/// file; exceeding a rule limit is a `policy-error` at the rule. Either way the scan goes on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Files larger than this (bytes) are reported, not read.
    pub max_file_size: u64,
    /// Nodes YAML alias expansion may produce in one file ("billion laughs" stops here).
    pub yaml_alias_budget: u64,
    /// Deepest YAML nesting accepted, nesting through aliases included.
    pub yaml_max_depth: usize,
    /// Documents read from one YAML stream (each is checked by every rule for its kind).
    pub yaml_max_documents: usize,
    /// Operations one rule call may run (an endless loop stops here).
    pub rule_max_operations: u64,
    /// Function call depth in one rule call (endless recursion stops here).
    pub rule_max_call_depth: usize,
    /// Longest string a rule may build, in bytes.
    pub rule_max_string_size: usize,
    /// Most items in an array a rule builds.
    pub rule_max_array_size: usize,
    /// Most entries in a map a rule builds.
    pub rule_max_map_size: usize,
    /// Wall-clock time one rule call may take, however few operations it runs (a host call
    /// on a huge document, a slow machine).
    pub rule_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 10 * 1024 * 1024,
            yaml_alias_budget: 1_000_000,
            yaml_max_depth: 1000,
            yaml_max_documents: 1000,
            rule_max_operations: 5_000_000,
            rule_max_call_depth: 64,
            rule_max_string_size: 16 * 1024 * 1024,
            rule_max_array_size: 1_000_000,
            rule_max_map_size: 1_000_000,
            // Far above what the operations limit allows even in a debug build on a loaded
            // machine, so the time cap catches only what the operations limit cannot.
            rule_timeout: Duration::from_secs(60),
        }
    }
}

/// One `[limits]` key: its name, and where its value goes.
struct Setting {
    key: &'static str,
    set: fn(&mut Limits, u64),
}

const SETTINGS: &[Setting] = &[
    Setting {
        key: "max-file-size",
        set: |l, v| l.max_file_size = v,
    },
    Setting {
        key: "yaml-alias-budget",
        set: |l, v| l.yaml_alias_budget = v,
    },
    Setting {
        key: "yaml-max-depth",
        set: |l, v| l.yaml_max_depth = saturate(v),
    },
    Setting {
        key: "yaml-max-documents",
        set: |l, v| l.yaml_max_documents = saturate(v),
    },
    Setting {
        key: "rule-max-operations",
        set: |l, v| l.rule_max_operations = v,
    },
    Setting {
        key: "rule-max-call-depth",
        set: |l, v| l.rule_max_call_depth = saturate(v),
    },
    Setting {
        key: "rule-max-string-size",
        set: |l, v| l.rule_max_string_size = saturate(v),
    },
    Setting {
        key: "rule-max-array-size",
        set: |l, v| l.rule_max_array_size = saturate(v),
    },
    Setting {
        key: "rule-max-map-size",
        set: |l, v| l.rule_max_map_size = saturate(v),
    },
    Setting {
        key: "rule-timeout-ms",
        set: |l, v| l.rule_timeout = Duration::from_millis(v),
    },
];

fn saturate(v: u64) -> usize {
    usize::try_from(v).unwrap_or(usize::MAX)
}

/// Reads the `[limits]` table of `preflight.toml`: each key a positive integer. A mistake is
/// a `config-error` at its place, and that limit keeps its default.
pub fn limits_table(file: &Arc<SourceFile>, table: &Node, errors: &mut Vec<Finding>) -> Limits {
    let mut limits = Limits::default();
    if !matches!(table.value, Value::Map(_)) {
        errors.push(config_error(
            file,
            table.span,
            "`limits` must be a table: `[limits]` then `max-file-size = 20000000` lines".into(),
        ));
        return limits;
    }
    for (key, value) in table.entries() {
        let Some(setting) = SETTINGS.iter().find(|s| s.key == &*key.name) else {
            let known: Vec<&str> = SETTINGS.iter().map(|s| s.key).collect();
            errors.push(config_error(
                file,
                key.span,
                format!("unknown limit `{}`; known: {}", key.name, known.join(", ")),
            ));
            continue;
        };
        match value.value {
            Value::Int(n) if n > 0 => (setting.set)(&mut limits, n.unsigned_abs()),
            _ => errors.push(config_error(
                file,
                value.span,
                format!(
                    "`{}` must be a positive whole number, found `{}`",
                    key.name,
                    file.slice(&value.span)
                ),
            )),
        }
    }
    limits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;

    fn read(text: &str) -> (Limits, Vec<Finding>) {
        let file = Arc::new(SourceFile::new(SourceId(0), "preflight.toml", text));
        let parsed = crate::parse::toml::parse(&file);
        let root = parsed.roots.into_iter().next().expect("valid TOML");
        let table = root.get("limits").expect("a [limits] table");
        let mut errors = Vec::new();
        let limits = limits_table(&file, table, &mut errors);
        (limits, errors)
    }

    #[test]
    fn every_limit_can_be_set() {
        let (limits, errors) = read(
            "[limits]\nmax-file-size = 1\nyaml-alias-budget = 2\nyaml-max-depth = 3\nyaml-max-documents = 10\nrule-max-operations = 4\nrule-max-call-depth = 5\nrule-max-string-size = 6\nrule-max-array-size = 7\nrule-max-map-size = 8\nrule-timeout-ms = 9\n",
        );
        assert_eq!(errors, vec![]);
        assert_eq!(
            limits,
            Limits {
                max_file_size: 1,
                yaml_alias_budget: 2,
                yaml_max_depth: 3,
                yaml_max_documents: 10,
                rule_max_operations: 4,
                rule_max_call_depth: 5,
                rule_max_string_size: 6,
                rule_max_array_size: 7,
                rule_max_map_size: 8,
                rule_timeout: Duration::from_millis(9),
            }
        );
    }

    #[test]
    fn unset_limits_keep_their_defaults() {
        let (limits, errors) = read("[limits]\nmax-file-size = 52428800\n");
        assert_eq!(errors, vec![]);
        assert_eq!(
            limits,
            Limits {
                max_file_size: 50 * 1024 * 1024,
                ..Limits::default()
            }
        );
    }

    #[test]
    fn mistakes_are_config_errors_at_their_place() {
        let (limits, errors) = read(
            "[limits]\nmax-file-size = \"10MB\"\nrule-timeout-ms = 0\nmax-depth = 3\nyaml-max-depth = -1\n",
        );
        assert_eq!(limits, Limits::default());
        let found: Vec<(u32, u32, &str)> = errors
            .iter()
            .map(|e| {
                let span = e.span.expect("at a place");
                (span.start.line, span.start.column, e.message.as_str())
            })
            .collect();
        assert_eq!(
            found,
            [
                (
                    2,
                    17,
                    "`max-file-size` must be a positive whole number, found `\"10MB\"`"
                ),
                (
                    3,
                    19,
                    "`rule-timeout-ms` must be a positive whole number, found `0`"
                ),
                (
                    4,
                    1,
                    "unknown limit `max-depth`; known: max-file-size, yaml-alias-budget, yaml-max-depth, yaml-max-documents, rule-max-operations, rule-max-call-depth, rule-max-string-size, rule-max-array-size, rule-max-map-size, rule-timeout-ms"
                ),
                (
                    5,
                    18,
                    "`yaml-max-depth` must be a positive whole number, found `-1`"
                ),
            ]
        );
        assert!(errors.iter().all(|e| e.rule == "config-error"));
    }

    #[test]
    fn limits_must_be_a_table() {
        let (limits, errors) = read("limits = 5\n");
        assert_eq!(limits, Limits::default());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].message.starts_with("`limits` must be a table"));
    }
}
