//! `preflight lsp`: a language server (LSP 3.17 over stdio) that shows findings as the user
//! types, explains them on hover and offers fixes and suppressions as code actions.
//!
//! Built on rust-analyzer's `lsp-server`: a synchronous loop over a channel of messages, which
//! fits a checker that is synchronous and parallel inside (rayon) and keeps the dependency
//! tree small. One workspace folder is checked: the first the client names, else its root.
//! Edits are re-checked after typing pauses ([`Settings::debounce`]), one file at a time
//! against the last full scan; saving a file re-scans the whole folder.

mod position;
mod present;
mod workspace;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeActionOrCommand, CodeActionParams, CodeActionProviderCapability,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, HoverParams, HoverProviderCapability, InitializeParams,
    PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};

use workspace::Workspace;
pub use workspace::{RULES_URL, Settings};

/// Serves one client on stdin/stdout until it exits.
pub fn run() -> Result<(), String> {
    let (connection, io_threads) = Connection::stdio();
    let capabilities = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": ServerInfo { name: "preflight".into(), version: Some(env!("CARGO_PKG_VERSION").into()) },
    });
    let (id, params) = connection
        .initialize_start()
        .map_err(|err| format!("initialize: {err}"))?;
    connection
        .initialize_finish(id, capabilities)
        .map_err(|err| format!("initialize: {err}"))?;
    let params: InitializeParams =
        serde_json::from_value(params).map_err(|err| format!("initialize params: {err}"))?;
    let root = root_of(&params)?;
    let settings = Settings::from_options(&root, params.initialization_options.as_ref());
    let mut server = Server {
        workspace: Workspace::new(root, settings),
        connection: &connection,
        uris: HashMap::new(),
        pending: HashMap::new(),
    };
    server.serve()?;
    drop(connection);
    io_threads.join().map_err(|err| format!("stdio: {err}"))
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::FULL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// The folder to check: the first workspace folder, else `rootUri`, else the current directory.
#[allow(deprecated)] // `root_uri` is how older clients name the folder.
fn root_of(params: &InitializeParams) -> Result<PathBuf, String> {
    let named = params
        .workspace_folders
        .as_ref()
        .and_then(|folders| folders.first())
        .map(|folder| &folder.uri)
        .or(params.root_uri.as_ref());
    match named {
        Some(uri) => position::path_of(uri)
            .ok_or_else(|| format!("the workspace `{}` is not a local folder", uri.as_str())),
        None => std::env::current_dir().map_err(|err| format!("current directory: {err}")),
    }
}

struct Server<'a> {
    workspace: Workspace,
    connection: &'a Connection,
    /// The URI each open file was named by, to publish under the client's own spelling.
    uris: HashMap<PathBuf, Uri>,
    /// Files edited since their last check, with when to check them.
    pending: HashMap<PathBuf, Instant>,
}

