//! `preflight.toml`, found in the scan root or its nearest ancestor (or named by `--config`):
//! how the project wants to be checked.
//!
//! Read with the same TOML adapter as any scanned file, so a mistake in it is reported at its
//! line and column like any other diagnostic.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};
use ignore::gitignore::{Gitignore, GitignoreBuilder};

use crate::attest::{Attestation, attest_table};
use crate::finding::{Finding, Severity, builtin};
use crate::limits::{Limits, limits_table};
use crate::model::{Format, Key, Kind, Node, SourceFile, SourceMap, Span, Value};
use crate::parse::{self, detect};

pub const FILE_NAME: &str = "preflight.toml";

/// What `preflight init` writes: every setting, explained, most commented out.
pub const STARTER: &str = include_str!("starter.toml");

/// The settings of a `preflight.toml`; the default when there is none.
#[derive(Debug, Default)]
pub struct Config {
    /// The file's name in findings; `None` for the defaults.
    pub file: Option<String>,
    /// The directory holding the file: relative paths and globs in it start there.
    pub dir: PathBuf,
    /// `fail-on = "medium"`: the least severity that fails the run.
    pub fail_on: Option<Severity>,
    /// `exclude = ["legacy/", "**/*.generated.yaml"]`: gitignore-style patterns.
    pub exclude: Option<Gitignore>,
    /// `policy-dirs = ["policies"]`, resolved against `dir`.
    pub policy_dirs: Vec<PathBuf>,
    /// `baseline = ".preflight-baseline.json"`, resolved against `dir`.
    pub baseline: Option<PathBuf>,
    pub rules: RuleSettings,
    /// `[detect] "deploy/*.conf" = "nginx"`, in file order; the first match wins.
    pub detect: Vec<DetectOverride>,
    /// `[[ignore]]` entries: suppressions for files that cannot hold a comment (JSON).
    pub ignore: Vec<IgnoreEntry>,
    /// `[attest."<item>"]`: checklist items people vouch for.
    pub attest: Vec<Attestation>,
    /// `[limits]`: caps on input and on rules, replacing the defaults.
    pub limits: Option<Limits>,
}

/// The `[rules]` table.
#[derive(Debug, Default)]
pub struct RuleSettings {
    /// `select = [...]`: when set, only these rules run.
    pub select: Option<Vec<RuleRef>>,
    /// `ignore = [...]`: these rules do not run.
    pub ignore: Vec<RuleRef>,
    /// `[rules.severity] "docker/*" = "low"`.
    pub severity: Vec<(RuleRef, Severity)>,
    /// `[rules.params."nginx/hsts-max-age"] min_seconds = 63072000`.
    pub params: Vec<(RuleRef, Node)>,
}

/// A rule id or an area pattern (`docker/*`) as written, with its place for diagnostics
/// (`None` when it came from the command line).
#[derive(Debug, Clone)]
pub struct RuleRef {
    pub pattern: String,
    pub span: Option<Span>,
}

impl RuleRef {
    pub fn new(pattern: impl Into<String>) -> RuleRef {
        RuleRef {
            pattern: pattern.into(),
            span: None,
        }
    }

    pub fn matches(&self, rule: &str) -> bool {
        pattern_names(&self.pattern, rule)
    }
}

/// `area/*` names every rule of the area; anything else one rule.
pub fn pattern_names(pattern: &str, rule: &str) -> bool {
    match pattern.strip_suffix("/*") {
        Some(area) => rule.split_once('/').is_some_and(|(a, _)| a == area),
        None => pattern == rule,
    }
}

/// One `[[ignore]]`: findings of `rule` in files matching `path` are suppressed for `reason`.
#[derive(Debug)]
pub struct IgnoreEntry {
    pub path: String,
    pub glob: GlobMatcher,
    pub rule: RuleRef,
    pub reason: String,
    /// The whole entry, where an unused one is reported.
    pub span: Span,
}

/// Where a config was found, and how findings name it.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: PathBuf,
    /// The name findings give it: relative to the scan root where it is inside or above it.
    pub display: String,
}

/// The `preflight.toml` that applies to a scan of `root`: in the root's directory or the
/// nearest ancestor that has one.
pub fn discover(root: &Path) -> Option<ConfigFile> {
    let base = crate::walk::scan_base(root).canonicalize().ok()?;
    base.ancestors().enumerate().find_map(|(depth, dir)| {
        let path = dir.join(FILE_NAME);
        path.is_file().then(|| ConfigFile {
            display: format!("{}{FILE_NAME}", "../".repeat(depth)),
            path,
        })
    })
}

