//! Properties every parser and every scan must have, on generated input:
//! - on any text (fixtures with random edits), every span lies inside its file, on character
//!   boundaries, with the line and column of its offset;
//! - on generated documents, slicing the source at a scalar's or key's span gives the text
//!   written for it;
//! - a scan's sorted, deduplicated findings do not depend on the number of threads.

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;

use preflight::check::{Checker, Options};
use preflight::model::{Format, Kind, Node, SourceFile, SourceId, Value};
use preflight::parse;

#[path = "support/invariants.rs"]
mod invariants;

/// Cases per property: `default`, or `PROPTEST_CASES` (scripts/fuzz.sh sets it high when it
/// has no nightly toolchain for cargo-fuzz).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}

/// Each adapter, with a file name that gives it its kind.
const ADAPTERS: &[(Format, Option<Kind>, &str)] = &[
    (Format::Yaml, None, "docker-compose.yml"),
    (Format::Json, Some(Kind::PackageJson), "package.json"),
    (Format::Toml, Some(Kind::Generic), "pyproject.toml"),
    (Format::Hcl, Some(Kind::Terraform), "main.tf"),
    (Format::Dockerfile, Some(Kind::Dockerfile), "Dockerfile"),
    (Format::Python, Some(Kind::DjangoSettings), "settings.py"),
    (Format::Dotenv, Some(Kind::Dotenv), ".env"),
    (Format::Nginx, Some(Kind::Nginx), "nginx.conf"),
    (
        Format::Pgconf,
        Some(Kind::PostgresqlConf),
        "postgresql.conf",
    ),
    (Format::Pgconf, Some(Kind::PgHba), "pg_hba.conf"),
    (Format::Javascript, Some(Kind::NextConfig), "next.config.js"),
];

/// Parses `text` with `adapter`; `Err` names the first span that breaks the invariants.
fn spans_hold(adapter: usize, text: &str) -> Result<(), String> {
    let (format, kind, name) = ADAPTERS[adapter];
    let file = SourceFile::new(SourceId(0), name, text);
    let (documents, errors) = parse::parse_file(&file, format, kind, &|_, _| None);
    for doc in &documents {
        invariants::check_spans(&file, &doc.root)?;
    }
    for err in &errors {
        invariants::check_span(&file, &err.span, "error")?;
    }
    Ok(())
}

/// The fixtures and test projects each adapter starts from, read once.
fn seeds() -> &'static Vec<Vec<String>> {
    static SEEDS: OnceLock<Vec<Vec<String>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![
            root.join("tests/fixtures"),
            root.join("tests/hostile"),
            root.join("tests/projects"),
            root.join("examples/demo"),
        ];
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
            {
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        ADAPTERS
            .iter()
            .map(|(format, _, _)| {
                files
                    .iter()
                    .filter(|p| {
                        let rel = p.to_string_lossy();
                        parse::detect::by_name(&rel).is_some_and(|(f, _)| f == *format)
                    })
                    .filter_map(|p| std::fs::read_to_string(p).ok())
                    .collect()
            })
            .collect()
    })
}

#[test]
fn every_adapter_has_fixtures_to_edit() {
    for ((_, _, name), seeds) in ADAPTERS.iter().zip(seeds()) {
        assert!(!seeds.is_empty(), "no fixture for {name}");
    }
}

/// Text that parsers find hard: brackets, quotes, escapes, newlines, tabs, multi-byte chars.
fn fragment() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\n".to_string()),
            Just("\t".to_string()),
            Just("\\\n".to_string()),
            Just("é".to_string()),
            Just("€".to_string()),
            Just("🦀".to_string()),
            Just("\u{feff}".to_string()),
            "[ -~]{1,3}",
        ],
        0..12,
    )
    .prop_map(|parts| parts.concat())
}

