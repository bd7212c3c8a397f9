//! The `preflight` command line: parses arguments, runs, and maps the outcome to an exit code.

use std::cell::RefCell;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand, ValueEnum};

use preflight::check::{self, Options};
use preflight::dump;
use preflight::finding::Severity;
use preflight::model::{SourceFile, SourceMap};
use preflight::parse::{self, detect};
use preflight::report::{gcc, github, json, junit, pretty, sarif};

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
    /// Run the language server (LSP over stdio) for editors: docs/editors.md.
    Lsp,
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
    /// Exit with 1 when a finding is at or above this severity.
    #[arg(long, value_name = "SEVERITY", default_value = "high", value_parser = parse_severity)]
    fail_on: Severity,
    /// A directory of organisation policies (`<area>/<rule>.rhai`); repeatable. A rule with
    /// the id of a default rule replaces it.
    #[arg(long = "policies", value_name = "DIR")]
    policies: Vec<PathBuf>,
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

/// Exit codes: 0 no finding at or above `--fail-on`; 1 findings; 2 usage, input or policy error.
fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(&args),
        Command::Parse(args) => parse_command(&args),
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
    let options = Options {
        policy_dirs: args.policies.clone(),
        ..Options::default()
    };
    let outcome = check::run(&args.path, &options);
    let text = match args.format {
        Format::Json => json::render(&outcome),
        Format::Sarif => sarif::render(&outcome),
        Format::Junit => junit::render(&outcome),
        Format::Github => github::render(&outcome),
        Format::Gcc => gcc::render(&outcome),
        Format::Pretty if args.output.is_some() => pretty::render(
            &outcome,
            &pretty::Style {
                color: false,
                width: 100,
            },
        ),
        Format::Pretty => {
            let stdout_tty = std::io::stdout().is_terminal();
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => stdout_tty && std::env::var_os("NO_COLOR").is_none(),
            };
            let width = std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.parse().ok())
                .unwrap_or(100);
            pretty::render(&outcome, &pretty::Style { color, width })
        }
    };
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`| head`) is not an error worth reporting.
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|err| format!("cannot write `{}`: {err}", path.display()))?;
            let _ = writeln!(stdout, "{}", pretty::summary(&outcome));
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
    } else if outcome.findings.iter().any(|f| f.severity >= args.fail_on) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
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
