//! Every parser adapter on arbitrary text: none may panic, hang or build a span outside the
//! file. The adapter is chosen by the `PREFLIGHT_FUZZ_FORMAT` environment variable (one
//! libFuzzer run per adapter, so each gets its own corpus and its own exec/s figure).

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use preflight::model::{Format, Kind, SourceFile, SourceId};
use preflight::parse;

#[path = "../../tests/support/invariants.rs"]
mod invariants;

/// The file name each adapter is tried under (it decides the kind, and so the tree's shape).
fn target() -> (Format, Option<Kind>, &'static str) {
    static TARGET: OnceLock<(Format, Option<Kind>, &'static str)> = OnceLock::new();
    *TARGET.get_or_init(|| {
        let name = std::env::var("PREFLIGHT_FUZZ_FORMAT").unwrap_or_else(|_| "yaml".into());
        match name.as_str() {
            "yaml" => (Format::Yaml, None, "docker-compose.yml"),
            "json" => (Format::Json, Some(Kind::PackageJson), "package.json"),
            "toml" => (Format::Toml, Some(Kind::Generic), "pyproject.toml"),
            "hcl" => (Format::Hcl, Some(Kind::Terraform), "main.tf"),
            "dockerfile" => (Format::Dockerfile, Some(Kind::Dockerfile), "Dockerfile"),
            "python" => (Format::Python, Some(Kind::DjangoSettings), "settings.py"),
            "dotenv" => (Format::Dotenv, Some(Kind::Dotenv), ".env"),
            "nginx" => (Format::Nginx, Some(Kind::Nginx), "nginx.conf"),
            "pgconf" => (Format::Pgconf, Some(Kind::PostgresqlConf), "postgresql.conf"),
            "pghba" => (Format::Pgconf, Some(Kind::PgHba), "pg_hba.conf"),
            "javascript" => (Format::Javascript, Some(Kind::NextConfig), "next.config.js"),
            other => panic!("unknown PREFLIGHT_FUZZ_FORMAT `{other}`"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    // The scan reads only UTF-8 (anything else is an input error before parsing).
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (format, kind, name) = target();
    let file = SourceFile::new(SourceId(0), name, text);
    let (documents, errors) = parse::parse_file(&file, format, kind, &|_, _| None);
    for doc in &documents {
        if let Err(problem) = invariants::check_spans(&file, &doc.root) {
            panic!("{problem}");
        }
    }
    for err in &errors {
        if let Err(problem) = invariants::check_span(&file, &err.span, "error") {
            panic!("{problem}");
        }
    }
});