impl Server<'_> {
    fn serve(&mut self) -> Result<(), String> {
        loop {
            let next = self.pending.values().min().copied();
            let received = match next {
                Some(deadline) => self.connection.receiver.recv_deadline(deadline),
                None => self
                    .connection
                    .receiver
                    .recv()
                    .map_err(|_| RecvTimeoutError::Disconnected),
            };
            match received {
                Err(RecvTimeoutError::Timeout) => self.check_due(),
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
                Ok(Message::Request(request)) => {
                    let shutdown = self
                        .connection
                        .handle_shutdown(&request)
                        .map_err(|err| format!("shutdown: {err}"))?;
                    if shutdown {
                        return Ok(());
                    }
                    self.request(request);
                }
                Ok(Message::Notification(notification)) => {
                    if notification.method == "exit" {
                        return Ok(());
                    }
                    self.notification(notification);
                }
                Ok(Message::Response(_)) => {}
            }
        }
    }

    fn check_due(&mut self) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .pending
            .iter()
            .filter(|(_, deadline)| **deadline <= now)
            .map(|(path, _)| path.clone())
            .collect();
        for path in due {
            self.pending.remove(&path);
            let changed = self.workspace.refresh(&path);
            self.publish(changed);
        }
    }

    /// Checks an edited file now rather than when typing pauses: a request about it must
    /// see its current text.
    fn settle(&mut self, path: &Path) {
        if self.pending.remove(path).is_some() {
            let changed = self.workspace.refresh(path);
            self.publish(changed);
        }
    }

    fn notification(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(params) = extract::<DidOpenTextDocumentParams>(notification) else {
                    return;
                };
                let Some(path) = self.track(&params.text_document.uri) else {
                    return;
                };
                let changed = self.workspace.open(&path, &params.text_document.text);
                self.publish(changed);
            }
            DidChangeTextDocument::METHOD => {
                let Some(params) = extract::<DidChangeTextDocumentParams>(notification) else {
                    return;
                };
                let Some(path) = self.track(&params.text_document.uri) else {
                    return;
                };
                // Full sync: the last change holds the whole text.
                if let Some(change) = params.content_changes.last() {
                    self.workspace.change(&path, &change.text);
                    let deadline = Instant::now() + self.workspace.settings().debounce;
                    self.pending.insert(path, deadline);
                }
            }
            DidSaveTextDocument::METHOD => {
                let Some(params) = extract::<DidSaveTextDocumentParams>(notification) else {
                    return;
                };
                let Some(path) = self.track(&params.text_document.uri) else {
                    return;
                };
                self.pending.clear();
                let changed = self.workspace.save(&path);
                self.publish(changed);
            }
            DidCloseTextDocument::METHOD => {
                let Some(params) = extract::<DidCloseTextDocumentParams>(notification) else {
                    return;
                };
                let Some(path) = position::path_of(&params.text_document.uri) else {
                    return;
                };
                self.pending.remove(&path);
                let changed = self.workspace.close(&path);
                self.publish(changed);
                self.uris.remove(&path);
            }
            _ => {}
        }
    }

    fn request(&mut self, request: Request) {
        let id = request.id.clone();
        let result = match request.method.as_str() {
            HoverRequest::METHOD => extract_request::<HoverParams>(request).map(|params| {
                let place = params.text_document_position_params;
                let path = position::path_of(&place.text_document.uri);
                let hover = path.and_then(|path| {
                    self.settle(&path);
                    present::hover(&self.workspace, &path, place.position)
                });
                serde_json::to_value(hover)
            }),
            CodeActionRequest::METHOD => {
                extract_request::<CodeActionParams>(request).map(|params| {
                    let uri = params.text_document.uri;
                    let actions: Vec<CodeActionOrCommand> = match position::path_of(&uri) {
                        Some(path) => {
                            self.settle(&path);
                            present::code_actions(&self.workspace, &uri, &path, params.range)
                                .into_iter()
                                .map(CodeActionOrCommand::CodeAction)
                                .collect()
                        }
                        None => Vec::new(),
                    };
                    serde_json::to_value(actions)
                })
            }
            other => {
                self.send(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("preflight does not handle `{other}`"),
                ));
                return;
            }
        };
        let response = match result {
            Ok(Ok(value)) => Response::new_ok(id, value),
            Ok(Err(err)) => Response::new_err(id, ErrorCode::InternalError as i32, err.to_string()),
            Err(message) => Response::new_err(id, ErrorCode::InvalidParams as i32, message),
        };
        self.send(response);
    }

    /// Remembers how the client names a file; `None` for URIs that are not local files.
    fn track(&mut self, uri: &Uri) -> Option<PathBuf> {
        let path = position::path_of(uri)?;
        self.uris.insert(path.clone(), uri.clone());
        Some(path)
    }

    fn publish(&self, paths: Vec<PathBuf>) {
        for path in paths {
            let uri = match self.uris.get(&path) {
                Some(uri) => uri.clone(),
                None => match position::uri_of(&path) {
                    Some(uri) => uri,
                    None => continue,
                },
            };
            let params = PublishDiagnosticsParams {
                uri,
                diagnostics: present::diagnostics(&self.workspace, &path),
                version: None,
            };
            self.send(Notification::new(PublishDiagnostics::METHOD.into(), params));
        }
    }

    fn send(&self, message: impl Into<Message>) {
        // The client has gone when this fails; the loop ends on the next receive.
        let _ = self.connection.sender.send(message.into());
    }
}

fn extract<P: serde::de::DeserializeOwned>(notification: Notification) -> Option<P> {
    match serde_json::from_value(notification.params) {
        Ok(params) => Some(params),
        Err(err) => {
            eprintln!("preflight lsp: bad `{}` params: {err}", notification.method);
            None
        }
    }
}

fn extract_request<P: serde::de::DeserializeOwned>(request: Request) -> Result<P, String> {
    serde_json::from_value(request.params)
        .map_err(|err| format!("bad `{}` params: {err}", request.method))
}