/// A config named on the command line, shown as the user wrote it.
pub fn named(path: &Path) -> ConfigFile {
    ConfigFile {
        path: path.to_path_buf(),
        display: path.to_string_lossy().replace('\\', "/"),
    }
}

impl Config {
    /// Reads the config file; one that cannot be read is a `config-error` and the defaults.
    pub fn load(found: &ConfigFile, sources: &mut SourceMap) -> (Config, Vec<Finding>) {
        let dir = found
            .path
            .parent()
            .map(|d| d.canonicalize().unwrap_or_else(|_| d.to_path_buf()))
            .unwrap_or_default();
        match std::fs::read_to_string(&found.path) {
            Ok(text) => Config::parse(&sources.add(found.display.clone(), text), dir),
            Err(err) => {
                let config = Config {
                    dir,
                    ..Config::default()
                };
                let mut error = config_error_at(
                    &found.display,
                    None,
                    format!("cannot read {}: {err}", found.path.display()),
                );
                error.help = Some("Check the path given to --config.".into());
                (config, vec![error])
            }
        }
    }

    /// What to put before a path relative to the scan's base to make it relative to the
    /// config's directory (`""` or `"services/api/"`): globs in the config are written from
    /// there. A base outside that directory (`--config` from elsewhere) adds nothing.
    pub fn prefix_for(&self, base: &Path) -> String {
        if self.dir.as_os_str().is_empty() {
            return String::new();
        }
        base.canonicalize()
            .ok()
            .and_then(|b| b.strip_prefix(&self.dir).ok().map(Path::to_path_buf))
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .filter(|p| !p.is_empty())
            .map(|p| format!("{p}/"))
            .unwrap_or_default()
    }

    /// The format and kind of the file at `rel` (relative to the config's directory): an
    /// override if one matches, else the built-in name table.
    pub fn detect(&self, rel: &str) -> Option<(Format, Option<Kind>)> {
        self.detect
            .iter()
            .find(|o| o.glob.is_match(rel))
            .map(|o| (o.format, o.kind))
            .or_else(|| detect::by_name(rel))
    }

    /// Reads the config in `file`; every mistake is a `config-error` at its place, and the
    /// settings that were valid still apply.
    pub fn parse(file: &Arc<SourceFile>, dir: PathBuf) -> (Config, Vec<Finding>) {
        let mut config = Config {
            file: Some(file.path.clone()),
            dir,
            ..Config::default()
        };
        let mut errors = Vec::new();
        let parsed = parse::toml::parse(file);
        if let Some(err) = parsed.errors.into_iter().next() {
            errors.push(config_error(file, err.span, err.message));
            return (config, errors);
        }
        let Some(root) = parsed.roots.into_iter().next() else {
            return (config, errors);
        };
        let mut reader = Reader {
            file,
            errors: &mut errors,
        };
        for (key, value) in root.entries() {
            match &*key.name {
                "fail-on" => config.fail_on = reader.severity(value),
                "exclude" => config.exclude = reader.exclude(value, &config.dir),
                "policy-dirs" => {
                    config.policy_dirs = reader
                        .strings(value, "policy-dirs")
                        .into_iter()
                        .map(|(dir, _)| config.dir.join(dir))
                        .collect()
                }
                "baseline" => {
                    config.baseline = reader.string(value, "baseline").map(|p| config.dir.join(p))
                }
                "rules" => config.rules = reader.rules(value),
                "detect" => config.detect = detect_table(file, value, reader.errors),
                "ignore" => config.ignore = reader.ignores(value),
                "attest" => config.attest = attest_table(file, value, reader.errors),
                "limits" => config.limits = Some(limits_table(file, value, reader.errors)),
                other => reader.error(
                    key.span,
                    format!(
                        "unknown setting `{other}` in {FILE_NAME}; known: {}",
                        TOP_LEVEL_KEYS.join(", ")
                    ),
                ),
            }
        }
        (config, errors)
    }

    /// Whether the rule with this id runs: selected (or no selection) and not ignored.
    pub fn runs(&self, rule: &str) -> bool {
        let selected = self
            .rules
            .select
            .as_ref()
            .is_none_or(|select| select.iter().any(|r| r.matches(rule)));
        selected && !self.rules.ignore.iter().any(|r| r.matches(rule))
    }

