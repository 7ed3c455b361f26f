//! Small pieces several rules share: how a finding names the Service or
//! resource it is about, field paths, and quantities.

use crate::model::{Field, Origin, Resource, ServiceView};
use crate::rule::RuleContext;
use crate::yaml::{pointer, Node, Resolved};

/// ` (override for cluster c1)` when the Service is an override's rendering.
pub fn scope(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> String {
    match svc.origin {
        Origin::IstioGateway { cluster: Some(c) } => {
            cx.t(format_args!(" (override for cluster {c})"), format_args!("（集群 {c} 的覆盖配置）"))
        }
        _ => String::new(),
    }
}

/// A pointer as the dotted field name people write (`/spec/ports/0` is
/// `spec.ports.0`). Escaped tokens hold no `/`, so unescaping after the
/// separators are replaced reads each token as `pointer::tokens` would.
pub fn dotted(path: &str) -> String {
    pointer::unescape(&path.trim_start_matches('/').replace('/', ".")).into_owned()
}

/// The route a fix adds an annotation at, for the Service's annotation map.
pub fn annotation_path(svc: &ServiceView<'_>, key: &str) -> String {
    pointer::push(&svc.annotations_path, key)
}

/// Whether `path` lies inside `prefix` (`/spec/overrides/c1/x` inside `/spec/overrides/c1`).
pub fn is_within(path: &str, prefix: &str) -> bool {
    path.strip_prefix(prefix).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

/// Where an absent field of an effective Service belongs: the override's own
/// spec when the override itself makes the Service what it is (it sets
/// `decisive`), otherwise the base spec every rendering inherits.
pub fn absent_field_path(svc: &ServiceView<'_>, key: &str, decisive: &[Option<&str>]) -> String {
    let own = decisive.iter().flatten().any(|p| is_within(p, &svc.spec_path));
    let base = if own { svc.spec_path.as_str() } else { "/spec" };
    pointer::push(base, key)
}

/// The text Kubernetes reads a quantity from: YAML numbers reach the API
/// server as JSON numbers (`cpu: 0x10` is 16), strings as written; `None` for
/// booleans, nulls and collections. Floats are written as JSON writes them
/// (serde_json's shortest form; `2.0` as `2`, as Go's encoder does), which
/// spares the wasm builds core's float formatting.
pub fn quantity_text(node: &Node) -> Option<String> {
    let scalar = node.as_scalar()?;
    match scalar.resolve() {
        Resolved::Str => Some(scalar.text.clone()),
        Resolved::Int(i) => Some(i.to_string()),
        Resolved::Float(f) => {
            let text = serde_json::Number::from_f64(f)?.to_string();
            Some(text.strip_suffix(".0").map(str::to_owned).unwrap_or(text))
        }
        _ => None,
    }
}

/// `Deployment istio-system/istio-ingressgateway`.
pub fn resource_label(resource: &Resource<'_>) -> String {
    format!("{} {}", resource.kind, resource.display_name())
}

/// The entries of `requests` or `limits` in a resources block, with their routes.
pub fn quantities<'a>(block: &Field<'a>, group: &str) -> Vec<(&'a str, Field<'a>)> {
    let Some(map) = block.node.get(group) else { return Vec::new() };
    let base = pointer::push(&block.path, group);
    map.string_map().map(|(name, node)| (name, Field { node, path: pointer::push(&base, name) })).collect()
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    fn text_of(yaml: &str) -> Option<String> {
        let loaded = crate::yaml::load(&format!("v: {yaml}\n"), &Default::default());
        let root = loaded.documents[0].root.as_ref().unwrap();
        quantity_text(root.get("v").unwrap())
    }

    #[test]
    fn quantity_text_writes_numbers_as_json_does() {
        assert_eq!(text_of("0.5").as_deref(), Some("0.5"));
        assert_eq!(text_of("2.0").as_deref(), Some("2"));
        assert_eq!(text_of("-1.25").as_deref(), Some("-1.25"));
        assert_eq!(text_of("250m").as_deref(), Some("250m"));
        assert_eq!(text_of("'2.0'").as_deref(), Some("2.0"));
        assert_eq!(text_of("0x10").as_deref(), Some("16"));
        assert_eq!(text_of(".inf"), None);
        assert_eq!(text_of("true"), None);
    }
}

/// Removes a v1 Service's `spec.healthCheckNodePort` from a fix that leaves
/// `externalTrafficPolicy: Local`: the API server rejects the field unless the
/// Service is a LoadBalancer with `Local` (`validateServiceExternalTrafficPolicy`,
/// S100), and an IstioGateway has no such field.
pub(crate) fn drop_health_check_node_port(
    cx: &crate::rule::RuleContext<'_>,
    svc: &crate::model::ServiceView<'_>,
    fix: crate::rule::Fix,
) -> crate::rule::Fix {
    const PATH: &str = "/spec/healthCheckNodePort";
    if svc.origin != crate::model::Origin::Service || cx.resources[svc.resource].get(PATH).is_none() {
        return fix;
    }
    fix.op(crate::patch::Op::remove(PATH)).tradeoff(cx.t(
        "spec.healthCheckNodePort is removed with it: the API server accepts it only with Local",
        "同时删除 spec.healthCheckNodePort：API server 只在 Local 时接受该字段",
    ))
}
