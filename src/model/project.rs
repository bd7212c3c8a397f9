//! Everything one scan read: the parsed documents and every file's path, for rules that look
//! across files.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::document::Document;
use super::span::SourceId;

/// The documents of a scan plus the paths of every file it read, parsed or not (a
/// `.dockerignore` or `LICENSE` has no document but rules still ask whether it exists).
#[derive(Debug, Default)]
pub struct Project {
    pub documents: Vec<Document>,
    /// Every file of the scan by path relative to the root, parsed or not.
    pub files: BTreeMap<String, ProjectFile>,
}

#[derive(Debug, Clone)]
pub struct ProjectFile {
    /// The source holding its text, for files preflight read.
    pub source: Option<SourceId>,
    /// Where it is on disk, to read other files on demand.
    pub location: PathBuf,
}

impl Project {
    /// The documents of the file at `path` (several for a multi-document YAML stream).
    pub fn documents_at<'a>(
        &'a self,
        path: &'a str,
    ) -> impl Iterator<Item = (usize, &'a Document)> {
        self.documents
            .iter()
            .enumerate()
            .filter(move |(_, d)| d.path == path)
    }
}

/// `rel` resolved against the directory of the file `from`, both relative to the scan root:
/// `resolve("deploy/compose.yml", "../.env")` is `.env`. `None` when it leaves the root or
/// is absolute.
pub fn resolve_path(from: &str, rel: &str) -> Option<String> {
    if rel.starts_with('/') {
        return None;
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for part in rel.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::resolve_path;

    #[test]
    fn resolves_relative_to_the_importing_file() {
        assert_eq!(
            resolve_path("deploy/compose.yml", "../.env").as_deref(),
            Some(".env")
        );
        assert_eq!(
            resolve_path("compose.yml", "./backend").as_deref(),
            Some("backend")
        );
        assert_eq!(resolve_path("compose.yml", ".").as_deref(), Some(""));
        assert_eq!(
            resolve_path("a/b/c.yml", "./x/../y/Dockerfile").as_deref(),
            Some("a/b/y/Dockerfile")
        );
        assert_eq!(resolve_path("compose.yml", "../outside"), None);
        assert_eq!(resolve_path("compose.yml", "/etc/passwd"), None);
    }
}
