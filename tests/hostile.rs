//! Hostile input: each case feeds a bad file to a full scan beside a `.env` whose finding must
//! survive, and asserts the diagnostic the bad file gets (`parse-error` or `input-error`, at
//! its line and column where it has one). Small inputs live in tests/hostile/; big ones are
//! generated into a temporary directory. Then the policy sandbox, limits and exit codes.

use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

use preflight::check::{Checker, Options, Outcome};
use preflight::finding::{Finding, builtin};
use preflight::limits::Limits;
use preflight::model::{SourceFile, SourceId, Value};

/// The sibling file: its finding must be there whatever happens to the hostile one.
const SIBLING: (&str, &str) = (".env", "DEBUG=True\n");
const SIBLING_RULE: &str = "env/debug-enabled";

fn manifest(path: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// The default pack, loaded once for every test here.
fn checker() -> &'static Checker {
    static CHECKER: OnceLock<Checker> = OnceLock::new();
    CHECKER.get_or_init(|| Checker::new(&Options::default()))
}

fn fixture(name: &str) -> Vec<u8> {
    let path = manifest("tests/hostile").join(name);
    std::fs::read(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()))
}

fn write(root: &Path, name: &str, bytes: &[u8]) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().expect("inside the root")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

/// A project holding the sibling and `files`.
fn project(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    write(dir.path(), SIBLING.0, SIBLING.1.as_bytes());
    for (name, bytes) in files {
        write(dir.path(), name, bytes);
    }
    dir
}

/// Scans a project of the sibling and `files`; asserts the sibling's finding survived.
fn scan(files: &[(&str, &[u8])]) -> Outcome {
    let dir = project(files);
    let outcome = checker().run(dir.path());
    assert_sibling_intact(&outcome);
    outcome
}

fn describe(outcome: &Outcome) -> String {
    outcome
        .findings
        .iter()
        .map(|f| format!("{} {} {}", f.rule, f.place().unwrap_or_default(), f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

fn assert_sibling_intact(outcome: &Outcome) {
    assert!(
        outcome.findings.iter().any(|f| f.rule == SIBLING_RULE
            && f.path.as_deref() == Some(SIBLING.0)
            && f.span.is_some_and(|s| s.start.line == 1)),
        "the sibling's finding is missing:\n{}",
        describe(outcome)
    );
}

/// The finding of `rule` on `path` whose message contains `says`.
fn diagnostic<'a>(outcome: &'a Outcome, rule: &str, path: &str, says: &str) -> &'a Finding {
    outcome
        .findings
        .iter()
        .find(|f| f.rule == rule && f.path.as_deref() == Some(path) && f.message.contains(says))
        .unwrap_or_else(|| {
            panic!(
                "no `{rule}` on {path} saying `{says}`:\n{}",
                describe(outcome)
            )
        })
}

/// Asserts a diagnostic at `(line, column)`.
fn diagnostic_at(outcome: &Outcome, rule: &str, path: &str, says: &str, at: (u32, u32)) {
    diagnostic(outcome, rule, path, says);
    assert!(
        outcome.findings.iter().any(|f| f.rule == rule
            && f.path.as_deref() == Some(path)
            && f.message.contains(says)
            && f.span.map(|s| (s.start.line, s.start.column)) == Some(at)),
        "no `{rule}` on {path} saying `{says}` at {at:?}:\n{}",
        describe(outcome)
    );
}

/// The rules of the findings on `path`.
fn rules_on<'a>(outcome: &'a Outcome, path: &str) -> Vec<&'a str> {
    outcome
        .findings
        .iter()
        .filter(|f| f.path.as_deref() == Some(path))
        .map(|f| f.rule.as_str())
        .collect()
}

fn assert_no_tool_problem(outcome: &Outcome, path: &str) {
    assert!(
        !rules_on(outcome, path)
            .iter()
            .any(|r| builtin::is_tool_problem(r)),
        "{}",
        describe(outcome)
    );
}

