//! `preflight lsp` driven over stdio with JSON-RPC, as an editor drives it. Every read has a
//! timeout, so a server that stops answering fails the test instead of hanging it.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(30);

/// The Dockerfile the tests open: root, unpinned, single stage, no health check.
const UNREADY: &str = "FROM python:3.12\nUSER root\nCMD [\"gunicorn\", \"app.wsgi\"]\n";

/// The same image made ready: no finding from the default pack.
const READY: &str = "\
FROM python:3.12-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000 AS build
RUN pip wheel --no-cache-dir --wheel-dir /wheels gunicorn

FROM python:3.12-slim@sha256:0000000000000000000000000000000000000000000000000000000000000000
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*
USER 10001
HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]
CMD [\"gunicorn\", \"app.wsgi\"]
";

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
}

impl Client {
    /// Starts the server on `root` and completes the handshake.
    fn start(root: &Path) -> Client {
        Client::start_with(root, json!({}))
    }

    /// Starts the server with these `initializationOptions` (re-checks are debounced by 20 ms).
    fn start_with(root: &Path, options: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_preflight"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let mut options = options;
        options["debounceMs"] = json!(20);
        let (sender, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        let mut client = Client {
            child,
            stdin,
            messages,
            next_id: 0,
        };
        let response = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": {},
                "initializationOptions": options,
            }),
        );
        assert_eq!(response["serverInfo"]["name"], "preflight");
        assert_eq!(response["capabilities"]["hoverProvider"], true);
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).expect("write");
        self.stdin.flush().expect("flush");
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result, skipping the notifications before it.
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let response = self.wait_for(|m| m["id"] == id);
        assert!(response.get("error").is_none(), "{response}");
        response["result"].clone()
    }

    /// The diagnostics published next for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let message = self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        });
        message["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn wait_for(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(message) if wanted(&message) => return message,
                Ok(_) => {}
                Err(_) => panic!("no awaited message from the server within {TIMEOUT:?}"),
            }
        }
    }

    fn open(&mut self, uri: &str, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language, "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn range(start: (u64, u64), end: (u64, u64)) -> Value {
    json!({
        "start": { "line": start.0, "character": start.1 },
        "end": { "line": end.0, "character": end.1 },
    })
}

fn find<'a>(diagnostics: &'a [Value], rule: &str) -> &'a Value {
    diagnostics
        .iter()
        .find(|d| d["code"] == rule)
        .unwrap_or_else(|| panic!("no `{rule}` diagnostic in {diagnostics:#?}"))
}

#[test]
fn a_dockerfile_is_checked_as_typed_explained_and_fixed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::write(root.join("Dockerfile"), UNREADY).unwrap();
    let dockerfile = uri(&root.join("Dockerfile"));
    let mut client = Client::start(&root);

    client.open(&dockerfile, "dockerfile", UNREADY);
    let diagnostics = client.diagnostics(&dockerfile);
    let root_user = find(&diagnostics, "docker/runs-as-root");
    assert_eq!(root_user["range"], range((1, 0), (1, 9)), "`USER root`");
    assert_eq!(root_user["severity"], 1, "critical is an error");
    assert_eq!(root_user["source"], "preflight");
    assert!(root_user["message"].as_str().unwrap().contains("USER root"));
    let href = root_user["codeDescription"]["href"].as_str().unwrap();
    assert!(
        href.ends_with("docs/rules/docker/runs-as-root.md"),
        "{href}"
    );
    let unpinned = find(&diagnostics, "docker/base-image-not-digest-pinned");
    assert_eq!(
        unpinned["range"],
        range((0, 0), (0, 16)),
        "`FROM python:3.12`"
    );

    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": dockerfile }, "position": { "line": 1, "character": 6 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("**Container runs as root**"), "{text}");
    assert!(text.contains("**Why?** Root in the container"), "{text}");
    assert!(text.contains("**Fix:**"), "{text}");
    assert_eq!(hover["range"], range((1, 0), (1, 9)));

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": dockerfile },
            "range": range((1, 2), (1, 2)),
            "context": { "diagnostics": [] },
        }),
    );
    let actions = actions.as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Replace `USER root`")
        })
        .unwrap_or_else(|| panic!("no fix in {actions:#?}"));
    assert_eq!(
        fix["edit"]["changes"][&dockerfile],
        json!([{ "range": range((1, 0), (1, 9)), "newText": "USER 10001" }])
    );
    let suppress = actions
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Suppress `docker/runs-as-root`")
        })
        .unwrap_or_else(|| panic!("no suppression in {actions:#?}"));
    assert_eq!(
        suppress["edit"]["changes"][&dockerfile],
        json!([{ "range": range((1, 0), (1, 0)), "newText": "# preflight-ignore: docker/runs-as-root -- \n" }])
    );

    client.change(&dockerfile, 2, READY);
    assert_eq!(client.diagnostics(&dockerfile), Vec::<Value>::new());

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
}

