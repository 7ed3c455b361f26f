//! The server driven over an in-memory connection, as a client would: the
//! founding manifest's ASM-LB-001 and its fixes, UTF-16 ranges after Chinese
//! text, Markdown, the cluster context from the client, malformed input and
//! the lifecycle. (tests/editor/ drives the binary from a real client.)

use std::thread::JoinHandle;
use std::time::Duration;

use gateway_doctor::Options;
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use serde_json::{json, Value};

const FOUNDING: &str = include_str!("../../../examples/founding-istio-gateway.yaml");
const URI: &str = "file:///work/gateway.yaml";

struct Client {
    connection: Connection,
    server: Option<JoinHandle<u8>>,
    next_id: i32,
}

impl Client {
    /// A server started and initialized with these client capabilities and options.
    fn start(capabilities: Value, initialization_options: Value) -> Self {
        let mut client = Client::spawn();
        let result = client.request(
            "initialize",
            json!({"processId": null, "rootUri": null, "capabilities": capabilities, "initializationOptions": initialization_options}),
        );
        let result = result.expect("initialize succeeds");
        assert_eq!(result["capabilities"]["textDocumentSync"], 1, "full sync: {result}");
        assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
        assert_eq!(result["serverInfo"]["name"], "gateway-doctor");
        client.notify("initialized", json!({}));
        client
    }

    fn spawn() -> Self {
        let (server, client) = Connection::memory();
        let handle = std::thread::spawn(move || gateway_doctor_lsp::serve(&server, Options::default()));
        Client { connection: client, server: Some(handle), next_id: 0 }
    }

    fn notify(&self, method: &str, params: Value) {
        self.connection.sender.send(Notification::new(method.into(), params).into()).unwrap();
    }

    fn send_request(&mut self, method: &str, params: Value) -> RequestId {
        self.next_id += 1;
        let id = RequestId::from(self.next_id);
        self.connection.sender.send(Request::new(id.clone(), method.into(), params).into()).unwrap();
        id
    }

    /// Sends a request and waits for its response; notifications that come
    /// first are kept for `notification`.
    fn request(&mut self, method: &str, params: Value) -> Result<Value, lsp_server::ResponseError> {
        let id = self.send_request(method, params);
        loop {
            match self.receive() {
                Message::Response(Response { id: got, response_result }) if got == id => return response_result,
                _ => {}
            }
        }
    }

    fn receive(&self) -> Message {
        self.connection.receiver.recv_timeout(Duration::from_secs(60)).expect("the server answers")
    }

    /// The next notification of `method`, skipping others.
    fn notification(&self, method: &str) -> Value {
        loop {
            if let Message::Notification(n) = self.receive() {
                if n.method == method {
                    return n.params;
                }
            }
        }
    }

    fn open(&self, uri: &str, language_id: &str, text: &str) -> Vec<Value> {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}}),
        );
        self.diagnostics(uri)
    }

    fn diagnostics(&self, uri: &str) -> Vec<Value> {
        let params = self.notification("textDocument/publishDiagnostics");
        assert_eq!(params["uri"], uri);
        params["diagnostics"].as_array().unwrap().clone()
    }

    fn stop(mut self) -> u8 {
        assert_eq!(self.request("shutdown", Value::Null).unwrap(), Value::Null);
        self.notify("exit", Value::Null);
        self.server.take().unwrap().join().unwrap()
    }
}

fn with_code<'a>(diagnostics: &'a [Value], code: &str) -> Vec<&'a Value> {
    diagnostics.iter().filter(|d| d["code"] == code).collect()
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({"start": {"line": line, "character": start}, "end": {"line": line, "character": end}})
}

/// Applies a WorkspaceEdit's edits for one URI to the text, as a client does.
fn apply(text: &str, edit: &Value, uri: &str) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = &text[start..];
        let mut units = 0;
        let within = line_text
            .char_indices()
            .find(|(_, c)| {
                let here = units;
                units += c.len_utf16();
                here >= character
            })
            .map_or(line_text.len(), |(i, _)| i);
        start + within
    };
    let mut edits: Vec<(usize, usize, &str)> = edit["changes"][uri]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (offset(&e["range"]["start"]), offset(&e["range"]["end"]), e["newText"].as_str().unwrap()))
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, new) in edits {
        out.replace_range(start..end, new);
    }
    out
}

