//! What every host shares: its settings (the cluster-context keys, `lang`,
//! `rejectOn`, `ignore`, `mutate`), read from JSON with one set of error
//! messages, and the request it is asked about (a Kubernetes object, an
//! admission request or review, or `{"object", "context"}`). The Kubewarden
//! and OPA modules and the browser binding read their input here, so a key,
//! a value or an error means the same in each (docs/architecture.md#add-a-host).
//!
//! Settings are read by hand rather than through serde's derive: a bad setting
//! is answered with a message naming the key and the reason, and the policy
//! modules carry no deserialiser code for them.

use serde_json::{Map, Value};

use crate::context::{json_type, ClusterContext, CONTEXT_KEYS};
use crate::{Lang, Options, Severity};

/// The lowest severity that rejects a request (or is a violation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RejectOn {
    #[default]
    Error,
    Warning,
    Info,
    Never,
}

impl RejectOn {
    pub const NAMES: &'static [&'static str] = &["error", "warning", "info", "never"];

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "never" => Some(RejectOn::Never),
            _ => Some(match Severity::parse(text)? {
                Severity::Error => RejectOn::Error,
                Severity::Warning => RejectOn::Warning,
                Severity::Info => RejectOn::Info,
            }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            RejectOn::Error => "error",
            RejectOn::Warning => "warning",
            RejectOn::Info => "info",
            RejectOn::Never => "never",
        }
    }

    pub fn rejects(self, severity: Severity) -> bool {
        match self {
            RejectOn::Error => severity >= Severity::Error,
            RejectOn::Warning => severity >= Severity::Warning,
            RejectOn::Info => true,
            RejectOn::Never => false,
        }
    }
}

/// The settings keys a host adds to the context keys ([`CONTEXT_KEYS`]), with their values.
pub const HOST_KEYS: &[(&str, &str)] = &[
    ("lang", "en, zh"),
    ("rejectOn", "error, warning, info, never"),
    ("mutate", "a list of fix ids, or `safe` for every safe fix"),
    ("ignore", "a list of rule codes or names"),
];

/// A host's settings, read and checked.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Settings {
    pub context: ClusterContext,
    pub lang: Lang,
    pub reject_on: RejectOn,
    /// `safe` and/or fix ids such as `set-cluster-policy`.
    pub mutate: Vec<String>,
    /// Rule codes or names whose findings do not count.
    pub ignore: Vec<String>,
}

impl Settings {
    /// Reads settings from their JSON form; `null` means all defaults.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        match value {
            Value::Null => Ok(Settings::default()),
            Value::Object(map) => Settings::from_map(map),
            other => Err(format!("settings must be an object, not {}", json_type(other))),
        }
    }

    /// Reads the keys of a settings object.
    pub fn from_map(map: &Map<String, Value>) -> Result<Self, String> {
        let mut settings = Settings::default();
        for (key, value) in map {
            settings.set(key, value)?;
        }
        Ok(settings)
    }

    fn set(&mut self, key: &str, value: &Value) -> Result<(), String> {
        match key {
            "rejectOn" => {
                let text = expect_str(key, value)?;
                self.reject_on = RejectOn::parse(text)
                    .ok_or_else(|| format!("`rejectOn` takes error, warning, info or never, not `{text}`"))?;
            }
            "lang" => {
                let text = expect_str(key, value)?;
                self.lang = Lang::parse(text).ok_or_else(|| format!("`lang` takes en or zh, not `{text}`"))?;
            }
            "mutate" => self.mutate = string_list(key, value, check_fix_id)?,
            "ignore" => self.ignore = string_list(key, value, check_rule)?,
            _ if CONTEXT_KEYS.iter().any(|k| k.key == key) => self.context.set_json(key, value)?,
            _ => return Err(unknown_key(key)),
        }
        Ok(())
    }

    /// Whether findings of this rule are ignored.
    pub fn ignores(&self, code: &str, name: &str) -> bool {
        self.ignore.iter().any(|i| i.eq_ignore_ascii_case(code) || i == name)
    }

    /// The options of a check under these settings.
    pub fn options(&self) -> Options {
        Options { context: self.context.clone(), lang: self.lang, ..Options::default() }
    }

    /// The JSON form [`Settings::from_json`] reads back.
    pub fn to_json(&self) -> Value {
        let mut map = match serde_json::to_value(&self.context) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        if self.lang == Lang::Zh {
            map.insert("lang".into(), "zh".into());
        }
        map.insert("rejectOn".into(), self.reject_on.name().into());
        map.insert("mutate".into(), self.mutate.clone().into());
        map.insert("ignore".into(), self.ignore.clone().into());
        Value::Object(map)
    }
}

