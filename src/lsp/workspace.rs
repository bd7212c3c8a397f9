//! One workspace folder as the language server sees it: the policies, the open buffers, what
//! the rules saw last and the findings shown per file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use lsp_types::Range;

use super::position;
use crate::check::{Checker, Options, Overlay};
use crate::config;
use crate::engine::{self, Rule};
use crate::finding::Finding;
use crate::model::{Format, Project, SourceFile, SourceId, SourceMap};
use crate::parse::detect;

/// How the server was set up: `initializationOptions` in the editor's configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The workspace folder: where preflight.toml is looked for.
    pub root: PathBuf,
    /// Organisation policy directories, absolute (besides the config's `policy-dirs`).
    pub policy_dirs: Vec<PathBuf>,
    /// Where the default pack's rule pages live (docs/rules); a link adds `/<area>/<rule>.md`.
    pub rules_url: String,
    /// How long typing must pause before a file is re-checked.
    pub debounce: Duration,
}

/// Where the default pack's rules are documented unless `rulesUrl` says otherwise.
pub const RULES_URL: &str = "https://github.com/preflight-dev/preflight/blob/main/docs/rules";

impl Settings {
    /// Reads `{"policies": ["dir", …], "rulesUrl": "…", "debounceMs": 150}`; relative
    /// policy directories are relative to the workspace root. Unknown or mistyped keys are
    /// ignored: editors pass whatever their configuration holds.
    pub fn from_options(root: &Path, options: Option<&serde_json::Value>) -> Settings {
        let get = |key: &str| options.and_then(|o| o.get(key));
        let policy_dirs = get("policies")
            .and_then(|p| p.as_array())
            .into_iter()
            .flatten()
            .filter_map(|dir| dir.as_str())
            .map(|dir| root.join(dir))
            .collect();
        Settings {
            root: root.to_path_buf(),
            policy_dirs,
            rules_url: get("rulesUrl")
                .and_then(|u| u.as_str())
                .unwrap_or(RULES_URL)
                .to_string(),
            debounce: Duration::from_millis(
                get("debounceMs").and_then(|d| d.as_u64()).unwrap_or(150),
            ),
        }
    }

    /// The scan options these settings ask for, with the workspace's preflight.toml.
    fn options(&self) -> Options {
        Options {
            policy_dirs: self.policy_dirs.clone(),
            config: crate::config::discover(&self.root),
            ..Options::default()
        }
    }
}

/// A finding as the editor shows it: the finding, its range in the buffer and the text it
/// flags (which decides whether a declared fix applies).
#[derive(Debug, Clone)]
pub struct Shown {
    pub finding: Finding,
    pub range: Range,
    pub flagged: String,
}

/// What the rules saw at the last check.
struct Snapshot {
    project: Arc<Project>,
    sources: Arc<SourceMap>,
}

pub struct Workspace {
    root: PathBuf,
    settings: Settings,
    checker: Checker,
    /// Open buffers by path: scans read them instead of the files on disk.
    open: Overlay,
    snapshot: Option<Snapshot>,
    /// The findings shown, by file.
    shown: BTreeMap<PathBuf, Vec<Shown>>,
}

