//! The JavaScript API (wasm-bindgen): turns JavaScript values into the core's
//! options, and the core's results into plain JavaScript objects (JSON-shaped,
//! so `JSON.stringify` of a report is the CLI's `--format json`).
//!
//! Nothing here may trap: bad arguments come back as `{ error }` values.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use gateway_doctor::text::ColumnUnit;
use gateway_doctor::{FixAvailability, FixRequest, InputFormat, Lang, Options, Severity};

/// talc instead of the standard library's dlmalloc: smaller code in the module
/// (BENCHMARKS.md, Browser). The Kubewarden module uses it too.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Problems with arguments come back as values, never as exceptions or traps. */
export interface ApiError { error: string }

export type Severity = "error" | "warning" | "info";
export type InputFormat = "auto" | "yaml" | "json" | "markdown";

/** What you know about the cluster (docs/architecture.md#cluster-context); every key is optional. */
export interface ClusterContext {
  cni?: "terway-eni" | "terway-eniip" | "terway-datapathv2" | "flannel" | "cilium-kpr" | "unknown";
  kubeProxyMode?: "iptables" | "ipvs" | "nftables" | "none" | "unknown";
  detectLocal?: "implemented" | "no-op" | "unknown";
  kubernetesVersion?: string;
  ccmVersion?: string;
  inClusterClients?: "none" | "pods" | "host-network" | "unknown";
  needsSourceIp?: boolean;
}

export interface CheckOptions extends ClusterContext {
  /** Language of messages and fix titles. */
  lang?: "en" | "zh";
  /** `auto` (the default) tells Markdown, JSON and YAML apart by content. */
  format?: InputFormat;
  /** Fix parameter: the DNS name for the load balancer hostname fix. */
  hostname?: string;
}

export interface FixOptions extends CheckOptions {
  /** Apply fixes that change behaviour when they are asked for by id. */
  allowUnsafe?: boolean;
}

/** Byte offsets into the UTF-8 text. */
export interface Span { start: number; end: number }
/** 1-based; columns count UTF-16 code units, as JavaScript strings do. */
export interface Position { line: number; column: number }

export interface ResourceRef {
  document: number;
  /** Where the object sits in its document (`/items/2` inside a List); absent for a document root. */
  path?: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
}

/**
 * Where a finding, a related location or an input diagnostic is: one shape for all three.
 * `document` is absent only on a diagnostic about the whole input or about text outside every
 * document; `path` is absent on a diagnostic, and on a finding only when it is the document root ("").
 */
export interface Location {
  document?: number;
  /** JSON Pointer from the document root. */
  path?: string;
  span: Span;
  start: Position;
  end: Position;
}

/** A finding's location always names its document. */
export interface FindingLocation extends Location { document: number }

export type PatchOp =
  | { op: "add" | "replace"; path: string; value: unknown }
  | { op: "remove"; path: string }
  /** A key renamed in place (`from` and `path` share a parent). */
  | { op: "move"; from: string; path: string };

export interface TextEdit { span: Span; text: string }

/** What a fix is, written once in `Report.fixCatalogue` for every fix that shares it. */
export interface FixDescription {
  id: string;
  title: string;
  applicability: "safe" | "unsafe" | "display-only";
  tradeoffs: string[];
  /** Rule codes of warnings or infos the fixed manifest may newly carry. */
  introduces?: string[];
}

/** A fix of one finding: what it changes here; its description is `fixCatalogue[catalogue]`. */
export interface FixOption {
  id: string;
  /** Index into `Report.fixCatalogue`. */
  catalogue: number;
  recommended?: boolean;
  /** RFC 6902, relative to the resource. */
  patch: PatchOp[];
  /** The same change as edits of the input text. */
  edits: TextEdit[];
  /** Why the patch could not be written as text edits. */
  unavailable?: string;
}

export interface Finding {
  code: string;
  name: string;
  severity: Severity;
  message: string;
  resource: ResourceRef;
  location: FindingLocation;
  label?: string;
  /** What the severity assumes about the cluster. */
  notes: string[];
  fixes: FixOption[];
  related?: { message: string; location: FindingLocation }[];
}

export interface InputDiagnostic {
  kind: "syntax" | "duplicate-key" | "alias-limit" | "limit" | "not-a-resource" | "elision" | "indentation" | "template" | "schema-unavailable";
  severity: Severity;
  message: string;
  location: Location;
}

export interface Report {
  /** 2: fix descriptions in `fixCatalogue`, diagnostics' positions under `location`. */
  version: number;
  findings: Finding[];
  /** Each distinct fix description once, in order of first use. */
  fixCatalogue: FixDescription[];
  diagnostics: InputDiagnostic[];
  resources: (ResourceRef & { gateway?: string })[];
  summary: { documents: number; resources: number; error: number; warning: number; info: number; suppressed: number };
}

