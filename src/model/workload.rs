//! The parts of Deployments, HPAs and IstioGateways that the replica and
//! resource rules read.

use crate::yaml::{pointer, Node};

use super::resource::Resource;
use super::service::{is_istio_gateway, Field};

/// A `resources` block (`requests`/`limits`) and who it belongs to.
#[derive(Clone, Debug)]
pub struct ResourcesBlock<'a> {
    pub resource: usize,
    pub field: Field<'a>,
    /// "container istio-proxy", "spec.resources", ...
    pub owner: String,
}

/// Whether a Deployment runs an Istio gateway: its pods carry an `istio` label
/// (as upstream and ASM gateways do: `istio: ingressgateway`).
pub fn is_gateway_deployment(resource: &Resource<'_>) -> bool {
    resource.is("apps", "Deployment")
        && resource.get("/spec/template/metadata/labels").is_some_and(|labels| labels.get("istio").is_some())
}

/// The `resources` blocks of IstioGateways (base and overrides) and of the
/// containers of gateway Deployments.
pub fn resources_blocks<'a>(resources: &[Resource<'a>]) -> Vec<ResourcesBlock<'a>> {
    let mut out = Vec::new();
    for (index, resource) in resources.iter().enumerate() {
        if is_istio_gateway(resource) {
            if let Some(node) = resource.get("/spec/resources") {
                out.push(ResourcesBlock {
                    resource: index,
                    field: Field { node, path: "/spec/resources".into() },
                    owner: "spec.resources".into(),
                });
            }
            for (cluster, over) in resource.get("/spec/overrides").into_iter().flat_map(Node::string_map) {
                if let Some(node) = over.get("resources") {
                    let path = format!("{}/resources", pointer::push("/spec/overrides", cluster));
                    out.push(ResourcesBlock {
                        resource: index,
                        field: Field { node, path },
                        owner: format!("spec.overrides.{cluster}.resources"),
                    });
                }
            }
        } else if is_gateway_deployment(resource) {
            for kind in ["initContainers", "containers"] {
                let list = format!("/spec/template/spec/{kind}");
                for (i, container) in resource.get(&list).map(Node::items).unwrap_or(&[]).iter().enumerate() {
                    if let Some(node) = container.get("resources") {
                        let name = container.get("name").and_then(Node::scalar_text).unwrap_or("?");
                        out.push(ResourcesBlock {
                            resource: index,
                            field: Field { node, path: format!("{list}/{i}/resources") },
                            owner: format!("container {name}"),
                        });
                    }
                }
            }
        }
    }
    out
}

/// `minReplicas`/`maxReplicas` of an HPA or an IstioGateway spec.
#[derive(Clone, Debug)]
pub struct ReplicaBounds<'a> {
    pub resource: usize,
    pub min: Option<Field<'a>>,
    pub max: Option<Field<'a>>,
    /// `replicaCount` of an IstioGateway.
    pub replicas: Option<Field<'a>>,
    /// Where the bounds live: `/spec` or an override.
    pub base: String,
}

/// Every IstioGateway's and HPA's replica bounds, in input order, each
/// IstioGateway's base spec before its overrides.
pub fn replica_bounds<'a>(resources: &[Resource<'a>]) -> Vec<ReplicaBounds<'a>> {
    let mut out = Vec::new();
    for (index, resource) in resources.iter().enumerate() {
        let is_hpa = resource.kind == "HorizontalPodAutoscaler" && resource.group() == "autoscaling";
        if !(is_hpa || is_istio_gateway(resource)) {
            continue;
        }
        let Some(spec) = resource.get("/spec") else { continue };
        let bounds = |node: &'a Node, base: String| {
            let field = |key: &str| node.get(key).map(|n| Field { node: n, path: pointer::push(&base, key) });
            ReplicaBounds {
                resource: index,
                min: field("minReplicas"),
                max: field("maxReplicas"),
                replicas: if is_hpa { None } else { field("replicaCount") },
                base: base.clone(),
            }
        };
        let base = bounds(spec, "/spec".into());
        let mut overrides = Vec::new();
        if !is_hpa {
            // An override replaces field by field (assumed: S204 gives it the
            // base spec's fields, ASM documents no merge).
            for (cluster, over) in spec.get("overrides").into_iter().flat_map(Node::string_map) {
                let own = bounds(over, pointer::push("/spec/overrides", cluster));
                overrides.push(ReplicaBounds {
                    min: own.min.or_else(|| base.min.clone()),
                    max: own.max.or_else(|| base.max.clone()),
                    replicas: own.replicas.or_else(|| base.replicas.clone()),
                    ..own
                });
            }
        }
        // The base spec before its overrides, so that an override which
        // inherits both bounds is recognised as the base spec's finding.
        out.push(base);
        out.extend(overrides);
    }
    out
}