const PARSE: &str = builtin::PARSE_ERROR;
const INPUT: &str = builtin::INPUT_ERROR;

// YAML

#[test]
fn a_yaml_alias_bomb_is_an_error_not_an_explosion() {
    let outcome = scan(&[("docker-compose.yml", &fixture("alias-bomb.yaml"))]);
    diagnostic_at(
        &outcome,
        PARSE,
        "docker-compose.yml",
        "alias expansion exceeds 1000000 nodes",
        (8, 8),
    );
}

#[test]
fn yaml_nested_ten_thousand_levels_deep() {
    let flow = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let maps = format!("{}{}", "{a: ".repeat(10_000), "}".repeat(10_000));
    let block = format!("{}x\n", "- ".repeat(10_000));
    let outcome = scan(&[
        ("flow.yaml", flow.as_bytes()),
        ("maps.yaml", maps.as_bytes()),
        ("block.yaml", block.as_bytes()),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "block.yaml",
        "nesting deeper than 1000 levels",
        (1, 2001),
    );
    // The YAML scanner's own limit stops flow nesting first.
    let too_deep = "flow collections (`[…]`, `{…}`) nested too deeply for the YAML scanner";
    diagnostic_at(&outcome, PARSE, "flow.yaml", too_deep, (1, 256));
    diagnostic_at(&outcome, PARSE, "maps.yaml", too_deep, (1, 1021));
}

#[test]
fn a_fifty_megabyte_yaml_file_is_reported_over_the_size_cap() {
    let line = "- key: value\n";
    let big = line.repeat(50 * 1024 * 1024 / line.len() + 1);
    let outcome = scan(&[("big.yaml", big.as_bytes())]);
    let finding = diagnostic(
        &outcome,
        INPUT,
        "big.yaml",
        "over the 10485760-byte size cap: not checked",
    );
    assert!(finding.message.contains("`max-file-size` in `[limits]`"));
}

#[test]
fn duplicate_yaml_keys_are_reported_at_the_second() {
    let outcome = scan(&[("docker-compose.yml", &fixture("duplicate-keys.yaml"))]);
    diagnostic_at(
        &outcome,
        PARSE,
        "docker-compose.yml",
        "duplicate key `image` (first at line 3)",
        (4, 5),
    );
    // The tree keeps both; rules read the last, as compose would if it accepted the file.
    diagnostic_at(
        &outcome,
        "compose/latest-tag",
        "docker-compose.yml",
        "latest",
        (4, 12),
    );
}

#[test]
fn a_repeated_key_in_a_workflow_is_no_sign_of_a_template() {
    let workflow = b"on: push\non: pull_request\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ secrets.TOKEN }}\n";
    let outcome = scan(&[(".github/workflows/ci.yml", workflow)]);
    diagnostic_at(
        &outcome,
        PARSE,
        ".github/workflows/ci.yml",
        "duplicate key `on` (first at line 1)",
        (2, 1),
    );
    assert!(
        !describe(&outcome).contains("template"),
        "{}",
        describe(&outcome)
    );
    assert_eq!(outcome.documents, 2, "the workflow was checked");
}

#[test]
fn tabs_for_yaml_indentation_are_a_parse_error() {
    let outcome = scan(&[("docker-compose.yml", &fixture("tabs.yaml"))]);
    diagnostic_at(
        &outcome,
        PARSE,
        "docker-compose.yml",
        "tabs disallowed",
        (3, 1),
    );
}

#[test]
fn a_yaml_byte_order_mark_does_not_shift_columns() {
    let outcome = scan(&[("docker-compose.yml", &fixture("bom.yaml"))]);
    assert_no_tool_problem(&outcome, "docker-compose.yml");
    diagnostic_at(
        &outcome,
        "compose/latest-tag",
        "docker-compose.yml",
        "latest",
        (3, 12),
    );
}

#[test]
fn binary_and_custom_yaml_tags_keep_their_source_text() {
    let outcome = scan(&[("template.yaml", &fixture("tags.yaml"))]);
    assert_no_tool_problem(&outcome, "template.yaml");
    let text = String::from_utf8(fixture("tags.yaml")).expect("UTF-8");
    let file = SourceFile::new(SourceId(0), "template.yaml", text);
    let parsed = preflight::parse::yaml::parse(&file);
    let root = &parsed.roots[0];
    // `!!binary` is not decoded: rules see the base64 text, as written.
    let key = root.get("key").expect("key");
    assert_eq!(key.as_str(), Some("aGVsbG8gd29ybGQ="));
    assert_eq!(file.slice(&key.span), "aGVsbG8gd29ybGQ=");
    assert_eq!(root.get("ref").and_then(|n| n.as_str()), Some("Bucket"));
    assert_eq!(
        root.get_path("local.a").map(|n| &n.value),
        Some(&Value::Int(1))
    );
}

#[test]
fn a_yaml_stream_of_a_million_documents_is_cut_at_the_cap() {
    let outcome = scan(&[("docker-compose.yml", "---\n".repeat(1_000_000).as_bytes())]);
    diagnostic_at(
        &outcome,
        PARSE,
        "docker-compose.yml",
        "more than 1000 documents in one file: the rest are not read",
        (1001, 1),
    );
    assert_eq!(outcome.documents, 1001, "the .env and the first 1000");
}

#[test]
fn a_yaml_file_of_only_a_document_marker_is_one_empty_document() {
    let outcome = scan(&[("docker-compose.yml", &fixture("only-marker.yaml"))]);
    assert_no_tool_problem(&outcome, "docker-compose.yml");
    assert_eq!(outcome.documents, 2, "the .env and the empty document");
}

// JSON and TOML

#[test]
fn deeply_nested_json_and_toml_are_parse_errors() {
    let json_lists = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let json_objects = format!("{}1{}", "{\"a\":".repeat(10_000), "}".repeat(10_000));
    let toml_arrays = format!("a = {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let toml_tables = format!("a = {}1{}\n", "{b = ".repeat(10_000), "}".repeat(10_000));
    let toml_dotted = format!("{} = 1\n", vec!["a"; 10_000].join("."));
    let outcome = scan(&[
        ("lists.json", json_lists.as_bytes()),
        ("objects.json", json_objects.as_bytes()),
        ("arrays.toml", toml_arrays.as_bytes()),
        ("tables.toml", toml_tables.as_bytes()),
        ("dotted.toml", toml_dotted.as_bytes()),
    ]);
    diagnostic_at(&outcome, PARSE, "lists.json", "nesting depth", (1, 513));
    diagnostic_at(&outcome, PARSE, "objects.json", "nesting depth", (1, 1282));
    diagnostic_at(&outcome, PARSE, "arrays.toml", "recursion depth", (1, 85));
    diagnostic_at(&outcome, PARSE, "tables.toml", "recursion depth", (1, 405));
    diagnostic_at(
        &outcome,
        PARSE,
        "dotted.toml",
        "more than 80 dotted parts",
        (1, 1),
    );
}

#[test]
fn huge_numbers_keep_their_text_or_are_reported() {
    let outcome = scan(&[
        ("numbers.json", &fixture("huge-numbers.json")),
        ("numbers.toml", &fixture("huge-numbers.toml")),
    ]);
    // JSON has no integer range: a huge number is a float, and its text is kept.
    assert_no_tool_problem(&outcome, "numbers.json");
    let text = String::from_utf8(fixture("huge-numbers.json")).expect("UTF-8");
    let file = SourceFile::new(SourceId(0), "numbers.json", text);
    let root = &preflight::parse::json::parse(&file).roots[0];
    for (key, written) in [
        ("a", "1e999999"),
        ("b", "123456789012345678901234567890123456789"),
        ("c", "-1e-999999"),
    ] {
        let node = root.get(key).expect("number");
        assert!(matches!(node.value, Value::Float(_)), "{node:?}");
        assert_eq!(file.slice(&node.span), written);
    }
    // TOML integers are 64-bit by specification.
    diagnostic_at(
        &outcome,
        PARSE,
        "numbers.toml",
        "integer out of the 64-bit range",
        (1, 5),
    );
}

#[test]
fn invalid_utf8_is_an_input_error_at_the_first_bad_byte() {
    let outcome = scan(&[
        ("bad.json", &fixture("invalid-utf8.json")),
        ("bad.toml", &fixture("invalid-utf8.toml")),
    ]);
    diagnostic_at(
        &outcome,
        INPUT,
        "bad.json",
        "not valid UTF-8 (byte 0xE9)",
        (1, 11),
    );
    diagnostic_at(
        &outcome,
        INPUT,
        "bad.toml",
        "not valid UTF-8 (byte 0xFF)",
        (2, 10),
    );
}

#[test]
fn trailing_garbage_after_json_and_toml_is_a_parse_error() {
    let outcome = scan(&[
        ("trailing.json", &fixture("trailing-garbage.json")),
        ("trailing.toml", &fixture("trailing-garbage.toml")),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "trailing.json",
        "unexpected text after the JSON value",
        (2, 1),
    );
    diagnostic_at(&outcome, PARSE, "trailing.toml", "", (1, 5));
}

// Dockerfile

#[test]
fn an_unknown_dockerfile_instruction_is_reported_and_the_rest_checked() {
    let outcome = scan(&[("Dockerfile", &fixture("unknown-instruction.Dockerfile"))]);
    diagnostic_at(
        &outcome,
        PARSE,
        "Dockerfile",
        "unknown instruction `FROOB`; did you mean `FROM`?",
        (2, 1),
    );
    assert!(
        rules_on(&outcome, "Dockerfile")
            .iter()
            .any(|r| r.starts_with("docker/")),
        "{}",
        describe(&outcome)
    );
}

#[test]
fn a_dockerfile_ending_in_a_line_continuation_is_reported_at_the_escape() {
    let outcome = scan(&[(
        "Dockerfile",
        &fixture("unterminated-continuation.Dockerfile"),
    )]);
    diagnostic_at(
        &outcome,
        PARSE,
        "Dockerfile",
        "the file ends after a line continuation",
        (3, 23),
    );
}

#[test]
fn dockerfile_heredocs_are_read_and_an_unterminated_one_reported() {
    let outcome = scan(&[("Dockerfile", &fixture("heredoc.Dockerfile"))]);
    let parse_errors: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.rule == PARSE)
        .collect();
    assert_eq!(parse_errors.len(), 1, "{}", describe(&outcome));
    diagnostic_at(
        &outcome,
        PARSE,
        "Dockerfile",
        "unterminated heredoc: no line `NEVER` closes it",
        (10, 5),
    );
}

#[test]
fn a_one_megabyte_run_line_is_checked() {
    let dockerfile = format!(
        "FROM python:latest\nUSER app\nRUN echo {}\n",
        "x".repeat(1024 * 1024)
    );
    let outcome = scan(&[("Dockerfile", dockerfile.as_bytes())]);
    assert_no_tool_problem(&outcome, "Dockerfile");
    diagnostic_at(
        &outcome,
        "docker/latest-tag",
        "Dockerfile",
        "latest",
        (1, 1),
    );
}

#[test]
fn parse_errors_past_fifty_in_a_file_are_counted_not_listed() {
    let keys: String = (0..1000)
        .map(|i| format!("\"k{}\": {i}, ", i % 10))
        .collect();
    let json = format!("{{{keys}\"end\": 0}}");
    let outcome = scan(&[("keys.json", json.as_bytes())]);
    let errors = rules_on(&outcome, "keys.json");
    assert_eq!(errors.len(), 51, "{}", describe(&outcome));
    // The first 10 keys are new, then every key repeats one: 990 errors, 50 listed.
    diagnostic(
        &outcome,
        PARSE,
        "keys.json",
        "940 more parse errors in this file from here on, not listed",
    );
}

// HCL

#[test]
fn an_unclosed_hcl_block_is_a_parse_error() {
    let outcome = scan(&[("main.tf", &fixture("unclosed-block.tf"))]);
    diagnostic_at(&outcome, PARSE, "main.tf", "found end of file", (2, 18));
}

#[test]
fn deep_hcl_expressions_and_blocks_are_parse_errors() {
    let parens = format!(
        "locals {{\n  x = {}1{}\n}}\n",
        "(".repeat(10_000),
        ")".repeat(10_000)
    );
    let operators = format!("locals {{\n  x = 1{}\n}}\n", " + 1".repeat(10_000));
    let blocks = format!("{}{}", "a {\n".repeat(10_000), "}\n".repeat(10_000));
    let outcome = scan(&[
        ("parens.tf", parens.as_bytes()),
        ("operators.tf", operators.as_bytes()),
        ("blocks.tf", blocks.as_bytes()),
    ]);
    diagnostic_at(&outcome, PARSE, "parens.tf", "nesting depth", (2, 71));
    diagnostic_at(
        &outcome,
        PARSE,
        "operators.tf",
        "chained binary operators",
        (2, 521),
    );
    diagnostic_at(&outcome, PARSE, "blocks.tf", "nesting depth", (65, 3));
}

#[test]
fn hcl_heredocs_are_read_and_an_unterminated_one_reported() {
    let closed = "locals {\n  policy = <<EOT\n{\"Version\": \"2012-10-17\"}\nEOT\n  script = <<-EOS\n    echo hi\n    EOS\n}\n";
    let outcome = scan(&[
        ("closed.tf", closed.as_bytes()),
        ("open.tf", &fixture("heredoc.tf")),
    ]);
    assert_no_tool_problem(&outcome, "closed.tf");
    diagnostic_at(&outcome, PARSE, "open.tf", "heredoc", (9, 1));
}

// Python settings

#[test]
fn a_python_syntax_error_is_reported_at_its_line() {
    let outcome = scan(&[("settings.py", &fixture("syntax-error.py"))]);
    diagnostic_at(
        &outcome,
        PARSE,
        "settings.py",
        "invalid Python syntax near `ALLOWED_HOSTS = [`",
        (2, 1),
    );
    // What came before the error is still checked.
    diagnostic_at(
        &outcome,
        "django/debug-enabled",
        "settings.py",
        "DEBUG",
        (1, 9),
    );
}

#[test]
fn deeply_nested_python_is_read_to_a_depth() {
    let lists = format!(
        "X = {}1{}\nDEBUG = True\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let sums = format!("X = 1{}\nDEBUG = True\n", " + 1".repeat(10_000));
    let outcome = scan(&[
        ("lists/settings.py", lists.as_bytes()),
        ("sums/settings.py", sums.as_bytes()),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "lists/settings.py",
        "nested more than 200 levels deep",
        (1, 206),
    );
    assert_no_tool_problem(&outcome, "sums/settings.py");
    for path in ["lists/settings.py", "sums/settings.py"] {
        diagnostic_at(&outcome, "django/debug-enabled", path, "DEBUG", (2, 9));
    }
}

#[test]
fn settings_built_by_exec_or_eval_are_reported_not_run() {
    let outcome = scan(&[("settings.py", &fixture("exec-eval.py"))]);
    for (line, code) in [(1, "`exec(open"), (2, "`eval(\""), (3, "`globals()")] {
        let finding = diagnostic(&outcome, INPUT, "settings.py", code);
        assert!(finding.message.contains("not statically known"));
        assert_eq!(finding.span.map(|s| s.start.line), Some(line));
    }
}

#[test]
fn a_star_import_cycle_is_reported_in_each_module() {
    let outcome = scan(&[
        (
            "config/settings/base.py",
            b"from .production import *\nSECRET_KEY = 'x'\n",
        ),
        (
            "config/settings/production.py",
            b"from .base import *\nDEBUG = True\n",
        ),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "config/settings/production.py",
        "star import cycle: config/settings/production.py → config/settings/base.py → config/settings/production.py",
        (1, 1),
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "config/settings/base.py",
        "star import cycle",
        (1, 1),
    );
    diagnostic_at(
        &outcome,
        "django/debug-enabled",
        "config/settings/production.py",
        "DEBUG",
        (2, 9),
    );
}

// nginx

#[test]
fn nginx_include_cycles_and_escapes_are_reported_once() {
    let outcome = scan(&[
        (
            "nginx/nginx.conf",
            b"http {\n  include conf.d/*.conf;\n  include ../../../etc/passwd;\n}\n",
        ),
        (
            "nginx/conf.d/a.conf",
            b"include b.conf;\nserver_tokens on;\n",
        ),
        ("nginx/conf.d/b.conf", b"include a.conf;\n"),
        ("etc/passwd", b"server_tokens on;\n"),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "nginx/nginx.conf",
        "include `../../../etc/passwd` points outside the scan root: not followed",
        (3, 11),
    );
    let cycles: Vec<&Finding> = outcome
        .findings
        .iter()
        .filter(|f| f.message.starts_with("include cycle"))
        .collect();
    assert_eq!(
        cycles.len(),
        2,
        "one per directive:\n{}",
        describe(&outcome)
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "nginx/conf.d/a.conf",
        "include cycle",
        (1, 1),
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "nginx/conf.d/b.conf",
        "include cycle",
        (1, 1),
    );
    diagnostic_at(
        &outcome,
        "nginx/server-tokens-on",
        "nginx/conf.d/a.conf",
        "server_tokens",
        (2, 1),
    );
}

#[test]
fn nginx_blocks_nested_past_the_limit_are_a_parse_error_and_the_rest_is_checked() {
    let deep = |levels: usize| {
        format!(
            "server_tokens on;\n{}{}",
            "a {\n".repeat(levels),
            "}\n".repeat(levels)
        )
    };
    let outcome = scan(&[
        ("deep/nginx.conf", deep(100_000).as_bytes()),
        ("limit/nginx.conf", deep(32).as_bytes()),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "deep/nginx.conf",
        "blocks are nested more than 32 levels deep",
        (34, 3),
    );
    // Rules walk blocks one script call per level: at the deepest nesting read, every nginx
    // rule still runs within its call depth limit.
    assert!(
        !outcome
            .findings
            .iter()
            .any(|f| f.rule == builtin::POLICY_ERROR),
        "{}",
        describe(&outcome)
    );
    for path in ["deep/nginx.conf", "limit/nginx.conf"] {
        diagnostic_at(
            &outcome,
            "nginx/server-tokens-on",
            path,
            "server_tokens",
            (1, 1),
        );
    }
}

#[test]
fn unbalanced_nginx_braces_are_parse_errors() {
    let outcome = scan(&[
        ("open/nginx.conf", &fixture("unclosed.conf")),
        ("extra/nginx.conf", &fixture("extra-brace.conf")),
    ]);
    diagnostic_at(
        &outcome,
        PARSE,
        "open/nginx.conf",
        "`{` is never closed",
        (1, 6),
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "open/nginx.conf",
        "`{` is never closed",
        (2, 10),
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "extra/nginx.conf",
        "unexpected `}` with no open block to close",
        (3, 1),
    );
}

// The walk

#[cfg(unix)]
#[test]
fn the_walk_skips_and_reports_what_it_cannot_or_must_not_read() {
    use std::os::unix::fs::symlink;
    let outside = tempfile::tempdir().expect("temp dir");
    write(outside.path(), "secret.yaml", b"password: hunter2\n");
    let dir = project(&[("bin.yaml", b"\x00\x01\x02binary\x00")]);
    let root = dir.path();
    std::fs::create_dir(root.join("sub")).expect("mkdir");
    symlink(root, root.join("sub/loop")).expect("symlink");
    symlink(outside.path(), root.join("outdir")).expect("symlink");
    symlink(outside.path().join("secret.yaml"), root.join("out.yaml")).expect("symlink");
    symlink(root.join("nowhere.yaml"), root.join("dangling.yaml")).expect("symlink");
    symlink("/dev/zero", root.join("zero.yaml")).expect("symlink");
    let fifo = std::process::Command::new("mkfifo")
        .arg(root.join("pipe.yaml"))
        .status()
        .expect("mkfifo runs");
    assert!(fifo.success());
    let _socket = std::os::unix::net::UnixListener::bind(root.join("sock.yaml")).expect("a socket");

    let outcome = checker().run(root);
    assert_sibling_intact(&outcome);
    for (path, says) in [
        ("bin.yaml", "binary file (it holds NUL bytes): not checked"),
        ("dangling.yaml", "broken symlink"),
        (
            "out.yaml",
            "symlink to a file outside the scan root: not followed",
        ),
        (
            "outdir",
            "symlink to a directory outside the scan root: not followed",
        ),
        (
            "zero.yaml",
            "symlink to a file outside the scan root: not followed",
        ),
        (
            "pipe.yaml",
            "a named pipe (FIFO), not a regular file: skipped",
        ),
        ("sock.yaml", "a socket, not a regular file: skipped"),
        (
            "sub/loop",
            "symlink loop back to the scan root: not followed",
        ),
    ] {
        diagnostic(&outcome, INPUT, path, says);
    }
    assert!(
        !describe(&outcome).contains("hunter2") && !describe(&outcome).contains("secret.yaml"),
        "{}",
        describe(&outcome)
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = project(&[("docker-compose.yml", b"services: {}\n")]);
    let path = dir.path().join("docker-compose.yml");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let outcome = checker().run(dir.path());
    assert_sibling_intact(&outcome);
    if std::fs::read(&path).is_ok() {
        // Running as root: permissions do not stop reading, so the file is checked.
        assert_no_tool_problem(&outcome, "docker-compose.yml");
    } else {
        diagnostic(
            &outcome,
            INPUT,
            "docker-compose.yml",
            "cannot read: Permission denied",
        );
    }
}

// Limits

#[test]
fn the_size_cap_and_yaml_budgets_are_configurable() {
    let checker = Checker::new(&Options {
        limits: Limits {
            max_file_size: 1024,
            yaml_alias_budget: 10,
            yaml_max_depth: 3,
            yaml_max_documents: 2,
            ..Limits::default()
        },
        ..Options::default()
    });
    let dir = project(&[
        ("big.json", "1".repeat(2048).as_bytes()),
        ("aliases.yaml", b"a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"),
        ("deep.yaml", b"a:\n  b:\n    c:\n      d: 1\n"),
        ("stream.yaml", b"a: 1\n---\nb: 2\n---\nc: 3\n"),
    ]);
    let outcome = checker.run(dir.path());
    assert_sibling_intact(&outcome);
    diagnostic(
        &outcome,
        INPUT,
        "big.json",
        "file is 2048 bytes, over the 1024-byte size cap",
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "aliases.yaml",
        "alias expansion exceeds 10 nodes",
        (2, 13),
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "deep.yaml",
        "nesting deeper than 3 levels",
        (4, 7),
    );
    diagnostic_at(
        &outcome,
        PARSE,
        "stream.yaml",
        "more than 2 documents in one file",
        (4, 1),
    );
}

// The policy sandbox

/// The default pack plus the broken and sandbox-probing policies, under `limits`.
fn sandbox_scan(limits: Limits) -> Outcome {
    let checker = Checker::new(&Options {
        policy_dirs: vec![
            manifest("tests/projects/broken-policies"),
            manifest("tests/hostile/policies"),
        ],
        limits,
        ..Options::default()
    });
    let dir = project(&[(
        "docker-compose.yml",
        b"services:\n  web:\n    image: nginx:latest\n",
    )]);
    let outcome = checker.run(dir.path());
    assert_sibling_intact(&outcome);
    // The default rules still ran on the compose file the broken rules failed on.
    diagnostic_at(
        &outcome,
        "compose/latest-tag",
        "docker-compose.yml",
        "latest",
        (3, 12),
    );
    outcome
}

/// The policy error of the rule in `file`, at `(line, column)`.
fn policy_error(outcome: &Outcome, file: &str, says: &str, at: (u32, u32)) {
    let finding = outcome
        .findings
        .iter()
        .find(|f| {
            f.rule == builtin::POLICY_ERROR
                && f.path.as_deref().is_some_and(|p| p.ends_with(file))
                && f.message.contains(says)
        })
        .unwrap_or_else(|| {
            panic!(
                "no policy error in {file} saying `{says}`:\n{}",
                describe(outcome)
            )
        });
    let span = finding.span.expect("at a place in the rule");
    assert_eq!(
        (span.start.line, span.start.column),
        at,
        "{}",
        finding.message
    );
}

#[test]
fn hostile_policies_are_stopped_and_reported_and_the_scan_completes() {
    let outcome = sandbox_scan(Limits::default());
    policy_error(
        &outcome,
        "org/endless-loop.rhai",
        "exceeded the operations limit",
        (4, 1),
    );
    policy_error(
        &outcome,
        "org/endless-recursion.rhai",
        "exceeded the call depth limit",
        (8, 1),
    );
    policy_error(
        &outcome,
        "sandbox/deep-recursion.rhai",
        "exceeded the call depth limit",
        (16, 1),
    );
    policy_error(
        &outcome,
        "org/huge-string.rhai",
        "exceeded the size limit: Length of string",
        (4, 1),
    );
    policy_error(
        &outcome,
        "org/import-traversal.rhai",
        "cannot import `../../etc/passwd`: policies import only the stdlib's modules",
        (5, 12),
    );
    policy_error(
        &outcome,
        "sandbox/import-file.rhai",
        "cannot import `stdlib/images`",
        (6, 12),
    );
    policy_error(
        &outcome,
        "org/calls-eval.rhai",
        "reserved keyword 'eval' is disabled",
        (5, 5),
    );
}

#[test]
fn the_wall_clock_cap_stops_a_rule_the_operations_limit_does_not() {
    let outcome = sandbox_scan(Limits {
        // 0: no operations limit at all.
        rule_max_operations: 0,
        rule_timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    policy_error(
        &outcome,
        "sandbox/slow.rhai",
        "exceeded the time limit of 200 ms for one call",
        (4, 1),
    );
}

// Exit codes

fn exit_code(files: &[(&str, &[u8])]) -> (i32, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, bytes) in files {
        write(dir.path(), name, bytes);
    }
    let output = assert_cmd::Command::cargo_bin("preflight")
        .expect("binary builds")
        .args(["check", "--format", "gcc"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    (output.status.code().unwrap_or(-1), stdout)
}

#[test]
fn an_input_error_exits_2_only_when_nothing_could_be_checked() {
    let broken: (&str, &[u8]) = ("package.json", b"{\"name\": ");
    // Nothing else: the verdict cannot be trusted.
    let (code, out) = exit_code(&[broken]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("package.json:1:10: medium:"), "{out}");
    // Beside a file with a critical finding: the findings decide, the error is listed.
    let (code, out) = exit_code(&[broken, (SIBLING.0, SIBLING.1.as_bytes())]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("[parse-error]") && out.contains("[env/debug-enabled]"),
        "{out}"
    );
    // Beside a clean file: no finding at `--fail-on`, so success, with the error listed.
    let (code, out) = exit_code(&[broken, (".env", b"LOG_LEVEL=info\n")]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("[parse-error]"), "{out}");
}
