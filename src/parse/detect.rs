//! Decides a file's format from its name and each document's kind from name and content.
//!
//! Table-driven: the first matching pattern wins.

use std::path::Path;

use crate::model::{Format, Kind, Node};

/// How a file name maps to a format and, where the name settles it, a kind.
struct NameRule {
    matches: fn(&str) -> bool,
    format: Format,
    kind: Option<Kind>,
}

const NAME_RULES: &[NameRule] = &[
    NameRule {
        matches: is_dockerfile,
        format: Format::Dockerfile,
        kind: Some(Kind::Dockerfile),
    },
    NameRule {
        matches: |p| name_of(p).ends_with(".tf.json"),
        format: Format::Json,
        kind: Some(Kind::Terraform),
    },
    NameRule {
        matches: |p| name_of(p).ends_with(".tf"),
        format: Format::Hcl,
        kind: Some(Kind::Terraform),
    },
    NameRule {
        matches: |p| name_of(p).ends_with(".tfvars") || name_of(p).ends_with(".hcl"),
        format: Format::Hcl,
        kind: Some(Kind::Generic),
    },
    NameRule {
        matches: |p| name_of(p) == "package.json",
        format: Format::Json,
        kind: Some(Kind::PackageJson),
    },
    NameRule {
        matches: |p| name_of(p).ends_with(".json"),
        format: Format::Json,
        kind: Some(Kind::Generic),
    },
    NameRule {
        matches: |p| name_of(p).ends_with(".toml"),
        format: Format::Toml,
        kind: Some(Kind::Generic),
    },
    NameRule {
        matches: |p| name_of(p) == ".gitlab-ci.yml",
        format: Format::Yaml,
        kind: Some(Kind::GitlabCi),
    },
    NameRule {
        matches: |p| name_of(p).ends_with(".yaml") || name_of(p).ends_with(".yml"),
        format: Format::Yaml,
        kind: None,
    },
    NameRule {
        matches: is_dotenv,
        format: Format::Dotenv,
        kind: Some(Kind::Dotenv),
    },
    NameRule {
        matches: |p| name_of(p) == "pg_hba.conf",
        format: Format::Pgconf,
        kind: Some(Kind::PgHba),
    },
    NameRule {
        matches: |p| matches!(name_of(p), "postgresql.conf" | "postgresql.auto.conf"),
        format: Format::Pgconf,
        kind: Some(Kind::PostgresqlConf),
    },
    NameRule {
        matches: is_nginx,
        format: Format::Nginx,
        kind: Some(Kind::Nginx),
    },
    NameRule {
        matches: |p| {
            matches!(
                name_of(p),
                "next.config.js" | "next.config.mjs" | "next.config.cjs"
            )
        },
        format: Format::Javascript,
        kind: Some(Kind::NextConfig),
    },
    NameRule {
        matches: is_django_settings,
        format: Format::Python,
        kind: Some(Kind::DjangoSettings),
    },
];

