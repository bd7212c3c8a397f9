//! One scan, end to end: walk, read, parse, evaluate.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::{Config, ConfigFile, RuleRef};
use crate::engine::{self, Host, RuleMeta, RuleTiming};
use crate::finding::{Finding, Severity, builtin};
use crate::limits::Limits;
use crate::model::{
    Document, Format, Kind, Project, ProjectFile, SourceFile, SourceMap, Value, resolve_path,
};
use crate::parse::{self, detect};
use crate::suppress::{self, Suppressed};
use crate::walk::{self, WalkedFile};

/// What to scan and with which policies.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Policy directories besides the config's `policy-dirs`, loaded after them.
    pub policy_dirs: Vec<PathBuf>,
    pub limits: Limits,
    /// The `preflight.toml` to apply, if any (see [`crate::config::discover`]).
    pub config: Option<ConfigFile>,
    /// `--select`: replaces the config's `[rules] select`.
    pub select: Option<Vec<String>>,
    /// `--ignore`: added to the config's `[rules] ignore`.
    pub ignore: Vec<String>,
}

/// Texts to read instead of the files on disk, by the path the walk finds them at: the
/// unsaved buffers of an editor.
pub type Overlay = HashMap<PathBuf, Arc<str>>;

/// Everything a scan produced, for rendering.
pub struct Outcome {
    /// Sorted by path, position and rule.
    pub findings: Vec<Finding>,
    /// Findings that inline suppressions hid, with their reasons.
    pub suppressed: Vec<Suppressed>,
    pub sources: Arc<SourceMap>,
    /// What the rules saw, so one file can be re-checked against it ([`Checker::recheck`]).
    pub project: Arc<Project>,
    pub files_checked: usize,
    pub documents: usize,
    /// Every rule that ran, sorted by id, for formats that describe them (SARIF, JUnit).
    pub rules: Vec<RuleInfo>,
    /// How long each rule took, for `--timings`.
    pub timings: Vec<RuleTiming>,
    /// What a `--baseline` hid, when one was applied.
    pub baseline: Option<crate::baseline::Applied>,
    /// The file that stands for the project where a format needs a file for a finding about
    /// the project as a whole (SARIF for GitHub): its README, else the first file read.
    pub anchor: Option<String>,
}

/// What a report says about a rule.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    pub meta: Arc<RuleMeta>,
    /// The `//!` documentation (Markdown).
    pub docs: Arc<str>,
}

impl Outcome {
    /// The scan's verdict cannot be trusted: a policy failed to load or to run, the config is
    /// wrong, or files could not be read or parsed and so nothing at all was checked (a
    /// skipped template, an info, is not a failure). When some documents were checked, input
    /// and parse errors are findings like any other.
    pub fn has_setup_errors(&self) -> bool {
        self.findings.iter().any(|f| {
            f.rule == builtin::POLICY_ERROR
                || f.rule == builtin::CONFIG_ERROR
                || (self.documents == 0
                    && f.severity > Severity::Info
                    && (f.rule == builtin::INPUT_ERROR || f.rule == builtin::PARSE_ERROR))
        })
    }
}

/// Sets each `[rules.params."<id>"]` value on its rule; a mistake (an area pattern, an
/// unknown parameter, a value of the wrong type) is a `config-error` at the value.
fn apply_params(config: &Config, host: &mut Host, known: &[&str]) -> Vec<Finding> {
    let file = config.file.as_deref().unwrap_or(crate::config::FILE_NAME);
    let mut errors = Vec::new();
    for (rule, table) in &config.rules.params {
        // Unknown ids were reported with the other rule references.
        if crate::config::unknown_rule_message(rule, known).is_some() {
            continue;
        }
        if rule.pattern.ends_with("/*") {
            errors.push(crate::config::config_error_at(
                file,
                rule.span,
                format!(
                    "parameters belong to one rule, not an area: name a rule instead of `{}`",
                    rule.pattern
                ),
            ));
            continue;
        }
        // A rule the config does not run takes no parameters, and that is no mistake.
        if !config.runs(&rule.pattern) {
            continue;
        }
        for (key, value) in table.entries() {
            let mut one = rhai::Map::new();
            one.insert(key.name.as_ref().into(), engine::param_from_node(value));
            let declared = host
                .rules()
                .iter()
                .find(|r| r.meta.id == rule.pattern)
                .is_some_and(|r| r.meta.params.contains_key(key.name.as_ref()));
            if let Err(message) = host.set_params(&rule.pattern, one) {
                // An unknown parameter is wrong at its name, a wrong value at the value.
                let span = if declared { value.span } else { key.span };
                errors.push(crate::config::config_error_at(file, Some(span), message));
            }
        }
    }
    errors
}

