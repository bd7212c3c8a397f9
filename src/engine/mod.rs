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
use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, Map, Module, Scope};

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
        // An organisation's own modules, `<dir>/stdlib/<name>.rhai`, import as `"<name>"`.
        for dir in policy_dirs {
            for path in loader::module_files(dir) {
                let display = path.display().to_string();
                let text = match std::fs::read_to_string(&path) {
                    Ok(text) => text,
                    Err(err) => {
                        errors.push(PolicyError {
                            file: sources.add(display, ""),
                            line: 1,
                            column: 1,
                            message: format!("cannot read module: {err}"),
                        });
                        continue;
                    }
                };
                let file = sources.add(display, text);
                let name = module_name(&file.path);
                if pending.iter().any(|other| module_name(&other.path) == name) {
                    errors.push(PolicyError {
                        file: file.clone(),
                        line: 1,
                        column: 1,
                        message: format!(
                            "a module named `{name}` is loaded already (the built-in stdlib's, or \
                             another directory's): rename this one"
                        ),
                    });
                    continue;
                }
                pending.push(file);
            }
        }
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
        let mut add = |result: Result<Rule, PolicyError>, errors: &mut Vec<PolicyError>| {
            let rule = match result {
                Ok(rule) => rule,
                Err(err) => return errors.push(err),
            };
            let earlier = rules.iter().position(|r| r.meta.id == rule.meta.id);
            let problem = match earlier {
                Some(i) if rule.meta.replaces => {
                    rules[i] = rule;
                    return;
                }
                None if !rule.meta.replaces => {
                    rules.push(rule);
                    return;
                }
                Some(i) => (
                    "id",
                    format!(
                        "rule `{}` is already defined by `{}`: add `replaces: true` to META to \
                         replace it on purpose, or give this rule another name",
                        rule.meta.id, rules[i].origin
                    ),
                ),
                None => (
                    "replaces",
                    format!(
                        "META.replaces is true but no earlier rule has the id `{}`: remove it, \
                         or fix the id",
                        rule.meta.id
                    ),
                ),
            };
            let meta_line = loader::line_of(&rule.source, "META").unwrap_or(1);
            let (line, column) = loader::meta_key_position(&rule.source, meta_line, problem.0)
                .unwrap_or((meta_line, 1));
            errors.push(PolicyError {
                file: rule.source.clone(),
                line,
                column,
                message: problem.1,
            });
        };
        for (path, text) in embedded::POLICIES {
            let file = sources.add(*path, *text);
            let rule = loader::compile_rule(&engine, file, &loader::id_from_path(path));
            add(
                rule.map(|rule| Rule {
                    embedded: true,
                    ..rule
                }),
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

    /// Keeps only the rules `keep` accepts (a config's `select` and `ignore`).
    pub fn retain_rules(&mut self, keep: impl Fn(&RuleMeta) -> bool) {
        self.rules.retain(|rule| keep(&rule.meta));
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Overrides parameters of the rule `rule_id` (from `[rules.params."<id>"]` in
    /// preflight.toml). Every key must be one of the rule's `META.params`, with a value of the
    /// default's type (an int is accepted for a float); the error says what is wrong.
    pub fn set_params(&mut self, rule_id: &str, overrides: Map) -> Result<(), String> {
        let Some(rule) = self.rules.iter_mut().find(|r| r.meta.id == rule_id) else {
            let near =
                crate::suggest::closest(rule_id, self.rules.iter().map(|r| r.meta.id.as_str()))
                    .map(|id| format!(" (did you mean `{id}`?)"))
                    .unwrap_or_default();
            return Err(format!("no rule `{rule_id}`{near}"));
        };
        let defaults = &rule.meta.params;
        let mut checked = Vec::new();
        for (name, value) in overrides {
            let Some(default) = defaults.get(name.as_str()) else {
                let known: Vec<_> = defaults.keys().map(|k| format!("`{k}`")).collect();
                return Err(match known.len() {
                    0 => format!("rule `{rule_id}` takes no parameters, so not `{name}`"),
                    _ => format!(
                        "rule `{rule_id}` has no parameter `{name}`; its parameters: {}",
                        known.join(", ")
                    ),
                });
            };
            let value = param_value(default, value).map_err(|found| {
                format!(
                    "parameter `{name}` of rule `{rule_id}` takes {}, like its default `{default}`, not {found}",
                    article(default.type_name())
                )
            })?;
            checked.push((name, value));
        }
        Arc::make_mut(&mut rule.params).extend(checked);
        Ok(())
    }

    /// Compiles a policy's text as loading would, without adding it to the set: the errors an
    /// editor shows while the policy is being written. The id comes from the file's path.
    pub fn check_policy(&self, file: Arc<SourceFile>) -> Option<PolicyError> {
        let id = loader::id_from_path(&file.path);
        loader::compile_rule(&self.engine, file, &id).err()
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
        let all: Vec<usize> = (0..project.documents.len()).collect();
        self.evaluate_part(project, sources, &all, &|_| true)
    }

    /// Like [`Host::evaluate`], but only on the documents at `documents` (indices into
    /// `project.documents`) and only the project rules `project_rule` accepts: re-checking
    /// one edited file against the rest of its project.
    pub fn evaluate_part(
        &self,
        project: &Arc<Project>,
        sources: &Arc<SourceMap>,
        documents: &[usize],
        project_rule: &(dyn Fn(&RuleMeta) -> bool + Sync),
    ) -> Evaluation {
        let cache = Arc::new(api::ScanCache::default());
        let timed = |index: usize, document: Option<usize>| {
            let start = Instant::now();
            let findings = self.run(&self.rules[index], project, document, sources, &cache);
            (index, start.elapsed(), findings)
        };
        // One task per rule and document, not per document: a single edited document (the
        // language server's case) still spreads its rules over every core.
        let document_runs = documents
            .iter()
            .copied()
            .filter(|&document| document < project.documents.len())
            .flat_map(|document| {
                let kind = project.documents[document].kind;
                (0..self.rules.len())
                    .filter(move |&r| {
                        let rule = &self.rules[r];
                        rule.entry == Entry::Document && rule.meta.applies_to(kind)
                    })
                    .map(move |r| (r, Some(document)))
            });
        let project_runs = (0..self.rules.len())
            .filter(|&r| self.rules[r].entry == Entry::Project && project_rule(&self.rules[r].meta))
            .map(|r| (r, None));
        let pairs: Vec<(usize, Option<usize>)> = document_runs.chain(project_runs).collect();
        let collect = || {
            pairs
                .into_par_iter()
                .map(|(rule, document)| timed(rule, document))
                .collect::<Vec<_>>()
        };
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
            params: rule.params.clone(),
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

/// A parameter value from configuration (a `[rules.params."<id>"]` table of preflight.toml)
/// as the plain Rhai value `Host::set_params` takes: strings, numbers, booleans, arrays and
/// object maps, without spans.
pub fn param_from_node(node: &crate::model::Node) -> Dynamic {
    use crate::model::Value;
    match &node.value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => (*b).into(),
        Value::Int(i) => (*i).into(),
        Value::Float(f) => (*f).into(),
        Value::Str(s) => s.to_string().into(),
        Value::List(items) => items
            .iter()
            .map(param_from_node)
            .collect::<rhai::Array>()
            .into(),
        Value::Map(entries) => entries
            .iter()
            .map(|(key, value)| (key.name.as_ref().into(), param_from_node(value)))
            .collect::<Map>()
            .into(),
    }
}

/// `value` if it has the type of `default` (an int is widened for a float default, and every
/// item of an array must have the type of the default's first item); else what it is.
fn param_value(default: &Dynamic, value: Dynamic) -> Result<Dynamic, String> {
    if default.is_float() && value.is_int() {
        return Ok(Dynamic::from_float(
            value.as_int().unwrap_or_default() as rhai::FLOAT
        ));
    }
    if default.type_name() != value.type_name() {
        return Err(format!("{} `{value}`", article(value.type_name())));
    }
    let item_type = default
        .read_lock::<rhai::Array>()
        .and_then(|items| items.first().map(|i| i.type_name()));
    if let (Some(item_type), Some(items)) = (item_type, value.read_lock::<rhai::Array>())
        && let Some(odd) = items.iter().find(|i| i.type_name() != item_type)
    {
        return Err(format!(
            "an array holding {} `{odd}`",
            article(odd.type_name())
        ));
    }
    Ok(value)
}

/// `a string`, `an array`, `an integer`: Rhai's type names as a message reads them.
fn article(type_name: &str) -> String {
    match type_name {
        "i64" => "an integer".into(),
        "f64" => "a number".into(),
        "bool" => "a boolean".into(),
        "map" => "an object map".into(),
        "array" => "an array".into(),
        other => format!("a {other}"),
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
    // `params` reads the running rule's parameters from any function of the rule; a variable
    // of the script named `params` still wins. `on_var` is Rhai's only hook that reaches
    // inside functions (they do not see the call's scope); it is marked volatile, not
    // deprecated.
    #[allow(deprecated)]
    engine.on_var(|name, _, context| {
        if name != "params" || context.scope().contains(name) {
            return Ok(None);
        }
        let params = context
            .tag()
            .clone()
            .try_cast::<Arc<CallContext>>()
            .map(|call| Dynamic::from_map((*call.params).clone()));
        Ok(params)
    });
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