/// A fixture of the adapter (or nothing), with a fragment spliced in and a stretch cut out.
fn edited(adapter: usize) -> impl Strategy<Value = String> {
    (
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        fragment(),
    )
        .prop_map(move |(pick, at, cut, insert)| {
            let seeds = &seeds()[adapter];
            let seed = if seeds.is_empty() {
                ""
            } else {
                pick.get(seeds).as_str()
            };
            let boundaries: Vec<usize> = seed
                .char_indices()
                .map(|(i, _)| i)
                .chain([seed.len()])
                .collect();
            let start = *at.get(&boundaries);
            let end = boundaries[(boundaries.iter().position(|b| *b == start).unwrap_or(0)
                + cut.index(8))
            .min(boundaries.len() - 1)];
            format!("{}{insert}{}", &seed[..start], &seed[end..])
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(256)))]

    #[test]
    fn spans_lie_inside_the_file_for_edited_fixtures(
        (adapter, text) in (0..ADAPTERS.len()).prop_flat_map(|a| (Just(a), edited(a)))
    ) {
        prop_assert_eq!(spans_hold(adapter, &text), Ok(()), "{}: {:?}", ADAPTERS[adapter].2, text);
    }

    #[test]
    fn spans_lie_inside_the_file_for_arbitrary_text(adapter in 0..ADAPTERS.len(), text in fragment()) {
        prop_assert_eq!(spans_hold(adapter, &text), Ok(()), "{}: {:?}", ADAPTERS[adapter].2, text);
    }
}

// Scalar text under spans

/// A generated document: nested maps of names to words, numbers and booleans.
#[derive(Debug, Clone)]
enum Gen {
    Word(String),
    Int(i64),
    Bool(bool),
    Map(Vec<(String, Gen)>),
}

fn name() -> impl Strategy<Value = String> {
    "k[a-z0-9_]{0,6}"
}

fn gen_doc() -> impl Strategy<Value = Vec<(String, Gen)>> {
    let leaf = prop_oneof![
        "w[a-z0-9_]{0,8}".prop_map(Gen::Word),
        (0i64..1_000_000).prop_map(Gen::Int),
        any::<bool>().prop_map(Gen::Bool),
    ];
    let value = leaf.prop_recursive(3, 24, 4, |inner| {
        prop::collection::vec((name(), inner), 1..4).prop_map(|m| Gen::Map(unique(m)))
    });
    prop::collection::vec((name(), value), 1..6).prop_map(unique)
}

/// Keys once each: a repeated key is reported, which is not what these properties are about.
fn unique(mut entries: Vec<(String, Gen)>) -> Vec<(String, Gen)> {
    let mut seen = std::collections::HashSet::new();
    entries.retain(|(k, _)| seen.insert(k.clone()));
    entries
}

fn scalar(value: &Gen, quote: &str, truth: (&str, &str)) -> String {
    match value {
        Gen::Word(w) => format!("{quote}{w}{quote}"),
        Gen::Int(i) => i.to_string(),
        Gen::Bool(b) => if *b { truth.0 } else { truth.1 }.to_string(),
        Gen::Map(_) => unreachable!("maps are rendered by each format"),
    }
}

fn yaml(entries: &[(String, Gen)], indent: usize, out: &mut String) {
    for (key, value) in entries {
        out.push_str(&" ".repeat(indent));
        match value {
            Gen::Map(inner) => {
                out.push_str(&format!("{key}:\n"));
                yaml(inner, indent + 2, out);
            }
            _ => out.push_str(&format!(
                "{key}: {}\n",
                scalar(value, "", ("true", "false"))
            )),
        }
    }
}

fn json(entries: &[(String, Gen)]) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(key, value)| match value {
            Gen::Map(inner) => format!("\"{key}\": {}", json(inner)),
            _ => format!("\"{key}\": {}", scalar(value, "\"", ("true", "false"))),
        })
        .collect();
    format!("{{\n{}\n}}", body.join(",\n"))
}

/// Inline tables, in `key = value` lines.
fn toml(entries: &[(String, Gen)], inline: bool) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(key, value)| match value {
            Gen::Map(inner) => format!("{key} = {{ {} }}", toml(inner, true)),
            _ => format!("{key} = {}", scalar(value, "\"", ("true", "false"))),
        })
        .collect();
    if inline {
        body.join(", ")
    } else {
        body.join("\n") + "\n"
    }
}

fn hcl(entries: &[(String, Gen)]) -> String {
    let body: Vec<String> = entries
        .iter()
        .map(|(key, value)| match value {
            Gen::Map(inner) => format!("{key} = {}", hcl(inner)),
            _ => format!("{key} = {}", scalar(value, "\"", ("true", "false"))),
        })
        .collect();
    format!("{{\n{}\n}}", body.join("\n"))
}

fn python_value(value: &Gen) -> String {
    match value {
        Gen::Map(inner) => {
            let body: Vec<String> = inner
                .iter()
                .map(|(k, v)| format!("\"{k}\": {}", python_value(v)))
                .collect();
            format!("{{{}}}", body.join(", "))
        }
        _ => scalar(value, "'", ("True", "False")),
    }
}

