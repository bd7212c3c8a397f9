//! Differential test: preflight's django rules against Django's own `check --deploy`.
//!
//! For every settings-module fixture under `tests/fixtures/django/*/{fail,pass}/*.py`, this
//! test builds a throw-away project (a `manage.py` beside a copy of the module), runs
//! `python manage.py check --deploy` with Django from a virtual environment, and compares
//! the set of Django's `security.*` warnings with the set of preflight django rules that
//! fire on the same file.
//!
//! **The mapping table is the rules' `META.peers`**: a rule with
//! `peers: ["django:security.W008"]` is expected to fire exactly when Django reports W008.
//! A rule with several peers (`session-cookie-not-secure`: W010, W011, W012) fires when
//! Django reports any of them. What is deliberately outside the comparison:
//!
//! - rules with no `django:` peer report things Django does not check (a key written in the
//!   repository, `ALLOWED_HOSTS = ["*"]`, an HSTS max-age under a year, CORS, DRF, database
//!   TLS…): their findings are ignored here;
//! - Django checks no rule claims (`DJANGO_NOT_CHECKED` below) are ignored on Django's side;
//! - directory fixtures are skipped: Django reads only the settings module, preflight also
//!   reads the nginx configuration or Ingress beside it (that is their point);
//! - fixtures named for development or tests (`local_settings.py`) and base modules
//!   (`base.py`) are skipped: preflight deliberately does not judge them as production;
//! - `SKIP` lists fixtures Django cannot load as they are, with the reason.
//!
//! `DATABASES` is replaced by an in-memory SQLite database after the module loads (no
//! deploy check reads it, and it spares installing a PostgreSQL driver), and apps the
//! virtual environment does not have (`corsheaders`, `rest_framework`, the project's own
//! `shop`) are dropped from `INSTALLED_APPS`: no deploy check reads them, and Django could
//! not load the module with them.
//! Django runs with a clean environment, so environment lookups fall back to their
//! defaults, which is what preflight judges when no file of the scan sets the variable. A
//! `SECRET_KEY` read without a default gets a strong key (preflight cannot judge it; Django
//! needs one to load); any other setting read without a default makes the fixture skipped.
//! Modules whose model (`preflight parse`) has star imports preflight cannot follow,
//! dynamic settings or `if`/`try` blocks are skipped too: preflight withholds or lowers
//! its findings there on purpose.
//!
//! The virtual environment is made by `.ci/run` (`target/django-venv`, Django 5 from PyPI);
//! `PREFLIGHT_DJANGO_PYTHON` points at another interpreter. Without one, the test prints a
//! loud notice and passes on a developer machine, and fails when `CI` is set.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Django deploy checks no preflight rule claims, and why.
const DJANGO_NOT_CHECKED: &[(&str, &str)] = &[
    (
        "security.W003",
        "CsrfViewMiddleware missing: not in the checklists",
    ),
    (
        "security.W013",
        "SESSION_COOKIE_HTTPONLY with the sessions app: not in the checklists",
    ),
    (
        "security.W014",
        "SESSION_COOKIE_HTTPONLY with the session middleware: not in the checklists",
    ),
    (
        "security.W015",
        "SESSION_COOKIE_HTTPONLY: not in the checklists",
    ),
    (
        "security.W024",
        "SECRET_KEY_FALLBACKS missing: rare; not in the checklists",
    ),
    (
        "security.W025",
        "weak SECRET_KEY_FALLBACKS: not in the checklists",
    ),
    (
        "security.E024",
        "invalid SECURE_CROSS_ORIGIN_OPENER_POLICY: not in the checklists",
    ),
];

/// Fixtures Django cannot load as written, with the reason.
const SKIP: &[(&str, &str)] = &[
    (
        "database-ssl-disabled/fail/dj_database_url_settings.py",
        "imports dj_database_url, which the virtual environment does not have",
    ),
    (
        "database-ssl-disabled/pass/ssl_require_settings.py",
        "imports dj_database_url, which the virtual environment does not have",
    ),
];

const STRONG_KEY: &str = "oracle-7Qm2vX9pL4tR8wZ1nB6cY3hJ5kD0sF-gUeAiOoPq_rTyWx";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> Option<PathBuf> {
    if let Ok(p) = std::env::var("PREFLIGHT_DJANGO_PYTHON") {
        return Some(PathBuf::from(p));
    }
    let venv = root().join("target/django-venv/bin/python");
    venv.exists().then_some(venv)
}

