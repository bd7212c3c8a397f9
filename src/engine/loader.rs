//! Finds policy files, compiles each once and reads its metadata.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::{AST, Engine, Map};

use super::meta::RuleMeta;
use crate::model::SourceFile;

/// A compiled rule, ready to run.
pub struct Rule {
    /// Shared with every call of the rule, which reports under it.
    pub meta: Arc<RuleMeta>,
    /// The `//!` documentation at the top of the file.
    pub docs: Arc<str>,
    /// Where the rule came from: `policies/…` inside the binary, or a path on disk.
    pub origin: String,
    /// Part of the default pack built into the binary.
    pub embedded: bool,
    pub source: Arc<SourceFile>,
    pub entry: Entry,
    /// The parameters the rule runs with: `META.params` with any overrides from config.
    pub params: Arc<Map>,
    pub(super) ast: AST,
}

/// How a rule is called: once per matching document, or once per scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entry {
    /// `fn check(doc)`
    Document,
    /// `fn check_project(project)`
    Project,
}

impl Entry {
    pub fn function(self) -> &'static str {
        match self {
            Entry::Document => "check",
            Entry::Project => "check_project",
        }
    }
}

/// A problem in a policy file — it could not be loaded, or a call failed — and where.
#[derive(Debug, Clone)]
pub struct PolicyError {
    pub file: Arc<SourceFile>,
    /// 1-based line and column; `(1, 1)` when the problem is the whole file.
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Compiles one policy file. `expected_id` is the id its path implies (`area/name`).
pub fn compile_rule(
    engine: &Engine,
    file: Arc<SourceFile>,
    expected_id: &str,
) -> Result<Rule, PolicyError> {
    let fail = |line: u32, column: u32, message: String| PolicyError {
        file: file.clone(),
        line,
        column,
        message,
    };
    let ast = engine.compile(&*file.text).map_err(|err| {
        let pos = err.position();
        fail(
            pos.line().unwrap_or(1) as u32,
            pos.position().unwrap_or(1) as u32,
            format!("syntax error: {}", err.err_type()),
        )
    })?;
    let meta_line = line_of(&file, "META").unwrap_or(1);
    let meta_map = ast
        .iter_literal_variables(true, false)
        .find(|(name, _, _)| *name == "META")
        .and_then(|(_, _, value)| value.try_cast::<Map>())
        .ok_or_else(|| {
            fail(
                meta_line,
                1,
                "missing `const META = #{ id, title, severity, applies_to, … }` with literal values"
                    .into(),
            )
        })?;
    let defines = |name: &str| {
        ast.iter_functions()
            .any(|f| f.name == name && f.params.len() == 1)
    };
    // A project rule runs once, on no document: it has no kinds to name.
    let mut meta_map = meta_map;
    if defines("check_project") {
        meta_map
            .entry("applies_to".into())
            .or_insert_with(|| rhai::Dynamic::from_array(Vec::new()));
    }
    let meta = RuleMeta::from_map(&meta_map).map_err(|err| {
        let (line, column) = err
            .key
            .as_deref()
            .and_then(|key| meta_key_position(&file, meta_line, key))
            .unwrap_or((meta_line, 1));
        fail(line, column, err.message)
    })?;
    if meta.id != expected_id {
        return Err(fail(
            meta_line,
            1,
            format!(
                "META.id is `{}` but the file's path makes it `{expected_id}`: rename one so they agree",
                meta.id
            ),
        ));
    }
    let entry = match (defines("check"), defines("check_project")) {
        (true, false) => Entry::Document,
        (false, true) => Entry::Project,
        (true, true) => {
            return Err(fail(
                line_of(&file, "check_project").unwrap_or(1),
                1,
                "a rule defines either `fn check(doc)` or `fn check_project(project)`, not both"
                    .into(),
            ));
        }
        (false, false) => {
            return Err(fail(
                1,
                1,
                "no `fn check(doc)` or `fn check_project(project)` in this rule".into(),
            ));
        }
    };
    Ok(Rule {
        docs: doc_text(ast.doc()).into(),
        params: Arc::new(meta.params.clone()),
        origin: file.path.clone(),
        embedded: false,
        source: file,
        entry,
        meta: Arc::new(meta),
        ast,
    })
}

/// Line and column of `key:` inside the `META` map that starts at `meta_line`, so an error
/// about a key points at it.
pub(super) fn meta_key_position(
    file: &SourceFile,
    meta_line: u32,
    key: &str,
) -> Option<(u32, u32)> {
    let mut depth = 0i32;
    for line in meta_line..=file.line_count() {
        let text = file.line_text(line);
        for (at, _) in text.match_indices(key) {
            let before = text[..at].chars().next_back();
            let after = text[at + key.len()..].trim_start();
            let starts_word = before.is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
            if starts_word && after.starts_with(':') && !after.starts_with("::") {
                let column = text[..at].chars().count() as u32 + 1;
                return Some((line, column));
            }
        }
        depth += text.matches('{').count() as i32 - text.matches('}').count() as i32;
        if depth <= 0 && line > meta_line {
            break;
        }
    }
    None
}

/// The `//!` comment block without its markers.
fn doc_text(doc: &str) -> String {
    doc.lines()
        .map(|line| {
            let text = line.trim_start().trim_start_matches("//!");
            text.strip_prefix(' ').unwrap_or(text)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// 1-based line of the first line that starts a declaration of `name`.
pub fn line_of(file: &SourceFile, name: &str) -> Option<u32> {
    (1..=file.line_count()).find(|&n| {
        let line = file.line_text(n).trim_start();
        line.strip_prefix("const ")
            .or_else(|| line.strip_prefix("fn "))
            .is_some_and(|rest| rest.starts_with(name))
    })
}

/// The rule id a policy path implies: its last two components without `.rhai`.
pub fn id_from_path(path: &str) -> String {
    let trimmed = path.trim_end_matches(".rhai");
    let mut parts = trimmed.rsplit('/');
    let name = parts.next().unwrap_or_default();
    match parts.next() {
        Some(area) => format!("{area}/{name}"),
        None => name.to_string(),
    }
}

/// Where an organisation's policy directory keeps its importable modules.
pub const MODULES_DIR: &str = "stdlib";

/// The modules of an organisation's policy directory: `<dir>/stdlib/*.rhai`, in path order.
pub fn module_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(MODULES_DIR))
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "rhai"))
        .collect();
    files.sort();
    files
}

/// Every rule file (`.rhai`) under an organisation's policy directory, in path order: all but
/// the modules of its `stdlib/`.
pub fn policy_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    let modules = dir.join(MODULES_DIR);
    while let Some(current) = pending.pop() {
        for entry in std::fs::read_dir(&current)? {
            let path = entry?.path();
            if path == modules {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rhai") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
