//! The whole `check` pipeline (walk, detect, parse, star imports, nginx includes, env files,
//! every default rule, suppressions) on a small project built from the input: NUL bytes
//! separate files, and each file's first byte picks its name. Nothing may panic or hang, and
//! the `.env` beside them keeps its finding.

#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use preflight::check::{Checker, Options};

#[path = "../../tests/support/invariants.rs"]
mod invariants;

const NAMES: &[&str] = &[
    "docker-compose.yml",
    "k8s/deploy.yaml",
    ".github/workflows/ci.yml",
    "package.json",
    "infra/main.tf",
    "Dockerfile",
    "config/settings/base.py",
    "config/settings/production.py",
    "manage.py",
    ".env.production",
    "nginx/nginx.conf",
    "nginx/conf.d/site.conf",
    "postgresql.conf",
    "pg_hba.conf",
    "next.config.js",
    "pyproject.toml",
];

fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(&Options::default()))
}

fuzz_target!(|data: &[u8]| {
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
        let _ = std::fs::write(path, bytes);
    };
    write(".env", b"DEBUG=True\n");
    for part in data.split(|b| *b == 0).take(6) {
        let Some((&pick, content)) = part.split_first() else {
            continue;
        };
        write(NAMES[usize::from(pick) % NAMES.len()], content);
    }
    let outcome = checker().run(dir.path());
    assert!(
        outcome
            .findings
            .iter()
            .any(|f| f.rule == "env/debug-enabled" && f.path.as_deref() == Some(".env")),
        "the .env finding was lost: {:?}",
        outcome.findings
    );
    for finding in &outcome.findings {
        if let Some(span) = finding.span
            && let Some(file) = outcome.sources.get(span.source)
            && let Err(problem) = invariants::check_span(file, &span, &finding.rule)
        {
            panic!("{problem}");
        }
    }
});