    /// The severity `[rules.severity]` gives the rule; the last matching line wins, so an
    /// exact id written after its area's pattern refines it.
    pub fn severity_of(&self, rule: &str) -> Option<Severity> {
        self.rules
            .severity
            .iter()
            .rev()
            .find(|(r, _)| r.matches(rule))
            .map(|(_, severity)| *severity)
    }

    /// Checks every rule id the config names against the loaded rules (and the ids the host
    /// reports under): a misspelt id would otherwise silently do nothing.
    pub fn unknown_rules(&self, known: &[&str]) -> Vec<Finding> {
        let refs = self
            .rules
            .select
            .iter()
            .flatten()
            .chain(&self.rules.ignore)
            .chain(self.rules.severity.iter().map(|(r, _)| r))
            .chain(self.rules.params.iter().map(|(r, _)| r))
            .chain(self.ignore.iter().map(|i| &i.rule));
        refs.filter_map(|r| {
            let message = unknown_rule_message(r, known)?;
            Some(config_error_at(
                self.file.as_deref().unwrap_or(FILE_NAME),
                r.span,
                message,
            ))
        })
        .collect()
    }
}

/// Why `r` names no known rule, or `None` when it does.
pub fn unknown_rule_message(r: &RuleRef, known: &[&str]) -> Option<String> {
    if known.iter().any(|id| r.matches(id)) {
        return None;
    }
    if let Some(area) = r.pattern.strip_suffix("/*") {
        let mut areas: Vec<&str> = known
            .iter()
            .filter_map(|id| Some(id.split_once('/')?.0))
            .collect();
        areas.sort_unstable();
        areas.dedup();
        return Some(format!(
            "no rule is in area `{area}`; areas: {}",
            areas.join(", ")
        ));
    }
    if known
        .iter()
        .any(|id| id.starts_with(&format!("{}/", r.pattern)))
    {
        return Some(format!(
            "`{}` is an area: write `{}/*` to name all its rules",
            r.pattern, r.pattern
        ));
    }
    let suggestion = crate::suggest::closest(&r.pattern, known.iter().copied())
        .map(|id| format!("; did you mean `{id}`?"))
        .unwrap_or_default();
    Some(format!("unknown rule `{}`{suggestion}", r.pattern))
}

const TOP_LEVEL_KEYS: &[&str] = &[
    "fail-on",
    "exclude",
    "policy-dirs",
    "baseline",
    "rules",
    "detect",
    "ignore",
    "attest",
    "limits",
];

/// Reads typed values out of the TOML tree, recording a `config-error` for each mistake.
struct Reader<'a> {
    file: &'a Arc<SourceFile>,
    errors: &'a mut Vec<Finding>,
}

