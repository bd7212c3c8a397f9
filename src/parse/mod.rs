//! Format adapters: source text in, [`Node`] trees with spans out.

pub mod detect;
pub mod dockerfile;
pub mod dotenv;
pub mod hcl;
pub mod json;
pub mod nextjs;
pub mod nginx;
pub mod nginx_include;
pub mod pgconf;
pub mod python;
pub mod toml;
mod treesitter;
pub mod yaml;

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use crate::model::{Key, Node, Span};

/// A syntax problem at a place in a file.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub span: Span,
}

/// What a parser produced: the documents it could read and the problems it met.
///
/// A fatal error leaves `roots` empty; a recoverable one (an unknown Dockerfile instruction)
/// is listed in `errors` beside a usable tree.
#[derive(Debug, Default)]
pub struct Parsed {
    pub roots: Vec<Node>,
    pub errors: Vec<ParseError>,
}

impl Parsed {
    pub fn one(root: Node) -> Self {
        Parsed {
            roots: vec![root],
            errors: Vec::new(),
        }
    }

    pub fn failed(error: ParseError) -> Self {
        Parsed {
            roots: Vec::new(),
            errors: vec![error],
        }
    }
}

use std::sync::Arc;

use crate::limits::Limits;
use crate::model::{Document, Format, Kind, SourceFile};

/// Finds the file a Python star import names (`.base`, `config.settings.base`), given the
/// importing file.
pub type ImportResolver<'a> = dyn Fn(&str, &SourceFile) -> Option<Arc<SourceFile>> + 'a;

/// The files a star-imported module may be, as `/`-separated paths, and whether the import is
/// relative: `.base` and `..common` beside `importer`, `config.settings.base` from the root.
/// `None` when a relative import climbs above the importer's top directory.
pub fn module_paths(module: &str, importer: &str) -> Option<(Vec<String>, bool)> {
    let dots = module.chars().take_while(|c| *c == '.').count();
    let name = module[dots..].replace('.', "/");
    let mut dir: Vec<&str> = Vec::new();
    if dots > 0 {
        dir = importer.split('/').collect();
        dir.pop();
        for _ in 1..dots {
            dir.pop()?;
        }
    }
    if !name.is_empty() {
        dir.push(&name);
    }
    let base = dir.join("/");
    let under = |file: &str| {
        if base.is_empty() {
            file.to_string()
        } else {
            format!("{base}/{file}")
        }
    };
    let package = under("__init__.py");
    let paths = if name.is_empty() {
        vec![package]
    } else {
        vec![format!("{base}.py"), package]
    };
    Some((paths, dots > 0))
}

/// Parses one file of a known format into its documents, deciding each document's kind (from
/// `kind` when the file name settled it, else from the content). Only Django settings use
/// `imports`, to follow `from .base import *`.
pub fn parse_file(
    file: &SourceFile,
    format: Format,
    kind: Option<Kind>,
    imports: &ImportResolver,
) -> (Vec<Document>, Vec<ParseError>) {
    parse_file_within(file, format, kind, imports, &Limits::default())
}

/// [`parse_file`] under the given limits.
pub fn parse_file_within(
    file: &SourceFile,
    format: Format,
    kind: Option<Kind>,
    imports: &ImportResolver,
    limits: &Limits,
) -> (Vec<Document>, Vec<ParseError>) {
    let parsed = match format {
        Format::Yaml => yaml::parse_within(file, limits),
        Format::Json => json::parse(file),
        Format::Toml => toml::parse(file),
        Format::Hcl => hcl::parse(file),
        Format::Dockerfile => dockerfile::parse(file),
        Format::Python => python::parse_with_imports(file, imports),
        Format::Dotenv => dotenv::parse(file),
        Format::Nginx => nginx::parse(file),
        Format::Javascript => nextjs::parse(file),
        Format::Pgconf if kind == Some(Kind::PgHba) => pgconf::parse_hba(file),
        Format::Pgconf => pgconf::parse(file),
    };
    let documents = parsed
        .roots
        .into_iter()
        .enumerate()
        .map(|(index, root)| Document {
            path: file.path.clone(),
            format,
            kind: kind.unwrap_or_else(|| detect::yaml_kind(&file.path, &root)),
            source: file.id,
            index,
            root,
        })
        .collect();
    (documents, parsed.errors)
}

/// How a repeated key's error starts.
const REPEATED_KEY: &str = "duplicate key";