#[test]
fn the_founding_manifest_from_diagnostic_to_fix() {
    let mut client = Client::start(json!({"textDocument": {"codeAction": {"disabledSupport": true}}}), Value::Null);
    let diagnostics = client.open(URI, "yaml", FOUNDING);
    let lb = with_code(&diagnostics, "ASM-LB-001");
    assert_eq!(lb.len(), 1, "{diagnostics:?}");
    let lb = lb[0];
    // `  externalTrafficPolicy: Local` is line 23: the value `Local`, 0-based.
    assert_eq!(lb["range"], range(22, 25, 30));
    assert_eq!(lb["severity"], 2, "warning");
    assert_eq!(lb["source"], "gateway-doctor");
    assert_eq!(
        lb["codeDescription"]["href"],
        "https://github.com/gateway-doctor/gateway-doctor/blob/main/docs/rules.md#asm-lb-001"
    );
    assert!(lb["message"].as_str().unwrap().contains("\nassumed: "), "notes follow the message: {lb}");

    // Hover on the value: the rule's explanation, as `explain` prints it.
    let hover = client
        .request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 22, "character": 27}}))
        .unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    let markdown = hover["contents"]["value"].as_str().unwrap();
    let explain = gateway_doctor::report::rules_doc::explain(gateway_doctor::find_rule("ASM-LB-001").unwrap().meta());
    assert!(markdown.starts_with(&explain), "{markdown}");
    assert!(markdown.contains("## ASM-HA-011"), "every finding here is explained: {markdown}");
    assert_eq!(hover["range"], range(22, 25, 30));
    let nothing = client
        .request("textDocument/hover", json!({"textDocument": {"uri": URI}, "position": {"line": 0, "character": 0}}))
        .unwrap();
    assert_eq!(nothing, Value::Null);

    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI}, "range": range(22, 27, 27), "context": {"diagnostics": [lb]}}),
        )
        .unwrap();
    let actions = actions.as_array().unwrap();
    let lb_actions: Vec<&Value> =
        actions.iter().filter(|a| a["title"].as_str().unwrap().starts_with("ASM-LB-001: ")).collect();
    assert!(lb_actions[0]["title"].as_str().unwrap().contains("recommended"), "{lb_actions:?}");
    for action in &actions[..] {
        assert_eq!(action["kind"], "quickfix");
        let title = action["title"].as_str().unwrap();
        // An action carries an edit, or is disabled with the advice as its reason.
        assert!(action.get("edit").is_some() != action.get("disabled").is_some(), "{action}");
        if action.get("disabled").is_some() {
            assert!(title.contains("advice only"), "{title}");
            assert!(!action["disabled"]["reason"].as_str().unwrap().is_empty());
        }
    }
    let cluster = lb_actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("externalTrafficPolicy: Cluster"))
        .expect("the set-cluster-policy action");
    assert!(cluster["title"].as_str().unwrap().ends_with("changes behaviour)"), "{cluster}");
    assert_eq!(cluster["isPreferred"], false, "unsafe fixes are not preferred");
    assert_eq!(cluster["diagnostics"][0]["code"], "ASM-LB-001");
    let fixed = apply(FOUNDING, &cluster["edit"], URI);
    assert_eq!(fixed, FOUNDING.replace("externalTrafficPolicy: Local ", "externalTrafficPolicy: Cluster "));

    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    let params = client.notification("textDocument/publishDiagnostics");
    assert_eq!(params["version"], 2);
    let after = params["diagnostics"].as_array().unwrap();
    assert!(with_code(after, "ASM-LB-001").is_empty(), "{after:?}");
    // The fix declares ASM-LB-005 (client IP lost under Cluster).
    assert_eq!(with_code(after, "ASM-LB-005").len(), 1, "{after:?}");

    client.notify("textDocument/didClose", json!({"textDocument": {"uri": URI}}));
    assert!(client.diagnostics(URI).is_empty());
    assert_eq!(client.stop(), 0);
}

/// Safe fixes are preferred; without `disabledSupport`, advice-only fixes
/// are left out (an action needs an edit or a command).
#[test]
fn safe_fixes_are_preferred_and_advice_needs_disabled_support() {
    let mut client = Client::start(json!({}), Value::Null);
    client.open(URI, "yaml", FOUNDING);
    let on_local = json!({"textDocument": {"uri": URI}, "range": range(22, 25, 30), "context": {"diagnostics": []}});
    let actions = client.request("textDocument/codeAction", on_local.clone()).unwrap();
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions.iter().map(|a| a["title"].as_str().unwrap()).collect();
    assert!(actions.iter().all(|a| a.get("edit").is_some()), "{titles:?}");
    assert!(titles.iter().all(|t| !t.contains("advice only")), "{titles:?}");
    // ASM-LB-001's recommended fix is advice (call the gateway by its Service DNS name): left out here.
    assert!(titles.iter().all(|t| !(t.starts_with("ASM-LB-001") && t.contains("recommended"))), "{titles:?}");
    let preferred: Vec<&str> =
        actions.iter().filter(|a| a["isPreferred"] == true).map(|a| a["title"].as_str().unwrap()).collect();
    // ASM-LB-010's wrr scheduler annotation is the one safe fix here.
    assert_eq!(preferred.len(), 1, "{titles:?}");
    assert!(preferred[0].starts_with("ASM-LB-010: ") && preferred[0].contains("recommended"), "{preferred:?}");
    assert!(!preferred[0].contains("changes behaviour"));
    let unsafe_titles = titles.iter().filter(|t| t.contains("changes behaviour")).count();
    assert_eq!(unsafe_titles, titles.len() - 1, "{titles:?}");
    // Only quick fixes are offered.
    let mut only_refactors = on_local;
    only_refactors["context"]["only"] = json!(["refactor"]);
    assert_eq!(client.request("textDocument/codeAction", only_refactors).unwrap(), json!([]));
    assert_eq!(client.stop(), 0);
}

