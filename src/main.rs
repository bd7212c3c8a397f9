//! The `preflight` command line: parses arguments, runs, and maps the outcome to an exit code.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use preflight::attest::Date;
use preflight::authoring::{self, rules::FixtureIndex};
use preflight::baseline::Baseline;
use preflight::check::{self, Checker, Options};
use preflight::config;
use preflight::dump;
use preflight::finding::Severity;
use preflight::model::{Kind, SourceFile, SourceMap};
use preflight::parse::{self, detect};
use preflight::report::{checklist, gcc, github, json, junit, pretty, sarif};

/// Is this project ready for production? Checks its configuration against policies.
#[derive(Parser)]
#[command(name = "preflight", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a project directory (or one file) and report findings.
    Check(CheckArgs),
    /// Print the document model preflight builds from files: what policies see.
    Parse(ParseArgs),
    /// Write a commented starter preflight.toml in DIR (default: the current directory).
    Init(InitArgs),
    /// Scaffold a rule and its fail/pass fixtures in a policy directory.
    New(NewArgs),
    /// Run every rule's fixtures and report each mismatch at its line.
    Test(TestArgs),
    /// List every loaded rule: the default pack and organisation rules.
    Rules(RulesArgs),
    /// Print a rule's full documentation.
    Explain(ExplainArgs),
    /// Write one Markdown page per rule, and an index.
    Docs(DocsArgs),
    /// Run the language server (LSP over stdio) for editors: docs/editors.md.
    Lsp,
}

#[derive(clap::Args)]
struct InitArgs {
    #[arg(default_value = ".")]
    dir: PathBuf,
}

#[derive(clap::Args)]
struct NewArgs {
    /// The rule's id, `area/rule-name`: the file becomes `<DIR>/<area>/<rule-name>.rhai`.
    id: String,
    /// The document kind the rule checks (compose, k8s, dockerfile, django-settings, …).
    #[arg(long, value_parser = parse_kind)]
    kind: Kind,
    /// The organisation's policy directory.
    #[arg(long, default_value = ".")]
    dir: PathBuf,
}

#[derive(clap::Args)]
struct TestArgs {
    /// Policy directories: `<area>/<rule>.rhai` files, fixtures under `tests/fixtures/`
    /// (default: the current directory).
    dirs: Vec<PathBuf>,
    /// Also test the built-in pack against FIXTURES (`tests/fixtures` of a preflight checkout).
    #[arg(long, value_name = "FIXTURES", num_args = 0..=1, default_missing_value = "tests/fixtures")]
    default_pack: Option<PathBuf>,
    /// Only rules whose id contains PATTERN.
    #[arg(long, value_name = "PATTERN")]
    filter: Option<String>,
    /// When to colour the diagnostics.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(clap::Args)]
struct RulesArgs {
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
    /// Organisation policy directories to load with the default pack; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// The rule's id, e.g. `docker/runs-as-root`.
    rule: String,
    /// Organisation policy directories to load with the default pack; repeatable.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
}

#[derive(clap::Args)]
struct DocsArgs {
    /// The directory to write `index.md` and `<area>/<rule>.md` into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Document these organisation policy directories instead of the default pack.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    Table,
    Json,
    Markdown,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// The directory or file to check.
    #[arg(default_value = ".")]
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Pretty)]
    format: Format,
    /// Write the report to FILE instead of stdout; stdout then gets only the summary line.
    #[arg(long, short = 'o', value_name = "FILE")]
    output: Option<PathBuf>,
    /// Exit with 1 when a finding is at or above this severity [default: the config's
    /// `fail-on`, else high].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// A directory of organisation policies (`<area>/<rule>.rhai`); repeatable. Loaded after
    /// the config's `policy-dirs`.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
    /// Use this preflight.toml instead of looking for one in the root and its ancestors.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,
    /// Ignore any preflight.toml.
    #[arg(long)]
    no_config: bool,
    /// Run only these rules (ids or `area/*`, comma-separated); replaces the config's select.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    select: Option<Vec<String>>,
    /// Do not run these rules (ids or `area/*`, comma-separated); added to the config's.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    ignore: Vec<String>,
    /// Report only findings not recorded in this baseline file [default: the config's
    /// `baseline`].
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    baseline: Option<PathBuf>,
    /// Record every current finding in FILE as the baseline, then report as usual.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// Also show findings that suppressions hid, with their reasons (pretty output).
    #[arg(long)]
    show_suppressed: bool,
    /// Print only the findings: no summary line.
    #[arg(long, short = 'q')]
    quiet: bool,
    /// Threads to use [default: one per core].
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Print how long each rule took (summed over threads) to stderr, slowest first.
    #[arg(long)]
    timings: bool,
    /// When to colour the pretty output.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
}