/// `META.peers` of every django rule: Django check id → rule id.
fn peers() -> BTreeMap<String, String> {
    let mut table = BTreeMap::new();
    let dir = root().join("policies/django");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rhai") {
            continue;
        }
        let rule = format!("django/{}", path.file_stem().unwrap().to_string_lossy());
        let text = std::fs::read_to_string(&path).unwrap();
        let Some(line) = text.lines().find(|l| l.trim_start().starts_with("peers:")) else {
            continue;
        };
        for part in line.split('"') {
            if let Some(id) = part.strip_prefix("django:") {
                let previous = table.insert(id.to_string(), rule.clone());
                assert!(
                    previous.is_none(),
                    "{id} is claimed by two rules: {previous:?} and {rule}"
                );
            }
        }
    }
    table
}

fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let base = root().join("tests/fixtures/django");
    for rule in std::fs::read_dir(&base).unwrap() {
        for side in ["fail", "pass"] {
            let dir = rule.as_ref().unwrap().path().join(side);
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            for entry in entries {
                let path = entry.unwrap().path();
                if path.is_file() && path.extension().is_some_and(|e| e == "py") {
                    out.push(path);
                }
            }
        }
    }
    out.sort();
    out
}

/// Why preflight deliberately judges this fixture differently from Django, or None.
fn not_comparable(path: &Path) -> Option<&'static str> {
    let stem = path.file_stem().unwrap().to_string_lossy().to_lowercase();
    let words = [
        "dev",
        "development",
        "local",
        "test",
        "tests",
        "testing",
        "example",
        "ci",
    ];
    if stem.split(['_', '-', '.']).any(|w| words.contains(&w)) {
        return Some("named for development or tests");
    }
    if ["base", "common", "defaults", "default", "shared"].contains(&stem.as_str()) {
        return Some("a base module");
    }
    None
}

/// preflight's model of the module (`preflight parse`): why Django and preflight cannot be
/// compared on it, or the environment variables Django needs to load it.
fn environment_for(fixture: &Path) -> Result<Vec<(String, String)>, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["parse", "--format", "json"])
        .arg(fixture)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let root = &json[0]["root"];
    let map = root.as_object().cloned().unwrap_or_default();
    for (key, reason) in [
        (
            "$unresolved",
            "a star import preflight cannot follow: it stays quiet about what may be missing",
        ),
        (
            "$dynamic",
            "settings set dynamically: preflight stays quiet about what may be missing",
        ),
        (
            "$conditional",
            "values set in if/try blocks: preflight lowers or withholds findings on purpose",
        ),
    ] {
        if map.get(key).is_some_and(|v| {
            !v.as_object().is_some_and(|o| o.is_empty())
                && !v.as_array().is_some_and(|a| a.is_empty())
        }) {
            return Err(reason.to_string());
        }
    }
    if !map.contains_key("INSTALLED_APPS") && !map.contains_key("MIDDLEWARE") {
        return Err("neither INSTALLED_APPS nor MIDDLEWARE: a fragment, not judged as a whole settings module".into());
    }
    let mut env = Vec::new();
    for (name, value) in &map {
        let Some(variable) = value.get("$env").and_then(|v| v.as_str()) else {
            continue;
        };
        if value.get("default").is_some() {
            continue; // unset: Django uses the default, which is what preflight judges
        }
        if name == "SECRET_KEY" {
            env.push((variable.to_string(), STRONG_KEY.to_string()));
        } else {
            return Err(format!(
                "{name} reads {variable} without a default: its value is the deployment's"
            ));
        }
    }
    Ok(env)
}

fn django_warnings(
    python: &Path,
    fixture: &Path,
    env: &[(String, String)],
) -> Result<BTreeSet<String>, String> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(fixture, dir.path().join("oracle_settings.py")).unwrap();
    // The database is no part of the deploy checks; SQLite spares installing a driver.
    std::fs::write(
        dir.path().join("oracle_wrapper.py"),
        "import importlib.util\n\
         from oracle_settings import *  # noqa\n\
         DATABASES = {\"default\": {\"ENGINE\": \"django.db.backends.sqlite3\", \"NAME\": \":memory:\"}}\n\
         INSTALLED_APPS = [a for a in INSTALLED_APPS if importlib.util.find_spec(a.split(\".\")[0])]\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("manage.py"),
        "import sys\nfrom django.core.management import execute_from_command_line\n\
         execute_from_command_line(sys.argv)\n",
    )
    .unwrap();
    let out = Command::new(python)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("PYTHONPATH", dir.path())
        .env("DJANGO_SETTINGS_MODULE", "oracle_wrapper")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .args(["manage.py", "check", "--deploy"])
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if text.contains("Traceback") {
        let tail: Vec<&str> = text.lines().rev().take(3).collect();
        return Err(tail.into_iter().rev().collect::<Vec<_>>().join("\n"));
    }
    let mut ids = BTreeSet::new();
    for part in text.split("(security.").skip(1) {
        if let Some(id) = part.split(')').next() {
            ids.insert(format!("security.{id}"));
        }
    }
    Ok(ids)
}