/// Scans `root` (a directory or one file) with freshly loaded policies.
pub fn run(root: &Path, options: &Options) -> Outcome {
    Checker::new(options).run(root)
}

/// Policies loaded and compiled once, ready to scan any number of roots.
pub struct Checker {
    host: Host,
    config: Config,
    /// The policy and config sources, which every scan's source map starts from.
    policy_sources: SourceMap,
    /// Mistakes in the config and policies that failed to load: reported by every scan.
    load_errors: Vec<Finding>,
    limits: Limits,
}

impl Checker {
    /// Reads the config, loads the policies it and `options` name, and keeps the rules it
    /// selects.
    pub fn new(options: &Options) -> Checker {
        let mut policy_sources = SourceMap::default();
        let (mut config, mut load_errors) = match &options.config {
            Some(found) => Config::load(found, &mut policy_sources),
            None => (Config::default(), Vec::new()),
        };
        let mut from_flags = Vec::new();
        if let Some(select) = &options.select {
            let refs: Vec<RuleRef> = select.iter().map(RuleRef::new).collect();
            from_flags.extend(refs.iter().cloned().map(|r| ("--select", r)));
            config.rules.select = Some(refs);
        }
        for pattern in &options.ignore {
            from_flags.push(("--ignore", RuleRef::new(pattern)));
            config.rules.ignore.push(RuleRef::new(pattern));
        }

        let dirs: Vec<PathBuf> = config
            .policy_dirs
            .iter()
            .chain(&options.policy_dirs)
            .cloned()
            .collect();
        // The config's `[limits]` replace the defaults the caller passed.
        let limits = config.limits.unwrap_or(options.limits);
        let (mut host, errors) = Host::load(&dirs, limits, &mut policy_sources);
        load_errors.extend(errors.iter().map(engine::policy_error_finding));

        // Owned: the host is changed below while the ids are still needed.
        let known: Vec<String> = host
            .rules()
            .iter()
            .map(|r| r.meta.id.as_str())
            .chain(builtin::FILTERABLE)
            .map(str::to_string)
            .collect();
        let known: Vec<&str> = known.iter().map(String::as_str).collect();
        for (flag, r) in &from_flags {
            if let Some(message) = crate::config::unknown_rule_message(r, &known) {
                let mut error =
                    crate::config::config_error_at("", None, format!("{flag}: {message}"));
                error.path = None;
                load_errors.push(error);
            }
        }
        // The flags' own mistakes were reported above, without a TOML place.
        load_errors.extend(
            config
                .unknown_rules(&known)
                .into_iter()
                .filter(|e| e.span.is_some()),
        );
        host.retain_rules(|meta| config.runs(&meta.id));
        load_errors.extend(apply_params(&config, &mut host, &known));
        Checker {
            host,
            config,
            policy_sources,
            load_errors,
            limits,
        }
    }

