//! `preflight rules`, `preflight explain` and `preflight docs`: what the loaded rules are,
//! from their metadata, `//!` docs and fixtures.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::engine::{Entry, Host, Rule};
use crate::fixtures;

/// Fixture files longer than this are linked from a rule's page, not shown in it.
const MAX_EXAMPLE_LINES: usize = 40;

/// `--format` of `preflight rules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFormat {
    Table,
    Json,
    Markdown,
}

/// Where each rule's fixtures are: the default pack's fixture root (`tests/fixtures` of a
/// checkout, when present) for embedded rules, `<dir>/tests/fixtures` for a directory's rules.
pub struct FixtureIndex {
    by_rule: BTreeMap<String, Vec<(PathBuf, bool)>>,
}

impl FixtureIndex {
    pub fn new(host: &Host, default_pack: Option<&Path>, dirs: &[PathBuf]) -> FixtureIndex {
        let mut by_rule = BTreeMap::new();
        let roots = default_pack
            .map(|root| (root.to_path_buf(), true))
            .into_iter()
            .chain(dirs.iter().map(|d| (d.join(super::test::FIXTURES), false)));
        for (root, embedded) in roots {
            for (id, files) in fixtures::discover(&root) {
                let owner = host.rules().iter().find(|r| r.meta.id == id);
                if owner.is_some_and(|r| r.embedded == embedded) {
                    by_rule.insert(id, files);
                }
            }
        }
        FixtureIndex { by_rule }
    }

    fn of(&self, id: &str) -> &[(PathBuf, bool)] {
        self.by_rule.get(id).map(Vec::as_slice).unwrap_or_default()
    }
}