#[derive(clap::Args)]
struct ParseArgs {
    /// The files to parse.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = DumpFormat::Yaml)]
    format: DumpFormat,
    /// Show each node's `line:column` range.
    #[arg(long)]
    spans: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum DumpFormat {
    Yaml,
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// Diagnostics with the source snippet, for people.
    Pretty,
    /// The stable JSON report (docs/output.md).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other dashboards.
    Sarif,
    /// JUnit XML: one test suite per rule.
    Junit,
    /// GitHub Actions workflow commands: annotations on the diff.
    Github,
    /// `path:line:col: severity: message [rule]`, one per line.
    Gcc,
    /// Both production checklists in Markdown, each item passed, failed, attested or open,
    /// under a DEPLOY / DO NOT DEPLOY verdict.
    Checklist,
}

#[derive(Clone, Copy, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::from_name(s).ok_or_else(|| {
        let known: Vec<_> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        format!("unknown kind `{s}`; known kinds: {}", known.join(", "))
    })
}

/// Exit codes: 0 no finding at or above `--fail-on`; 1 findings; 2 usage, input or policy error.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Parse(args) => parse_command(&args),
        Command::Init(args) => init(&args),
        Command::New(args) => new_command(&args),
        Command::Test(args) => test_command(&args),
        Command::Rules(args) => rules_command(&args),
        Command::Explain(args) => explain_command(&args),
        Command::Docs(args) => docs_command(&args),
        Command::Lsp => preflight::lsp::run().map(|()| ExitCode::SUCCESS),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn check(args: &CheckArgs) -> Result<ExitCode, String> {
    if !args.path.exists() {
        return Err(format!("path `{}` does not exist", args.path.display()));
    }
    if let Some(jobs) = args.jobs {
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global()
            .map_err(|err| format!("cannot start {jobs} threads: {err}"))?;
    }
    let config = match (&args.config, args.no_config) {
        (Some(path), _) if !path.is_file() => {
            return Err(format!("config file `{}` does not exist", path.display()));
        }
        (Some(path), _) => Some(config::named(path)),
        (None, true) => None,
        (None, false) => config::discover(&args.path),
    };
    let options = Options {
        policy_dirs: args.policies.clone(),
        config,
        select: args.select.clone(),
        ignore: args.ignore.clone(),
        ..Options::default()
    };
    let checker = Checker::new(&options);
    let mut outcome = checker.run(&args.path);
    if let Some(path) = &args.write_baseline {
        std::fs::write(path, Baseline::of(&outcome).to_json())
            .map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
    }
    let baseline_path = args
        .baseline
        .clone()
        .or_else(|| checker.config().baseline.clone())
        .filter(|_| args.write_baseline.is_none());
    if let Some(path) = baseline_path {
        let text = std::fs::read_to_string(&path)
            .map_err(|err| format!("cannot read baseline `{}`: {err}", path.display()))?;
        let baseline = Baseline::parse(&text)
            .map_err(|err| format!("baseline `{}`: {err}", path.display()))?;
        outcome.baseline = Some(baseline.apply(&mut outcome));
    }
    let fail_on = args
        .fail_on
        .or(checker.config().fail_on)
        .unwrap_or(Severity::High);

    let text = match args.format {
        Format::Json => json::render(&outcome),
        Format::Sarif => sarif::render(&outcome),
        Format::Junit => junit::render(&outcome),
        Format::Github => github::render(&outcome),
        Format::Gcc => gcc::render(&outcome),
        Format::Checklist => checklist::render(&outcome, &checker.config().attest, Date::today()),
        Format::Pretty => {
            let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => to_terminal && std::env::var_os("NO_COLOR").is_none(),
            };
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .filter(|_| to_terminal)
                .unwrap_or(100);
            pretty::render(
                &outcome,
                &pretty::Style {
                    color,
                    width,
                    show_suppressed: args.show_suppressed,
                    quiet: args.quiet,
                },
            )
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
            if !args.quiet {
                let _ = writeln!(stdout, "{}", pretty::summary(&outcome));
            }
        }
        None => {
            let _ = stdout.write_all(text.as_bytes());
        }
    }
    let _ = stdout.flush();
    if args.timings {
        eprint!("{}", timings_table(&outcome));
    }
    Ok(if outcome.has_setup_errors() {
        ExitCode::from(2)
    } else if outcome.findings.iter().any(|f| f.severity >= fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn init(args: &InitArgs) -> Result<ExitCode, String> {
    let path = args.dir.join(config::FILE_NAME);
    if path.exists() {
        return Err(format!(
            "`{}` exists already: not overwritten",
            path.display()
        ));
    }
    std::fs::write(&path, config::STARTER)
        .map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
    println!(
        "wrote {}: edit it, then run `preflight check`",
        path.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The rules that ran, slowest first: for policy authors finding what makes a scan slow.
fn timings_table(outcome: &check::Outcome) -> String {
    let mut timings = outcome.timings.clone();
    timings.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.rule.cmp(&b.rule)));
    let total: std::time::Duration = timings.iter().map(|t| t.total).sum();
    let mut out = format!(
        "{:<44} {:>7} {:>10} {:>10}\n",
        "rule", "calls", "total ms", "mean µs"
    );
    for t in timings.iter().filter(|t| t.calls > 0) {
        out.push_str(&format!(
            "{:<44} {:>7} {:>10.1} {:>10.1}\n",
            t.rule,
            t.calls,
            t.total.as_secs_f64() * 1e3,
            t.total.as_secs_f64() * 1e6 / t.calls as f64
        ));
    }
    out.push_str(&format!(
        "{:<44} {:>7} {:>10.1}\n",
        "all rules",
        timings.iter().map(|t| t.calls).sum::<usize>(),
        total.as_secs_f64() * 1e3
    ));
    out
}

/// A relative star import (`from .base import *`) read from disk beside the importing file,
/// for `parse`; `check` resolves imports among the files of its scan instead.
fn sibling_module(
    module: &str,
    from: &SourceFile,
    sources: &RefCell<SourceMap>,
) -> Option<Arc<SourceFile>> {
    let (paths, relative) = parse::module_paths(module, &from.path)?;
    if !relative {
        return None;
    }
    let path = paths
        .into_iter()
        .find(|p| std::path::Path::new(p).is_file())?;
    let text = std::fs::read_to_string(&path).ok()?;
    Some(sources.borrow_mut().add(path, text))
}

fn parse_command(args: &ParseArgs) -> Result<ExitCode, String> {
    // One map for the named files and what they import, so every file has its own id.
    let sources = RefCell::new(SourceMap::default());
    let mut yaml = String::new();
    let mut json = Vec::new();
    let mut failed = false;
    for path in &args.files {
        let name = path.to_string_lossy().replace('\\', "/");
        let (format, kind) = detect::by_name(&name)
            .ok_or_else(|| format!("`{name}` is not a format preflight reads"))?;
        let text =
            std::fs::read_to_string(path).map_err(|err| format!("cannot read `{name}`: {err}"))?;
        let file = sources.borrow_mut().add(name.clone(), text);
        let kind = kind.or_else(|| detect::kind_by_location(path));
        let (documents, errors) = parse::parse_file(&file, format, kind, &|module, from| {
            sibling_module(module, from, &sources)
        });
        for err in &errors {
            eprintln!(
                "{name}:{}:{}: parse error: {}",
                err.span.start.line, err.span.start.column, err.message
            );
        }
        failed |= !errors.is_empty();
        let sources_now = sources.borrow();
        let positions = args.spans.then_some(dump::Positions {
            sources: &sources_now,
            document: file.id,
        });
        for doc in &documents {
            match args.format {
                DumpFormat::Yaml => {
                    if !yaml.is_empty() {
                        yaml.push_str("---\n");
                    }
                    yaml.push_str(&dump::yaml(doc, positions));
                }
                DumpFormat::Json => json.push(dump::json(doc, positions)),
            }
        }
    }
    let text = match args.format {
        DumpFormat::Yaml => yaml,
        DumpFormat::Json => serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
    };
    // A closed pipe (`| head`) is not an error worth reporting.
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn new_command(args: &NewArgs) -> Result<ExitCode, String> {
    let host = load_host(&[])?;
    let replaces = host.rules().iter().any(|r| r.meta.id == args.id);
    let scaffold = authoring::new::scaffold(&args.dir, &args.id, args.kind, replaces)?;
    for file in &scaffold.files {
        println!("created {}", file.display());
    }
    println!(
        "next: edit the rule and its fixtures, then run `preflight test {}`",
        args.dir.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn test_command(args: &TestArgs) -> Result<ExitCode, String> {
    // With no directory named: the config's policy-dirs, else the current directory.
    let configured = config::discover(Path::new("."))
        .map(|found| {
            config::Config::load(&found, &mut SourceMap::default())
                .0
                .policy_dirs
        })
        .unwrap_or_default();
    let dirs = match (args.dirs.is_empty(), args.default_pack.is_none()) {
        (true, true) if !configured.is_empty() => configured,
        (true, true) => vec![PathBuf::from(".")],
        _ => args.dirs.clone(),
    };
    let report = authoring::test::run(&authoring::test::TestOptions {
        dirs,
        default_pack: args.default_pack.clone(),
        filter: args.filter.clone(),
        color: match args.color {
            Color::Always => true,
            Color::Never => false,
            Color::Auto => {
                std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
            }
        },
        width: 100,
    })?;
    let _ = std::io::stdout().lock().write_all(report.text.as_bytes());
    Ok(if report.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn rules_command(args: &RulesArgs) -> Result<ExitCode, String> {
    let host = load_host(&args.policies)?;
    let format = match args.format {
        ListFormat::Table => authoring::rules::ListFormat::Table,
        ListFormat::Json => authoring::rules::ListFormat::Json,
        ListFormat::Markdown => authoring::rules::ListFormat::Markdown,
    };
    let _ = std::io::stdout()
        .lock()
        .write_all(authoring::rules::list(&host, format).as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn explain_command(args: &ExplainArgs) -> Result<ExitCode, String> {
    let host = load_host(&args.policies)?;
    let index = FixtureIndex::new(&host, default_pack_fixtures(), &args.policies);
    let page = authoring::rules::explain(&host, &index, &args.rule)?;
    let _ = std::io::stdout().lock().write_all(page.as_bytes());
    Ok(ExitCode::SUCCESS)
}

fn docs_command(args: &DocsArgs) -> Result<ExitCode, String> {
    let host = load_host(&args.policies)?;
    let index = FixtureIndex::new(&host, default_pack_fixtures(), &args.policies);
    let written = authoring::rules::write_docs(&host, &index, &args.out)?;
    println!("wrote {} pages to {}", written.len(), args.out.display());
    Ok(ExitCode::SUCCESS)
}

/// The default pack's fixtures, when run from a preflight checkout.
fn default_pack_fixtures() -> Option<&'static std::path::Path> {
    let root = std::path::Path::new("tests/fixtures");
    root.join("docker").is_dir().then_some(root)
}

/// The default pack and `dirs`; a rule that does not load is an error (exit 2).
fn load_host(dirs: &[PathBuf]) -> Result<preflight::engine::Host, String> {
    let mut sources = SourceMap::default();
    let (host, errors) =
        preflight::engine::Host::load(dirs, preflight::limits::Limits::default(), &mut sources);
    match errors.first() {
        None => Ok(host),
        Some(err) => Err(format!(
            "{}:{}:{}: {}{}",
            err.file.path,
            err.line,
            err.column,
            err.message,
            match errors.len() {
                1 => String::new(),
                n => format!(
                    " (and {} more policy errors: `preflight test` shows them all)",
                    n - 1
                ),
            }
        )),
    }
}