    pub fn host(&self) -> &Host {
        &self.host
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The host, to set rule parameters from config before scanning.
    pub fn host_mut(&mut self) -> &mut Host {
        &mut self.host
    }

    /// Policies that failed to load, as `policy-error` findings.
    pub fn load_errors(&self) -> &[Finding] {
        &self.load_errors
    }

    /// The policy files, which load errors point into.
    pub fn policy_sources(&self) -> &SourceMap {
        &self.policy_sources
    }

    /// Scans `root` (a directory or one file).
    pub fn run(&self, root: &Path) -> Outcome {
        scan(self, root, &Overlay::new())
    }

    /// Scans `root`, reading the files in `overlay` from there rather than from disk.
    pub fn run_with(&self, root: &Path, overlay: &Overlay) -> Outcome {
        scan(self, root, overlay)
    }
}

fn scan(checker: &Checker, root: &Path, overlay: &Overlay) -> Outcome {
    let host = &checker.host;
    let config = &checker.config;
    let mut sources = checker.policy_sources.clone();
    let mut findings = checker.load_errors.clone();

    // Globs in the config are written from its directory, paths in findings from the base.
    let prefix = config.prefix_for(walk::scan_base(root));
    let detect = |rel: &str| config.detect(&format!("{prefix}{rel}"));
    let limits = &checker.limits;
    let mut walked = walk::walk(
        root,
        limits.max_file_size,
        &|rel| detect(rel).is_some(),
        config.exclude.clone().map(|patterns| walk::Exclude {
            patterns,
            prefix: prefix.clone(),
        }),
    );
    findings.extend(
        walked
            .skipped
            .iter()
            .map(|s| input_error(&s.rel, &s.reason)),
    );

    // Read in parallel, then number the files in path order so output is deterministic.
    let max_size = limits.max_file_size;
    let texts: Vec<(WalkedFile, Result<String, Unread>)> = walked
        .files
        .into_par_iter()
        .map(|file| {
            let text = read(&file.path, overlay, max_size);
            (file, text)
        })
        .collect();
    let mut files = Vec::new();
    for (walked_file, text) in texts {
        match text {
            Ok(text) => {
                let file = sources.add(walked_file.rel, text);
                files.push((file, walked_file.path));
            }
            Err(unread) => findings.push(unread.finding(walked_file.rel, &mut sources)),
        }
    }

    // Settings modules named by DJANGO_SETTINGS_MODULE (in manage.py, wsgi.py, compose, .env)
    // are settings whatever their file name; read them and the modules beside them, which
    // their star imports may name.
    let mut forced: HashMap<String, (Format, Option<Kind>)> = HashMap::new();
    let hinted = settings_hints(&files, &walked.others, overlay, max_size);
    let mut promoted = Vec::new();
    walked.others.retain(|other| {
        let hint = hinted.contains(&other.rel);
        let beside =
            other.rel.ends_with(".py") && hinted.iter().any(|h| parent(h) == parent(&other.rel));
        if hint {
            forced.insert(
                other.rel.clone(),
                (Format::Python, Some(Kind::DjangoSettings)),
            );
        }
        if hint || beside {
            promoted.push((other.clone(), hint));
        }
        !hint
    });
    let mut supporting = Vec::new();
    for (other, parse) in promoted {
        if let Ok(text) = read(&other.path, overlay, max_size) {
            let file = sources.add(other.rel, text);
            if parse {
                files.push((file, other.path));
            } else {
                supporting.push(file);
            }
        }
    }

    let modules = ModuleIndex::new(files.iter().map(|(file, _)| file).chain(&supporting));
    let imports = |module: &str, from: &SourceFile| modules.resolve(module, from);
    let parsed: Vec<(Vec<Document>, Vec<Finding>)> = files
        .par_iter()
        .map(|(file, location)| {
            let detected = forced
                .get(&file.path)
                .copied()
                .or_else(|| detect(&file.path));
            let Some((format, kind)) = detected else {
                return (Vec::new(), Vec::new());
            };
            let kind = kind.or_else(|| detect::kind_by_location(location));
            parse_one(file, format, kind, &imports, limits)
        })
        .collect();
    let mut documents = Vec::new();
    for (docs, errors) in parsed {
        documents.extend(docs);
        findings.extend(errors);
    }

    // Files that compose loads with `env_file:` are .env files whatever their name.
    let env_files = env_file_targets(&documents);
    let mut remaining = Vec::new();
    for other in std::mem::take(&mut walked.others) {
        if !env_files.contains(&other.rel) {
            remaining.push(other);
            continue;
        }
        match read(&other.path, overlay, max_size) {
            Ok(text) => {
                let file = sources.add(other.rel.clone(), text);
                let (docs, errors) =
                    parse::parse_file(&file, Format::Dotenv, Some(Kind::Dotenv), &|_, _| None);
                documents.extend(docs);
                findings.extend(errors.into_iter().map(|err| parse_error(&file.path, err)));
                files.push((file, other.path));
            }
            Err(unread) => findings.push(unread.finding(other.rel, &mut sources)),
        }
    }
    walked.others = remaining;
    findings.extend(
        parse::nginx_include::expand(&mut documents)
            .into_iter()
            .map(|err| {
                let path = sources
                    .get(err.span.source)
                    .map(|f| f.path.clone())
                    .unwrap_or_default();
                parse_error(&path, err)
            }),
    );

    findings.extend(
        documents
            .iter()
            .flat_map(|doc| not_statically_known(doc, &sources)),
    );

    let documents_count = documents.len();
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let anchor = walked
        .others
        .iter()
        .map(|o| o.rel.as_str())
        .find(|rel| ["README.md", "README.rst", "README", "readme.md"].contains(rel))
        .or_else(|| files.first().map(|(f, _)| f.path.as_str()))
        .map(str::to_string);
    let project = Arc::new(Project {
        documents,
        files: files
            .iter()
            .map(|(file, location)| {
                let entry = ProjectFile {
                    source: Some(file.id),
                    location: location.clone(),
                };
                (file.path.clone(), entry)
            })
            .chain(walked.others.into_iter().map(|other| {
                let entry = ProjectFile {
                    source: None,
                    location: other.path,
                };
                (other.rel, entry)
            }))
            .collect(),
    });
    let sources = Arc::new(sources);
    let evaluation = host.evaluate(&project, &sources);
    findings.extend(evaluation.findings);
    // A setting inherited through a star import is checked in every module that inherits it:
    // report it once, at its most severe.
    findings.sort_by(|a, b| {
        (a.sort_key(), std::cmp::Reverse(a.severity))
            .cmp(&(b.sort_key(), std::cmp::Reverse(b.severity)))
    });
    findings.dedup_by(|later, kept| later.sort_key() == kept.sort_key() && later.span == kept.span);
    let (findings, suppressed) = settle(
        config,
        findings,
        files.iter().map(|(file, _)| &**file),
        &prefix,
    );
    Outcome {
        findings,
        suppressed,
        sources,
        project,
        files_checked: files.len(),
        documents: documents_count,
        rules: host
            .rules()
            .iter()
            .map(|rule| RuleInfo {
                meta: match config.severity_of(&rule.meta.id) {
                    Some(severity) => Arc::new(RuleMeta {
                        severity,
                        ..(*rule.meta).clone()
                    }),
                    None => rule.meta.clone(),
                },
                docs: rule.docs.clone(),
            })
            .collect(),
        timings: evaluation.timings,
        baseline: None,
        anchor,
    }
}

/// One file re-checked against an earlier scan of its project.
pub struct Recheck {
    /// The project with the file's new documents, to re-check the next edit against.
    pub project: Arc<Project>,
    pub sources: Arc<SourceMap>,
    /// The file's findings (suppressions applied), and those of the project rules that ran.
    pub findings: Vec<Finding>,
    /// The project rules that ran: their findings from the earlier scan are replaced.
    pub project_rules: Vec<String>,
}

impl Checker {
    /// Re-checks the file at `path` (relative to the root) with new `text` against an earlier
    /// scan's `project` and `sources`: the file is re-parsed as that scan parsed it, then only
    /// the rules for its documents run, plus the project rules for its kinds. What other
    /// files' findings depend on it is refreshed by the next full scan. `None` when the scan
    /// did not read the file.
    pub fn recheck(
        &self,
        project: &Project,
        sources: &SourceMap,
        path: &str,
        text: &str,
    ) -> Option<Recheck> {
        let entry = project.files.get(path)?;
        let mut sources = sources.clone();
        let file = sources.replace(entry.source?, text)?;
        let earlier = project
            .documents_at(path)
            .next()
            .map(|(_, d)| (d.format, d.kind));
        let (format, kind) = match earlier {
            Some((format, kind)) => (format, Some(kind)),
            None => {
                let (format, kind) = detect::by_name(path)?;
                (
                    format,
                    kind.or_else(|| detect::kind_by_location(&entry.location)),
                )
            }
        };
        let python: Vec<Arc<SourceFile>> = project
            .files
            .values()
            .filter_map(|f| sources.get(f.source?).cloned())
            .collect();
        let modules = ModuleIndex::new(python.iter());
        let imports = |module: &str, from: &SourceFile| modules.resolve(module, from);
        let (new_documents, mut findings) = parse_one(&file, format, kind, &imports, &self.limits);
        let kinds: Vec<Kind> = new_documents.iter().map(|d| d.kind).collect();
        let mut documents: Vec<Document> = project
            .documents
            .iter()
            .filter(|d| d.path != path)
            .cloned()
            .collect();
        let first = documents.len();
        documents.extend(new_documents);
        if kinds.contains(&Kind::Nginx) {
            let errors =
                parse::nginx_include::expand_where(&mut documents, &|d: &Document| d.path == path);
            findings.extend(errors.into_iter().map(|err| parse_error(path, err)));
        }
        let project = Arc::new(Project {
            documents,
            files: project.files.clone(),
        });
        let sources = Arc::new(sources);
        let indices: Vec<usize> = (first..project.documents.len()).collect();
        let relevant = |meta: &RuleMeta| kinds.iter().any(|&kind| meta.applies_to(kind));
        let evaluation = self
            .host
            .evaluate_part(&project, &sources, &indices, &relevant);
        findings.extend(evaluation.findings);
        findings.sort_by(|a, b| {
            (a.sort_key(), std::cmp::Reverse(a.severity))
                .cmp(&(b.sort_key(), std::cmp::Reverse(b.severity)))
        });
        findings
            .dedup_by(|later, kept| later.sort_key() == kept.sort_key() && later.span == kept.span);
        // The scan's base: the file's location without its relative path.
        let base = entry
            .location
            .ancestors()
            .nth(path.split('/').count())
            .unwrap_or(Path::new(""));
        let prefix = self.config.prefix_for(base);
        let (findings, _) = settle(&self.config, findings, std::iter::once(&*file), &prefix);
        let project_rules = self
            .host
            .rules()
            .iter()
            .filter(|r| r.entry == engine::Entry::Project && relevant(&r.meta))
            .map(|r| r.meta.id.clone())
            .collect();
        Some(Recheck {
            project,
            sources,
            findings,
            project_rules,
        })
    }
}

/// What the config makes of the findings: rules it does not run dropped, suppressions
/// (inline and `[[ignore]]`) applied, severities re-graded.
fn settle<'a>(
    config: &Config,
    mut findings: Vec<Finding>,
    files: impl Iterator<Item = &'a SourceFile>,
    prefix: &str,
) -> (Vec<Finding>, Vec<Suppressed>) {
    findings.retain(|f| {
        [builtin::POLICY_ERROR, builtin::CONFIG_ERROR].contains(&f.rule.as_str())
            || config.runs(&f.rule)
    });
    let (mut findings, suppressed) = suppress::apply(findings, files, config, prefix);
    for finding in &mut findings {
        if let Some(severity) = config.severity_of(&finding.rule) {
            finding.severity = severity;
        }
    }
    (findings, suppressed)
}

