//! What the annotation rules need beyond the Service: the IstioGateway spec
//! field a rendered Service came from, and the pod templates a plain Service
//! selects.

use crate::yaml::{pointer, Node};

use super::resource::Resource;
use super::service::{Field, Origin, ServiceView};

/// A field of the IstioGateway spec behind `svc`: the override's value first,
/// then the base spec's (field-level precedence: `overrides` holds the base spec's fields, S204;
/// ASM documents no merge, so this is assumed).
pub fn istio_spec_field<'a>(resource: &Resource<'a>, svc: &ServiceView<'a>, key: &str) -> Option<Field<'a>> {
    let Origin::IstioGateway { cluster } = svc.origin else { return None };
    let spec = resource.node.get("spec")?;
    let from_override = cluster.and_then(|c| {
        let path = pointer::push("/spec/overrides", c);
        let node = spec.get("overrides")?.get(c)?.get(key)?;
        Some(Field { node, path: pointer::push(&path, key) })
    });
    from_override.or_else(|| spec.get(key).map(|node| Field { node, path: pointer::push("/spec", key) }))
}

/// Indices of the Deployments in the stream whose pod template a plain
/// Service's selector matches (same namespace, every selector label present).
pub fn selected_deployments(resources: &[Resource<'_>], service: usize) -> Vec<usize> {
    let Some(svc) = resources.get(service) else { return Vec::new() };
    let Some(selector) = svc.get("/spec/selector").filter(|s| s.string_map().next().is_some()) else {
        return Vec::new();
    };
    let namespace = svc.namespace.unwrap_or("default");
    resources
        .iter()
        .enumerate()
        .filter(|(_, r)| r.is("apps", "Deployment") && r.namespace.unwrap_or("default") == namespace)
        .filter(|(_, r)| {
            let labels = r.get("/spec/template/metadata/labels");
            selector
                .string_map()
                .all(|(k, v)| labels.and_then(|l| l.get(k)).and_then(Node::scalar_text) == v.scalar_text())
        })
        .map(|(i, _)| i)
        .collect()
}
