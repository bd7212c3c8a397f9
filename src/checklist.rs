//! The production checklists as data (`policies/checklist.toml`, embedded): the items rules
//! name in META `checklist`, users in `[attest]`, and `--format checklist` reports on.

use std::sync::OnceLock;

use serde::Deserialize;

const CATALOGUE: &str = include_str!("../policies/checklist.toml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Stable id: `deploy.security.django.debug-false`.
    pub id: String,
    /// `deploy` or `readiness`: which checklist it is in.
    pub checklist: String,
    /// The headings above it, `/`-separated.
    pub section: String,
    pub text: String,
    pub verifiable: Verifiable,
    /// The item this one is nested under.
    pub parent: Option<String>,
    /// `failure` for a "must not exist" line of a CRITICAL FAILURES block.
    pub kind: Option<String>,
}

/// What configuration can show of an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verifiable {
    /// A rule can check it in configuration files.
    Config,
    /// Configuration shows part of it; a person confirms the rest.
    Partial,
    /// A process or runtime fact only a person can confirm.
    Attest,
}

impl Item {
    pub fn is_failure(&self) -> bool {
        self.kind.as_deref() == Some("failure")
    }
}

#[derive(Deserialize)]
struct Catalogue {
    item: Vec<Item>,
}

/// Every item of both checklists, in checklist order.
pub fn items() -> &'static [Item] {
    static ITEMS: OnceLock<Vec<Item>> = OnceLock::new();
    ITEMS.get_or_init(|| {
        // The catalogue is embedded and held to its schema by tests/checklist.rs.
        toml::from_str::<Catalogue>(CATALOGUE)
            .map(|c| c.item)
            .unwrap_or_default()
    })
}

pub fn item(id: &str) -> Option<&'static Item> {
    items().iter().find(|item| item.id == id)
}

/// The checklists' titles, by their `checklist` value, in report order.
pub const CHECKLISTS: [(&str, &str); 2] = [
    ("deploy", "Production deployment checklist"),
    ("readiness", "Production readiness checklist"),
];

/// Why no file can show an item marked `attest`, from the words of its section.
fn attest_reason(item: &Item) -> &'static str {
    const REASONS: &[(&str, &str)] = &[
        (
            "Frontend Performance",
            "measured in a browser (Lighthouse, Core Web Vitals), not configured",
        ),
        (
            "Testing",
            "a test run and its result: CI logs or a test report show it, not configuration",
        ),
        (
            "Documentation",
            "whether a document is complete and current is for a person to judge",
        ),
        (
            "Post-Deployment",
            "happens in the running system after the deploy",
        ),
        ("Team", "about people and process, not files"),
        (
            "Update Procedures",
            "a process the team follows, not a setting",
        ),
        (
            "Backup & Recovery",
            "a restore drill or schedule run outside the repository",
        ),
        (
            "Security Monitoring",
            "alerting and review done in the monitoring system at run time",
        ),
        (
            "Pre-Deployment",
            "a sign-off on this release, given by a person",
        ),
        (
            "Final Checks",
            "a sign-off on this release, given by a person",
        ),
        (
            "Frontend Specific",
            "visible in the running site (browsers, devices), not in configuration",
        ),
        (
            "CRITICAL FAILURES",
            "the outcome of an audit run, not a setting",
        ),
    ];
    REASONS
        .iter()
        .find(|(words, _)| item.section.contains(words))
        .map_or(
            "a process or runtime fact that no configuration file records",
            |(_, reason)| reason,
        )
}

/// `docs/checklist-coverage.md`: every item, with the rules that cover it (fully or in part)
/// or why only a person can confirm it. `rules` are `(id, checklist ids)` of the loaded pack.
pub fn coverage_markdown(rules: &[(&str, &[String])]) -> String {
    let covering = |item: &Item| -> Vec<&str> {
        rules
            .iter()
            .filter(|(_, ids)| ids.contains(&item.id))
            .map(|(id, _)| *id)
            .collect()
    };
    let (mut full, mut partly, mut attest, mut open) = (0, 0, 0, 0);
    let mut body = String::new();
    for (name, title) in CHECKLISTS {
        body.push_str(&format!("\n## {title}\n"));
        let mut section = "";
        for item in items().iter().filter(|i| i.checklist == name) {
            if item.section != section {
                section = &item.section;
                body.push_str(&format!(
                    "\n### {section}\n\n| item | id | covered by |\n|---|---|---|\n"
                ));
            }
            let rules = covering(item);
            let list = rules
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let coverage = match (item.verifiable, rules.is_empty()) {
                (Verifiable::Attest, true) => {
                    attest += 1;
                    format!("attestation only: {}", attest_reason(item))
                }
                (Verifiable::Partial, false) => {
                    partly += 1;
                    format!("in part: {list}; a person confirms the rest")
                }
                (_, false) => {
                    full += 1;
                    list
                }
                (_, true) => {
                    open += 1;
                    "not yet: configuration could show it, no rule checks it".to_string()
                }
            };
            let text = item.text.replace('|', "\\|");
            body.push_str(&format!("| {text} | `{}` | {coverage} |\n", item.id));
        }
    }
    format!(
        "# Checklist coverage\n\n\
         Generated from the rules' `checklist` metadata by `PREFLIGHT_BLESS=1 cargo test --test \\\n\
         docs`; edit the rules or `policies/checklist.toml`, not this page.\n\n\
         Of {} items: **{full}** checked by rules, **{partly}** checked in part (a person confirms \\\n\
         the rest), **{attest}** only a person can confirm (record it with `[attest]` in \\\n\
         preflight.toml), **{open}** that configuration could show but no rule checks yet.\n{body}",
        items().len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_catalogue_loads_with_both_checklists() {
        assert!(items().len() > 200);
        for (checklist, _) in CHECKLISTS {
            assert!(items().iter().any(|i| i.checklist == checklist));
        }
        let debug = item("deploy.security.django.debug-false").unwrap();
        assert_eq!(debug.verifiable, Verifiable::Config);
        assert!(items().iter().filter(|i| i.is_failure()).count() >= 7);
    }
}