/// The file name, lowercased by the caller.
fn name_of(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// The directory names of a path, lowercased by the caller.
fn dirs_of(path: &str) -> impl Iterator<Item = &str> {
    let mut parts: Vec<&str> = path.split('/').collect();
    parts.pop();
    parts.into_iter()
}

/// `.env`, `.env.production`, `.env.example`, `prod.env`.
fn is_dotenv(path: &str) -> bool {
    let name = name_of(path);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

/// `nginx.conf`, and `*.conf` under a directory that says nginx, `conf.d` or `sites-*`.
fn is_nginx(path: &str) -> bool {
    let name = name_of(path);
    name == "nginx.conf"
        || name.ends_with(".nginx")
        || name.ends_with(".conf")
            && dirs_of(path).any(|d| {
                d.contains("nginx") || d == "conf.d" || d.starts_with("sites-") || d == "h5bp"
            })
}

/// `settings.py`, `*_settings.py`, `settings_*.py` and any module of a `settings/` package.
fn is_django_settings(path: &str) -> bool {
    let name = name_of(path);
    let Some(stem) = name.strip_suffix(".py") else {
        return false;
    };
    stem == "settings"
        || stem.ends_with("_settings")
        || stem.starts_with("settings_")
        || dirs_of(path).last() == Some("settings")
}

/// The format of a file, and its kind when the name alone decides it; `None` for files
/// preflight does not read.
pub fn by_name(path: &str) -> Option<(Format, Option<Kind>)> {
    let path = path.to_ascii_lowercase();
    NAME_RULES
        .iter()
        .find(|rule| (rule.matches)(&path))
        .map(|rule| (rule.format, rule.kind))
}

fn is_dockerfile(path: &str) -> bool {
    let name = name_of(path);
    name == "dockerfile"
        || name == "containerfile"
        || name.starts_with("dockerfile.")
        || name.ends_with(".dockerfile")
        || name.ends_with(".containerfile")
}

fn is_compose_name(name: &str) -> bool {
    let stem = name.trim_end_matches(".yml").trim_end_matches(".yaml");
    stem == "compose"
        || stem == "docker-compose"
        || stem.starts_with("docker-compose.")
        || stem.starts_with("docker-compose-")
        || stem.starts_with("compose.")
        || stem.ends_with(".compose")
}

/// The kind a file's place on disk decides, whatever the scan root: a workflow lives in
/// `.github/workflows/` even when that directory, or the file itself, is what was scanned.
pub fn kind_by_location(path: &Path) -> Option<Kind> {
    let full = path.canonicalize().ok()?;
    let parent = full.parent()?;
    (parent.ends_with(".github/workflows")).then_some(Kind::GhaWorkflow)
}

/// The kind of one YAML document, from the file's path and the document's content.
pub fn yaml_kind(path: &str, root: &Node) -> Kind {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if path.starts_with(".github/workflows/") || path.contains("/.github/workflows/") {
        return Kind::GhaWorkflow;
    }
    if root.get("apiVersion").and_then(Node::as_str).is_some()
        && root.get("kind").and_then(Node::as_str).is_some()
    {
        return Kind::K8s;
    }
    if is_compose_name(&name) || looks_like_compose(root) {
        return Kind::Compose;
    }
    Kind::Generic
}

/// A `services:` map whose entries use compose's service keys.
fn looks_like_compose(root: &Node) -> bool {
    root.get("services").is_some_and(|services| {
        services
            .entries()
            .iter()
            .any(|(_, svc)| svc.get("image").is_some() || svc.get("build").is_some())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Key, Span};

    fn map(entries: &[(&str, Node)]) -> Node {
        Node::map(
            entries
                .iter()
                .map(|(k, v)| (Key::new(*k, Span::default()), v.clone()))
                .collect(),
            Span::default(),
        )
    }

    fn s(v: &str) -> Node {
        Node::str(v, Span::default())
    }

    #[test]
    fn names_decide_formats() {
        assert_eq!(
            by_name("app/Dockerfile"),
            Some((Format::Dockerfile, Some(Kind::Dockerfile)))
        );
        assert_eq!(
            by_name("Dockerfile.prod").map(|d| d.0),
            Some(Format::Dockerfile)
        );
        assert_eq!(
            by_name("web.dockerfile").map(|d| d.0),
            Some(Format::Dockerfile)
        );
        assert_eq!(
            by_name("infra/main.tf"),
            Some((Format::Hcl, Some(Kind::Terraform)))
        );
        assert_eq!(
            by_name("infra/main.tf.json"),
            Some((Format::Json, Some(Kind::Terraform)))
        );
        assert_eq!(
            by_name("frontend/package.json"),
            Some((Format::Json, Some(Kind::PackageJson)))
        );
        assert_eq!(by_name("k8s/app.yaml"), Some((Format::Yaml, None)));
        assert_eq!(by_name("README.md"), None);
        assert_eq!(
            by_name(".env.production"),
            Some((Format::Dotenv, Some(Kind::Dotenv)))
        );
        assert_eq!(
            by_name("deploy/prod.env").map(|d| d.0),
            Some(Format::Dotenv)
        );
        assert_eq!(
            by_name("nginx/nginx.conf"),
            Some((Format::Nginx, Some(Kind::Nginx)))
        );
        assert_eq!(
            by_name("deploy/nginx/shop.conf").map(|d| d.1),
            Some(Some(Kind::Nginx))
        );
        assert_eq!(
            by_name("etc/conf.d/default.conf").map(|d| d.0),
            Some(Format::Nginx)
        );
        assert_eq!(by_name("etc/app.conf"), None);
        assert_eq!(
            by_name("db/postgresql.conf"),
            Some((Format::Pgconf, Some(Kind::PostgresqlConf)))
        );
        assert_eq!(
            by_name("db/pg_hba.conf"),
            Some((Format::Pgconf, Some(Kind::PgHba)))
        );
        assert_eq!(
            by_name("nginx/pg_hba.conf").map(|d| d.1),
            Some(Some(Kind::PgHba))
        );
        assert_eq!(
            by_name("config/settings.py"),
            Some((Format::Python, Some(Kind::DjangoSettings)))
        );
        assert_eq!(
            by_name("config/settings/production.py").map(|d| d.1),
            Some(Some(Kind::DjangoSettings))
        );
        assert_eq!(
            by_name("app/test_settings.py").map(|d| d.0),
            Some(Format::Python)
        );
        assert_eq!(by_name("app/views.py"), None);
        assert_eq!(
            by_name(".gitlab-ci.yml"),
            Some((Format::Yaml, Some(Kind::GitlabCi)))
        );
        assert_eq!(by_name("dockerfile-notes.txt"), None);
        assert_eq!(
            by_name("web/next.config.mjs"),
            Some((Format::Javascript, Some(Kind::NextConfig)))
        );
        assert_eq!(
            by_name("next.config.js").map(|d| d.1),
            Some(Some(Kind::NextConfig))
        );
        assert_eq!(by_name("src/app.js"), None);
    }

    #[test]
    fn workflows_are_known_by_their_directory_whatever_the_scan_root() {
        let dir = tempfile::tempdir().unwrap();
        let workflows = dir.path().join(".github/workflows");
        std::fs::create_dir_all(&workflows).unwrap();
        std::fs::write(workflows.join("ci.yml"), "on: push\n").unwrap();
        std::fs::write(dir.path().join("ci.yml"), "on: push\n").unwrap();
        assert_eq!(
            kind_by_location(&workflows.join("ci.yml")),
            Some(Kind::GhaWorkflow)
        );
        assert_eq!(kind_by_location(&dir.path().join("ci.yml")), None);
        assert_eq!(kind_by_location(Path::new("/no/such/file.yml")), None);
    }

    #[test]
    fn yaml_kinds_come_from_path_and_content() {
        let empty = map(&[]);
        assert_eq!(
            yaml_kind(".github/workflows/ci.yml", &empty),
            Kind::GhaWorkflow
        );
        assert_eq!(yaml_kind("docker-compose.prod.yml", &empty), Kind::Compose);
        assert_eq!(yaml_kind("compose.yaml", &empty), Kind::Compose);
        let deployment = map(&[("apiVersion", s("apps/v1")), ("kind", s("Deployment"))]);
        assert_eq!(yaml_kind("deploy/web.yaml", &deployment), Kind::K8s);
        let compose = map(&[("services", map(&[("web", map(&[("image", s("nginx"))]))]))]);
        assert_eq!(yaml_kind("stack.yml", &compose), Kind::Compose);
        let other = map(&[("services", map(&[("web", map(&[("port", s("80"))]))]))]);
        assert_eq!(yaml_kind("config.yml", &other), Kind::Generic);
    }
}
