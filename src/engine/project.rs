//! The project API: what a rule sees of the files beside the one it checks.
//!
//! `project()` is available in `check(doc)` and is the argument of `check_project(project)`.
//! Documents come back as `Document` handles (`.root`, `.path`, `.kind`, `.index`) that share
//! the scan's trees, so asking for every compose file copies nothing.

use std::sync::Arc;

use globset::{GlobBuilder, GlobMatcher};
use rhai::{Array, Dynamic, Engine, INT, Map, NativeCallContext};

use super::api::{RhaiResult, call_context, report, report_with_options};
use crate::model::{Document, Kind, Project, resolve_path};

/// A rule's handle on the scan.
#[derive(Clone)]
pub struct ProjectRef(pub Arc<Project>);

/// One document of the scan.
#[derive(Clone)]
pub struct DocumentRef {
    project: Arc<Project>,
    index: usize,
}

impl DocumentRef {
    fn get(&self) -> &Document {
        &self.project.documents[self.index]
    }
}

pub fn register(engine: &mut Engine) {
    engine.register_type_with_name::<ProjectRef>("Project");
    engine.register_type_with_name::<DocumentRef>("Document");

    engine.register_fn(
        "project",
        |ctx: NativeCallContext| -> RhaiResult<ProjectRef> {
            Ok(ProjectRef(call_context(&ctx)?.project.clone()))
        },
    );
    engine.register_fn(
        "document",
        |ctx: NativeCallContext| -> RhaiResult<Dynamic> {
            let call = call_context(&ctx)?;
            Ok(call.document.map_or(Dynamic::UNIT, |index| {
                Dynamic::from(DocumentRef {
                    project: call.project.clone(),
                    index,
                })
            }))
        },
    );

    engine.register_fn("documents", |project: &mut ProjectRef| {
        documents(project, |_| true)
    });
    engine.register_fn(
        "documents",
        |project: &mut ProjectRef, kind: &str| -> RhaiResult<Array> {
            let kind = parse_kind(kind)?;
            Ok(documents(project, |d| d.kind == kind))
        },
    );
    engine.register_fn(
        "documents",
        |project: &mut ProjectRef, kinds: Array| -> RhaiResult<Array> {
            let kinds = kinds
                .into_iter()
                .map(|k| {
                    k.into_string()
                        .map_err(|found| format!("a kind must be a string, found {found}").into())
                        .and_then(|k| parse_kind(&k))
                })
                .collect::<RhaiResult<Vec<Kind>>>()?;
            Ok(documents(project, |d| kinds.contains(&d.kind)))
        },
    );
    engine.register_fn("file", |project: &mut ProjectRef, path: &str| -> Dynamic {
        let found = project.0.documents_at(path).next().map(|(index, _)| index);
        found.map_or(Dynamic::UNIT, |index| {
            Dynamic::from(DocumentRef {
                project: project.0.clone(),
                index,
            })
        })
    });
    engine.register_fn("files", |project: &mut ProjectRef| -> Array {
        project.0.files.keys().cloned().map(Dynamic::from).collect()
    });
    engine.register_fn(
        "files",
        |project: &mut ProjectRef, pattern: &str| -> RhaiResult<Array> {
            let glob = matcher(pattern)?;
            Ok(project
                .0
                .files
                .keys()
                .filter(|path| glob.is_match(path.as_str()))
                .cloned()
                .map(Dynamic::from)
                .collect())
        },
    );
    engine.register_fn(
        "exists",
        |project: &mut ProjectRef, pattern: &str| -> RhaiResult<bool> {
            let glob = matcher(pattern)?;
            Ok(project
                .0
                .files
                .keys()
                .any(|path| glob.is_match(path.as_str())))
        },
    );
    engine.register_fn(
        "text",
        |ctx: NativeCallContext, project: &mut ProjectRef, path: &str| -> RhaiResult<Dynamic> {
            let call = call_context(&ctx)?;
            let Some(file) = project.0.files.get(path) else {
                return Ok(Dynamic::UNIT);
            };
            let text = match file.source.and_then(|id| call.sources.get(id)) {
                Some(source) => Some(source.text.to_string()),
                None => read_small(&file.location),
            };
            Ok(text.map_or(Dynamic::UNIT, Dynamic::from))
        },
    );
    // A memo for stdlib helpers whose answer is the same for every document of a scan
    // (which compose services build which Dockerfile): computed by the first call that asks,
    // shared by the rest. Two threads may both compute it; both get the same value.
    engine.register_fn(
        "cached",
        |ctx: NativeCallContext, _: &mut ProjectRef, key: &str| -> RhaiResult<Dynamic> {
            let call = call_context(&ctx)?;
            let cache = call.cache.lock().map_err(|_| "scan cache poisoned")?;
            Ok(cache.get(key).cloned().unwrap_or(Dynamic::UNIT))
        },
    );
    engine.register_fn(
        "cache",
        |ctx: NativeCallContext,
         _: &mut ProjectRef,
         key: &str,
         value: Dynamic|
         -> RhaiResult<Dynamic> {
            let call = call_context(&ctx)?;
            let mut cache = call.cache.lock().map_err(|_| "scan cache poisoned")?;
            cache.insert(key.to_string(), value.clone());
            Ok(value)
        },
    );
    engine.register_fn("resolve", |_: &mut ProjectRef, from: &str, rel: &str| {
        resolve_path(from, rel).map_or(Dynamic::UNIT, Dynamic::from)
    });

    engine.register_get("root", |d: &mut DocumentRef| d.get().root.clone());
    engine.register_get("path", |d: &mut DocumentRef| d.get().path.clone());
    engine.register_get("kind", |d: &mut DocumentRef| {
        d.get().kind.as_str().to_string()
    });
    engine.register_get("format", |d: &mut DocumentRef| {
        d.get().format.as_str().to_string()
    });
    engine.register_get("index", |d: &mut DocumentRef| d.get().index as INT);
    engine.register_fn("to_string", |d: &mut DocumentRef| {
        let doc = d.get();
        format!("{} ({})", doc.path, doc.kind)
    });
    engine.register_fn("to_debug", |d: &mut DocumentRef| {
        let doc = d.get();
        format!("Document({}#{}, {})", doc.path, doc.index, doc.kind)
    });

    // A finding about the project as a whole has no file: "no NetworkPolicy anywhere".
    engine.register_fn(
        "report",
        |ctx: NativeCallContext, _: ProjectRef, message: &str| {
            report(&ctx, None, message, None, None)
        },
    );
    engine.register_fn(
        "report",
        |ctx: NativeCallContext, _: ProjectRef, message: &str, help: &str| {
            report(&ctx, None, message, Some(help), None)
        },
    );
    engine.register_fn(
        "report",
        |ctx: NativeCallContext, _: ProjectRef, message: &str, options: Map| {
            report_with_options(&ctx, None, message, &options)
        },
    );
}

