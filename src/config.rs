//! `preflight.toml` at the scan root: how the project wants to be checked.
//!
//! Read with the same TOML adapter as any scanned file, so a mistake in it is reported at its
//! line and column like any other diagnostic.

use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};

use crate::finding::{Finding, Severity, builtin};
use crate::model::{Format, Kind, Node, SourceFile, Span};
use crate::parse::{self, detect};

pub const FILE_NAME: &str = "preflight.toml";

/// The settings of a `preflight.toml`; the default when there is none.
#[derive(Debug, Default)]
pub struct Config {
    /// `[detect] "deploy/*.conf" = "nginx"`, in file order; the first match wins.
    pub detect: Vec<DetectOverride>,
}

#[derive(Debug)]
pub struct DetectOverride {
    pub pattern: String,
    glob: GlobMatcher,
    pub format: Format,
    /// `None` when the name was a format (`"yaml"`): the kind is then read from the content.
    pub kind: Option<Kind>,
}

impl Config {
    /// The format and kind of the file at `rel` (relative to the root): an override if one
    /// matches, else the built-in name table.
    pub fn detect(&self, rel: &str) -> Option<(Format, Option<Kind>)> {
        self.detect
            .iter()
            .find(|o| o.glob.is_match(rel))
            .map(|o| (o.format, o.kind))
            .or_else(|| detect::by_name(rel))
    }

    /// Reads the config in `file`; every mistake is a `config-error` at its place, and the
    /// settings that were valid still apply.
    pub fn parse(file: &Arc<SourceFile>) -> (Config, Vec<Finding>) {
        let mut config = Config::default();
        let mut errors = Vec::new();
        let parsed = parse::toml::parse(file);
        if let Some(err) = parsed.errors.into_iter().next() {
            errors.push(config_error(file, err.span, err.message));
            return (config, errors);
        }
        let Some(root) = parsed.roots.into_iter().next() else {
            return (config, errors);
        };
        for (key, value) in root.entries() {
            match &*key.name {
                "detect" => config.detect = detect_table(file, value, &mut errors),
                other => errors.push(config_error(
                    file,
                    key.span,
                    format!("unknown setting `{other}` in {FILE_NAME}; known: detect"),
                )),
            }
        }
        (config, errors)
    }
}

fn detect_table(
    file: &Arc<SourceFile>,
    table: &Node,
    errors: &mut Vec<Finding>,
) -> Vec<DetectOverride> {
    let mut out = Vec::new();
    if !matches!(table.value, crate::model::Value::Map(_)) {
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
    Finding {
        rule: builtin::CONFIG_ERROR.into(),
        severity: Severity::High,
        message,
        path: Some(file.path.clone()),
        span: Some(span),
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
        Config::parse(&file)
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
            "fail-on = \"high\"\n[detect]\n\"a/*.conf\" = \"ngnix\"\n\"b/*.conf\" = \"nginx\"\n\"[\" = \"yaml\"\n",
        );
        let places: Vec<_> = errors
            .iter()
            .map(|e| {
                let span = e.span.unwrap();
                format!("{}:{} {}", span.start.line, span.start.column, e.message)
            })
            .collect();
        assert_eq!(places.len(), 3, "{places:#?}");
        assert!(places[0].starts_with("1:1 unknown setting `fail-on`"));
        assert!(places[1].starts_with("3:14 unknown kind or format `ngnix`"));
        assert!(places[2].starts_with("5:1 invalid glob `[`"));
        // The valid override still applies.
        assert_eq!(config.detect.len(), 1);
    }
}
