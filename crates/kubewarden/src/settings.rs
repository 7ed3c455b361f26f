//! The policy's settings: the cluster context keys (docs/architecture.md#cluster-context),
//! plus `rejectOn`, `mutate` and `ignore`. Parsed by hand from JSON so that a
//! bad setting is answered with a message naming the key and the reason,
//! instead of a serde error about a type the administrator never sees.

use gateway_doctor::context::json_type;
use gateway_doctor::{ClusterContext, Lang, Severity};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The lowest severity that rejects a request.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RejectOn {
    #[default]
    Error,
    Warning,
    Never,
}

impl RejectOn {
    pub fn rejects(self, severity: Severity) -> bool {
        match self {
            RejectOn::Error => severity >= Severity::Error,
            RejectOn::Warning => severity >= Severity::Warning,
            RejectOn::Never => false,
        }
    }
}

/// The settings accepted by `validate_settings`, ready for evaluation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(try_from = "Value", into = "Value")]
pub struct Settings {
    pub context: ClusterContext,
    pub lang: Lang,
    pub reject_on: RejectOn,
    /// `safe` and/or fix ids such as `set-cluster-policy`.
    pub mutate: Vec<String>,
    /// Rule codes or names whose findings are dropped.
    pub ignore: Vec<String>,
}

const POLICY_KEYS: &[(&str, &str)] = &[
    ("lang", "en, zh"),
    ("rejectOn", "error, warning, never"),
    ("mutate", "a list of fix ids, or `safe` for every safe fix"),
    ("ignore", "a list of rule codes or names"),
];

impl Settings {
    /// Reads settings from their JSON form; `null` means all defaults.
    pub fn from_json(value: &Value) -> Result<Self, String> {
        let map = match value {
            Value::Null => return Ok(Settings::default()),
            Value::Object(map) => map,
            other => return Err(format!("settings must be an object, not {}", json_type(other))),
        };
        let mut settings = Settings::default();
        for (key, value) in map {
            settings.set(key, value)?;
        }
        Ok(settings)
    }

    fn set(&mut self, key: &str, value: &Value) -> Result<(), String> {
        match key {
            "rejectOn" => {
                self.reject_on = match expect_str(key, value)? {
                    "error" => RejectOn::Error,
                    "warning" => RejectOn::Warning,
                    "never" => RejectOn::Never,
                    other => return Err(format!("`rejectOn` takes error, warning or never, not `{other}`")),
                }
            }
            "lang" => {
                let text = expect_str(key, value)?;
                self.lang = Lang::parse(text).ok_or_else(|| format!("`lang` takes en or zh, not `{text}`"))?;
            }
            "mutate" => self.mutate = string_list(key, value, check_fix_id)?,
            "ignore" => self.ignore = string_list(key, value, check_rule)?,
            _ if ClusterContext::KEYS.iter().any(|(k, _)| *k == key) => self.context.set_json(key, value)?,
            _ => return Err(unknown_key(key)),
        }
        Ok(())
    }

    pub fn ignores(&self, code: &str, name: &str) -> bool {
        self.ignore.iter().any(|i| i.eq_ignore_ascii_case(code) || i == name)
    }
}

impl TryFrom<Value> for Settings {
    type Error = String;

    fn try_from(value: Value) -> Result<Self, String> {
        Settings::from_json(&value)
    }
}

impl From<Settings> for Value {
    fn from(settings: Settings) -> Value {
        let mut map = match serde_json::to_value(&settings.context) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        if settings.lang == Lang::Zh {
            map.insert("lang".into(), "zh".into());
        }
        let reject_on = match settings.reject_on {
            RejectOn::Error => "error",
            RejectOn::Warning => "warning",
            RejectOn::Never => "never",
        };
        map.insert("rejectOn".into(), reject_on.into());
        map.insert("mutate".into(), settings.mutate.into());
        map.insert("ignore".into(), settings.ignore.into());
        Value::Object(map)
    }
}

fn unknown_key(key: &str) -> String {
    let known: Vec<&str> = ClusterContext::KEYS.iter().chain(POLICY_KEYS).map(|(k, _)| *k).collect();
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
    match gateway_doctor::find_rule(text) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        assert!(message(json!({"rejectOn": "info"})).contains("`rejectOn` takes error, warning or never"));
        assert!(message(json!({"cnii": "flannel"})).contains("unknown setting `cnii`"));
        assert!(message(json!({"cni": "weave"})).contains("invalid value `weave` for `cni`"));
        assert!(message(json!({"ignore": ["ASM-NOPE-999"]})).contains("`ASM-NOPE-999` is not a rule"));
        assert!(message(json!({"mutate": ["Set Cluster"]})).contains("is not a fix id"));
        assert!(message(json!({"mutate": 3})).contains("must be a list of strings, not a number"));
        assert!(message(json!([])).contains("settings must be an object"));
    }

    #[test]
    fn round_trips_through_json() {
        let settings =
            Settings::from_json(&json!({"cni": "flannel", "rejectOn": "never", "mutate": ["safe"]})).unwrap();
        let again = Settings::from_json(&Value::from(settings.clone())).unwrap();
        assert_eq!(again, settings);
    }
}