export interface FixRecord { code: string; id: string; resource: ResourceRef; reason?: string }

export interface FixResult {
  /** The whole input with the fixes applied. */
  text: string;
  applied: FixRecord[];
  skipped: FixRecord[];
  /** The check of the fixed text. */
  report: Report;
}

export interface RuleInfo {
  code: string;
  name: string;
  title: string;
  titleZh: string;
  severity: Severity;
  fix: "none" | "sometimes" | "always";
  /** Markdown: What it does, Why is this bad?, Example, Fix. */
  docs: string;
  sources: { id: string; text: string }[];
}

/** An effective gateway (or LoadBalancer) Service, for pictures of the cluster. */
export interface GatewayInfo {
  resource: ResourceRef;
  /** `/spec`, or `/spec/overrides/<cluster>`. */
  specPath: string;
  service: string;
  type: string;
  externalTrafficPolicy: string;
  replicas: { count?: number; min?: number; max?: number };
}
"#;

/// Checks a manifest (YAML, JSON or Markdown) and returns the report.
#[wasm_bindgen(unchecked_return_type = "Report | ApiError")]
pub fn check(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CheckOptions")] options: Option<JsValue>,
) -> JsValue {
    let run = || -> Result<JsValue, String> {
        let text = text_arg(&text)?;
        let (options, _) = options_arg(options)?;
        Ok(to_js(&gateway_doctor::check(&text, &options)))
    };
    run().unwrap_or_else(|e| error(&e))
}

/// Applies fixes by id (`[]` or `["safe"]`: every safe fix) and returns the
/// corrected text with what was applied, what was skipped, and its report.
#[wasm_bindgen(unchecked_return_type = "FixResult | ApiError")]
pub fn fix(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(js_name = "fixIds", unchecked_param_type = "string[]")] fix_ids: Option<JsValue>,
    #[wasm_bindgen(unchecked_param_type = "FixOptions")] options: Option<JsValue>,
) -> JsValue {
    let run = || -> Result<JsValue, String> {
        let text = text_arg(&text)?;
        let ids: Vec<String> = match fix_ids {
            Some(ids) if !ids.is_undefined() && !ids.is_null() => {
                let ids = match from_js(&ids)? {
                    serde_json::Value::Array(ids) => ids.iter().map(|id| id.as_str().map(str::to_owned)).collect(),
                    _ => None,
                };
                ids.ok_or("fixIds must be an array of strings")?
            }
            _ => Vec::new(),
        };
        let (options, allow_unsafe) = options_arg(options)?;
        Ok(to_js(&gateway_doctor::fix(&text, &FixRequest { ids, allow_unsafe }, &options)))
    };
    run().unwrap_or_else(|e| error(&e))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleInfo {
    code: &'static str,
    name: &'static str,
    title: &'static str,
    title_zh: &'static str,
    severity: Severity,
    fix: FixAvailability,
    docs: String,
    sources: Vec<SourceInfo>,
}

#[derive(Serialize)]
struct SourceInfo {
    id: &'static str,
    text: &'static str,
}

/// Every rule's metadata and docs, in catalogue order.
#[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
pub fn rules() -> JsValue {
    let rules: Vec<RuleInfo> = gateway_doctor::rules()
        .iter()
        .map(|rule| {
            let meta = rule.meta();
            RuleInfo {
                code: meta.code,
                name: meta.name,
                title: meta.title,
                title_zh: meta.title_zh,
                severity: meta.severity,
                fix: meta.fix,
                docs: meta.docs_text(),
                sources: meta
                    .sources
                    .iter()
                    .filter_map(|id| gateway_doctor::SOURCES.iter().find(|(s, _)| s == id))
                    .map(|(id, text)| SourceInfo { id, text })
                    .collect(),
            }
        })
        .collect();
    to_js(&rules)
}

/// Hands the module the field tables of ASM-CR-046 and ASM-CR-047: the text
/// of `schema/tables.txt`, which the browser build does not embed (the page
/// fetches it as `dist/schema.txt`). Until then a report carries one
/// `schema-unavailable` diagnostic and those two rules report nothing.
#[wasm_bindgen(js_name = "loadSchema", unchecked_return_type = "true | ApiError")]
pub fn load_schema(#[wasm_bindgen(unchecked_param_type = "string")] text: JsValue) -> JsValue {
    let Some(text) = text.as_string() else { return error("the schema must be a string") };
    match gateway_doctor::load_schema(&text) {
        Ok(()) => JsValue::TRUE,
        Err(e) => error(&format!("the schema does not parse: {e}")),
    }
}

/// The version of the checker.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}

/// The effective Services of the input with their policy and replica counts,
/// so a page can draw which nodes host gateway pods.
#[wasm_bindgen(unchecked_return_type = "GatewayInfo[] | ApiError")]
pub fn gateways(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CheckOptions")] options: Option<JsValue>,
) -> JsValue {
    let run = || -> Result<JsValue, String> {
        let text = text_arg(&text)?;
        let (options, _) = options_arg(options)?;
        Ok(to_js(&gateway_doctor::gateways(&text, &options)))
    };
    run().unwrap_or_else(|e| error(&e))
}

fn text_arg(value: &JsValue) -> Result<String, String> {
    value.as_string().ok_or_else(|| "text must be a string".to_owned())
}

/// The flat options object: context keys, `lang`, `format`, `hostname`,
/// `allowUnsafe`. Unknown keys are errors, so a typo is not silently ignored.
fn options_arg(value: Option<JsValue>) -> Result<(Options, bool), String> {
    let mut options = Options { columns: ColumnUnit::Utf16, ..Options::default() };
    let Some(value) = value.filter(|v| !v.is_undefined() && !v.is_null()) else {
        return Ok((options, false));
    };
    let serde_json::Value::Object(map) = from_js(&value)? else {
        return Err("options must be an object".to_owned());
    };
    let mut allow_unsafe = false;
    for (key, value) in map {
        let text = || value.as_str().map(str::to_owned).ok_or_else(|| format!("`{key}` must be a string"));
        match key.as_str() {
            "lang" => options.lang = Lang::parse(&text()?).ok_or_else(|| format!("`lang` is en or zh, not {value}"))?,
            "format" => {
                options.format = InputFormat::parse(&text()?)
                    .ok_or_else(|| format!("`format` is auto, yaml, json or markdown, not {value}"))?
            }
            "hostname" => options.params.hostname = Some(text()?),
            "allowUnsafe" => allow_unsafe = value.as_bool().ok_or("`allowUnsafe` must be a boolean")?,
            // The context keys, read as the policy hosts read their settings.
            _ => options.context.set_json(&key, &value).map_err(|e| format!("invalid options: {e}"))?,
        }
    }
    Ok((options, allow_unsafe))
}

/// Results cross as JSON text parsed by `JSON.parse`: serde_json is in the
/// module anyway, and one string is smaller code than building each object
/// through calls into JavaScript (BENCHMARKS.md, Browser).
fn to_js<T: Serialize>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .map_err(|e| e.to_string())
        .and_then(|json| js_sys::JSON::parse(&json).map_err(|_| "JSON.parse failed".to_owned()))
        .unwrap_or_else(|e| error(&format!("could not convert the result: {e}")))
}

