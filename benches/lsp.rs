//! What the language server does on a keystroke (after the debounce): one edited 1 000-line
//! file re-parsed and re-checked against the rest of its project. Target: under 20 ms.
//!
//! `cargo bench --bench lsp`.

use std::fmt::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use preflight::check::{Checker, Options};

/// A compose file of about 1 000 lines: 50 services of 20 lines, a few of them unready.
fn compose() -> String {
    let mut out = String::from("services:\n");
    for i in 0..50 {
        let image = if i % 10 == 0 {
            "nginx:latest".to_string()
        } else {
            format!("registry.example.com/app/service-{i}:1.{i}.0")
        };
        write!(
            out,
            "  service-{i}:
    image: {image}
    user: \"10001:10001\"
    restart: unless-stopped
    read_only: true
    security_opt:
      - no-new-privileges:true
    mem_limit: 512m
    environment:
      SERVICE_NAME: service-{i}
      LOG_LEVEL: info
      PORT: \"80{i:02}\"
    healthcheck:
      test: [\"CMD\", \"/app/healthcheck\"]
      interval: 30s
      timeout: 5s
    labels:
      com.example.team: team-{i}
      com.example.tier: backend
    networks: [backend]
"
        )
        .unwrap();
    }
    out.push_str("networks:\n  backend: {}\n");
    out
}

/// A Django settings module of about 1 000 lines.
fn settings() -> String {
    let mut out = String::from(
        "import os\n\nDEBUG = True\nSECRET_KEY = os.environ[\"DJANGO_SECRET_KEY\"]\nALLOWED_HOSTS = [\"shop.example.com\"]\n",
    );
    for i in 0..995 {
        writeln!(
            out,
            "FEATURE_FLAG_{i} = os.environ.get(\"FEATURE_{i}\", \"off\")"
        )
        .unwrap();
    }
    out
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    // Each file, with the keystroke to re-check it after: one value edited.
    let files = [
        (
            "docker-compose.yml",
            compose(),
            ("LOG_LEVEL: info", "LOG_LEVEL: debug"),
        ),
        (
            "settings.py",
            settings(),
            ("\"FEATURE_500\", \"off\"", "\"FEATURE_500\", \"on\""),
        ),
    ];
    for (name, text, _) in &files {
        assert!(text.lines().count() >= 1000, "{name} has 1 000 lines");
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    std::fs::write(
        dir.path().join("Dockerfile"),
        "FROM python:3.12\nCMD [\"gunicorn\"]\n",
    )
    .expect("write");
    let checker = Checker::new(&Options::default());
    let outcome = checker.run(dir.path());
    for (name, text, (from, to)) in &files {
        let edited = text.replacen(from, to, 1);
        assert_ne!(&edited, text, "the edit applies");
        assert!(
            checker
                .recheck(&outcome.project, &outcome.sources, name, &edited)
                .is_some(),
            "{name} was scanned"
        );
        c.bench_function(
            &format!("re-check a 1 000-line {name} after an edit"),
            |b| b.iter(|| checker.recheck(&outcome.project, &outcome.sources, name, &edited)),
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