impl Workspace {
    pub fn new(root: PathBuf, settings: Settings) -> Workspace {
        Workspace {
            checker: Checker::new(&settings.options()),
            root,
            settings,
            open: Overlay::new(),
            snapshot: None,
            shown: BTreeMap::new(),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A buffer was opened: check it (the whole project on the first open).
    pub fn open(&mut self, path: &Path, text: &str) -> Vec<PathBuf> {
        self.open.insert(path.to_path_buf(), text.into());
        if self.snapshot.is_none() && !self.is_policy(path) {
            return self.check_all();
        }
        self.refresh(path)
    }

    /// A buffer changed; nothing is checked until [`Workspace::refresh`] (debounced).
    pub fn change(&mut self, path: &Path, text: &str) {
        self.open.insert(path.to_path_buf(), text.into());
    }

    /// A buffer was closed: what is on disk counts again.
    pub fn close(&mut self, path: &Path) -> Vec<PathBuf> {
        if self.open.remove(path).is_none() {
            return Vec::new();
        }
        self.refresh(path)
    }

    /// Re-checks one file from its buffer (or from disk): a policy is compiled, any other file
    /// re-parsed and checked against the rest of the project. Returns the files whose
    /// findings changed.
    pub fn refresh(&mut self, path: &Path) -> Vec<PathBuf> {
        let text = match self.open.get(path) {
            Some(text) => text.to_string(),
            None => std::fs::read_to_string(path).unwrap_or_default(),
        };
        if self.is_policy(path) {
            return self.check_policy(path, &text);
        }
        let (Some(snapshot), Some(rel)) = (&self.snapshot, self.relative(path)) else {
            return Vec::new();
        };
        let Some(recheck) = self
            .checker
            .recheck(&snapshot.project, &snapshot.sources, &rel, &text)
        else {
            return Vec::new();
        };
        let shown = recheck
            .findings
            .iter()
            .filter(|f| f.path.as_deref() == Some(rel.as_str()))
            .map(|f| show(f, &recheck.sources))
            .collect();
        self.snapshot = Some(Snapshot {
            project: recheck.project,
            sources: recheck.sources,
        });
        self.replace(path, shown)
    }

    /// A file was saved. A policy or `preflight.toml` reloads the policies; then the whole
    /// project is checked, so files that are not open get their findings too.
    pub fn save(&mut self, path: &Path) -> Vec<PathBuf> {
        let config = path.file_name().is_some_and(|n| n == config::FILE_NAME);
        if config || self.is_policy(path) {
            self.checker = Checker::new(&self.settings.options());
        }
        self.check_all()
    }

    /// Scans the whole workspace with the open buffers; returns every file whose findings
    /// changed (including files that no longer have any).
    pub fn check_all(&mut self) -> Vec<PathBuf> {
        let outcome = self.checker.run_with(&self.root, &self.open);
        let mut by_file: BTreeMap<PathBuf, Vec<Shown>> = BTreeMap::new();
        for finding in &outcome.findings {
            // A finding about the project as a whole has no file to show it in.
            let Some(path) = &finding.path else { continue };
            by_file
                .entry(self.location(path))
                .or_default()
                .push(show(finding, &outcome.sources));
        }
        self.snapshot = Some(Snapshot {
            project: outcome.project.clone(),
            sources: outcome.sources.clone(),
        });
        let mut changed: Vec<PathBuf> = self
            .shown
            .keys()
            .filter(|path| !by_file.contains_key(*path))
            .cloned()
            .collect();
        changed.extend(by_file.keys().cloned());
        self.shown = by_file;
        changed
    }

    /// The findings shown for a file.
    pub fn shown(&self, path: &Path) -> &[Shown] {
        self.shown.get(path).map_or(&[], Vec::as_slice)
    }

    /// The loaded rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.checker.host().rules().iter().find(|r| r.meta.id == id)
    }

    /// The format a file is checked as, from the last check or its name.
    pub fn format(&self, path: &Path) -> Option<Format> {
        let rel = self.relative(path)?;
        let checked = self
            .snapshot
            .as_ref()
            .and_then(|s| s.project.documents_at(&rel).next().map(|(_, d)| d.format));
        checked.or_else(|| detect::by_name(&rel).map(|(format, _)| format))
    }

    /// The buffer's text, or the file's.
    pub fn text(&self, path: &Path) -> Option<Arc<str>> {
        match self.open.get(path) {
            Some(text) => Some(text.clone()),
            None => std::fs::read_to_string(path).ok().map(Into::into),
        }
    }

    /// A policy file of one of the organisation's directories.
    fn is_policy(&self, path: &Path) -> bool {
        path.extension().is_some_and(|e| e == "rhai")
            && self
                .settings
                .policy_dirs
                .iter()
                .any(|d| path.starts_with(d))
    }

    /// Compiles an edited policy and shows its errors in it.
    fn check_policy(&mut self, path: &Path, text: &str) -> Vec<PathBuf> {
        let file = Arc::new(SourceFile::new(
            SourceId(0),
            path.display().to_string(),
            text,
        ));
        let shown = self
            .checker
            .host()
            .check_policy(file.clone())
            .map(|err| engine::policy_error_finding(&err))
            .and_then(|finding| {
                let span = finding.span?;
                Some(Shown {
                    range: position::range(&file, &span),
                    flagged: file.slice(&span).to_string(),
                    finding,
                })
            });
        self.replace(path, shown.into_iter().collect())
    }

    fn replace(&mut self, path: &Path, shown: Vec<Shown>) -> Vec<PathBuf> {
        let before = self.shown.get(path).map_or(0, Vec::len);
        if before == 0 && shown.is_empty() {
            return Vec::new();
        }
        if shown.is_empty() {
            self.shown.remove(path);
        } else {
            self.shown.insert(path.to_path_buf(), shown);
        }
        vec![path.to_path_buf()]
    }

    /// A finding's path is relative to the root; an organisation policy's is absolute.
    fn location(&self, path: &str) -> PathBuf {
        let path = Path::new(path);
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.root.join(path)
        }
    }

    /// `/`-separated and relative to the root, as scans name files.
    fn relative(&self, path: &Path) -> Option<String> {
        let rel = path.strip_prefix(&self.root).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }
}

/// A finding in the file its span points into; one about a whole file at its start.
fn show(finding: &Finding, sources: &SourceMap) -> Shown {
    let placed = finding
        .span
        .and_then(|span| Some((span, sources.get(span.source)?)));
    match placed {
        Some((span, file)) => Shown {
            range: position::range(file, &span),
            flagged: file.slice(&span).to_string(),
            finding: finding.clone(),
        },
        None => Shown {
            range: Range::default(),
            flagged: String::new(),
            finding: finding.clone(),
        },
    }
}