/// Columns are UTF-16 code units: Chinese text counts one unit per
/// character, an emoji two; lines of Chinese comments count as lines.
#[test]
fn ranges_are_utf16_after_chinese_text() {
    let mut client = Client::start(json!({}), Value::Null);
    let line = r#"{"apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway", "metadata": {"name": "ingressgateway", "namespace": "istio-system", "annotations": {"说明": "入口网关 😀"}}, "spec": {"serviceType": "LoadBalancer", "externalTrafficPolicy": "Local", "replicaCount": 2}}"#;
    let text = format!("# 入口网关：保留客户端 IP\n# 注释 😀\n---\n{line}\n");
    let diagnostics = client.open("file:///work/%E7%BD%91%E5%85%B3.yaml", "yaml", &text);
    let lb = with_code(&diagnostics, "ASM-LB-001");
    assert_eq!(lb.len(), 1, "{diagnostics:?}");
    let start = line.find(r#""Local""#).unwrap();
    let units = line[..start].encode_utf16().count() as u32;
    // Six Chinese characters of 3 bytes and one unit each, and 😀 of 4 bytes and two units.
    assert_eq!(units, start as u32 - 6 * 2 - 2);
    assert_eq!(lb[0]["range"], range(3, units, units + 7), "the JSON string with its quotes");

    // The same through the JSON language id, and a hover there.
    let diagnostics = client.open("file:///work/gw.json", "json", line);
    assert_eq!(with_code(&diagnostics, "ASM-LB-001")[0]["range"], range(0, units, units + 7));
    let hover = client
        .request(
            "textDocument/hover",
            json!({"textDocument": {"uri": "file:///work/gw.json"}, "position": {"line": 0, "character": units + 3}}),
        )
        .unwrap();
    assert!(hover["contents"]["value"].as_str().unwrap().starts_with("## ASM-LB-001"), "{hover}");
    assert_eq!(client.stop(), 0);
}

/// A Markdown document's manifests are its fenced blocks; ranges are the
/// Markdown file's, and the fix edits land inside the block.
#[test]
fn markdown_documents_are_checked_in_their_code_blocks() {
    let mut client = Client::start(json!({}), Value::Null);
    let markdown = format!("# 网关\n\n说明文字。\n\n```yaml\n{FOUNDING}```\n");
    let uri = "file:///work/README.md";
    let diagnostics = client.open(uri, "markdown", &markdown);
    let lb = with_code(&diagnostics, "ASM-LB-001");
    assert_eq!(lb.len(), 1, "{diagnostics:?}");
    assert_eq!(lb[0]["range"], range(22 + 5, 25, 30), "five lines above the block's first line");
    let actions = client
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": lb[0]["range"], "context": {"diagnostics": []}}),
        )
        .unwrap();
    let cluster = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"].as_str().unwrap().contains("externalTrafficPolicy: Cluster"))
        .unwrap()
        .clone();
    let fixed = apply(&markdown, &cluster["edit"], uri);
    assert_eq!(fixed, markdown.replace("externalTrafficPolicy: Local ", "externalTrafficPolicy: Cluster "));
    // By extension when the language id is not one the server knows.
    let by_name = client.open("file:///work/notes.md", "plaintext", &markdown);
    assert_eq!(with_code(&by_name, "ASM-LB-001").len(), 1);
    assert_eq!(client.stop(), 0);
}