/// The Python modules of a scan by path, to follow settings' star imports within the root.
struct ModuleIndex {
    by_path: HashMap<String, Arc<SourceFile>>,
}

impl ModuleIndex {
    fn new<'a>(files: impl Iterator<Item = &'a Arc<SourceFile>>) -> Self {
        let by_path = files
            .filter(|f| f.path.ends_with(".py"))
            .map(|f| (f.path.clone(), f.clone()))
            .collect();
        ModuleIndex { by_path }
    }

    /// `.base` and `..common` are relative to the importing file; `config.settings.base` is
    /// looked up from the scan root, then below it (the project may sit in a subdirectory).
    fn resolve(&self, module: &str, from: &SourceFile) -> Option<Arc<SourceFile>> {
        let (paths, relative) = parse::module_paths(module, &from.path)?;
        if let Some(file) = paths.iter().find_map(|path| self.by_path.get(path)) {
            return Some(file.clone());
        }
        if relative {
            return None;
        }
        paths.iter().find_map(|path| {
            let suffix = format!("/{path}");
            self.by_path
                .iter()
                .filter(|(p, _)| p.ends_with(&suffix))
                .min_by_key(|(p, _)| (p.len(), p.as_str()))
                .map(|(_, file)| file.clone())
        })
    }
}

