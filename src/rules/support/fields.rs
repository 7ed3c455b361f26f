//! Fields that one rule judges and another must leave alone.

use crate::model::{is_istio_gateway, Resource};
use crate::yaml::{pointer, Node};

const SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer"];

const V1_SERVICE_TYPES: &[&str] = &["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"];

const TRAFFIC_POLICIES: &[&str] = &["Cluster", "Local"];

const GATEWAY_TYPES: &[&str] = &["ingress", "egress", "cross-network"];

/// The enum fields of a resource and their allowed values.
pub fn enum_fields(resource: &Resource<'_>) -> Vec<(String, &'static [&'static str])> {
    if resource.is("", "Service") {
        return vec![("/spec/type".into(), V1_SERVICE_TYPES), ("/spec/externalTrafficPolicy".into(), TRAFFIC_POLICIES)];
    }
    if !is_istio_gateway(resource) {
        return Vec::new();
    }
    let mut fields = vec![("/spec/gatewayType".to_owned(), GATEWAY_TYPES)];
    let overrides = resource.get("/spec/overrides").into_iter().flat_map(Node::string_map);
    let specs = std::iter::once("/spec".to_owned())
        .chain(overrides.map(|(cluster, _)| pointer::push("/spec/overrides", cluster)));
    for spec in specs {
        fields.push((pointer::push(&spec, "serviceType"), SERVICE_TYPES));
        fields.push((pointer::push(&spec, "externalTrafficPolicy"), TRAFFIC_POLICIES));
    }
    fields
}

/// The string maps of a resource that this rule reads.
pub fn string_maps(resource: &Resource<'_>) -> Vec<String> {
    let mut maps = vec!["/metadata/annotations".to_owned(), "/spec/template/metadata/annotations".to_owned()];
    if is_istio_gateway(resource) {
        let overrides = resource.get("/spec/overrides").into_iter().flat_map(Node::string_map);
        let specs = std::iter::once("/spec".to_owned())
            .chain(overrides.map(|(cluster, _)| pointer::push("/spec/overrides", cluster)));
        for spec in specs {
            maps.push(pointer::push(&spec, "serviceAnnotations"));
            maps.push(pointer::push(&spec, "podAnnotations"));
        }
    }
    maps
}
