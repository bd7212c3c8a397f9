//! `preflight test`: every rule's fixtures, run by the runner the default pack's tests use,
//! with a diagnostic at the fixture line for each mark that was not reported and each finding
//! that was not marked.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use crate::check::Checker;
use crate::engine::Rule;
use crate::fixtures::{self, FixtureResult, Place};
use crate::model::SourceFile;

/// Where the fixtures of a set of rules live: `<dir>/tests/fixtures/<area>/<rule>/{fail,pass}`.
pub const FIXTURES: &str = "tests/fixtures";

/// What to test.
pub struct TestOptions {
    /// Organisation policy directories, loaded together over the default pack; each one's
    /// fixtures are under `<dir>/tests/fixtures`.
    pub dirs: Vec<PathBuf>,
    /// The fixtures of the embedded default pack (`tests/fixtures` of a preflight checkout),
    /// when it is tested too.
    pub default_pack: Option<PathBuf>,
    /// Only rules whose id contains this text.
    pub filter: Option<String>,
    pub color: bool,
    pub width: usize,
}

/// The report, and whether every fixture matched.
pub struct TestReport {
    pub text: String,
    pub passed: usize,
    pub failed: usize,
}

impl TestReport {
    pub fn success(&self) -> bool {
        self.failed == 0
    }
}

/// Runs the fixtures of every selected rule. Errors are for input that cannot be tested at
/// all (a directory that does not exist).
pub fn run(options: &TestOptions) -> Result<TestReport, String> {
    for dir in options.dirs.iter().chain(&options.default_pack) {
        if !dir.is_dir() {
            return Err(format!("`{}` is not a directory", dir.display()));
        }
    }
    let checker = fixtures::checker(&options.dirs);
    let selected = |id: &str| options.filter.as_deref().is_none_or(|f| id.contains(f));
    let mut out = Output::new(options);

    // A rule that does not load fails its fixtures for a reason the fixtures do not show.
    let mut load_errors = 0;
    for (source, diagnostic) in checker_load_errors(&checker) {
        load_errors += 1;
        out.diagnostic(&source, diagnostic);
    }

    let mut suites: Vec<(PathBuf, Vec<&Rule>)> = Vec::new();
    if let Some(root) = &options.default_pack {
        let rules = checker
            .host()
            .rules()
            .iter()
            .filter(|r| r.embedded)
            .collect();
        suites.push((root.clone(), rules));
    }
    for dir in &options.dirs {
        let rules: Vec<&Rule> = checker
            .host()
            .rules()
            .iter()
            .filter(|r| !r.embedded && Path::new(&r.origin).starts_with(dir))
            .collect();
        let broken = checker.load_errors().iter().any(|f| {
            f.path
                .as_deref()
                .is_some_and(|p| Path::new(p).starts_with(dir))
        });
        if rules.is_empty() && !broken {
            return Err(format!(
                "no rules in `{}`: a policy directory holds `<area>/<rule>.rhai` files",
                dir.display()
            ));
        }
        suites.push((dir.join(FIXTURES), rules));
    }

    let (mut passed, mut failed) = (0, load_errors);
    let mut without_fixtures = Vec::new();
    for (root, rules) in suites {
        let discovered = fixtures::discover(&root);
        for (id, files) in &discovered {
            if !selected(id) {
                continue;
            }
            if !rules.iter().any(|r| &r.meta.id == id) {
                failed += 1;
                let file = format!("{id}.rhai");
                let broken = checker
                    .load_errors()
                    .iter()
                    .any(|f| f.path.as_deref().is_some_and(|p| p.ends_with(&file)));
                out.line(&format!(
                    "FAIL {id}: {}",
                    if broken {
                        "the rule did not load (above)".to_string()
                    } else {
                        format!(
                            "fixtures in {}, but no rule `{id}` beside them",
                            root.join(id).display()
                        )
                    }
                ));
                continue;
            }
            let results: Vec<FixtureResult> = files
                .iter()
                .map(|(path, must_fail)| {
                    let mut result = fixtures::run_fixture(&checker, id, path, *must_fail);
                    // Shown once above, not in every fixture.
                    result
                        .unexpected
                        .retain(|u| !checker.load_errors().contains(&u.finding));
                    result
                })
                .collect();
            let bad = results.iter().filter(|r| !r.passed()).count();
            let fails = files.iter().filter(|(_, must_fail)| *must_fail).count();
            let counts = format!("{fails} fail, {} pass", files.len() - fails);
            if bad == 0 {
                out.line(&format!("ok   {id} ({counts})"));
            } else {
                out.line(&format!("FAIL {id} ({counts})"));
            }
            passed += results.len() - bad;
            failed += bad;
            for (result, (_, must_fail)) in results.iter().zip(files) {
                if !result.passed() {
                    out.mismatches(result, *must_fail);
                }
            }
            if fails == 0 {
                without_fixtures.push(format!("{id} (no fail fixture)"));
            }
        }
        without_fixtures.extend(
            rules
                .iter()
                .map(|r| r.meta.id.as_str())
                .filter(|id| selected(id) && !discovered.contains_key(*id))
                .map(String::from),
        );
    }
    if !without_fixtures.is_empty() {
        out.line(&format!(
            "\nrules without fixtures: {}",
            without_fixtures.join(", ")
        ));
    }
    let mut summary = format!("\n{passed} passed, {failed} failed");
    if load_errors > 0 {
        let _ = write!(summary, " ({load_errors} of them rules that did not load)");
    }
    out.line(&summary);
    Ok(TestReport {
        text: out.text,
        passed,
        failed,
    })
}

