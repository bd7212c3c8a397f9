//! A rule's metadata: the `const META = #{ … }` map at the top of its file.

use std::collections::HashSet;
use std::sync::OnceLock;

use rhai::{Dynamic, Map};

use crate::finding::Severity;
use crate::model::Kind;

/// What a rule declares about itself; the single source for docs, SARIF and `explain`.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    /// `area/what-is-wrong`, equal to the rule file's path under its policy directory.
    pub id: String,
    pub title: String,
    pub severity: Severity,
    /// Document kinds the rule runs on; empty means every kind.
    pub applies_to: Vec<Kind>,
    /// Checklist items the rule verifies.
    pub checklist: Vec<String>,
    /// The default fix, shown when a report gives none.
    pub help: Option<String>,
    pub references: Vec<String>,
    /// The same check in other tools, as `tool:rule` (`hadolint:DL3002`,
    /// `checkov:CKV_DOCKER_3`, `django:security.W004`), for users moving over and for SARIF.
    pub peers: Vec<String>,
    /// `replaces: true`: the rule knowingly takes the place of an earlier rule with its id
    /// (a default one, or one of an earlier policy directory).
    pub replaces: bool,
    /// Parameters and their defaults, `params: #{ min_hsts_seconds: 31536000 }`; the script
    /// reads the effective values as `params.min_hsts_seconds`.
    pub params: Map,
    /// Safe fixes as `(flagged text, replacement)`: a finding whose span's source text is
    /// exactly a flagged text can be fixed by writing the replacement there (an editor's
    /// "apply fix"). Text that matches no entry gets no fix.
    pub fix: Vec<(String, String)>,
}

/// A META problem: the message, and the key it is about (to point at that key's line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetaError {
    pub key: Option<String>,
    pub message: String,
}

impl MetaError {
    fn at(key: &str, message: String) -> MetaError {
        MetaError {
            key: Some(key.to_string()),
            message,
        }
    }
}

const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "applies_to",
    "checklist",
    "help",
    "references",
    "peers",
    "replaces",
    "params",
    "fix",
];

/// Checklist ids an organisation may define for itself, outside the catalogue.
pub const ORG_CHECKLIST_PREFIX: &str = "org.";

/// The ids of `policies/checklist.toml`, the catalogue of the two production checklists.
pub fn checklist_ids() -> &'static HashSet<String> {
    static IDS: OnceLock<HashSet<String>> = OnceLock::new();
    IDS.get_or_init(|| {
        crate::checklist::items()
            .iter()
            .map(|item| item.id.clone())
            .collect()
    })
}

