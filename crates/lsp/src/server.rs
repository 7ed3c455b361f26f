//! The server's life: initialize, documents in and diagnostics out, code
//! actions and hovers on request, configuration, shutdown and exit (LSP 3.17,
//! "Lifecycle Messages").

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use gateway_doctor::text::ColumnUnit;
use gateway_doctor::{InputFormat, Options, Report};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, ConfigurationItem, ConfigurationParams, Contents,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    Hover, HoverParams, InitializeResult, MarkupContent, MarkupKind, MessageType, PositionEncodingKind,
    PublishDiagnosticsParams, ServerCapabilities, ServerInfo, ShowMessageParams, TextDocumentContentChangeEvent,
    TextDocumentSync, TextDocumentSyncKind, Uri,
};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::convert::{self, Ranges};
use crate::settings;

/// Serves one client on `connection` until `exit` (or until the client goes
/// away). Returns the exit status: 0 if `shutdown` came first, else 1.
/// `options` are the defaults (the CLI's flags); the client's settings are
/// applied over their cluster context.
pub fn serve(connection: &Connection, options: Options) -> u8 {
    let mut server = Server::new(connection, options);
    for message in &connection.receiver {
        if let Some(status) = server.handle(message) {
            return status;
        }
    }
    1
}

struct Document {
    text: String,
    version: i32,
    format: InputFormat,
    /// The report of `text`, once checked.
    report: Option<Report>,
}

struct Server<'a> {
    connection: &'a Connection,
    /// The options from the command line.
    defaults: Options,
    /// `initializationOptions`, then the last `gateway-doctor` configuration section.
    init_settings: Value,
    workspace_settings: Value,
    /// `defaults` with the settings applied.
    options: Options,
    documents: HashMap<Uri, Document>,
    initialized: bool,
    shutting_down: bool,
    /// The client answers `workspace/configuration`.
    pulls_configuration: bool,
    /// The client shows disabled code actions.
    disabled_actions: bool,
    next_request: i32,
    configuration_requests: Vec<RequestId>,
}

impl<'a> Server<'a> {
    fn new(connection: &'a Connection, defaults: Options) -> Self {
        let options = Options { columns: ColumnUnit::Utf16, ..defaults.clone() };
        Server {
            connection,
            defaults,
            init_settings: Value::Null,
            workspace_settings: Value::Null,
            options,
            documents: HashMap::new(),
            initialized: false,
            shutting_down: false,
            pulls_configuration: false,
            disabled_actions: false,
            next_request: 0,
            configuration_requests: Vec::new(),
        }
    }