/// Paths of the Python modules that `DJANGO_SETTINGS_MODULE` names anywhere in the scan: in
/// `manage.py`, `wsgi.py`, `asgi.py` (not otherwise read) and in the files that were read
/// (compose, .env, Dockerfile `ENV`, k8s). A module path is looked up from the root, then
/// below it, as star imports are.
fn settings_hints(
    files: &[(Arc<SourceFile>, PathBuf)],
    others: &[WalkedFile],
    overlay: &Overlay,
    max_size: u64,
) -> Vec<String> {
    const ENTRY_POINTS: &[&str] = &["manage.py", "wsgi.py", "asgi.py"];
    let mut modules = Vec::new();
    for (file, _) in files {
        modules.extend(settings_module_names(&file.text));
    }
    for other in others {
        let name = other.rel.rsplit('/').next().unwrap_or_default();
        if ENTRY_POINTS.contains(&name)
            && let Ok(text) = read(&other.path, overlay, max_size)
        {
            modules.extend(settings_module_names(&text));
        }
    }
    modules.sort();
    modules.dedup();
    let python: Vec<&str> = files
        .iter()
        .map(|(f, _)| f.path.as_str())
        .chain(others.iter().map(|o| o.rel.as_str()))
        .filter(|p| p.ends_with(".py"))
        .collect();
    let mut out = Vec::new();
    for module in modules {
        let Some((paths, _)) = parse::module_paths(&module, "") else {
            continue;
        };
        let found = paths.iter().find_map(|want| {
            let suffix = format!("/{want}");
            python
                .iter()
                .filter(|p| *p == want || p.ends_with(&suffix))
                .min_by_key(|p| (p.len(), **p))
        });
        if let Some(path) = found {
            out.push(path.to_string());
        }
    }
    out
}