/// Every scalar and key of the tree that points into `file` shows its value under its span
/// (strings with their quotes, booleans as written).
fn text_matches(file: &SourceFile, root: &Node) -> Result<(), String> {
    let unquoted = |text: &str| {
        text.strip_prefix(['"', '\''])
            .and_then(|t| t.strip_suffix(['"', '\'']))
            .unwrap_or(text)
            .to_string()
    };
    let mut pending = vec![root];
    while let Some(node) = pending.pop() {
        let text = file.slice(&node.span);
        let ok = match &node.value {
            Value::Str(s) => unquoted(text) == **s,
            Value::Int(i) => text == i.to_string(),
            Value::Bool(b) => text.to_lowercase() == b.to_string(),
            Value::List(items) => {
                pending.extend(items.iter());
                true
            }
            Value::Map(entries) => {
                for (key, value) in entries.iter() {
                    // `$`-keys are the model's own (`$expr`), not written in the file.
                    if !key.name.starts_with('$') && unquoted(file.slice(&key.span)) != *key.name {
                        return Err(format!(
                            "key `{}` spans `{}`",
                            key.name,
                            file.slice(&key.span)
                        ));
                    }
                    pending.push(value);
                }
                true
            }
            Value::Null | Value::Float(_) => true,
        };
        if !ok {
            return Err(format!("{:?} spans `{text}`", node.value));
        }
    }
    Ok(())
}

fn parsed_text_matches(
    format: Format,
    kind: Option<Kind>,
    name: &str,
    text: &str,
) -> Result<(), String> {
    let file = SourceFile::new(SourceId(0), name, text);
    let (documents, errors) = parse::parse_file(&file, format, kind, &|_, _| None);
    if let Some(err) = errors.first() {
        return Err(format!("unexpected error: {}", err.message));
    }
    let root = &documents.first().ok_or("no document")?.root;
    text_matches(&file, root)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases(48)))]

    #[test]
    fn yaml_scalars_show_their_text(doc in gen_doc()) {
        let mut text = String::new();
        yaml(&doc, 0, &mut text);
        prop_assert_eq!(parsed_text_matches(Format::Yaml, Some(Kind::Generic), "a.yaml", &text), Ok(()), "{}", text);
    }

    #[test]
    fn json_scalars_show_their_text(doc in gen_doc()) {
        let text = json(&doc);
        prop_assert_eq!(parsed_text_matches(Format::Json, Some(Kind::Generic), "a.json", &text), Ok(()), "{}", text);
    }

    #[test]
    fn toml_scalars_show_their_text(doc in gen_doc()) {
        let text = toml(&doc, false);
        prop_assert_eq!(parsed_text_matches(Format::Toml, Some(Kind::Generic), "a.toml", &text), Ok(()), "{}", text);
    }

    #[test]
    fn hcl_scalars_show_their_text(doc in gen_doc()) {
        let text = format!("locals {}\n", hcl(&doc));
        prop_assert_eq!(parsed_text_matches(Format::Hcl, Some(Kind::Generic), "a.hcl", &text), Ok(()), "{}", text);
    }

    #[test]
    fn python_settings_show_their_text(doc in gen_doc()) {
        let text: String = doc
            .iter()
            .map(|(key, value)| format!("{} = {}\n", key.to_uppercase(), python_value(value)))
            .collect();
        prop_assert_eq!(parsed_text_matches(Format::Python, Some(Kind::DjangoSettings), "settings.py", &text), Ok(()), "{}", text);
    }

    #[test]
    fn dotenv_values_show_their_text(doc in gen_doc()) {
        let text: String = doc
            .iter()
            .map(|(key, value)| match value {
                Gen::Map(_) => format!("{}=w\n", key.to_uppercase()),
                _ => format!("{}={}\n", key.to_uppercase(), scalar(value, "", ("true", "false"))),
            })
            .collect();
        prop_assert_eq!(parsed_text_matches(Format::Dotenv, Some(Kind::Dotenv), ".env", &text), Ok(()), "{}", text);
    }
}

// Findings do not depend on the number of threads

#[test]
fn findings_are_the_same_on_one_thread_and_on_many() {
    let checker = Checker::new(&Options::default());
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for project in [
        "examples/demo",
        "tests/projects/django-split",
        "tests/projects/nginx-include",
    ] {
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("a thread pool");
            pool.install(|| checker.run(&root.join(project)).findings)
        };
        let one = on(1);
        assert!(!one.is_empty(), "{project} has findings");
        for threads in [2, 4, 8] {
            assert_eq!(on(threads), one, "{project} on {threads} threads");
        }
    }
}