fn unknown_key(key: &str) -> String {
    let known: Vec<&str> = CONTEXT_KEYS.iter().map(|k| k.key).chain(HOST_KEYS.iter().map(|(k, _)| *k)).collect();
    format!("unknown setting `{key}`; the settings are {}", known.join(", "))
}

fn expect_str<'v>(key: &str, value: &'v Value) -> Result<&'v str, String> {
    value.as_str().ok_or_else(|| format!("`{key}` must be a string, not {}", json_type(value)))
}

/// A list of strings; a single string is taken as a one-item list.
fn string_list(key: &str, value: &Value, check: fn(&str) -> Result<(), String>) -> Result<Vec<String>, String> {
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        Value::String(_) => vec![value],
        Value::Null => Vec::new(),
        other => return Err(format!("`{key}` must be a list of strings, not {}", json_type(other))),
    };
    items
        .into_iter()
        .map(|item| {
            let text = item.as_str().ok_or_else(|| format!("`{key}` holds {}, not a string", json_type(item)))?;
            check(text).map_err(|why| format!("`{key}`: {why}"))?;
            Ok(text.to_owned())
        })
        .collect()
}

fn check_rule(text: &str) -> Result<(), String> {
    match crate::find_rule(text) {
        Some(_) => Ok(()),
        None => Err(format!("`{text}` is not a rule code or name (see `gateway-doctor rules`)")),
    }
}

/// Fix ids are kebab-case words; which ones exist depends on the finding.
fn check_fix_id(text: &str) -> Result<(), String> {
    let kebab = !text.is_empty()
        && !text.starts_with('-')
        && !text.ends_with('-')
        && text.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if kebab {
        Ok(())
    } else {
        Err(format!("`{text}` is not a fix id (kebab-case, such as set-cluster-policy) nor `safe`"))
    }
}

/// Reads a JSON request or settings with the core's JSON reader, the one the
/// checks use, so a host carries no second JSON parser.
pub fn read_json(bytes: &[u8]) -> Result<Value, String> {
    crate::yaml::read_value(bytes, &crate::yaml::Limits::default())
}

/// What a request asks to check.
#[derive(Debug, PartialEq)]
pub enum Subject<'a> {
    /// A Kubernetes object (with a string `kind`).
    Object(&'a Value),
    /// Nothing to check: an operation without a new object (DELETE, CONNECT).
    Nothing(String),
}

/// A request: what to check, and the settings it carries itself.
#[derive(Debug, PartialEq)]
pub struct Request<'a> {
    pub subject: Subject<'a>,
    /// `context` of `{"object", "context"}` or of an AdmissionReview, or a
    /// Gatekeeper review's `parameters`.
    pub settings: Option<&'a Value>,
}

/// Finds the object in a request. Accepted forms: a Kubernetes object; an
/// AdmissionReview (`{"request": ...}`) or its admission request (with
/// `operation` or `uid`); a Gatekeeper review (`{"review", "parameters"}`);
/// and `{"object": ..., "context": ...}`.
pub fn request(input: &Value) -> Result<Request<'_>, String> {
    let Value::Object(map) = input else {
        return Err(format!("the input is {}, not an object", json_type(input)));
    };
    let context = map.get("context");
    if let Some(review) = map.get("request") {
        return Ok(Request { subject: admission(review)?, settings: context });
    }
    if let Some(review) = map.get("review") {
        return Ok(Request { subject: admission(review)?, settings: map.get("parameters") });
    }
    if map.contains_key("operation") || map.contains_key("uid") {
        return Ok(Request { subject: admission(input)?, settings: None });
    }
    if let Some(object) = map.get("object") {
        return Ok(Request { subject: Subject::Object(checked_object(object)?), settings: context });
    }
    if map.contains_key("kind") {
        return Ok(Request { subject: Subject::Object(checked_object(input)?), settings: None });
    }
    Err("the input is neither a Kubernetes object (with `kind`), an admission request or AdmissionReview \
         (with `request`), nor {\"object\": ..., \"context\": ...}"
        .into())
}