/// The checker's load errors (broken rules), with the file each points into.
fn checker_load_errors(checker: &Checker) -> Vec<(Option<Arc<SourceFile>>, MietteDiagnostic)> {
    checker
        .load_errors()
        .iter()
        .map(|finding| {
            let source = finding
                .span
                .and_then(|span| checker.policy_sources().get(span.source).cloned());
            let mut diag = MietteDiagnostic::new(finding.message.clone())
                .with_code(finding.rule.clone())
                .with_severity(miette::Severity::Error);
            if let Some(span) = finding.span {
                diag = diag.with_label(LabeledSpan::new_primary_with_span(
                    Some("here".into()),
                    span.byte_range(),
                ));
            }
            (source, diag)
        })
        .collect()
}

/// The report being written: plain lines and miette diagnostics.
struct Output {
    text: String,
    handler: GraphicalReportHandler,
}

impl Output {
    fn new(options: &TestOptions) -> Output {
        let theme = if options.color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        Output {
            text: String::new(),
            handler: GraphicalReportHandler::new_themed(theme)
                .with_width(options.width)
                .with_links(false),
        }
    }

    fn line(&mut self, line: &str) {
        self.text.push_str(line);
        self.text.push('\n');
    }

    fn diagnostic(&mut self, source: &Option<Arc<SourceFile>>, diag: MietteDiagnostic) {
        let report = miette::Report::new(diag);
        let report = match source {
            Some(file) => {
                report.with_source_code(NamedSource::new(file.path.clone(), file.text.clone()))
            }
            None => report,
        };
        // Writing into a String cannot fail.
        let _ = self.handler.render_report(&mut self.text, report.as_ref());
        self.text.push('\n');
    }

    /// One diagnostic per missing mark and per unexpected finding of a fixture.
    fn mismatches(&mut self, result: &FixtureResult, must_fail: bool) {
        for (place, mark) in &result.missing {
            let rule = fixtures::mark_rule(mark);
            let file = fixture_file(&result.path, place);
            // The usual cause: the rule reports the right thing one node off.
            let elsewhere: Vec<String> = result
                .unexpected
                .iter()
                .filter(|u| u.finding.rule == rule && u.place.path == place.path)
                .map(|u| u.place.line.to_string())
                .collect();
            let instead = match elsewhere.len() {
                0 => String::new(),
                1 => format!(" (it reported line {} instead)", elsewhere[0]),
                _ => format!(" (it reported lines {} instead)", elsewhere.join(", ")),
            };
            let mut diag = MietteDiagnostic::new(format!(
                "expected `{mark}` {}, but the rule reported nothing there{instead}",
                match place.path {
                    None => "about the project".to_string(),
                    Some(_) => format!("on line {}", place.line),
                }
            ))
            .with_code("fixture/missing")
            .with_severity(miette::Severity::Error)
            .with_help(format!(
                "fix `{rule}` so it reports here, or remove the mark if this line is fine"
            ));
            if let Some(file) = &file {
                let range = line_range(file, place.line);
                diag = diag.with_label(LabeledSpan::new_primary_with_span(
                    Some("expected a finding here".into()),
                    range,
                ));
            }
            self.diagnostic(&file, diag);
        }
        for unexpected in &result.unexpected {
            let finding = &unexpected.finding;
            let help = if crate::finding::builtin::is_tool_problem(&finding.rule) {
                finding
                    .help
                    .clone()
                    .unwrap_or_else(|| "fix the fixture or the rule".into())
            } else if !must_fail {
                "a `pass` fixture must not trigger the rule: fix the rule, or move the case to `fail/` with a mark".into()
            } else {
                format!(
                    "if the finding is right, add `expect: {}` in a comment on this line; otherwise fix the rule",
                    finding.rule
                )
            };
            let mut diag = MietteDiagnostic::new(format!(
                "unexpected `{}` finding: {}",
                finding.rule, finding.message
            ))
            .with_code("fixture/unexpected")
            .with_severity(miette::Severity::Error)
            .with_help(help);
            // Name the fixture as the author wrote its path; a policy error is in its rule.
            let file = if finding.rule == crate::finding::builtin::POLICY_ERROR {
                unexpected.source.clone()
            } else {
                fixture_file(&result.path, &unexpected.place).or(unexpected.source.clone())
            };
            if let Some(span) = finding.span {
                diag = diag.with_label(LabeledSpan::new_primary_with_span(
                    Some("reported here, not marked".into()),
                    span.byte_range(),
                ));
            }
            let label = match &file {
                Some(file) => format!("{}:{}", file.path, unexpected.place.line),
                None => result.path.display().to_string(),
            };
            if file.is_none() || finding.span.is_none() {
                diag.message = format!("{label}: {}", diag.message);
            }
            self.diagnostic(&file, diag);
        }
    }
}

/// The fixture file a place is in, read from disk with its path as given.
fn fixture_file(fixture: &Path, place: &Place) -> Option<Arc<SourceFile>> {
    let path = match place.path.as_deref() {
        None => return None,
        Some("") => fixture.to_path_buf(),
        Some(rel) => fixture.join(rel),
    };
    let text = std::fs::read_to_string(&path).ok()?;
    let mut sources = crate::model::SourceMap::default();
    Some(sources.add(path.display().to_string(), text))
}

/// The byte range of a line's text without its indentation, for a label under it.
fn line_range(file: &SourceFile, line: u32) -> std::ops::Range<usize> {
    if line == 0 || line > file.line_count() {
        return 0..0;
    }
    let start = file.line_start(line);
    let text = file.line_text(line);
    let indent = text.len() - text.trim_start().len();
    start + indent..start + text.trim_end().len()
}