/// `--kube-proxy ipvs --in-cluster-clients pods --k8s-version 1.22` makes
/// ASM-LB-001 an error (README.md#cluster-context); the same keys come from
/// initializationOptions, workspace/configuration and didChangeConfiguration.
#[test]
fn the_cluster_context_comes_from_the_client() {
    let ipvs = json!({"kubeProxyMode": "ipvs", "inClusterClients": "pods", "kubernetesVersion": "1.22"});
    let severity = |diagnostics: &[Value]| with_code(diagnostics, "ASM-LB-001")[0]["severity"].clone();

    let client = Client::start(json!({}), ipvs.clone());
    assert_eq!(severity(&client.open(URI, "yaml", FOUNDING)), 1, "error");
    // A client without workspace/configuration pushes its settings.
    client.notify("workspace/didChangeConfiguration", json!({"settings": {"gateway-doctor": {"kubeProxyMode": null}}}));
    assert_eq!(severity(&client.diagnostics(URI)), 2, "warning again");
    client.notify("workspace/didChangeConfiguration", json!({"settings": {"gateway-doctor": {"cni": "calico"}}}));
    let message = client.notification("window/showMessage");
    assert!(message["message"].as_str().unwrap().contains("invalid value `calico` for `cni`"), "{message}");
    assert_eq!(message["type"], 2, "a warning");
    assert_eq!(client.stop(), 0);

    // A client with workspace/configuration is asked for the section.
    let mut client = Client::spawn();
    client
        .request("initialize", json!({"capabilities": {"workspace": {"configuration": true}}}))
        .expect("initialize succeeds");
    client.notify("initialized", json!({}));
    let Message::Request(asked) = client.receive() else { panic!("a workspace/configuration request") };
    assert_eq!(asked.method, "workspace/configuration");
    assert_eq!(asked.params, json!({"items": [{"section": "gateway-doctor"}]}));
    assert_eq!(severity(&client.open(URI, "yaml", FOUNDING)), 2);
    client.connection.sender.send(Response::new_ok(asked.id, json!([ipvs])).into()).unwrap();
    assert_eq!(severity(&client.diagnostics(URI)), 1, "re-checked with the answer");
    // A change is a prompt to ask again.
    client.notify("workspace/didChangeConfiguration", json!({"settings": null}));
    let Message::Request(again) = client.receive() else { panic!("asked again") };
    client.connection.sender.send(Response::new_ok(again.id, json!([null])).into()).unwrap();
    assert_eq!(severity(&client.diagnostics(URI)), 2);
    assert_eq!(client.stop(), 0);
}

/// Bad documents get diagnostics; bad requests get errors; the server lives on.
#[test]
fn malformed_input_and_unknown_requests() {
    let mut client = Client::spawn();
    let early = client.request("textDocument/hover", json!({})).unwrap_err();
    assert_eq!(early.code, ErrorCode::ServerNotInitialized as i32);
    client.request("initialize", json!({"capabilities": "not an object"})).expect("lenient about capabilities");
    client.notify("initialized", json!({}));

    let broken = client.open(URI, "yaml", "apiVersion: v1  # 注释 😀\nkind: Service\nmetadata: [\n");
    assert!(!with_code(&broken, "syntax").is_empty(), "{broken:?}");
    assert!(broken.iter().all(|d| d["source"] == "gateway-doctor"));
    let not_utf8ish = client.open("file:///work/x.json", "json", "{\"kind\": \u{0}");
    assert!(!not_utf8ish.is_empty());
    let empty = client.open("file:///work/empty.yaml", "yaml", "");
    assert!(empty.is_empty(), "{empty:?}");
    // Nothing for documents of other languages.
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": "file:///work/main.rs", "languageId": "rust", "version": 1, "text": "fn main() {}"}}),
    );

    let unknown = client.request("textDocument/completion", json!({})).unwrap_err();
    assert_eq!(unknown.code, ErrorCode::MethodNotFound as i32);
    let bad = client.request("textDocument/hover", json!({"position": "here"})).unwrap_err();
    assert_eq!(bad.code, ErrorCode::InvalidParams as i32);
    let twice = client.request("initialize", json!({"capabilities": {}})).unwrap_err();
    assert_eq!(twice.code, ErrorCode::InvalidRequest as i32);
    // A change with a range is applied even though the server asked for full sync.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [
            {"range": range(2, 10, 11), "text": "{name: 网关}"}
        ]}),
    );
    let fixed = client.diagnostics(URI);
    assert!(with_code(&fixed, "syntax").is_empty(), "{fixed:?}");
    // Notifications for unknown documents and unknown notifications are ignored.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": "file:///nope", "version": 1}, "contentChanges": []}),
    );
    client.notify("$/cancelRequest", json!({"id": 99}));
    client.notify("textDocument/didOpen", json!({"textDocument": 7}));
    let message = client.notification("window/showMessage");
    assert!(message["message"].as_str().unwrap().contains("invalid parameters"), "{message}");

    assert_eq!(client.request("shutdown", Value::Null).unwrap(), Value::Null);
    let after = client.request("textDocument/hover", json!({})).unwrap_err();
    assert_eq!(after.code, ErrorCode::InvalidRequest as i32);
    client.notify("exit", Value::Null);
    assert_eq!(client.server.take().unwrap().join().unwrap(), 0);
}

#[test]
fn exit_without_shutdown_is_status_1() {
    let mut client = Client::start(json!({}), Value::Null);
    client.notify("exit", Value::Null);
    assert_eq!(client.server.take().unwrap().join().unwrap(), 1);
}
