//! The Rhai host: one engine, every policy compiled once, documents evaluated in parallel.

mod api;
mod loader;
mod meta;
mod project;

use std::cell::Cell;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use rhai::module_resolvers::StaticModuleResolver;
use rhai::{CallFnOptions, Engine, EvalAltResult, Module, Scope};

pub use api::CallContext;
pub use loader::{Entry, PolicyError, Rule};
pub use meta::RuleMeta;

use crate::embedded;
use crate::finding::{Finding, Severity, builtin};
use crate::limits::Limits;
use crate::model::{Project, SourceFile, SourceMap};

/// What evaluating the pack produced.
pub struct Evaluation {
    /// Sorted by path, position and rule.
    pub findings: Vec<Finding>,
    /// Per rule, in rule order: how often it ran and for how long in all (summed over
    /// threads, so the total can exceed the wall time).
    pub timings: Vec<RuleTiming>,
}

#[derive(Debug, Clone)]
pub struct RuleTiming {
    pub rule: String,
    pub calls: usize,
    pub total: Duration,
}

/// The loaded policy set and the engine that runs it.
pub struct Host {
    engine: Engine,
    rules: Vec<Rule>,
    /// How long one rule call may take.
    timeout: Duration,
}

thread_local! {
    /// When the rule call running on this thread must stop. Each call runs on one thread from
    /// start to end, so the engine's progress callback can find its own deadline here.
    static DEADLINE: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// Stack of each thread rules run on: reserved, not committed, until a deep call uses it.
const RULE_STACK_SIZE: usize = 64 * 1024 * 1024;

/// Operations between two looks at the clock: reading it on every operation would cost more
/// than the rules.
const CLOCK_EVERY: u64 = 1024;

impl Host {
    /// Builds the engine, loads the embedded stdlib and default pack, then each extra policy
    /// directory in order (a rule there with a default rule's id replaces it). Policy sources
    /// are added to `sources` so their errors can be shown with a snippet; the returned errors
    /// are the policies that could not be loaded.
    pub fn load(
        policy_dirs: &[PathBuf],
        limits: Limits,
        sources: &mut SourceMap,
    ) -> (Host, Vec<PolicyError>) {
        let mut engine = new_engine(limits);
        let mut errors = Vec::new();

        // Stdlib modules may import each other: build them in passes until none is left that a
        // newly built module could unblock.
        let mut resolver = StaticModuleResolver::new();
        let mut pending: Vec<_> = embedded::STDLIB
            .iter()
            .map(|(path, text)| sources.add(*path, *text))
            .collect();
        loop {
            let mut failed = Vec::new();
            let before = pending.len();
            for file in pending {
                engine.set_module_resolver(resolver.clone());
                match compile_module(&engine, &file) {
                    Ok(module) => resolver.insert(module_name(&file.path), module),
                    Err(err) => failed.push((file, err)),
                }
            }
            if failed.is_empty() || failed.len() == before {
                errors.extend(failed.into_iter().map(|(_, err)| err));
                break;
            }
            pending = failed.into_iter().map(|(file, _)| file).collect();
        }
        engine.set_module_resolver(resolver);

        let mut rules: Vec<Rule> = Vec::new();
        let mut add =
            |result: Result<Rule, PolicyError>, errors: &mut Vec<PolicyError>| match result {
                Ok(rule) => {
                    rules.retain(|r| r.meta.id != rule.meta.id);
                    rules.push(rule);
                }
                Err(err) => errors.push(err),
            };
        for (path, text) in embedded::POLICIES {
            let file = sources.add(*path, *text);
            add(
                loader::compile_rule(&engine, file, &loader::id_from_path(path)),
                &mut errors,
            );
        }
        for dir in policy_dirs {
            let files = match loader::policy_files(dir) {
                Ok(files) => files,
                Err(err) => {
                    let file = sources.add(dir.display().to_string(), "");
                    errors.push(PolicyError {
                        file,
                        line: 1,
                        column: 1,
                        message: format!("cannot read policy directory: {err}"),
                    });
                    continue;
                }
            };
            for path in files {
                let display = path.display().to_string();
                let rel = path
                    .strip_prefix(dir)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                match std::fs::read_to_string(&path) {
                    Ok(text) => {
                        let file = sources.add(display, text);
                        add(
                            loader::compile_rule(&engine, file, &loader::id_from_path(&rel)),
                            &mut errors,
                        );
                    }
                    Err(err) => errors.push(PolicyError {
                        file: sources.add(display, ""),
                        line: 1,
                        column: 1,
                        message: format!("cannot read policy: {err}"),
                    }),
                }
            }
        }
        rules.sort_by(|a, b| a.meta.id.cmp(&b.meta.id));
        let host = Host {
            engine,
            rules,
            timeout: limits.rule_timeout,
        };
        (host, errors)
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The signatures of the host functions policies can call, sorted: the API's surface.
    pub fn api_signatures(&self) -> Vec<String> {
        let mut signatures: Vec<String> = self
            .engine
            .gen_fn_signatures(false)
            .iter()
            .map(|s| script_types(s))
            .collect();
        signatures.sort();
        signatures
    }

    /// Runs every applicable rule on every document, and every project rule once, in
    /// parallel; findings come back sorted, with the time each rule took.
    pub fn evaluate(&self, project: &Arc<Project>, sources: &Arc<SourceMap>) -> Evaluation {
        let cache = Arc::new(api::ScanCache::default());
        let timed = |index: usize, document: Option<usize>| {
            let start = Instant::now();
            let findings = self.run(&self.rules[index], project, document, sources, &cache);
            (index, start.elapsed(), findings)
        };
        let per_document = (0..project.documents.len())
            .into_par_iter()
            .flat_map_iter(|document| {
                let kind = project.documents[document].kind;
                (0..self.rules.len())
                    .filter(move |&r| {
                        let rule = &self.rules[r];
                        rule.entry == Entry::Document && rule.meta.applies_to(kind)
                    })
                    .map(move |r| timed(r, Some(document)))
                    .collect::<Vec<_>>()
            });
        let per_project = (0..self.rules.len())
            .into_par_iter()
            .filter(|&r| self.rules[r].entry == Entry::Project)
            .map(|r| timed(r, None));
        let collect = || per_document.chain(per_project).collect::<Vec<_>>();
        // Rhai recurses on the native stack, several frames per script call level: at the
        // call depth limit that outgrows rayon's default 2 MiB stacks (an overflow aborts the
        // process). Rules run on threads with room for it, as many as the caller's pool has.
        let runs: Vec<_> = match rayon::ThreadPoolBuilder::new()
            .num_threads(rayon::current_num_threads())
            .stack_size(RULE_STACK_SIZE)
            .build()
        {
            Ok(pool) => pool.install(collect),
            Err(_) => collect(),
        };

        let mut timings: Vec<RuleTiming> = self
            .rules
            .iter()
            .map(|rule| RuleTiming {
                rule: rule.meta.id.clone(),
                calls: 0,
                total: Duration::ZERO,
            })
            .collect();
        let mut findings = Vec::new();
        for (index, elapsed, found) in runs {
            timings[index].calls += 1;
            timings[index].total += elapsed;
            findings.extend(found);
        }
        findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        Evaluation { findings, timings }
    }

    /// One rule on one document, or a project rule on the project. Findings reported before
    /// an error are kept.
    fn run(
        &self,
        rule: &Rule,
        project: &Arc<Project>,
        document: Option<usize>,
        sources: &Arc<SourceMap>,
        cache: &Arc<api::ScanCache>,
    ) -> Vec<Finding> {
        let context = Arc::new(CallContext {
            sources: sources.clone(),
            project: project.clone(),
            document,
            rule: rule.meta.clone(),
            findings: Mutex::new(Vec::new()),
            cache: cache.clone(),
        });
        let options = CallFnOptions::new().with_tag(context.clone());
        DEADLINE.set(Some(Instant::now() + self.timeout));
        let result = match document {
            Some(index) => self.engine.call_fn_with_options::<rhai::Dynamic>(
                options,
                &mut Scope::new(),
                &rule.ast,
                "check",
                (project.documents[index].root.clone(),),
            ),
            None => self.engine.call_fn_with_options::<rhai::Dynamic>(
                options,
                &mut Scope::new(),
                &rule.ast,
                "check_project",
                (project::ProjectRef(project.clone()),),
            ),
        };
        DEADLINE.set(None);
        let mut findings =
            std::mem::take(&mut *context.findings.lock().unwrap_or_else(|e| e.into_inner()));
        if let Err(err) = result {
            let target = document.map_or("the project", |i| &project.documents[i].path);
            findings.push(runtime_error(rule, target, &err, self.timeout));
        }
        findings
    }
}

/// Rust type names in a generated signature, as a script sees them: a fallible
/// `Result<String, Box<EvalAltResult>>` returns `string`.
fn script_types(signature: &str) -> String {
    const ERROR: &str = ",alloc::boxed::Box<rhai::types::error::EvalAltResult>>";
    let mut out = signature.to_string();
    while let Some(start) = out.find("core::result::Result<") {
        let Some(end) = out[start..].find(ERROR).map(|i| start + i) else {
            break;
        };
        let inner = out[start + "core::result::Result<".len()..end].to_string();
        out.replace_range(start..end + ERROR.len(), &inner);
    }
    out.replace("alloc::string::String", "string")
        .replace("alloc::vec::Vec<rhai::types::dynamic::Dynamic>", "array")
        .replace("alloc::vec::Vec<Dynamic>", "array")
        .replace("preflight::engine::project::ProjectRef", "Project")
        .replace("rhai::types::dynamic::Dynamic", "Dynamic")
        .replace("types::dynamic::Dynamic", "Dynamic")
        .replace(
            "alloc::collections::btree::map::BTreeMap<smartstring::SmartString<smartstring::config::LazyCompact>,Dynamic>",
            "map",
        )
}

fn new_engine(limits: Limits) -> Engine {
    // `Engine::new` has no file, process, network or environment functions (those live in
    // crates preflight does not use); the module resolver is replaced in `Host::load` by one
    // that knows only the stdlib, so `import` cannot reach the file system either.
    let mut engine = Engine::new();
    engine.set_max_operations(limits.rule_max_operations);
    engine.set_max_call_levels(limits.rule_max_call_depth);
    engine.set_max_string_size(limits.rule_max_string_size);
    engine.set_max_array_size(limits.rule_max_array_size);
    engine.set_max_map_size(limits.rule_max_map_size);
    // The wall-clock cap: a call past its deadline is terminated.
    engine.on_progress(|operations| {
        let late = operations % CLOCK_EVERY == 0
            && DEADLINE
                .get()
                .is_some_and(|deadline| Instant::now() > deadline);
        late.then_some(rhai::Dynamic::UNIT)
    });
    engine.set_max_modules(64);
    engine.set_max_expr_depths(128, 64);
    // Policies decide; they do not run code built from strings.
    engine.disable_symbol("eval");
    // Keep stdout for findings: script output goes to stderr.
    engine.on_print(|text| eprintln!("{text}"));
    engine.on_debug(|text, source, pos| eprintln!("{}{pos:?}: {text}", source.unwrap_or("")));
    api::register(&mut engine);
    project::register(&mut engine);
    engine
}

/// `stdlib/images.rhai` is imported as `"images"`.
fn module_name(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".rhai").unwrap_or(file)
}

fn compile_module(engine: &Engine, file: &Arc<SourceFile>) -> Result<Module, PolicyError> {
    let fail = |err: &EvalAltResult| PolicyError {
        file: file.clone(),
        line: err.position().line().unwrap_or(1) as u32,
        column: err.position().position().unwrap_or(1) as u32,
        message: err.to_string(),
    };
    let ast = engine
        .compile(&*file.text)
        .map_err(|err| fail(&err.into()))?;
    Module::eval_ast_as_new(Scope::new(), &ast, engine).map_err(|err| fail(&err))
}

/// A rule that threw or exceeded a limit, as a finding at the place in the rule that failed.
fn runtime_error(rule: &Rule, target: &str, err: &EvalAltResult, timeout: Duration) -> Finding {
    let (inner, position) = innermost(err);
    let line = position
        .line()
        .map(|l| l as u32)
        .or_else(|| loader::line_of(&rule.source, rule.entry.function()))
        .unwrap_or(1);
    policy_error_finding(&PolicyError {
        file: rule.source.clone(),
        line,
        column: position.position().unwrap_or(1) as u32,
        message: format!(
            "rule `{}` failed on `{}`: {}",
            rule.meta.id,
            target,
            describe(inner, timeout)
        ),
    })
}

/// Unwraps "error in function call" layers to the error that actually happened and the
/// position inside this rule's own file where it happened.
fn innermost(err: &EvalAltResult) -> (&EvalAltResult, rhai::Position) {
    let mut current = err;
    let mut position = err.position();
    while let EvalAltResult::ErrorInFunctionCall(_, source, inner, pos) = current {
        if !source.is_empty() {
            // The error is inside a stdlib module: point at the call in the rule.
            position = *pos;
            current = inner;
            break;
        }
        current = inner;
        if !inner.position().is_none() {
            position = inner.position();
        }
    }
    while let EvalAltResult::ErrorInFunctionCall(_, _, inner, _) = current {
        current = inner;
    }
    (current, position)
}

fn describe(err: &EvalAltResult, timeout: Duration) -> String {
    match err {
        EvalAltResult::ErrorTerminated(..) => format!(
            "exceeded the time limit of {} ms for one call (`rule-timeout-ms` in `[limits]`)",
            timeout.as_millis()
        ),
        EvalAltResult::ErrorModuleNotFound(name, _) => format!(
            "cannot import `{name}`: policies import only the stdlib's modules, by name (`import \"images\"`), never files"
        ),
        EvalAltResult::ErrorDataTooLarge(what, _) => format!(
            "exceeded the size limit: {what} (a runaway string, array or map; `rule-max-string-size`, `rule-max-array-size` and `rule-max-map-size` in `[limits]`)"
        ),
        EvalAltResult::ErrorTooManyOperations(_) => {
            "exceeded the operations limit (an endless loop, or far too much work for one document)"
                .into()
        }
        EvalAltResult::ErrorStackOverflow(_) => {
            "exceeded the call depth limit (endless recursion?)".into()
        }
        EvalAltResult::ErrorRuntime(value, _) => format!("threw `{value}`"),
        other => {
            // Rhai appends " (line x, position y)"; the label shows the place already.
            let text = other.to_string();
            match text.rfind(" (line ") {
                Some(i) => text[..i].to_string(),
                None => text,
            }
        }
    }
}

/// A policy that could not be loaded or failed while running, as a finding in its file.
pub fn policy_error_finding(err: &PolicyError) -> Finding {
    let offset = err.file.offset_at(err.line, err.column);
    Finding {
        rule: builtin::POLICY_ERROR.into(),
        severity: Severity::High,
        message: err.message.clone(),
        path: Some(err.file.path.clone()),
        span: Some(err.file.span(offset..offset + 1)),
        checklist: Vec::new(),
        help: Some("Fix the policy; the other rules still ran.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Policies come from other repositories: nothing they can call may touch the machine.
    /// Rhai's standard packages have no such function; this fails if a package or a host
    /// function that has one is ever registered.
    #[test]
    fn scripts_can_reach_no_file_process_network_or_environment() {
        const FORBIDDEN: &[&str] = &[
            // Not `remove`: Rhai's arrays, maps and strings have one, and none touches a file.
            "open",
            "read",
            "write",
            "read_file",
            "write_file",
            "unlink",
            "mkdir",
            "read_dir",
            "exec",
            "system",
            "spawn",
            "command",
            "shell",
            "run",
            "env",
            "getenv",
            "set_env",
            "var",
            "connect",
            "socket",
            "http",
            "request",
            "fetch",
            "download",
            "load",
        ];
        let engine = new_engine(Limits::default());
        let names: Vec<String> = engine
            .gen_fn_signatures(true)
            .iter()
            .filter_map(|signature| {
                let name = signature.split('(').next()?;
                Some(name.rsplit(' ').next().unwrap_or(name).to_string())
            })
            .collect();
        assert!(
            names.len() > 100,
            "the standard packages are listed: {names:?}"
        );
        let reachable: Vec<&String> = names
            .iter()
            .filter(|name| FORBIDDEN.contains(&name.as_str()))
            .collect();
        assert!(reachable.is_empty(), "{reachable:?}");
    }

    /// `eval` would run code a rule builds from strings (from scanned files, say).
    #[test]
    fn eval_does_not_compile() {
        let engine = new_engine(Limits::default());
        let err = engine
            .compile("fn check(doc) { eval(\"1\") }")
            .expect_err("eval is disabled");
        assert!(err.to_string().contains("'eval' is disabled"), "{err}");
    }
}
