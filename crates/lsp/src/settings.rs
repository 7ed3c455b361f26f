//! The cluster context from the client: `initializationOptions` and the
//! `gateway-doctor` section of `workspace/configuration`, with the keys of
//! the core's `CONTEXT_KEYS` (README.md#cluster-context), the same as the
//! CLI's context flags.

use gateway_doctor::context::{context_key, CONTEXT_KEYS};
use gateway_doctor::ClusterContext;
use serde_json::Value;

/// The configuration section the server asks for, and the key under which
/// settings may be nested (`{"gateway-doctor": {"cni": ...}}`).
pub const SECTION: &str = "gateway-doctor";

/// Applies the settings in `value` on top of `context`. Keys are the JSON
/// keys (`kubeProxyMode`) or, as a convenience, the CLI flag names
/// (`kube-proxy`); `null` and `"unknown"` clear a key. Returns a message for
/// every key or value that could not be used, so that nothing is dropped
/// silently.
pub fn apply(context: &mut ClusterContext, value: &Value) -> Vec<String> {
    let object = match value {
        Value::Null => return Vec::new(),
        Value::Object(object) => match object.get(SECTION) {
            Some(nested @ Value::Object(_)) => return apply(context, nested),
            _ => object,
        },
        other => return vec![format!("settings must be an object, not {}", type_name(other))],
    };
    object
        .iter()
        .filter_map(|(name, value)| {
            let key = context_key(name).or_else(|| CONTEXT_KEYS.iter().find(|k| k.flag == name));
            let Some(key) = key else {
                let known: Vec<&str> = CONTEXT_KEYS.iter().map(|k| k.key).collect();
                return Some(format!("unknown setting `{name}` (known: {})", known.join(", ")));
            };
            context.set_json(key.key, value).err()
        })
        .collect()
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use gateway_doctor::context::KubeProxyMode;
    use serde_json::json;

    use super::*;

    #[test]
    fn keys_flags_and_nested_sections() {
        let mut cx = ClusterContext::default();
        let problems = apply(&mut cx, &json!({"kubeProxyMode": "ipvs", "needs-source-ip": true}));
        assert_eq!(problems, Vec::<String>::new());
        assert_eq!(cx.kube_proxy_mode, Some(KubeProxyMode::Ipvs));
        assert_eq!(cx.needs_source_ip, Some(true));
        apply(&mut cx, &json!({"gateway-doctor": {"kubeProxyMode": null, "needsSourceIp": null}}));
        assert_eq!((cx.kube_proxy_mode, cx.needs_source_ip), (None, None));
    }

    #[test]
    fn unusable_settings_are_reported() {
        let mut cx = ClusterContext::default();
        let problems = apply(&mut cx, &json!({"cni": "calico", "kubeProxy": "ipvs", "k8s-version": 1.3}));
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("invalid value `calico` for `cni`"), "{problems:?}");
        assert!(problems[1].starts_with("unknown setting `kubeProxy`"), "{problems:?}");
        assert!(problems[2].contains("must be a string"), "{problems:?}");
        assert_eq!(apply(&mut cx, &json!([1])), ["settings must be an object, not an array"]);
        assert_eq!(cx, ClusterContext::default());
    }
}