/// The dotted module names written after `DJANGO_SETTINGS_MODULE` in a text:
/// `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.prod")`,
/// `DJANGO_SETTINGS_MODULE=shop.settings.prod`, `DJANGO_SETTINGS_MODULE: shop.settings`.
fn settings_module_names(text: &str) -> Vec<String> {
    const KEY: &str = "DJANGO_SETTINGS_MODULE";
    text.match_indices(KEY)
        .filter_map(|(at, _)| {
            let after = &text[at + KEY.len()..];
            let rest = after.trim_start_matches(|c: char| {
                matches!(c, '"' | '\'' | ',' | ' ' | '\t' | '=' | ':' | ']')
            });
            // The name must be assigned (`=`, `:`) or passed (`,`), not merely tested (`in`).
            let between = &after[..after.len() - rest.len()];
            if !between.contains([',', '=', ':']) {
                return None;
            }
            let name: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
                .collect();
            let valid = !name.is_empty()
                && !name.starts_with('.')
                && !name.ends_with('.')
                && name.split('.').all(|part| {
                    part.chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                });
            valid.then_some(name)
        })
        .collect()
}

fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// Paths of the files compose services load with `env_file:` (a string, a list of strings, or
/// a list of `{path: …}`), resolved against the compose file.
fn env_file_targets(documents: &[Document]) -> Vec<String> {
    let mut out = Vec::new();
    for doc in documents.iter().filter(|d| d.kind == Kind::Compose) {
        let Some(services) = doc.root.get("services") else {
            continue;
        };
        for (_, service) in services.entries() {
            let Some(env_file) = service.get("env_file") else {
                continue;
            };
            let entries: Vec<&crate::model::Node> = match &env_file.value {
                Value::List(items) => items.iter().collect(),
                _ => vec![env_file],
            };
            for entry in entries {
                let path = entry.as_str().or_else(|| entry.get("path")?.as_str());
                if let Some(target) = path.and_then(|p| resolve_path(&doc.path, p)) {
                    out.push(target);
                }
            }
        }
    }
    out
}