/// Every rule, in the chosen format.
pub fn list(host: &Host, format: ListFormat) -> String {
    let rules = host.rules();
    match format {
        ListFormat::Json => {
            let items: Vec<serde_json::Value> = rules
                .iter()
                .map(|r| {
                    serde_json::json!({
                        "id": r.meta.id,
                        "title": r.meta.title,
                        "severity": r.meta.severity.as_str(),
                        "kinds": kinds(r),
                        "checklist": r.meta.checklist,
                        "params": params_json(r),
                        "source": if r.embedded { "embedded" } else { "path" },
                        "path": r.origin,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&items).unwrap_or_default() + "\n"
        }
        ListFormat::Markdown => {
            let mut out = String::from(
                "| rule | severity | checks | checklist | source |\n|---|---|---|---|---|\n",
            );
            for r in rules {
                let _ = writeln!(
                    out,
                    "| `{}` | {} | {} | {} | {} |",
                    r.meta.id,
                    r.meta.severity,
                    kinds(r).join(", "),
                    r.meta.checklist.join(", "),
                    source(r)
                );
            }
            out
        }
        ListFormat::Table => {
            let width = rules.iter().map(|r| r.meta.id.len()).max().unwrap_or(4);
            let mut out = format!(
                "{:<width$}  {:<8}  {:<24}  {:<3}  source\n",
                "rule", "severity", "checks", "cl."
            );
            for r in rules {
                let _ = writeln!(
                    out,
                    "{:<width$}  {:<8}  {:<24}  {:<3}  {}",
                    r.meta.id,
                    r.meta.severity.as_str(),
                    kinds(r).join(","),
                    r.meta.checklist.len(),
                    source(r)
                );
            }
            let _ = writeln!(
                out,
                "{} rules ({} from policy directories); `cl.` counts checklist items",
                rules.len(),
                rules.iter().filter(|r| !r.embedded).count()
            );
            out
        }
    }
}

/// The rule `id`'s page, or an error naming the nearest ids.
pub fn explain(host: &Host, index: &FixtureIndex, id: &str) -> Result<String, String> {
    match host.rules().iter().find(|r| r.meta.id == id) {
        Some(rule) => Ok(page(rule, index, None)),
        None => {
            let ids = host.rules().iter().map(|r| r.meta.id.as_str());
            // `runs-as-root` alone: the rules of every area with that name.
            let named: Vec<String> = ids
                .clone()
                .filter(|i| i.rsplit('/').next() == Some(id))
                .map(|i| format!("`{i}`"))
                .collect();
            let near = match crate::suggest::closest(id, ids) {
                _ if !named.is_empty() => format!("; did you mean {}?", named.join(" or ")),
                Some(near) => format!("; did you mean `{near}`?"),
                None => "; `preflight rules` lists them".into(),
            };
            Err(format!("no rule `{id}`{near}"))
        }
    }
}

/// Writes one page per rule under `out` (`<area>/<rule>.md`) and an `index.md`. When `out` is
/// a relative path below the current directory, source and fixture paths (relative to the
/// current directory) become links.
pub fn write_docs(host: &Host, index: &FixtureIndex, out: &Path) -> Result<Vec<PathBuf>, String> {
    let mut written = Vec::new();
    for (rel, text) in pages(host, index, root_from(out).as_deref()) {
        let path = out.join(&rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|err| format!("cannot create `{}`: {err}", parent.display()))?;
        }
        std::fs::write(&path, text)
            .map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The way back from `out` to the current directory: `../..` for `docs/rules`; `None` when
/// there is none to write (an absolute path, or one with `..`).
pub fn root_from(out: &Path) -> Option<String> {
    use std::path::Component;
    let mut depth = 0;
    for component in out.components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            _ => return None,
        }
    }
    Some(if depth == 0 {
        ".".into()
    } else {
        vec![".."; depth].join("/")
    })
}

/// `(relative path, text)` of every docs page: `index.md` and `<area>/<rule>.md`. `repo_root`
/// is the way from the index's directory to the directory paths are relative to.
pub fn pages(host: &Host, index: &FixtureIndex, repo_root: Option<&str>) -> Vec<(String, String)> {
    let mut index_page = String::from(
        "# Rules\n\n\
         Generated by `preflight docs` from each rule's metadata, documentation and fixtures;\n\
         edit the rule files, not these pages.\n",
    );
    let mut out = Vec::new();
    let mut area = "";
    for rule in host.rules() {
        let id = &rule.meta.id;
        let this_area = id.split('/').next().unwrap_or_default();
        if this_area != area {
            area = this_area;
            let _ = write!(
                index_page,
                "\n## {area}\n\n| rule | severity | title |\n|---|---|---|\n"
            );
        }
        let _ = writeln!(
            index_page,
            "| [`{id}`]({id}.md) | {} | {} |",
            rule.meta.severity, rule.meta.title
        );
        // Pages sit one directory below the index: `../` reaches the docs directory.
        let root = repo_root.map(|r| format!("../{r}"));
        out.push((format!("{id}.md"), page(rule, index, root.as_deref())));
    }
    out.insert(0, ("index.md".into(), index_page));
    out
}

/// A rule's full documentation in Markdown. `repo_root` makes source and fixture paths links.
fn page(rule: &Rule, index: &FixtureIndex, repo_root: Option<&str>) -> String {
    let meta = &rule.meta;
    let link = |path: &str| match repo_root {
        Some(root) => format!("[`{path}`]({root}/{path})"),
        None => format!("`{path}`"),
    };
    let mut out = format!("# `{}` — {}\n\n", meta.id, meta.title);
    let _ = writeln!(out, "- severity: {}", meta.severity);
    let _ = writeln!(
        out,
        "- checks: {}",
        match rule.entry {
            Entry::Project => "the whole project".to_string(),
            Entry::Document => kinds(rule)
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    );
    if !meta.checklist.is_empty() {
        let items: Vec<_> = meta.checklist.iter().map(|c| format!("`{c}`")).collect();
        let _ = writeln!(out, "- checklist: {}", items.join(", "));
    }
    if !meta.peers.is_empty() {
        let peers: Vec<_> = meta.peers.iter().map(|p| format!("`{p}`")).collect();
        let _ = writeln!(out, "- same check in: {}", peers.join(", "));
    }
    let origin = if rule.embedded {
        format!("{} (built in)", link(&rule.origin))
    } else if Path::new(&rule.origin).is_relative() {
        link(&rule.origin)
    } else {
        format!("`{}`", rule.origin)
    };
    let _ = writeln!(out, "- source: {origin}");
    let docs = rule.docs.trim();
    if !docs.is_empty() {
        let _ = write!(out, "\n{}\n", demote_headings(docs));
    }
    if let Some(help) = &meta.help {
        let _ = write!(out, "\n## Fix\n\n{help}\n");
    }
    if !meta.params.is_empty() {
        let _ = write!(
            out,
            "\n## Configuration\n\n\
             Parameters, with their defaults; override them in `preflight.toml`:\n\n\
             ```toml\n[rules.params.\"{}\"]\n",
            meta.id
        );
        for (name, value) in params_json(rule).as_object().into_iter().flatten() {
            let _ = writeln!(out, "{name} = {value}");
        }
        out.push_str("```\n");
    }
    let examples = index.of(&meta.id);
    if !examples.is_empty() {
        out.push_str("\n## Fixtures\n");
        for (path, must_fail) in examples {
            let shown = path.display().to_string().replace('\\', "/");
            let what = if *must_fail {
                "reported on the lines marked `expect:`"
            } else {
                "not reported"
            };
            let text = path
                .is_file()
                .then(|| std::fs::read_to_string(path).ok())
                .flatten()
                .filter(|t| t.lines().count() <= MAX_EXAMPLE_LINES);
            match text {
                Some(text) => {
                    let _ = write!(
                        out,
                        "\n{} — {what}:\n\n```{}\n{}\n```\n",
                        link(&shown),
                        fence_language(path),
                        text.trim_end()
                    );
                }
                None => {
                    let _ = writeln!(out, "\n{} — {what}.", link(&shown));
                }
            }
        }
    }
    if !meta.references.is_empty() {
        out.push_str("\n## References\n\n");
        for reference in &meta.references {
            let _ = writeln!(out, "- <{reference}>");
        }
    }
    out
}

/// Rule docs use `##` sections; under the page's `#` title they stay `##`. A `#` heading in
/// the docs would compete with the title, so it goes one level down.
fn demote_headings(docs: &str) -> String {
    let mut in_code = false;
    docs.lines()
        .map(|line| {
            if line.trim_start().starts_with("```") {
                in_code = !in_code;
            }
            if !in_code && line.starts_with("# ") {
                format!("#{line}")
            } else {
                line.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn fence_language(path: &Path) -> &'static str {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    match name.rsplit('.').next() {
        _ if name.starts_with("Dockerfile") || name.ends_with(".dockerfile") => "dockerfile",
        Some("yml" | "yaml") => "yaml",
        Some("py") => "python",
        Some("json") => "jsonc",
        Some("tf") => "hcl",
        Some("js" | "mjs" | "cjs" | "ts") => "js",
        Some("toml") => "toml",
        Some("conf") if name.contains("nginx") => "nginx",
        _ => "",
    }
}

fn kinds(rule: &Rule) -> Vec<String> {
    match (rule.entry, rule.meta.applies_to.is_empty()) {
        (Entry::Project, _) => vec!["project".into()],
        (Entry::Document, true) => vec!["*".into()],
        (Entry::Document, false) => rule
            .meta
            .applies_to
            .iter()
            .map(|k| k.as_str().to_string())
            .collect(),
    }
}

fn source(rule: &Rule) -> String {
    if rule.embedded {
        "embedded".into()
    } else {
        rule.origin.clone()
    }
}

/// The rule's effective parameters as JSON.
fn params_json(rule: &Rule) -> serde_json::Value {
    json(&rhai::Dynamic::from_map((*rule.params).clone()))
}

fn json(value: &rhai::Dynamic) -> serde_json::Value {
    if let Ok(i) = value.as_int() {
        i.into()
    } else if let Ok(f) = value.as_float() {
        f.into()
    } else if let Ok(b) = value.as_bool() {
        b.into()
    } else if let Some(items) = value.read_lock::<rhai::Array>() {
        items.iter().map(json).collect()
    } else if let Some(map) = value.read_lock::<rhai::Map>() {
        map.iter().map(|(k, v)| (k.to_string(), json(v))).collect()
    } else {
        value.to_string().into()
    }
}
