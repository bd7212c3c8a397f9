//! A parsed configuration document and what it is.

use std::fmt;

use super::node::Node;
use super::span::SourceId;

/// The syntax a file is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Format {
    Yaml,
    Json,
    Toml,
    Hcl,
    Dockerfile,
    Python,
    Dotenv,
    Nginx,
    /// postgresql.conf and pg_hba.conf.
    Pgconf,
    /// next.config.js and its `.mjs`/`.cjs` variants.
    Javascript,
}

/// What a document configures; rules select documents by kind (`applies_to`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Compose,
    K8s,
    GhaWorkflow,
    Terraform,
    Dockerfile,
    PackageJson,
    GitlabCi,
    DjangoSettings,
    Dotenv,
    Nginx,
    PostgresqlConf,
    PgHba,
    NextConfig,
    /// Any other YAML, JSON or TOML file.
    Generic,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Yaml => "yaml",
            Format::Json => "json",
            Format::Toml => "toml",
            Format::Hcl => "hcl",
            Format::Dockerfile => "dockerfile",
            Format::Python => "python",
            Format::Dotenv => "dotenv",
            Format::Nginx => "nginx",
            Format::Pgconf => "pgconf",
            Format::Javascript => "javascript",
        }
    }
}

impl Kind {
    pub const ALL: [Kind; 14] = [
        Kind::Compose,
        Kind::K8s,
        Kind::GhaWorkflow,
        Kind::Terraform,
        Kind::Dockerfile,
        Kind::PackageJson,
        Kind::GitlabCi,
        Kind::DjangoSettings,
        Kind::Dotenv,
        Kind::Nginx,
        Kind::PostgresqlConf,
        Kind::PgHba,
        Kind::NextConfig,
        Kind::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Compose => "compose",
            Kind::K8s => "k8s",
            Kind::GhaWorkflow => "gha-workflow",
            Kind::Terraform => "terraform",
            Kind::Dockerfile => "dockerfile",
            Kind::PackageJson => "package-json",
            Kind::GitlabCi => "gitlab-ci",
            Kind::DjangoSettings => "django-settings",
            Kind::Dotenv => "dotenv",
            Kind::Nginx => "nginx",
            Kind::PostgresqlConf => "postgresql-conf",
            Kind::PgHba => "pg-hba",
            Kind::NextConfig => "next-config",
            Kind::Generic => "generic",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == name)
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One document: a whole file, or one document of a multi-document YAML stream.
#[derive(Debug, Clone)]
pub struct Document {
    /// Path relative to the scan root, `/`-separated.
    pub path: String,
    pub format: Format,
    pub kind: Kind,
    pub source: SourceId,
    /// Position in a multi-document file, from 0.
    pub index: usize,
    pub root: Node,
}