/// Where a file shows Helm/Jinja/cookiecutter template syntax, which no config parser accepts
/// until the template is rendered.
fn template_marker(text: &str) -> Option<usize> {
    ["{{", "{%"].iter().filter_map(|m| text.find(m)).min()
}

/// The offset of a line that starts with `{%` or `{{`, which no Python line can.
fn template_line(text: &str) -> Option<usize> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let code = line.trim_start();
        if code.starts_with("{%") || code.starts_with("{{") {
            return Some(offset + line.len() - code.len());
        }
        offset += line.len();
    }
    None
}

/// Django settings that `exec`, `eval` or `globals()` set: preflight never runs settings, so
/// rules cannot see those values. Said once per statement, in the module that holds it.
fn not_statically_known(doc: &Document, sources: &SourceMap) -> Vec<Finding> {
    if doc.kind != Kind::DjangoSettings {
        return Vec::new();
    }
    let Some(dynamic) = doc.root.get("$dynamic") else {
        return Vec::new();
    };
    dynamic
        .items()
        .iter()
        .filter_map(|statement| {
            let file = sources.get(statement.span.source)?;
            Some(Finding {
                rule: builtin::INPUT_ERROR.into(),
                severity: Severity::Info,
                message: format!(
                    "{} sets settings at run time: they are not statically known, and preflight does not run code to learn them",
                    parse::shown(file.slice(&statement.span))
                ),
                path: Some(file.path.clone()),
                span: Some(statement.span),
                checklist: Vec::new(),
                help: Some("Assign settings by name (`DEBUG = env.bool(\"DEBUG\", default=False)`) so they can be checked.".into()),
            })
        })
        .collect()
}

/// Parse errors shown per file: a generated file can hold one on every line, and thousands of
/// findings would bury the rest of the report.
const MAX_ERRORS_PER_FILE: usize = 50;

/// A file's parse errors as findings, the first [`MAX_ERRORS_PER_FILE`] of them and then one
/// that counts the rest.
fn capped(mut errors: Vec<parse::ParseError>, path: &str) -> Vec<Finding> {
    let rest = errors.split_off(errors.len().min(MAX_ERRORS_PER_FILE));
    let mut findings: Vec<Finding> = errors.into_iter().map(|e| parse_error(path, e)).collect();
    if let Some(first) = rest.first() {
        let mut more = parse_error(path, first.clone());
        more.message = format!(
            "{} more parse errors in this file from here on, not listed",
            rest.len()
        );
        findings.push(more);
    }
    findings
}

fn parse_error(path: &str, err: parse::ParseError) -> Finding {
    Finding {
        rule: builtin::PARSE_ERROR.into(),
        severity: Severity::Medium,
        path: Some(path.to_string()),
        span: Some(err.span),
        checklist: Vec::new(),
        help: Some(if parse::is_repeated_key(&err) {
            "Keep one of the two: the file was checked with the last.".into()
        } else {
            "Fix the syntax: rules could not check what follows the error.".into()
        }),
        message: err.message,
    }
}

fn template_skipped(file: &SourceFile, format: Format, offset: usize) -> Finding {
    Finding {
        rule: builtin::PARSE_ERROR.into(),
        severity: Severity::Info,
        message: format!(
            "not checked: this looks like a template (`{{{{ … }}}}` or `{{% … %}}`), not {format} until it is rendered"
        ),
        path: Some(file.path.clone()),
        span: Some(file.span(offset..offset + 2)),
        checklist: Vec::new(),
        help: Some("Check the rendered output instead (e.g. `helm template … > rendered.yaml`), or exclude the template directory.".into()),
    }
}

/// Parses one file within the limits; a template or a syntax error becomes a finding.
fn parse_one(
    file: &SourceFile,
    format: Format,
    kind: Option<Kind>,
    imports: &parse::ImportResolver,
    limits: &Limits,
) -> (Vec<Document>, Vec<Finding>) {
    // Python is skipped before parsing: tree-sitter's error recovery on a Jinja template
    // (cookiecutter) would cost more than every other file.
    if format == Format::Python
        && let Some(marker) = template_line(&file.text)
    {
        return (Vec::new(), vec![template_skipped(file, format, marker)]);
    }
    let (documents, errors) = parse::parse_file_within(file, format, kind, imports, limits);
    // A repeated key is no sign of a template (workflows hold `${{ … }}` and parse).
    let failed = errors.iter().any(|err| !parse::is_repeated_key(err));
    if let Some(marker) = template_marker(&file.text).filter(|_| failed) {
        return (Vec::new(), vec![template_skipped(file, format, marker)]);
    }
    (documents, capped(errors, &file.path))
}

