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
        matches: |n| n.ends_with(".tf.json"),
        format: Format::Json,
        kind: Some(Kind::Terraform),
    },
    NameRule {
        matches: |n| n.ends_with(".tf"),
        format: Format::Hcl,
        kind: Some(Kind::Terraform),
    },
    NameRule {
        matches: |n| n.ends_with(".tfvars") || n.ends_with(".hcl"),
        format: Format::Hcl,
        kind: Some(Kind::Generic),
    },
    NameRule {
        matches: |n| n == "package.json",
        format: Format::Json,
        kind: Some(Kind::PackageJson),
    },
    NameRule {
        matches: |n| n.ends_with(".json"),
        format: Format::Json,
        kind: Some(Kind::Generic),
    },
    NameRule {
        matches: |n| n.ends_with(".toml"),
        format: Format::Toml,
        kind: Some(Kind::Generic),
    },
    NameRule {
        matches: |n| n.ends_with(".yaml") || n.ends_with(".yml"),
        format: Format::Yaml,
        kind: None,
    },
];

/// The format of a file, and its kind when the name alone decides it; `None` for files
/// preflight does not read.
pub fn by_name(path: &str) -> Option<(Format, Option<Kind>)> {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    NAME_RULES
        .iter()
        .find(|rule| (rule.matches)(&name))
        .map(|rule| (rule.format, rule.kind))
}

fn is_dockerfile(name: &str) -> bool {
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
        assert_eq!(by_name("dockerfile-notes.txt"), None);
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
