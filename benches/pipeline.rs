//! Parse and evaluate cost per format: one representative document each.
//!
//! `cargo bench --bench pipeline`. Whole-run figures (hyperfine) are in the README.

use std::path::Path;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use preflight::engine::Host;
use preflight::model::{Project, SourceMap};
use preflight::parse::{detect, parse_file};

const FILES: &[&str] = &[
    "examples/demo/docker-compose.yml",
    "examples/demo/k8s/web.yaml",
    "examples/demo/backend/Dockerfile",
    "examples/demo/terraform/main.tf",
    "examples/demo/frontend/package.json",
];

fn bench(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut sources = SourceMap::default();
    let (host, errors) = Host::load(&[], Default::default(), &mut sources);
    assert!(errors.is_empty(), "default pack loads");
    let files: Vec<_> = FILES
        .iter()
        .map(|rel| {
            let text = std::fs::read_to_string(root.join(rel)).expect("demo file");
            sources.add(*rel, text)
        })
        .collect();
    let sources = Arc::new(sources);

    for file in &files {
        let (format, kind) = detect::by_name(&file.path).expect("known format");
        c.bench_function(&format!("parse {}", file.path), |b| {
            b.iter(|| parse_file(file, format, kind, &|_, _| None))
        });
        let (documents, _) = parse_file(file, format, kind, &|_, _| None);
        let project = Arc::new(Project {
            documents,
            files: Default::default(),
        });
        c.bench_function(&format!("evaluate pack on {}", file.path), |b| {
            b.iter(|| host.evaluate(&project, &sources))
        });
    }
    c.bench_function("load and compile the default pack", |b| {
        b.iter(|| Host::load(&[], Default::default(), &mut SourceMap::default()))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
