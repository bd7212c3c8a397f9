//! Finds the files to check under a scan root.
//!
//! Honours `.gitignore` (also outside a git repository), `.ignore` and `.preflightignore`;
//! includes hidden files (`.github/workflows`, `.env`) but skips the directories that never
//! hold a project's own configuration. Symlinks are followed only while they stay inside the
//! root. Files over the size cap are reported, not read.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::WalkBuilder;
use ignore::gitignore::Gitignore;

/// Directories skipped even when no ignore file names them.
const SKIPPED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    "node_modules",
    ".terraform",
    ".venv",
    "venv",
    "__pycache__",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
];

/// A file to read: where it is and how to name it in findings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WalkedFile {
    pub path: PathBuf,
    /// Relative to the scan root, `/`-separated.
    pub rel: String,
}

/// A file or directory the walk could not take, with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub rel: String,
    pub reason: String,
}

/// The config's `exclude` patterns, matched against paths relative to the config's
/// directory: `prefix` turns a path relative to the scan's base into one.
pub struct Exclude {
    pub patterns: Gitignore,
    pub prefix: String,
}

#[derive(Debug, Default)]
pub struct Walk {
    /// Files in a format preflight reads.
    pub files: Vec<WalkedFile>,
    /// Every other file: not read, but rules may ask whether it exists (`LICENSE`,
    /// `.dockerignore`) or read it on demand.
    pub others: Vec<WalkedFile>,
    pub skipped: Vec<Skipped>,
}

/// The directory a scan's relative paths start from: the root, or a file's parent.
pub fn scan_base(root: &Path) -> &Path {
    if root.is_file() {
        root.parent().unwrap_or(Path::new(""))
    } else {
        root
    }
}

/// Walks `root` (a directory, or a single file) and returns the files preflight can read (as
/// `readable` decides from the relative path), and the others, in path order. Files and
/// directories that `exclude` matches are left out entirely.
pub fn walk(
    root: &Path,
    max_file_size: u64,
    readable: &dyn Fn(&str) -> bool,
    exclude: Option<Exclude>,
) -> Walk {
    let mut out = Walk::default();
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let base = scan_base(root).to_path_buf();
    let outside_links = Arc::new(Mutex::new(Vec::new()));
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .follow_links(true)
        .add_custom_ignore_filename(".preflightignore")
        .filter_entry({
            let root = canonical_root.clone();
            let base = base.clone();
            let outside = outside_links.clone();
            move |entry| {
                let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
                if is_dir && entry.path_is_symlink() && !points_inside(entry.path(), &root) {
                    if let Ok(mut outside) = outside.lock() {
                        outside.push(relative(entry.path(), &base));
                    }
                    return false;
                }
                let skipped_dir = is_dir
                    && entry
                        .file_name()
                        .to_str()
                        .is_some_and(|name| SKIPPED_DIRS.contains(&name));
                let excluded = entry.depth() > 0
                    && exclude.as_ref().is_some_and(|exclude| {
                        let rel = relative(entry.path(), &base);
                        let path = format!("{}{rel}", exclude.prefix);
                        exclude.patterns.matched(path, is_dir).is_ignore()
                    });
                !skipped_dir && !excluded
            }
        })
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();

    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                out.skipped.push(Skipped {
                    rel: error_path(&err, &base),
                    reason: describe_walk_error(&err, &base),
                });
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue;
        };
        if file_type.is_dir() {
            continue;
        }
        let rel = relative(entry.path(), &base);
        let inside = !entry.path_is_symlink() || points_inside(entry.path(), &canonical_root);
        if !file_type.is_file() {
            // Reading a FIFO blocks and a device never ends: name them, never open them.
            if readable(&rel) {
                let reason = if inside {
                    format!("{}, not a regular file: skipped", special_kind(file_type))
                } else {
                    "symlink to a file outside the scan root: not followed".into()
                };
                out.skipped.push(Skipped { rel, reason });
            }
            continue;
        }
        let file = WalkedFile {
            path: entry.path().to_path_buf(),
            rel,
        };
        if !readable(&file.rel) {
            if inside {
                out.others.push(file);
            }
            continue;
        }
        if !inside {
            out.skipped.push(Skipped {
                rel: file.rel,
                reason: "symlink to a file outside the scan root: not followed".into(),
            });
            continue;
        }
        match entry.metadata() {
            Ok(meta) if meta.len() > max_file_size => out.skipped.push(Skipped {
                rel: file.rel,
                reason: over_cap(meta.len(), max_file_size),
            }),
            _ => out.files.push(file),
        }
    }
    let outside_links = outside_links.lock().map(|v| v.clone()).unwrap_or_default();
    out.skipped
        .extend(outside_links.into_iter().map(|rel| Skipped {
            rel,
            reason: "symlink to a directory outside the scan root: not followed".into(),
        }));
    out
}