#[test]
fn ranges_count_utf16_units_after_non_ascii_text() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // `🚀` is two UTF-16 units, one character and four bytes: `"*"` starts at UTF-16 unit 35,
    // character 34, byte 37 of its line.
    let settings = "DEBUG = False\nALLOWED_HOSTS = [\"🚀.example.com\", \"*\"]\n";
    std::fs::write(root.join("settings.py"), settings).unwrap();
    let settings_uri = uri(&root.join("settings.py"));
    let mut client = Client::start(&root);

    client.open(&settings_uri, "python", settings);
    let diagnostics = client.diagnostics(&settings_uri);
    let wildcard = find(&diagnostics, "django/allowed-hosts-wildcard");
    assert_eq!(wildcard["range"], range((1, 35), (1, 38)));
}

#[test]
fn saving_a_file_refreshes_the_files_that_depend_on_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let compose = "services:\n  web:\n    build: .\n    image: example/web:1.0.0\n";
    std::fs::write(root.join("Dockerfile"), UNREADY).unwrap();
    std::fs::write(root.join("docker-compose.yml"), compose).unwrap();
    let dockerfile = uri(&root.join("Dockerfile"));
    let compose_uri = uri(&root.join("docker-compose.yml"));
    let mut client = Client::start(&root);

    // Opening one file scans the folder: the Dockerfile, not open, gets its findings too.
    client.open(&compose_uri, "yaml", compose);
    let before = client.diagnostics(&dockerfile);
    assert_eq!(find(&before, "docker/runs-as-root")["severity"], 1);

    // The service now runs the image as an unprivileged user: saved, the Dockerfile's
    // finding drops to low (information).
    let overridden = format!("{compose}    user: \"10001:10001\"\n");
    std::fs::write(root.join("docker-compose.yml"), &overridden).unwrap();
    client.change(&compose_uri, 2, &overridden);
    client.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": compose_uri } }),
    );
    let after = client.diagnostics(&dockerfile);
    let root_user = find(&after, "docker/runs-as-root");
    assert_eq!(root_user["severity"], 3, "{root_user}");
    assert!(
        root_user["message"]
            .as_str()
            .unwrap()
            .contains("sets `user: 10001:10001`"),
        "{root_user}"
    );
}

#[test]
fn an_edited_policy_shows_its_errors_in_the_policy_file() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let rule_path = root.join("my-policies/compose/team-label.rhai");
    std::fs::create_dir_all(rule_path.parent().unwrap()).unwrap();
    let valid = "const META = #{ id: \"compose/team-label\", title: \"t\", severity: \"low\", applies_to: [\"compose\"] };\n\
                 fn check(doc) {}\n";
    std::fs::write(&rule_path, valid).unwrap();
    let rule = uri(&rule_path);
    let mut client = Client::start_with(&root, json!({ "policies": ["my-policies"] }));

    let broken = "const META = #{ id: \"compose/team-label\", title: \"t\", severity: \"low\", applies_to: [\"compose\"] };\n\
                  fn check(doc) {\n    let x = ;\n}\n";
    client.open(&rule, "rhai", broken);
    let diagnostics = client.diagnostics(&rule);
    let error = find(&diagnostics, "policy-error");
    assert_eq!(error["range"]["start"]["line"], 2, "{error}");
    assert!(
        error["message"].as_str().unwrap().contains("syntax error"),
        "{error}"
    );

    client.change(&rule, 2, valid);
    assert_eq!(client.diagnostics(&rule), Vec::<Value>::new());
}
