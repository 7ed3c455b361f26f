//! The effective gateway (or LoadBalancer) Services of an input with their
//! traffic policy and replica counts: what a page needs to draw which nodes
//! host gateway pods (the browser module's `gateways`).

use serde::Serialize;

use crate::engine::resource_ref;
use crate::report::ResourceRef;
use crate::{model, Options};

/// One effective Service.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewayInfo {
    pub resource: ResourceRef,
    /// `/spec`, or `/spec/overrides/<cluster>`.
    pub spec_path: String,
    pub service: String,
    #[serde(rename = "type")]
    pub service_type: String,
    pub external_traffic_policy: String,
    pub replicas: Replicas,
}

/// The replica count of the gateway's workload, or its autoscaler's bounds.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Replicas {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<i64>,
}

/// The effective Services of `text` (YAML, JSON or Markdown, as `options.format` says).
pub fn gateways(text: &str, options: &Options) -> Vec<GatewayInfo> {
    let stream = crate::markdown::yaml_stream(text, options.format, &options.limits);
    let loaded = crate::yaml::load_stream(&stream, options.format, &options.limits);
    let resources = model::collect(&loaded.documents);
    let services = model::service_views(&resources);
    let bounds = model::replica_bounds(&resources);
    let number = |field: &Option<model::Field<'_>>| field.as_ref().and_then(|f| f.node.as_i64());
    services
        .iter()
        .map(|svc| {
            let replicas = bounds
                .iter()
                .find(|b| b.resource == svc.resource && b.base == svc.spec_path)
                .map(|b| Replicas { count: number(&b.replicas), min: number(&b.min), max: number(&b.max) })
                .unwrap_or_default();
            GatewayInfo {
                resource: resource_ref(&resources[svc.resource]),
                spec_path: svc.spec_path.clone(),
                service: svc.display_name(),
                service_type: svc.effective_type().to_owned(),
                external_traffic_policy: svc.effective_etp().to_owned(),
                replicas,
            }
        })
        .collect()
}