/// Arguments cross as `JSON.stringify` text, read by the core's JSON reader
/// as the policy hosts read their requests: no second JSON deserialiser.
/// (`undefined` members drop out, as `JSON.stringify` leaves them.)
fn from_js(value: &JsValue) -> Result<serde_json::Value, String> {
    let text =
        js_sys::JSON::stringify(value).ok().and_then(|text| text.as_string()).ok_or("arguments must be JSON values")?;
    gateway_doctor::host::read_json(text.as_bytes())
}

fn error(message: &str) -> JsValue {
    let object = js_sys::Object::new();
    // Setting a property on a fresh plain object cannot fail.
    let _ = js_sys::Reflect::set(&object, &JsValue::from_str("error"), &JsValue::from_str(message));
    object.into()
}

#[cfg(test)]
mod tests {
    use gateway_doctor::context::{Values, CONTEXT_KEYS};

    /// The `ClusterContext` interface of the TypeScript types, written from the core's table.
    fn cluster_context_interface() -> String {
        let members: String = CONTEXT_KEYS
            .iter()
            .map(|key| {
                let ty = match key.values {
                    Values::Names(names) => {
                        names.iter().chain(&["unknown"]).map(|n| format!("\"{n}\"")).collect::<Vec<_>>().join(" | ")
                    }
                    Values::Version(_) => "string".to_owned(),
                    Values::Bool { .. } => "boolean".to_owned(),
                };
                format!("  {}?: {ty};\n", key.key)
            })
            .collect();
        format!("export interface ClusterContext {{\n{members}}}")
    }

    /// The JS options are the context keys of the core's table, with the same values.
    #[test]
    fn typescript_context_keys_come_from_the_core_table() {
        let expected = cluster_context_interface();
        // wasm-bindgen takes the `TYPES` constant in: read it from the source.
        assert!(include_str!("lib.rs").contains(&expected), "crates/wasm/src/lib.rs TYPES should hold:\n{expected}");
    }
}