impl RuleMeta {
    /// Reads and validates a `META` map; the error says which key is wrong and how.
    pub fn from_map(map: &Map) -> Result<RuleMeta, MetaError> {
        if let Some(unknown) = map.keys().find(|k| !KNOWN_KEYS.contains(&k.as_str())) {
            let near = crate::suggest::closest(unknown, KNOWN_KEYS.iter().copied())
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            return Err(MetaError::at(
                unknown,
                format!(
                    "unknown META key `{unknown}`{near}; known keys: {}",
                    KNOWN_KEYS.join(", ")
                ),
            ));
        }
        let id = required_string(map, "id")?;
        let valid_id = id.split_once('/').is_some_and(|(area, name)| {
            [area, name].iter().all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            })
        });
        if !valid_id {
            return Err(MetaError::at(
                "id",
                format!("META.id `{id}` must be `area/rule-name` in lowercase kebab-case"),
            ));
        }
        let severity = required_string(map, "severity")?
            .parse::<Severity>()
            .map_err(|message| MetaError::at("severity", message))?;
        if !map.contains_key("applies_to") {
            return Err(MetaError {
                key: None,
                message: "META.applies_to is missing: list the document kinds the rule runs on \
                          (`applies_to: [\"compose\"]`), or `[\"*\"]` for every kind"
                    .into(),
            });
        }
        let kinds = string_list(map, "applies_to")?;
        // `*` (alone or among others) means every kind, as an empty list does.
        let all = kinds.iter().any(|k| k == "*");
        let applies_to = kinds
            .into_iter()
            .filter(|_| !all)
            .map(|k| {
                Kind::from_name(&k).ok_or_else(|| {
                    let names = Kind::ALL.iter().map(|k| k.as_str());
                    let near = crate::suggest::closest(&k, names.clone())
                        .map(|n| format!(" (did you mean `{n}`?)"))
                        .unwrap_or_default();
                    let known: Vec<_> = names.collect();
                    MetaError::at(
                        "applies_to",
                        format!(
                            "META.applies_to: unknown kind `{k}`{near}; known kinds: {}",
                            known.join(", ")
                        ),
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let checklist = string_list(map, "checklist")?;
        if let Some(unknown) = checklist
            .iter()
            .find(|c| !c.starts_with(ORG_CHECKLIST_PREFIX) && !checklist_ids().contains(c.as_str()))
        {
            let near = crate::suggest::closest(unknown, checklist_ids().iter().map(String::as_str))
                .map(|n| format!(" (did you mean `{n}`?)"))
                .unwrap_or_default();
            return Err(MetaError::at(
                "checklist",
                format!(
                    "META.checklist: unknown item `{unknown}`{near}; items are the ids of \
                     policies/checklist.toml, or your own starting with `{ORG_CHECKLIST_PREFIX}`"
                ),
            ));
        }
        let replaces = match map.get("replaces") {
            None => false,
            Some(value) => value.as_bool().map_err(|found| {
                MetaError::at(
                    "replaces",
                    format!("META.replaces must be `true` or `false`, found {found}"),
                )
            })?,
        };
        let params = match map.get("params") {
            None => Map::new(),
            Some(value) => value.clone().try_cast::<Map>().ok_or_else(|| {
                MetaError::at(
                    "params",
                    format!(
                        "META.params must be an object map of defaults (`#{{ name: value }}`), found {}",
                        value.type_name()
                    ),
                )
            })?,
        };
        Ok(RuleMeta {
            title: required_string(map, "title")?,
            severity,
            applies_to,
            checklist,
            help: optional_string(map, "help")?,
            references: string_list(map, "references")?,
            peers: peers(map)?,
            replaces,
            params,
            fix: fixes(map)?,
            id,
        })
    }

    pub fn applies_to(&self, kind: Kind) -> bool {
        self.applies_to.is_empty() || self.applies_to.contains(&kind)
    }
}

/// `peers` entries must name their tool: `hadolint:DL3008`.
fn peers(map: &Map) -> Result<Vec<String>, MetaError> {
    let peers = string_list(map, "peers")?;
    if let Some(bad) = peers.iter().find(|p| {
        p.split_once(':')
            .is_none_or(|(tool, rule)| tool.is_empty() || rule.is_empty())
    }) {
        return Err(MetaError::at(
            "peers",
            format!("META.peers entry `{bad}` must be `tool:rule`, e.g. `hadolint:DL3002`"),
        ));
    }
    Ok(peers)
}

/// `fix: #{ "True": "False" }`: flagged text to replacement, both strings.
fn fixes(map: &Map) -> Result<Vec<(String, String)>, MetaError> {
    let Some(value) = map.get("fix") else {
        return Ok(Vec::new());
    };
    let entries = value.clone().try_cast::<Map>().ok_or_else(|| {
        MetaError::at(
            "fix",
            format!(
                "META.fix must be a map from the flagged text to its replacement, found {value}"
            ),
        )
    })?;
    entries
        .into_iter()
        .map(|(from, to)| {
            let to = to.into_string().map_err(|found| {
                MetaError::at(
                    "fix",
                    format!("META.fix.`{from}` must be a string, found {found}"),
                )
            })?;
            if from.is_empty() {
                return Err(MetaError::at(
                    "fix",
                    "META.fix: the flagged text must not be empty".into(),
                ));
            }
            Ok((from.to_string(), to))
        })
        .collect()
}

fn optional_string(map: &Map, key: &str) -> Result<Option<String>, MetaError> {
    match map.get(key) {
        None => Ok(None),
        Some(value) => value.clone().into_string().map(Some).map_err(|found| {
            MetaError::at(key, format!("META.{key} must be a string, found {found}"))
        }),
    }
}

fn required_string(map: &Map, key: &str) -> Result<String, MetaError> {
    optional_string(map, key)?.ok_or_else(|| MetaError {
        key: None,
        message: format!("META.{key} is missing"),
    })
}

fn string_list(map: &Map, key: &str) -> Result<Vec<String>, MetaError> {
    let Some(value) = map.get(key) else {
        return Ok(Vec::new());
    };
    let array = value.clone().into_array().map_err(|found| {
        MetaError::at(
            key,
            format!("META.{key} must be an array of strings, found {found}"),
        )
    })?;
    array
        .into_iter()
        .map(|item: Dynamic| {
            item.into_string().map_err(|found| {
                MetaError::at(key, format!("META.{key} must hold strings, found {found}"))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(script: &str) -> Result<RuleMeta, String> {
        let engine = rhai::Engine::new();
        let map = engine.eval::<Map>(script).expect("test map evaluates");
        RuleMeta::from_map(&map).map_err(|e| e.message)
    }

    #[test]
    fn reads_a_full_meta_map() {
        let m = meta(
            r#"#{ id: "docker/runs-as-root", title: "t", severity: "high",
                  applies_to: ["dockerfile"], checklist: ["org.a"], help: "h" }"#,
        )
        .unwrap();
        assert_eq!(m.id, "docker/runs-as-root");
        assert_eq!(m.severity, Severity::High);
        assert_eq!(m.applies_to, vec![Kind::Dockerfile]);
        assert!(m.applies_to(Kind::Dockerfile) && !m.applies_to(Kind::K8s));
        assert_eq!(m.help.as_deref(), Some("h"));
        assert!(m.fix.is_empty());
    }

    #[test]
    fn reads_fixes_keyed_by_the_flagged_text() {
        let m = meta(
            r#"#{ id: "a/b", title: "t", severity: "low", applies_to: ["*"], fix: #{ "True": "False", "server_tokens on;": "server_tokens off;" } }"#,
        )
        .unwrap();
        assert!(m.fix.contains(&("True".into(), "False".into())));
        assert!(
            m.fix
                .contains(&("server_tokens on;".into(), "server_tokens off;".into()))
        );
        assert!(
            meta(r#"#{ id: "a/b", title: "t", severity: "low", applies_to: ["*"], fix: "False" }"#)
                .unwrap_err()
                .contains("META.fix must be a map")
        );
        assert!(
            meta(r#"#{ id: "a/b", title: "t", severity: "low", applies_to: ["*"], fix: #{ "True": 0 } }"#)
                .unwrap_err()
                .contains("must be a string")
        );
    }

    #[test]
    fn names_the_wrong_key() {
        let base = r#"id: "a/b", title: "t", applies_to: ["*"]"#;
        assert_eq!(
            meta(&format!("#{{ {base} }}")).unwrap_err(),
            "META.severity is missing"
        );
        assert!(
            meta(&format!("#{{ {base}, severity: \"huge\" }}"))
                .unwrap_err()
                .contains("unknown severity `huge`")
        );
        assert!(
            meta(r#"#{ id: "a/b", title: "t", severity: "low", applies_to: ["kube"] }"#)
                .unwrap_err()
                .contains("unknown kind `kube`")
        );
        assert!(
            meta(r#"#{ id: "a/b", title: "t", severity: "low" }"#)
                .unwrap_err()
                .contains("META.applies_to is missing")
        );
        assert!(
            meta(&format!("#{{ {base}, severity: \"low\", checklist: [\"deploy.security.django.debug-fals\"] }}"))
                .unwrap_err()
                .contains("unknown item `deploy.security.django.debug-fals` (did you mean `deploy.security.django.debug-false`?)")
        );
        assert!(
            meta(r#"#{ id: "Bad Id", title: "t", severity: "low" }"#)
                .unwrap_err()
                .contains("kebab-case")
        );
        assert!(
            meta(r#"#{ id: "a/b", title: "t", severity: "low", sevrity: 1 }"#)
                .unwrap_err()
                .contains("unknown META key `sevrity`")
        );
        assert!(
            meta(
                r#"#{ id: "a/b", title: "t", severity: "low", applies_to: [], peers: ["DL3002"] }"#
            )
            .unwrap_err()
            .contains("must be `tool:rule`")
        );
        assert!(
            meta(r#"#{ id: "a/b", title: "t", severity: "low", applies_to: [], checklist: "x" }"#)
                .unwrap_err()
                .contains("array of strings")
        );
    }
}