impl Reader<'_> {
    fn error(&mut self, span: Span, message: String) {
        self.errors.push(config_error(self.file, span, message));
    }

    fn string(&mut self, value: &Node, what: &str) -> Option<String> {
        match value.as_str() {
            Some(s) => Some(s.to_string()),
            None => {
                self.error(
                    value.span,
                    format!("`{what}` must be a string, not {}", value.type_name()),
                );
                None
            }
        }
    }

    /// A list of strings (a lone string is taken as a list of one), with their places.
    fn strings(&mut self, value: &Node, what: &str) -> Vec<(String, Span)> {
        let items: Vec<&Node> = match &value.value {
            Value::List(items) => items.iter().collect(),
            Value::Str(_) => vec![value],
            _ => {
                self.error(
                    value.span,
                    format!(
                        "`{what}` must be a list of strings, not {}",
                        value.type_name()
                    ),
                );
                return Vec::new();
            }
        };
        items
            .into_iter()
            .filter_map(|item| Some((self.string(item, what)?, item.span)))
            .collect()
    }

    fn severity(&mut self, value: &Node) -> Option<Severity> {
        let text = value.as_str();
        match text.map(str::parse::<Severity>) {
            Some(Ok(severity)) => Some(severity),
            Some(Err(message)) => {
                self.error(value.span, message);
                None
            }
            None => {
                self.error(
                    value.span,
                    format!(
                        "a severity is a string: critical, high, medium, low or info, not {}",
                        value.type_name()
                    ),
                );
                None
            }
        }
    }

    fn rule_refs(&mut self, value: &Node, what: &str) -> Vec<RuleRef> {
        self.strings(value, what)
            .into_iter()
            .map(|(pattern, span)| RuleRef {
                pattern,
                span: Some(span),
            })
            .collect()
    }

    fn exclude(&mut self, value: &Node, dir: &Path) -> Option<Gitignore> {
        let mut builder = GitignoreBuilder::new(dir);
        for (pattern, span) in self.strings(value, "exclude") {
            if let Err(err) = builder.add_line(None, &pattern) {
                self.error(span, format!("invalid exclude pattern `{pattern}`: {err}"));
            }
        }
        builder.build().ok()
    }

    fn table<'n>(&mut self, value: &'n Node, what: &str) -> Option<&'n [(Key, Node)]> {
        if let Value::Map(entries) = &value.value {
            return Some(entries);
        }
        self.error(
            value.span,
            format!("`{what}` must be a table, not {}", value.type_name()),
        );
        None
    }

    fn rules(&mut self, value: &Node) -> RuleSettings {
        let mut rules = RuleSettings::default();
        for (key, value) in self.table(value, "rules").unwrap_or_default() {
            match &*key.name {
                "select" => rules.select = Some(self.rule_refs(value, "rules.select")),
                "ignore" => rules.ignore = self.rule_refs(value, "rules.ignore"),
                "severity" => {
                    for (rule, severity) in self.table(value, "rules.severity").unwrap_or_default()
                    {
                        if let Some(severity) = self.severity(severity) {
                            rules.severity.push((rule_ref(rule), severity));
                        }
                    }
                }
                "params" => {
                    for (rule, params) in self.table(value, "rules.params").unwrap_or_default() {
                        if self
                            .table(params, &format!("rules.params.\"{}\"", rule.name))
                            .is_some()
                        {
                            rules.params.push((rule_ref(rule), params.clone()));
                        }
                    }
                }
                other => self.error(
                    key.span,
                    format!(
                        "unknown setting `rules.{other}`; known: select, ignore, severity, params"
                    ),
                ),
            }
        }
        rules
    }

    fn ignores(&mut self, value: &Node) -> Vec<IgnoreEntry> {
        let Value::List(entries) = &value.value else {
            self.error(
                value.span,
                "`ignore` is a list of tables: `[[ignore]]` with path, rule and reason".into(),
            );
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|entry| self.ignore_entry(entry))
            .collect()
    }

    fn ignore_entry(&mut self, entry: &Node) -> Option<IgnoreEntry> {
        let fields = self.table(entry, "[[ignore]]")?;
        let (mut path, mut rule, mut reason) = (None, None, None);
        for (key, value) in fields {
            match &*key.name {
                "path" => path = self.string(value, "path").map(|p| (p, value.span)),
                "rule" => {
                    rule = self.string(value, "rule").map(|pattern| RuleRef {
                        pattern,
                        span: Some(value.span),
                    })
                }
                "reason" => reason = self.string(value, "reason"),
                other => self.error(
                    key.span,
                    format!("unknown key `{other}` in [[ignore]]; known: path, rule, reason"),
                ),
            }
        }
        let reason = reason.filter(|r| !r.trim().is_empty());
        let (Some((path, path_span)), Some(rule), Some(reason)) = (path, rule, reason) else {
            self.error(
                entry.span,
                "an [[ignore]] needs `path`, `rule` and a non-empty `reason`: suppressions must say why".into(),
            );
            return None;
        };
        match GlobBuilder::new(&path).literal_separator(true).build() {
            Ok(glob) => Some(IgnoreEntry {
                glob: glob.compile_matcher(),
                path,
                rule,
                reason,
                span: entry.span,
            }),
            Err(err) => {
                self.error(path_span, format!("invalid glob `{path}`: {err}"));
                None
            }
        }
    }
}

#[derive(Debug)]
pub struct DetectOverride {
    pub pattern: String,
    glob: GlobMatcher,
    pub format: Format,
    /// `None` when the name was a format (`"yaml"`): the kind is then read from the content.
    pub kind: Option<Kind>,
}

fn rule_ref(key: &Key) -> RuleRef {
    RuleRef {
        pattern: key.name.to_string(),
        span: Some(key.span),
    }
}