/// A file's text: the editor's unsaved text when it has one, else the file on disk.
fn read(path: &Path, overlay: &Overlay, max_size: u64) -> Result<String, Unread> {
    match overlay.get(path) {
        Some(text) => Ok(text.to_string()),
        None => read_text(path, max_size),
    }
}

/// Why a file's text could not be had.
enum Unread {
    /// Unreadable, over the size cap, or binary: the reason.
    Whole(String),
    /// Not UTF-8: the text with each bad sequence replaced, and the first bad byte.
    NotUtf8 {
        lossy: String,
        offset: usize,
        byte: u8,
    },
}

impl Unread {
    /// An `input-error` finding; for text that is not UTF-8, at the first bad byte (its
    /// replaced text is added to `sources` so the place can be shown).
    fn finding(self, rel: String, sources: &mut SourceMap) -> Finding {
        match self {
            Unread::Whole(reason) => input_error(&rel, &reason),
            Unread::NotUtf8 {
                lossy,
                offset,
                byte,
            } => {
                let file = sources.add(rel, lossy);
                let mut finding = input_error(
                    &file.path,
                    &format!("not valid UTF-8 (byte 0x{byte:02X}): not checked"),
                );
                // The bad byte became U+FFFD, three bytes long.
                finding.span = Some(file.span(offset..offset + '\u{fffd}'.len_utf8()));
                finding.help = Some("Save the file as UTF-8.".into());
                finding
            }
        }
    }
}

/// The text of a file to parse, without a byte-order mark (invisible in editors, it would
/// shift columns).
fn read_text(path: &Path, max_size: u64) -> Result<String, Unread> {
    let unread = |err: std::io::Error| Unread::Whole(format!("cannot read: {err}"));
    let size = std::fs::metadata(path).map_err(unread)?.len();
    if size > max_size {
        return Err(Unread::Whole(walk::over_cap(size, max_size)));
    }
    let bytes = std::fs::read(path).map_err(unread)?;
    let mut text = String::from_utf8(bytes).map_err(|err| {
        let offset = err.utf8_error().valid_up_to();
        let byte = err.as_bytes().get(offset).copied().unwrap_or_default();
        Unread::NotUtf8 {
            lossy: String::from_utf8_lossy(err.as_bytes()).into_owned(),
            offset,
            byte,
        }
    })?;
    // No configuration format allows a NUL byte; a file that holds one is binary.
    if text.contains('\0') {
        return Err(Unread::Whole(
            "binary file (it holds NUL bytes): not checked".into(),
        ));
    }
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    Ok(text)
}

fn input_error(path: &str, reason: &str) -> Finding {
    Finding {
        rule: builtin::INPUT_ERROR.into(),
        severity: Severity::Low,
        message: reason.to_string(),
        path: (!path.is_empty()).then(|| path.to_string()),
        span: None,
        checklist: Vec::new(),
        help: None,
    }
}

#[cfg(test)]
mod tests {
    use super::settings_module_names;

    #[test]
    fn settings_module_hints_in_python_compose_env_and_dockerfiles() {
        let text = r#"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.prod")
os.environ['DJANGO_SETTINGS_MODULE'] = 'shop.live'
      DJANGO_SETTINGS_MODULE: config.settings
  - DJANGO_SETTINGS_MODULE=config.settings.staging
ENV DJANGO_SETTINGS_MODULE=app.settings
DJANGO_SETTINGS_MODULE=${SETTINGS}
if "DJANGO_SETTINGS_MODULE" in os.environ:
"#;
        assert_eq!(
            settings_module_names(text),
            vec![
                "shop.settings.prod",
                "shop.live",
                "config.settings",
                "config.settings.staging",
                "app.settings",
            ]
        );
    }
}