/// Why a file over the size cap was not read.
pub fn over_cap(size: u64, cap: u64) -> String {
    format!(
        "file is {size} bytes, over the {cap}-byte size cap: not checked (raise `max-file-size` in `[limits]` to read it)"
    )
}

/// A symlink whose target lies inside the (canonical) scan root.
fn points_inside(link: &Path, root: &Path) -> bool {
    link.canonicalize()
        .is_ok_and(|target| target.starts_with(root))
}

fn relative(path: &Path, base: &Path) -> String {
    let rel = path.strip_prefix(base).unwrap_or(path);
    let text = rel.to_string_lossy().replace('\\', "/");
    if text.is_empty() {
        path.file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned())
    } else {
        text
    }
}

fn error_path(err: &ignore::Error, base: &Path) -> String {
    match err {
        ignore::Error::WithPath { path, .. } => relative(path, base),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err, base)
        }
        ignore::Error::Loop { child, .. } => relative(child, base),
        _ => String::new(),
    }
}

/// What a file that is neither a regular file nor a directory is, for a message.
fn special_kind(file_type: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
    }
    let _ = file_type;
    "a special file"
}

fn describe_walk_error(err: &ignore::Error, base: &Path) -> String {
    match err {
        ignore::Error::WithPath { path, .. }
            if path.symlink_metadata().is_ok() && path.metadata().is_err() =>
        {
            let target = std::fs::read_link(path)
                .map(|t| t.to_string_lossy().into_owned())
                .unwrap_or_default();
            format!("broken symlink: its target `{target}` does not exist: not checked")
        }
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => describe_walk_error(err, base),
        ignore::Error::Loop { ancestor, .. } => {
            let target = match ancestor.strip_prefix(base) {
                Ok(rel) if rel.as_os_str().is_empty() => "the scan root".to_string(),
                _ => format!("`{}`", relative(ancestor, base)),
            };
            format!("symlink loop back to {target}: not followed")
        }
        // The OS's words, without the absolute path some wrappers add.
        ignore::Error::Io(io) => match io.raw_os_error() {
            Some(code) => format!("cannot read: {}", std::io::Error::from_raw_os_error(code)),
            None => format!("cannot read: {}", io.kind()),
        },
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn default_cap() -> u64 {
        crate::limits::Limits::default().max_file_size
    }

    fn write(dir: &Path, path: &str, text: &str) {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn known(rel: &str) -> bool {
        crate::parse::detect::by_name(rel).is_some()
    }

    fn rels(walk: &Walk) -> Vec<&str> {
        walk.files.iter().map(|f| f.rel.as_str()).collect()
    }

    #[test]
    fn takes_known_formats_and_hidden_paths_and_skips_vendored_dirs() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), ".github/workflows/ci.yml", "on: push\n");
        write(dir.path(), "app/Dockerfile", "FROM x\n");
        write(dir.path(), "README.md", "# not config\n");
        write(dir.path(), "node_modules/pkg/package.json", "{}\n");
        write(dir.path(), ".git/config.json", "{}\n");
        write(dir.path(), "generated/k8s.yaml", "a: 1\n");
        write(dir.path(), ".preflightignore", "generated/\n");
        let walk = walk(dir.path(), default_cap(), &known, None);
        assert_eq!(
            rels(&walk),
            vec![".github/workflows/ci.yml", "app/Dockerfile"]
        );
        let others: Vec<_> = walk.others.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(others, vec![".preflightignore", "README.md"]);
        assert!(walk.skipped.is_empty());
    }

    #[test]
    fn files_over_the_size_cap_are_reported_not_read() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "big.json", &"1".repeat(2048));
        write(dir.path(), "small.json", "1");
        let walk = walk(dir.path(), 1024, &known, None);
        assert_eq!(rels(&walk), vec!["small.json"]);
        assert_eq!(walk.skipped.len(), 1);
        assert_eq!(walk.skipped[0].rel, "big.json");
        assert!(
            walk.skipped[0]
                .reason
                .contains("2048 bytes, over the 1024-byte size cap")
        );
    }

    #[test]
    fn a_single_file_root_is_named_by_its_file_name() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "deploy/docker-compose.yml", "services: {}\n");
        let walk = walk(
            &dir.path().join("deploy/docker-compose.yml"),
            default_cap(),
            &known,
            None,
        );
        assert_eq!(rels(&walk), vec!["docker-compose.yml"]);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_out_of_the_root_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "secret.yaml", "a: 1\n");
        let dir = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.yaml"),
            dir.path().join("link.yaml"),
        )
        .unwrap();
        let walk = walk(dir.path(), default_cap(), &known, None);
        assert!(walk.files.is_empty());
        assert_eq!(walk.skipped[0].rel, "link.yaml");
        assert!(walk.skipped[0].reason.contains("outside the scan root"));
    }
}