/// Text of a file preflight did not parse (`.dockerignore`, `README.md`); `None` when it is
/// large or not UTF-8, which no rule needs to read.
fn read_small(path: &std::path::Path) -> Option<String> {
    const LIMIT: u64 = 1024 * 1024;
    let size = std::fs::metadata(path).ok()?.len();
    if size > LIMIT {
        return None;
    }
    std::fs::read_to_string(path).ok()
}

fn documents(project: &ProjectRef, keep: impl Fn(&Document) -> bool) -> Array {
    project
        .0
        .documents
        .iter()
        .enumerate()
        .filter(|(_, d)| keep(d))
        .map(|(index, _)| {
            Dynamic::from(DocumentRef {
                project: project.0.clone(),
                index,
            })
        })
        .collect()
}

fn parse_kind(name: &str) -> RhaiResult<Kind> {
    Kind::from_name(name).ok_or_else(|| {
        let known: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind `{name}`; known kinds: {}", known.join(", ")).into()
    })
}

/// `*` stays within one directory, `**` crosses them: `**/*.md`, `docs/runbook*`.
fn matcher(pattern: &str) -> RhaiResult<GlobMatcher> {
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map(|g| g.compile_matcher())
        .map_err(|err| format!("invalid glob `{pattern}`: {err}").into())
}