fn preflight_rules(fixture: &Path) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_preflight"))
        .args(["check", "--format", "json"])
        .arg(fixture)
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("preflight output for {}: {e}", fixture.display()));
    json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["rule"].as_str())
        .filter(|r| r.starts_with("django/"))
        .map(str::to_string)
        .collect()
}

#[test]
fn django_rules_agree_with_manage_py_check_deploy() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Django differential test: .ci/run creates target/django-venv"
        );
        eprintln!(
            "\n\n*** SKIPPED django_oracle: no Django to compare with. ***\n\
             *** Create it with: python3 -m venv target/django-venv && target/django-venv/bin/pip install \
             'Django>=5,<6' django-environ python-decouple django-otp ***\n\
             *** (.ci/run does this; or set PREFLIGHT_DJANGO_PYTHON.) ***\n\n"
        );
        return;
    };
    let table = peers();
    assert!(table.len() >= 10, "too few django peers found: {table:?}");
    let peer_rules: BTreeSet<&String> = table.values().collect();
    let ignored: BTreeSet<&str> = DJANGO_NOT_CHECKED.iter().map(|(id, _)| *id).collect();
    // One `manage.py check --deploy` takes about a second; three run at a time.
    let fixtures = fixtures();
    let chunk = fixtures.len().div_ceil(3).max(1);
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = fixtures
            .chunks(chunk)
            .map(|part| {
                let (python, table, ignored, peer_rules) = (&python, &table, &ignored, &peer_rules);
                scope.spawn(move || {
                    part.iter()
                        .map(|f| compare(python, f, table, ignored, peer_rules))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let mut failures = Vec::new();
    let mut compared = 0;
    for outcome in outcomes {
        match outcome {
            Outcome::Skipped(why) => eprintln!("{why}"),
            Outcome::Agree => compared += 1,
            Outcome::Disagree(text) => {
                compared += 1;
                failures.push(text);
            }
            Outcome::Broken(text) => failures.push(text),
        }
    }
    assert!(compared >= 10, "only {compared} fixtures compared");
    assert!(
        failures.is_empty(),
        "preflight and Django disagree:\n{}",
        failures.join("\n")
    );
}

enum Outcome {
    Skipped(String),
    Agree,
    Disagree(String),
    Broken(String),
}

/// Django and preflight on one fixture.
fn compare(
    python: &Path,
    fixture: &Path,
    table: &BTreeMap<String, String>,
    ignored: &BTreeSet<&str>,
    peer_rules: &BTreeSet<&String>,
) -> Outcome {
    let rel = fixture
        .strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .to_string();
    if let Some(reason) = not_comparable(fixture) {
        return Outcome::Skipped(format!("skip {rel}: {reason}"));
    }
    if let Some((_, reason)) = SKIP.iter().find(|(p, _)| rel.ends_with(p)) {
        return Outcome::Skipped(format!("skip {rel}: {reason}"));
    }
    let env = match environment_for(fixture) {
        Ok(env) => env,
        Err(reason) => return Outcome::Skipped(format!("skip {rel}: {reason}")),
    };
    let django = match django_warnings(python, fixture, &env) {
        Ok(ids) => ids,
        Err(text) => return Outcome::Broken(format!("{rel}: Django could not load it:\n{text}")),
    };
    let mut unmapped = BTreeSet::new();
    let mut expected = BTreeSet::new();
    for id in &django {
        match table.get(id) {
            Some(rule) => {
                expected.insert(rule.clone());
            }
            None if ignored.contains(id.as_str()) => {}
            None => {
                unmapped.insert(id.clone());
            }
        }
    }
    let got: BTreeSet<String> = preflight_rules(fixture)
        .into_iter()
        .filter(|r| peer_rules.contains(r))
        .collect();
    if expected != got || !unmapped.is_empty() {
        return Outcome::Disagree(format!(
            "{rel}:\n  Django: {django:?}\n  expected rules: {expected:?}\n  preflight: {got:?}\n  \
             Django ids in no rule's peers nor DJANGO_NOT_CHECKED: {unmapped:?}"
        ));
    }
    Outcome::Agree
}