    /// Handles one message; `Some(status)` when the server is to exit. A
    /// panic while handling (a bug) fails that request, not the server.
    fn handle(&mut self, message: Message) -> Option<u8> {
        match message {
            Message::Request(request) => {
                let id = request.id.clone();
                let method = request.method.clone();
                let response = catch_unwind(AssertUnwindSafe(|| self.request(request))).unwrap_or_else(|_| {
                    Response::new_err(id, ErrorCode::InternalError as i32, format!("{method} failed: internal error"))
                });
                self.send(response);
                None
            }
            Message::Notification(notification) if notification.method == "exit" => {
                Some(if self.shutting_down { 0 } else { 1 })
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.notification(notification))).is_err() {
                    self.show(MessageType::Error, format!("{method} failed: internal error"));
                }
                None
            }
            Message::Response(response) => {
                self.response(response);
                None
            }
        }
    }

    fn request(&mut self, request: Request) -> Response {
        let Request { id, method, params } = request;
        let error = |code: ErrorCode, message: String| Response::new_err(id.clone(), code as i32, message);
        if !self.initialized && method != "initialize" {
            return error(ErrorCode::ServerNotInitialized, format!("{method} before initialize"));
        }
        if self.shutting_down {
            return error(ErrorCode::InvalidRequest, format!("{method} after shutdown"));
        }
        match method.as_str() {
            "initialize" if self.initialized => error(ErrorCode::InvalidRequest, "initialize sent twice".into()),
            "initialize" => Response::new_ok(id, self.initialize(&params)),
            "shutdown" => {
                self.shutting_down = true;
                Response::new_ok(id, Value::Null)
            }
            "textDocument/codeAction" => match parse::<CodeActionParams>(params) {
                Ok(params) => Response::new_ok(id, self.code_actions(&params)),
                Err(e) => error(ErrorCode::InvalidParams, e),
            },
            "textDocument/hover" => match parse::<HoverParams>(params) {
                Ok(params) => Response::new_ok(id, self.hover(&params)),
                Err(e) => error(ErrorCode::InvalidParams, e),
            },
            _ => error(ErrorCode::MethodNotFound, format!("unknown method {method}")),
        }
    }

    fn notification(&mut self, notification: Notification) {
        if !self.initialized {
            // Notifications before initialize are dropped, except exit (LSP 3.17, "Initialize Request").
            return;
        }
        let Notification { method, params } = notification;
        let result = match method.as_str() {
            "initialized" => {
                self.pull_configuration();
                Ok(())
            }
            "textDocument/didOpen" => parse::<DidOpenTextDocumentParams>(params).map(|p| {
                let item = p.text_document;
                if let Some(format) = format_of(&item.language_id.to_string(), &item.uri) {
                    self.documents.insert(
                        item.uri.clone(),
                        Document { text: item.text, version: item.version, format, report: None },
                    );
                    self.check(&item.uri);
                }
            }),
            "textDocument/didChange" => parse::<DidChangeTextDocumentParams>(params).map(|p| {
                let uri = p.text_document.text_document_identifier.uri;
                if let Some(document) = self.documents.get_mut(&uri) {
                    for change in p.content_changes {
                        apply_change(&mut document.text, change);
                    }
                    document.version = p.text_document.version;
                    self.check(&uri);
                }
            }),
            "textDocument/didClose" => parse::<DidCloseTextDocumentParams>(params).map(|p| {
                let uri = p.text_document.uri;
                if self.documents.remove(&uri).is_some() {
                    self.publish(PublishDiagnosticsParams { uri, version: None, diagnostics: Vec::new() });
                }
            }),
            "workspace/didChangeConfiguration" => parse::<DidChangeConfigurationParams>(params).map(|p| {
                // A client that answers workspace/configuration is asked; the
                // settings it pushes may be the whole tree or nothing at all.
                if self.pulls_configuration {
                    self.pull_configuration();
                } else {
                    self.workspace_settings = p.settings;
                    self.reconfigure("settings");
                }
            }),
            _ => Ok(()),
        };
        if let Err(e) = result {
            self.show(MessageType::Error, e);
        }
    }

    fn response(&mut self, response: Response) {
        let Some(at) = self.configuration_requests.iter().position(|id| *id == response.id) else { return };
        self.configuration_requests.remove(at);
        match response.response_result {
            // One item asked for, one answer: the section, or null when the client has none.
            Ok(Value::Array(mut answers)) if answers.len() == 1 => {
                self.workspace_settings = answers.remove(0);
                self.reconfigure("workspace/configuration");
            }
            Ok(other) => self.show(MessageType::Error, format!("workspace/configuration answered {other}")),
            Err(e) => self.show(MessageType::Warning, format!("workspace/configuration failed: {}", e.message)),
        }
    }

    fn initialize(&mut self, params: &Value) -> InitializeResult {
        self.initialized = true;
        let capability = |pointer: &str| params.pointer(pointer).and_then(Value::as_bool).unwrap_or(false);
        self.pulls_configuration = capability("/capabilities/workspace/configuration");
        self.disabled_actions = capability("/capabilities/textDocument/codeAction/disabledSupport");
        self.init_settings = params.get("initializationOptions").cloned().unwrap_or(Value::Null);
        self.reconfigure("initializationOptions");
        InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(PositionEncodingKind::UTF16),
                text_document_sync: Some(TextDocumentSync::Kind(TextDocumentSyncKind::Full)),
                code_action_provider: Some(
                    CodeActionOptions {
                        code_action_kinds: Some(vec![CodeActionKind::QuickFix]),
                        documentation: None,
                        resolve_provider: None,
                        work_done_progress_options: Default::default(),
                    }
                    .into(),
                ),
                hover_provider: Some(true.into()),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "gateway-doctor".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        }
    }

    /// Asks the client for the `gateway-doctor` section, if it answers such requests.
    fn pull_configuration(&mut self) {
        if !self.pulls_configuration {
            return;
        }
        self.next_request += 1;
        let id = RequestId::from(format!("gateway-doctor/configuration/{}", self.next_request));
        let params = ConfigurationParams {
            items: vec![ConfigurationItem { scope_uri: None, section: Some(settings::SECTION.into()) }],
        };
        self.configuration_requests.push(id.clone());
        self.send(Request::new(id, "workspace/configuration".into(), params));
    }

    /// Recomputes the options from the defaults and both settings, says what
    /// could not be used, and checks every open document again.
    fn reconfigure(&mut self, changed: &str) {
        let mut context = self.defaults.context.clone();
        let mut problems = settings::apply(&mut context, &self.init_settings);
        problems.extend(settings::apply(&mut context, &self.workspace_settings));
        if !problems.is_empty() {
            self.show(MessageType::Warning, format!("{changed}: {}", problems.join("; ")));
        }
        if context != self.options.context {
            self.options.context = context;
            let uris: Vec<Uri> = self.documents.keys().cloned().collect();
            uris.iter().for_each(|uri| self.check(uri));
        }
    }

    fn check(&mut self, uri: &Uri) {
        let Some(document) = self.documents.get_mut(uri) else { return };
        let options = Options { format: document.format, ..self.options.clone() };
        let report = document.report.insert(gateway_doctor::check(&document.text, &options));
        let ranges = Ranges::new(&document.text);
        let diagnostics = convert::diagnostics(report, &ranges, uri);
        let version = Some(document.version);
        self.publish(PublishDiagnosticsParams { uri: uri.clone(), version, diagnostics });
    }

    fn code_actions(&self, params: &CodeActionParams) -> Vec<lsp_types::CodeAction> {
        let wants_quick_fixes = params.context.only.as_ref().is_none_or(|only| {
            only.iter().any(|kind| matches!(kind, CodeActionKind::QuickFix | CodeActionKind::Empty))
        });
        let document = self.documents.get(&params.text_document.uri);
        match document.and_then(|d| Some((d.report.as_ref()?, &d.text))) {
            Some((report, text)) if wants_quick_fixes => {
                let uri = &params.text_document.uri;
                convert::code_actions(report, &Ranges::new(text), uri, params.range, self.disabled_actions)
            }
            _ => Vec::new(),
        }
    }

    fn hover(&self, params: &HoverParams) -> Option<Hover> {
        let at = &params.text_document_position_params;
        let document = self.documents.get(&at.text_document.uri)?;
        let (markdown, range) = convert::hover(document.report.as_ref()?, &Ranges::new(&document.text), at.position)?;
        Some(Hover {
            contents: Contents::MarkupContent(MarkupContent { kind: MarkupKind::Markdown, value: markdown }),
            range: Some(range),
        })
    }

    fn publish(&self, params: PublishDiagnosticsParams) {
        self.send(Notification::new("textDocument/publishDiagnostics".into(), params));
    }

    /// A message for the user (`window/showMessage`): settings that could
    /// not be used, requests that failed.
    fn show(&self, kind: MessageType, message: String) {
        let message = format!("gateway-doctor: {message}");
        self.send(Notification::new("window/showMessage".into(), ShowMessageParams { kind, message }));
    }

    fn send(&self, message: impl Into<Message>) {
        // The client has gone when this fails; the receive loop ends then.
        let _ = self.connection.sender.send(message.into());
    }
}