/// An admission request: CREATE and UPDATE carry the new object; other
/// operations have nothing to check.
fn admission(request: &Value) -> Result<Subject<'_>, String> {
    let operation = request.get("operation").and_then(Value::as_str);
    if let Some(operation) = operation.filter(|op| !matches!(*op, "CREATE" | "UPDATE")) {
        return Ok(Subject::Nothing(format!("operation `{operation}` has no new object to check")));
    }
    match (request.get("object").filter(|o| !o.is_null()), operation) {
        (Some(object), _) => Ok(Subject::Object(checked_object(object)?)),
        (None, Some(operation)) => Err(format!("the {operation} request has no `object`")),
        (None, None) => Ok(Subject::Nothing("the request has no object to check".into())),
    }
}

fn checked_object(object: &Value) -> Result<&Value, String> {
    match object {
        Value::Object(map) if map.get("kind").is_some_and(Value::is_string) => Ok(object),
        Value::Object(_) => Err("the object has no string `kind`".into()),
        other => Err(format!("the object is {}, not a Kubernetes object", json_type(other))),
    }
}

/// The object's API group and kind: from the admission request's `kind` when
/// it has one, else from the object's `apiVersion` and `kind`.
pub fn group_kind<'a>(request: &'a Value, object: &'a Value) -> (&'a str, &'a str) {
    let request = request.get("request").or_else(|| request.get("review")).unwrap_or(request);
    let kind = request.get("kind").filter(|k| k.is_object());
    let group = kind.and_then(|k| k.get("group")).and_then(Value::as_str);
    let name = kind.and_then(|k| k.get("kind")).and_then(Value::as_str);
    if let (Some(group), Some(name)) = (group, name) {
        return (group, name);
    }
    let api_version = object.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    let group = api_version.rsplit_once('/').map_or("", |(group, _)| group);
    (group, object.get("kind").and_then(Value::as_str).unwrap_or(""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn service() -> Value {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "gw"}})
    }

    #[test]
    fn defaults_when_empty_or_null() {
        assert_eq!(Settings::from_json(&json!({})).unwrap(), Settings::default());
        assert_eq!(Settings::from_json(&Value::Null).unwrap(), Settings::default());
    }

    #[test]
    fn reads_every_kind_of_key() {
        let settings = Settings::from_json(&json!({
            "cni": "terway-eniip", "kubeProxyMode": "ipvs", "needsSourceIp": true, "kubernetesVersion": "1.30",
            "rejectOn": "warning", "mutate": ["safe", "set-cluster-policy"], "ignore": "ASM-LB-001", "lang": "zh"
        }))
        .unwrap();
        assert_eq!(settings.reject_on, RejectOn::Warning);
        assert_eq!(settings.mutate, ["safe", "set-cluster-policy"]);
        assert_eq!(settings.ignore, ["ASM-LB-001"]);
        assert_eq!(settings.context.needs_source_ip, Some(true));
        assert_eq!(settings.lang, Lang::Zh);
        assert!(settings.ignores("asm-lb-001", "x"));
    }

    #[test]
    fn bad_settings_say_which_and_why() {
        let message = |v: Value| Settings::from_json(&v).unwrap_err();
        assert!(message(json!({"rejectOn": "often"})).contains("`rejectOn` takes error, warning, info or never"));
        assert!(message(json!({"lang": 3})).contains("`lang` must be a string, not a number"));
        assert!(message(json!({"cnii": "flannel"})).contains("unknown setting `cnii`; the settings are cni, "));
        assert!(message(json!({"cni": "weave"})).contains("invalid value `weave` for `cni`"));
        assert!(message(json!({"ignore": ["ASM-NOPE-999"]})).contains("`ASM-NOPE-999` is not a rule"));
        assert!(message(json!({"mutate": ["Set Cluster"]})).contains("is not a fix id"));
        assert!(message(json!({"mutate": 3})).contains("must be a list of strings, not a number"));
        assert!(message(json!([])).contains("settings must be an object"));
    }

    #[test]
    fn reject_on_names_round_trip_and_order() {
        for name in RejectOn::NAMES {
            assert_eq!(RejectOn::parse(name).map(RejectOn::name), Some(*name));
        }
        assert!(RejectOn::Info.rejects(Severity::Info) && !RejectOn::Warning.rejects(Severity::Info));
        assert!(RejectOn::Warning.rejects(Severity::Warning) && !RejectOn::Error.rejects(Severity::Warning));
        assert!(!RejectOn::Never.rejects(Severity::Error));
    }

    /// `HOST_KEYS` and the `rejectOn` error spell the names out as text;
    /// both must list exactly `RejectOn::NAMES`.
    #[test]
    fn reject_on_names_are_listed_where_spelled_out() {
        let listed = HOST_KEYS.iter().find(|(key, _)| *key == "rejectOn").unwrap().1;
        assert_eq!(listed, RejectOn::NAMES.join(", "));
        let (last, rest) = RejectOn::NAMES.split_last().unwrap();
        let error = Settings::from_json(&json!({"rejectOn": "often"})).unwrap_err();
        assert!(error.contains(&format!("takes {} or {last}, not", rest.join(", "))), "{error}");
    }

    #[test]
    fn round_trips_through_json() {
        let settings =
            Settings::from_json(&json!({"cni": "flannel", "rejectOn": "never", "mutate": ["safe"], "lang": "zh"}))
                .unwrap();
        assert_eq!(Settings::from_json(&settings.to_json()).unwrap(), settings);
    }

    #[test]
    fn requests_of_every_form_find_the_object() {
        let object = service();
        let admission = json!({"uid": "1", "operation": "CREATE", "kind": {"group": "", "kind": "Service"},
                               "object": object});
        let review = json!({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": admission});
        let gatekeeper = json!({"review": admission, "parameters": {"cni": "flannel"}});
        let wrapped = json!({"object": object, "context": {"cni": "flannel"}});
        for input in [&object, &admission, &review] {
            assert_eq!(request(input).unwrap(), Request { subject: Subject::Object(&object), settings: None });
        }
        for input in [&gatekeeper, &wrapped] {
            let found = request(input).unwrap();
            assert_eq!(found.subject, Subject::Object(&object));
            assert_eq!(found.settings, Some(&json!({"cni": "flannel"})));
        }
        assert_eq!(group_kind(&review, &object), ("", "Service"));
        let gateway = json!({"apiVersion": "istio.alibabacloud.com/v1beta1", "kind": "IstioGateway"});
        assert_eq!(group_kind(&gateway, &gateway), ("istio.alibabacloud.com", "IstioGateway"));
    }

    #[test]
    fn operations_without_a_new_object_have_nothing_to_check() {
        let delete = json!({"request": {"operation": "DELETE", "object": null, "oldObject": service()}});
        assert!(matches!(request(&delete).unwrap().subject, Subject::Nothing(why) if why.contains("DELETE")));
        let no_operation = json!({"request": {"object": null}});
        assert!(matches!(request(&no_operation).unwrap().subject, Subject::Nothing(_)));
    }

    #[test]
    fn unrecognisable_requests_are_errors() {
        for (input, why) in [
            (json!(42), "the input is a number, not an object"),
            (json!({"hello": "world"}), "neither a Kubernetes object"),
            (json!({"object": [1]}), "the object is an array"),
            (json!({"object": {"metadata": {}}}), "no string `kind`"),
            (json!({"uid": "1", "operation": "UPDATE"}), "the UPDATE request has no `object`"),
        ] {
            assert!(request(&input).unwrap_err().contains(why), "{input}");
        }
    }
}
