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