fn parse<T: DeserializeOwned>(params: Value) -> Result<T, String> {
    serde_json::from_value(params).map_err(|e| format!("invalid parameters: {e}"))
}

/// What the server reads a document as: by its language id, else by its
/// name's extension as the CLI decides; `None` for documents it does not check.
fn format_of(language_id: &str, uri: &Uri) -> Option<InputFormat> {
    match language_id {
        "yaml" => Some(InputFormat::Yaml),
        "json" | "jsonc" => Some(InputFormat::Json),
        "markdown" => Some(InputFormat::Markdown),
        _ => {
            let path = uri.as_ref().split(['?', '#']).next().unwrap_or_default();
            InputFormat::from_path(path)
        }
    }
}

/// Applies a content change: the whole text (the server asks for full
/// sync), or a range of it from a client that sends increments anyway.
fn apply_change(text: &mut String, change: TextDocumentContentChangeEvent) {
    match change {
        TextDocumentContentChangeEvent::TextDocumentContentChangeWholeDocument(whole) => *text = whole.text,
        TextDocumentContentChangeEvent::TextDocumentContentChangePartial(partial) => {
            let start = offset(text, partial.range.start);
            let end = offset(text, partial.range.end).max(start);
            text.replace_range(start..end, &partial.text);
        }
    }
}

/// The byte offset of an LSP position (UTF-16 columns), clamped to the line
/// and the text as LSP asks ("If the character value is greater than the
/// line length it defaults back to the line length").
fn offset(text: &str, position: lsp_types::Position) -> usize {
    let mut line_start = 0;
    for _ in 0..position.line {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    let line = &text[line_start..];
    let line = &line[..line.find(['\r', '\n']).unwrap_or(line.len())];
    let mut units = 0;
    for (i, c) in line.char_indices() {
        if units >= position.character as usize {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    line_start + line.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_utf16_units_and_clamp() {
        let text = "a: 1\n# 注释 😀 x\nb: 2";
        let at = |line, character| offset(text, lsp_types::Position { line, character });
        assert_eq!(&text[at(1, 2)..at(1, 4)], "注释");
        // 😀 is two UTF-16 units.
        assert_eq!(&text[at(1, 5)..at(1, 7)], "😀");
        assert_eq!(&text[at(1, 8)..at(1, 9)], "x");
        assert_eq!(at(1, 99), text.find("\nb").unwrap());
        assert_eq!(at(9, 0), text.len());
    }

    #[test]
    fn formats_by_language_id_then_extension() {
        let uri = |s: &str| Uri::from(s);
        assert_eq!(format_of("yaml", &uri("file:///a.txt")), Some(InputFormat::Yaml));
        assert_eq!(format_of("jsonc", &uri("file:///a")), Some(InputFormat::Json));
        assert_eq!(format_of("plaintext", &uri("file:///docs/gw.md?x=1")), Some(InputFormat::Markdown));
        assert_eq!(format_of("rust", &uri("file:///main.rs")), None);
    }
}