fn detect_table(
    file: &Arc<SourceFile>,
    table: &Node,
    errors: &mut Vec<Finding>,
) -> Vec<DetectOverride> {
    let mut out = Vec::new();
    if !matches!(table.value, Value::Map(_)) {
        errors.push(config_error(
            file,
            table.span,
            "`detect` must be a table: `[detect]` then `\"glob\" = \"kind\"` lines".into(),
        ));
        return out;
    }
    for (key, value) in table.entries() {
        let Some(name) = value.as_str() else {
            errors.push(config_error(
                file,
                value.span,
                format!("`{}` must name a kind or format as a string", key.name),
            ));
            continue;
        };
        let Some((format, kind)) = target(name) else {
            errors.push(config_error(
                file,
                value.span,
                format!(
                    "unknown kind or format `{name}`; kinds: {}; formats: yaml, json, toml, hcl",
                    Kind::ALL
                        .iter()
                        .filter(|k| **k != Kind::Generic)
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
            continue;
        };
        match GlobBuilder::new(&key.name).literal_separator(true).build() {
            Ok(glob) => out.push(DetectOverride {
                pattern: key.name.to_string(),
                glob: glob.compile_matcher(),
                format,
                kind,
            }),
            Err(err) => errors.push(config_error(
                file,
                key.span,
                format!("invalid glob `{}`: {err}", key.name),
            )),
        }
    }
    out
}

/// What a `[detect]` value names: a kind (with the format it is written in) or a format whose
/// kind comes from the content.
fn target(name: &str) -> Option<(Format, Option<Kind>)> {
    let format = match name {
        "yaml" => Some(Format::Yaml),
        "json" => Some(Format::Json),
        "toml" => Some(Format::Toml),
        "hcl" => Some(Format::Hcl),
        _ => None,
    };
    if let Some(format) = format {
        // YAML kinds come from the content; the others default to generic.
        let kind = (format != Format::Yaml).then_some(Kind::Generic);
        return Some((format, kind));
    }
    let kind = Kind::from_name(name)?;
    let format = match kind {
        Kind::Compose | Kind::K8s | Kind::GhaWorkflow | Kind::GitlabCi | Kind::Generic => {
            Format::Yaml
        }
        Kind::Terraform => Format::Hcl,
        Kind::Dockerfile => Format::Dockerfile,
        Kind::PackageJson => Format::Json,
        Kind::DjangoSettings => Format::Python,
        Kind::Dotenv => Format::Dotenv,
        Kind::Nginx => Format::Nginx,
        Kind::PostgresqlConf | Kind::PgHba => Format::Pgconf,
        Kind::NextConfig => Format::Javascript,
    };
    Some((format, Some(kind)))
}

pub(crate) fn config_error(file: &SourceFile, span: Span, message: String) -> Finding {
    config_error_at(&file.path, Some(span), message)
}

pub(crate) fn config_error_at(path: &str, span: Option<Span>, message: String) -> Finding {
    Finding {
        rule: builtin::CONFIG_ERROR.into(),
        severity: Severity::High,
        message,
        path: Some(path.to_string()),
        span,
        checklist: Vec::new(),
        help: Some(format!(
            "Fix {FILE_NAME}; see the README's configuration section."
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceMap;

    fn config(text: &str) -> (Config, Vec<Finding>) {
        let mut sources = SourceMap::default();
        let file = sources.add(FILE_NAME, text);
        Config::parse(&file, PathBuf::from("/project"))
    }

    fn places(errors: &[Finding]) -> Vec<String> {
        errors
            .iter()
            .map(|e| {
                let span = e.span.unwrap();
                format!("{}:{} {}", span.start.line, span.start.column, e.message)
            })
            .collect()
    }

    #[test]
    fn overrides_come_before_the_name_table() {
        let (config, errors) = config(
            "[detect]\n\"deploy/*.conf\" = \"nginx\"\n\"envs/*\" = \"dotenv\"\n\"ops/**/*.yml\" = \"yaml\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(
            config.detect("deploy/site.conf"),
            Some((Format::Nginx, Some(Kind::Nginx)))
        );
        // `*` does not cross directories.
        assert_eq!(config.detect("deploy/a/site.conf"), None);
        assert_eq!(
            config.detect("envs/production"),
            Some((Format::Dotenv, Some(Kind::Dotenv)))
        );
        assert_eq!(config.detect("ops/x/y.yml"), Some((Format::Yaml, None)));
        assert_eq!(
            config.detect("Dockerfile"),
            Some((Format::Dockerfile, Some(Kind::Dockerfile)))
        );
    }

    #[test]
    fn mistakes_are_reported_at_their_place() {
        let (config, errors) = config(
            "fail-on = \"hihg\"\n[detect]\n\"a/*.conf\" = \"ngnix\"\n\"b/*.conf\" = \"nginx\"\n\"[\" = \"yaml\"\n",
        );
        let places = places(&errors);
        assert_eq!(places.len(), 3, "{places:#?}");
        assert!(places[0].starts_with("1:11 unknown severity `hihg`"));
        assert!(places[1].starts_with("3:14 unknown kind or format `ngnix`"));
        assert!(places[2].starts_with("5:1 invalid glob `[`"));
        // The valid override still applies.
        assert_eq!(config.detect.len(), 1);
    }

    #[test]
    fn every_setting_is_read() {
        let (config, errors) = config(
            r#"fail-on = "medium"
exclude = ["legacy/", "**/*.generated.yaml"]
policy-dirs = ["org/policies"]
baseline = ".preflight-baseline.json"

[rules]
select = ["docker/*", "django/debug-true"]
ignore = ["docker/latest-tag"]

[rules.severity]
"docker/*" = "low"
"docker/runs-as-root" = "critical"

[rules.params."k8s/single-replica"]
min = 3

[[ignore]]
path = "frontend/*.json"
rule = "secrets/*"
reason = "test fixtures"
"#,
        );
        assert!(errors.is_empty(), "{:#?}", places(&errors));
        assert_eq!(config.fail_on, Some(Severity::Medium));
        assert_eq!(
            config.policy_dirs,
            vec![PathBuf::from("/project/org/policies")]
        );
        assert_eq!(
            config.baseline,
            Some(PathBuf::from("/project/.preflight-baseline.json"))
        );
        let exclude = config.exclude.as_ref().unwrap();
        assert!(exclude.matched("legacy", true).is_ignore());
        assert!(exclude.matched("a/b/x.generated.yaml", false).is_ignore());
        assert!(!exclude.matched("app/settings.py", false).is_ignore());
        assert!(config.runs("docker/runs-as-root"));
        assert!(config.runs("django/debug-true"));
        assert!(!config.runs("docker/latest-tag"));
        assert!(!config.runs("nginx/server-tokens"));
        assert_eq!(config.severity_of("docker/add-url"), Some(Severity::Low));
        assert_eq!(
            config.severity_of("docker/runs-as-root"),
            Some(Severity::Critical)
        );
        assert_eq!(config.severity_of("django/debug-true"), None);
        assert_eq!(config.rules.params.len(), 1);
        assert_eq!(config.ignore.len(), 1);
        assert!(config.ignore[0].glob.is_match("frontend/package.json"));
        assert!(!config.ignore[0].glob.is_match("frontend/app/package.json"));
    }

    #[test]
    fn wrong_types_unknown_keys_and_reasonless_ignores_are_errors() {
        let (_, errors) = config(
            r#"exclude = 3
[rules]
selct = ["docker/*"]
[rules.severity]
"docker/*" = 2
[[ignore]]
path = "package.json"
rule = "frontend/powered-by-header"
"#,
        );
        let places = places(&errors);
        assert_eq!(places.len(), 4, "{places:#?}");
        assert!(places[0].starts_with("1:11 `exclude` must be a list of strings, not int"));
        assert!(places[1].starts_with("3:1 unknown setting `rules.selct`"));
        assert!(places[2].starts_with("5:14 a severity is a string"));
        assert!(
            places[3]
                .starts_with("6:1 an [[ignore]] needs `path`, `rule` and a non-empty `reason`")
        );
    }

    #[test]
    fn unknown_rule_ids_get_a_suggestion() {
        let (config, _) =
            config("[rules]\nselect = [\"docker/runs-as-rot\", \"dockr/*\", \"docker\"]\n");
        let known = [
            "docker/runs-as-root",
            "docker/latest-tag",
            "nginx/server-tokens",
        ];
        let places = places(&config.unknown_rules(&known));
        assert_eq!(
            places,
            vec![
                "2:11 unknown rule `docker/runs-as-rot`; did you mean `docker/runs-as-root`?",
                "2:33 no rule is in area `dockr`; areas: docker, nginx",
                "2:44 `docker` is an area: write `docker/*` to name all its rules",
            ]
        );
    }

    #[test]
    fn the_starter_config_is_valid() {
        let (config, errors) = config(STARTER);
        assert!(errors.is_empty(), "{:#?}", places(&errors));
        assert_eq!(config.fail_on, Some(Severity::High));
    }

    #[test]
    fn globs_start_from_the_config_directory() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("services/api");
        std::fs::create_dir_all(&sub).unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "").unwrap();
        let found = discover(&sub).unwrap();
        assert_eq!(found.display, "../../preflight.toml");
        let mut sources = SourceMap::default();
        let (config, errors) = Config::load(&found, &mut sources);
        assert!(errors.is_empty());
        assert_eq!(config.prefix_for(&sub), "services/api/");
        assert_eq!(config.prefix_for(dir.path()), "");
    }
}
