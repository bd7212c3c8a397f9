//! `policies/checklist.toml` mirrors the two production checklists item for item, and every
//! checklist id a rule names in its META exists there, so ids stay a closed, typo-free set.

use std::collections::HashSet;
use std::path::Path;

use serde::Deserialize;

const CATALOGUE: &str = include_str!("../policies/checklist.toml");
const DEPLOY_MD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/checklists/production-deployment-checklist.md"
));
const READINESS_MD: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/checklists/production-readiness-checklist.md"
));

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Catalogue {
    item: Vec<Item>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    id: String,
    checklist: String,
    section: String,
    text: String,
    verifiable: String,
    parent: Option<String>,
    kind: Option<String>,
}

fn catalogue() -> Vec<Item> {
    toml::from_str::<Catalogue>(CATALOGUE)
        .expect("policies/checklist.toml parses")
        .item
}

/// One list line of a checklist: its text without marker and bold, whether it is indented
/// under the line before, and whether it is a "- ❌" failure rather than a "- [ ]" checkbox.
struct MdItem {
    text: String,
    nested: bool,
    failure: bool,
}

fn markdown_items(md: &str) -> Vec<MdItem> {
    md.lines()
        .filter_map(|line| {
            let trimmed = line.trim_start();
            let (rest, failure) = if let Some(rest) = trimmed.strip_prefix("- [ ] ") {
                (rest, false)
            } else {
                (trimmed.strip_prefix("- ❌ ")?, true)
            };
            Some(MdItem {
                text: rest.replace("**", ""),
                nested: trimmed.len() != line.len(),
                failure,
            })
        })
        .collect()
}

fn well_formed(id: &str, checklist: &str) -> bool {
    let segments: Vec<&str> = id.split('.').collect();
    segments.len() >= 3
        && segments[0] == checklist
        && segments.iter().all(|s| {
            !s.is_empty()
                && !s.starts_with('-')
                && !s.ends_with('-')
                && !s.contains("--")
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        })
}

#[test]
fn items_are_well_formed_and_unique() {
    let items = catalogue();
    let mut seen = HashSet::new();
    for item in &items {
        assert!(seen.insert(item.id.as_str()), "duplicate id {}", item.id);
        assert!(
            well_formed(&item.id, &item.checklist),
            "{}: ids are `{}.<section>.<slug>` in lowercase kebab-case",
            item.id,
            item.checklist
        );
        assert!(!item.section.is_empty(), "{}: empty section", item.id);
        assert!(
            ["config", "partial", "attest"].contains(&item.verifiable.as_str()),
            "{}: verifiable is config, partial or attest, not {:?}",
            item.id,
            item.verifiable
        );
        assert!(
            item.kind.as_deref().is_none_or(|k| k == "failure"),
            "{}: the only kind is \"failure\"",
            item.id
        );
    }
    for item in &items {
        if let Some(parent) = &item.parent {
            assert!(
                seen.contains(parent.as_str()),
                "{}: parent {parent} is not an id",
                item.id
            );
        }
    }
}

/// Walking both lists in step checks the count, the text, the order and the nesting at once.
#[test]
fn items_match_the_markdown_line_for_line() {
    let items = catalogue();
    for (checklist, md) in [("deploy", DEPLOY_MD), ("readiness", READINESS_MD)] {
        let ours: Vec<&Item> = items.iter().filter(|i| i.checklist == checklist).collect();
        let theirs = markdown_items(md);
        let boxes = md
            .lines()
            .filter(|l| l.trim_start().starts_with("- [ ] "))
            .count();
        assert_eq!(
            ours.iter().filter(|i| i.kind.is_none()).count(),
            boxes,
            "{checklist}: one catalogue item per `- [ ]` line"
        );
        assert_eq!(
            ours.len(),
            theirs.len(),
            "{checklist}: one catalogue item per `- [ ]` or `- ❌` line"
        );
        let mut top: Option<&str> = None;
        for (item, line) in ours.iter().zip(&theirs) {
            assert_eq!(
                item.text, line.text,
                "{}: text differs from the markdown (or the order does)",
                item.id
            );
            assert_eq!(
                item.kind.is_some(),
                line.failure,
                "{}: kind = \"failure\" exactly for `- ❌` lines",
                item.id
            );
            let expected_parent = if line.nested { top } else { None };
            assert_eq!(
                item.parent.as_deref(),
                expected_parent,
                "{}: parent must be the item it is indented under",
                item.id
            );
            if !line.nested {
                top = Some(&item.id);
            }
        }
    }
}

#[test]
fn rules_name_only_catalogued_items() {
    let items = catalogue();
    let ids: HashSet<&str> = items.iter().map(|i| i.id.as_str()).collect();
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/policies"));
    let mut rules = Vec::new();
    rhai_files(root, &mut rules);
    rules.sort();
    assert!(!rules.is_empty(), "no rules under {}", root.display());

    let mut unknown = Vec::new();
    for rule in &rules {
        let source = std::fs::read_to_string(rule).unwrap();
        let name = rule.strip_prefix(root).unwrap_or(rule).display();
        for id in meta_checklist(&source) {
            if !ids.contains(id) {
                let closest = ids
                    .iter()
                    .min_by_key(|c| preflight::suggest::edit_distance(id, c))
                    .unwrap();
                unknown.push(format!(
                    "{name}: unknown checklist id {id:?} (closest: {closest:?})"
                ));
            }
        }
    }
    assert!(
        unknown.is_empty(),
        "ids missing from policies/checklist.toml:\n{}",
        unknown.join("\n")
    );
}

fn rhai_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rhai_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rhai") {
            out.push(path);
        }
    }
}

/// The string literals in the `checklist: [...]` list of `const META`. A text scan is enough:
/// the list holds only plain string literals, and starting at META skips comments above it.
fn meta_checklist(source: &str) -> Vec<&str> {
    let Some(meta) = source.find("const META") else {
        return Vec::new();
    };
    let Some(key) = source[meta..].find("checklist:") else {
        return Vec::new();
    };
    let list = &source[meta + key..];
    let (Some(open), Some(close)) = (list.find('['), list.find(']')) else {
        return Vec::new();
    };
    // Between the brackets, literals sit at the odd positions of a split on quotes.
    list[open + 1..close]
        .split('"')
        .skip(1)
        .step_by(2)
        .collect()
}
