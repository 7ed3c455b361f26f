//! What the input shows about a gateway's pods: the Istio proxy config in the
//! `proxy.istio.io/config` pod annotation (S32) and a `preStop` hook. The
//! pods are in view for an IstioGateway (its `podAnnotations` and
//! `lifecycle`, S4) and for a `v1 Service` whose Deployments are in the input.

use crate::yaml::{load, pointer, Limits, Node};

use super::gateway_spec::{istio_spec_field, selected_deployments};
use super::resource::Resource;
use super::service::{Field, Origin, ServiceView};

/// The pod annotation Istio reads per-proxy mesh config from (S32).
pub const PROXY_CONFIG: &str = "proxy.istio.io/config";

/// What a `proxy.istio.io/config` value sets, as far as the rules ask:
/// `gatewayTopology` (istio/api `mesh/v1alpha1/proxy.proto` `Topology`) and
/// `terminationDrainDuration`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxyConfigFacts {
    /// `gatewayTopology.proxyProtocol` is present (Istio ≥ 1.19).
    pub proxy_protocol: bool,
    /// `gatewayTopology.numTrustedProxies`.
    pub num_trusted_proxies: Option<i64>,
    /// `terminationDrainDuration` as written.
    pub termination_drain: Option<String>,
}

/// One reading of the annotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProxyConfig {
    Absent,
    /// Text this build cannot read: YAML in a JSON-only build, or text that
    /// is neither YAML nor JSON.
    Unreadable,
    Read(ProxyConfigFacts),
}

impl ProxyConfig {
    /// The facts, when the annotation could be read (absent reads as empty).
    pub fn facts(&self) -> Option<ProxyConfigFacts> {
        match self {
            ProxyConfig::Absent => Some(ProxyConfigFacts::default()),
            ProxyConfig::Unreadable => None,
            ProxyConfig::Read(facts) => Some(facts.clone()),
        }
    }
}

/// Reads a `proxy.istio.io/config` value (YAML or JSON text).
pub fn read_proxy_config(value: Option<&Node>) -> ProxyConfig {
    let Some(text) = value.and_then(Node::as_str) else { return ProxyConfig::Absent };
    let loaded = load(text, &Limits::default());
    let Some(root) = loaded.documents.first().and_then(|d| d.root.as_ref()) else {
        return if text.trim().is_empty() { ProxyConfig::Absent } else { ProxyConfig::Unreadable };
    };
    let topology = root.get("gatewayTopology");
    ProxyConfig::Read(ProxyConfigFacts {
        proxy_protocol: topology
            .and_then(|t| t.get("proxyProtocol"))
            .is_some_and(|p| !p.is_null() || p.as_mapping().is_some()),
        num_trusted_proxies: topology.and_then(|t| t.get("numTrustedProxies")).and_then(Node::as_i64),
        termination_drain: root.get("terminationDrainDuration").and_then(Node::scalar_text).map(str::to_owned),
    })
}

/// The pods of one object that renders gateway pods.
#[derive(Clone, Debug)]
pub struct PodTemplate<'a> {
    /// The IstioGateway or Deployment.
    pub resource: usize,
    /// The `proxy.istio.io/config` value and where it is.
    pub config_field: Option<Field<'a>>,
    pub config: ProxyConfig,
    /// Where the pod annotations are (or would go).
    pub annotations_path: String,
    /// A container (or the IstioGateway's `lifecycle`) has a `preStop` hook.
    pub pre_stop: bool,
}

/// The gateway's pod templates in the input: the IstioGateway itself, or the
/// Deployments a `v1 Service` selects; empty when none is in the input.
pub fn gateway_pod_templates<'a>(resources: &[Resource<'a>], svc: &ServiceView<'a>) -> Vec<PodTemplate<'a>> {
    let Some(resource) = resources.get(svc.resource) else { return Vec::new() };
    if matches!(svc.origin, Origin::IstioGateway { .. }) {
        let annotations = istio_spec_field(resource, svc, "podAnnotations");
        let config_field = annotations.as_ref().and_then(|a| {
            let node = a.node.get(PROXY_CONFIG)?;
            Some(Field { node, path: pointer::push(&a.path, PROXY_CONFIG) })
        });
        let pre_stop = istio_spec_field(resource, svc, "lifecycle").is_some_and(|l| l.node.get("preStop").is_some());
        return vec![PodTemplate {
            resource: svc.resource,
            config: read_proxy_config(config_field.as_ref().map(|f| f.node)),
            config_field,
            annotations_path: annotations
                .map_or_else(|| pointer::push(&svc.spec_path, "podAnnotations"), |a| a.path.clone()),
            pre_stop,
        }];
    }
    selected_deployments(resources, svc.resource)
        .into_iter()
        .filter_map(|index| {
            let deployment = resources.get(index)?;
            let config_path = format!("/spec/template/metadata/annotations/{}", pointer::escape(PROXY_CONFIG));
            let config_field = deployment.get(&config_path).map(|node| Field { node, path: config_path });
            let containers = deployment.get("/spec/template/spec/containers").map(Node::items).unwrap_or(&[]);
            let pre_stop = containers.iter().any(|c| c.get("lifecycle").and_then(|l| l.get("preStop")).is_some());
            Some(PodTemplate {
                resource: index,
                config: read_proxy_config(config_field.as_ref().map(|f| f.node)),
                config_field,
                annotations_path: "/spec/template/metadata/annotations".into(),
                pre_stop,
            })
        })
        .collect()
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;

    fn read(text: &str) -> ProxyConfig {
        let doc = format!("v: {}\n", serde_json::to_string(text).unwrap());
        let loaded = load(&doc, &Limits::default());
        read_proxy_config(loaded.documents[0].root.as_ref().and_then(|r| r.get("v")))
    }

    #[test]
    fn reads_yaml_and_json_configs() {
        let json =
            read(r#"{"gatewayTopology":{"numTrustedProxies":2,"proxyProtocol":{}},"terminationDrainDuration":"20s"}"#);
        let ProxyConfig::Read(facts) = json else { panic!("{json:?}") };
        assert!(facts.proxy_protocol);
        assert_eq!(facts.num_trusted_proxies, Some(2));
        assert_eq!(facts.termination_drain.as_deref(), Some("20s"));
        let yaml = read("gatewayTopology:\n  numTrustedProxies: 1\n");
        assert_eq!(yaml.facts().and_then(|f| f.num_trusted_proxies), Some(1));
        assert_eq!(read("  "), ProxyConfig::Absent);
        assert_eq!(read_proxy_config(None).facts(), Some(ProxyConfigFacts::default()));
    }
}