/// An error at each key that repeats an earlier key of the same map. The tree keeps both
/// entries (a lookup takes the last, as most tools do), but tools disagree: some reject the
/// file, some keep the first.
pub(crate) fn repeated_keys<'k>(keys: impl IntoIterator<Item = &'k Key>) -> Vec<ParseError> {
    let mut first: HashMap<&str, &Key> = HashMap::new();
    keys.into_iter()
        .filter_map(|key| match first.entry(&key.name) {
            Entry::Occupied(earlier) => Some(ParseError {
                message: format!(
                    "{REPEATED_KEY} `{}` (first at line {}): tools disagree on which one counts, and some reject the file",
                    key.name,
                    earlier.get().span.start.line
                ),
                span: key.span,
            }),
            Entry::Vacant(slot) => {
                slot.insert(key);
                None
            }
        })
        .collect()
}

/// Whether an error is a repeated key, after which the whole file was still read.
pub fn is_repeated_key(err: &ParseError) -> bool {
    err.message.starts_with(REPEATED_KEY)
}

/// The text of a byte range, or `""` when the range is not inside the text on char boundaries.
pub(crate) fn sub(text: &str, range: std::ops::Range<usize>) -> &str {
    text.get(range).unwrap_or("")
}

/// Source text for a message, in backquotes and cut short.
pub(crate) fn shown(text: &str) -> String {
    let mut cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        cut.push('…');
    }
    format!("`{cut}`")
}

#[cfg(test)]
mod tests {
    use super::module_paths;

    #[test]
    fn star_imports_name_module_files() {
        let paths = |m| module_paths(m, "config/settings/production.py");
        assert_eq!(
            paths(".base"),
            Some((
                vec![
                    "config/settings/base.py".into(),
                    "config/settings/base/__init__.py".into()
                ],
                true
            ))
        );
        assert_eq!(paths("..common").unwrap().0[0], "config/common.py");
        assert_eq!(
            paths(".").unwrap().0,
            vec!["config/settings/__init__.py".to_string()]
        );
        assert_eq!(
            paths("config.settings.base"),
            Some((
                vec![
                    "config/settings/base.py".into(),
                    "config/settings/base/__init__.py".into()
                ],
                false
            ))
        );
        assert_eq!(paths("....too.far"), None);
    }
}

/// Helpers the adapters' tests share.
#[cfg(test)]
pub(crate) mod testing {
    use super::{ParseError, Parsed};
    use crate::model::{Node, SourceFile, SourceId, Span};

    /// Parses `text` as a file named `name`.
    pub fn parse_as(
        parse: fn(&SourceFile) -> Parsed,
        name: &str,
        text: &str,
    ) -> (SourceFile, Parsed) {
        let file = SourceFile::new(SourceId(0), name, text);
        let parsed = parse(&file);
        (file, parsed)
    }

    /// The single root of input that must parse without errors.
    pub fn parse_clean(
        parse: fn(&SourceFile) -> Parsed,
        name: &str,
        text: &str,
    ) -> (SourceFile, Node) {
        let (file, parsed) = parse_as(parse, name, text);
        assert_eq!(parsed.errors, vec![], "unexpected errors for {text:?}");
        assert_eq!(parsed.roots.len(), 1, "one root expected for {text:?}");
        let root = parsed.roots.into_iter().next().expect("checked above");
        (file, root)
    }

    /// The one error of input that must fail without producing a tree.
    pub fn parse_failure(parse: fn(&SourceFile) -> Parsed, name: &str, text: &str) -> ParseError {
        let (_, parsed) = parse_as(parse, name, text);
        assert!(
            parsed.roots.is_empty(),
            "expected an error for {text:?}, got {:?}",
            parsed.roots
        );
        assert_eq!(
            parsed.errors.len(),
            1,
            "one error expected for {text:?}: {:?}",
            parsed.errors
        );
        parsed.errors.into_iter().next().expect("checked above")
    }

    /// The files of `../shared/corpus` (real configuration from public projects) whose path
    /// `keep` accepts, sorted; none when the corpus is not beside the project.
    pub fn corpus_files(keep: impl Fn(&std::path::Path) -> bool) -> Vec<std::path::PathBuf> {
        let root = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"));
        let mut files = Vec::new();
        let mut dirs = vec![root.to_path_buf()];
        while let Some(dir) = dirs.pop() {
            for path in std::fs::read_dir(&dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| e.path())
            {
                if path.is_dir() {
                    dirs.push(path);
                } else if keep(&path) {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    /// Where a span starts, as `(line, column)`.
    pub fn line_col(span: &Span) -> (u32, u32) {
        (span.start.line, span.start.column)
    }
}
