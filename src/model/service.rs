//! The Service a gateway is exposed through: a `v1 Service` as written, or the
//! Service an ASM `IstioGateway` renders (S1, S3, S4), once for its base
//! spec and once per `overrides` entry.

use serde::Serialize;

use crate::yaml::{pointer, Node};

use super::resource::Resource;

/// A value in the manifest and the route to it inside its resource.
#[derive(Clone, Debug)]
pub struct Field<'a> {
    pub node: &'a Node,
    pub path: String,
}

impl<'a> Field<'a> {
    pub fn text(&self) -> Option<&'a str> {
        self.node.scalar_text()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin<'a> {
    /// Rendered by ASM from an `IstioGateway`; `overrides.<cluster>` when set.
    IstioGateway {
        cluster: Option<&'a str>,
    },
    Service,
}

/// Why a Service counts as an ingress (or egress) gateway's Service
/// (a heuristic of this project, reported as `resources[].gateway`; see
/// README.md#json-report). Istio's other Services (istiod's
/// `istio: pilot`, `istio-citadel`) do not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum GatewayReason {
    /// ASM renders it from an IstioGateway.
    IstioGateway,
    /// It selects pods labelled `istio: <something>gateway`.
    IstioGatewaySelector,
    /// The Kubernetes Gateway API manages it.
    GatewayApi,
    /// Its name says `gateway` (`istio-ingressgateway`).
    GatewayName,
}

/// Who runs the load balancer, as far as the manifest shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// Alibaba Cloud CCM (CLB/NLB annotations, or an ASM IstioGateway).
    Alibaba,
    /// AWS load balancers publish a DNS name, not an IP, in the Service status.
    Aws,
    Unknown,
}

pub const ALIBABA_PREFIX: &str = "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-";
pub const ALICLOUD_PREFIX: &str = "service.beta.kubernetes.io/alicloud-loadbalancer-";
pub const BACKEND_TYPE: &str = "service.beta.kubernetes.io/backend-type";
pub const NLB_CLASS: &str = "alibabacloud.com/nlb";

/// One effective gateway Service.
#[derive(Clone, Debug)]
pub struct ServiceView<'a> {
    /// Index of the resource in the checked stream.
    pub resource: usize,
    pub origin: Origin<'a>,
    /// The Service's own name: `istio-<name>` for an IstioGateway.
    pub name: String,
    /// `default` when `metadata.namespace` is absent, for matching objects of
    /// one input with each other; shown only when given (`namespace_given`).
    pub namespace: String,
    /// Whether the manifest sets `metadata.namespace`: without it the
    /// namespace is whatever `kubectl -n` or the context says.
    pub namespace_given: bool,
    /// `/spec`, or `/spec/overrides/<cluster>` for an override.
    pub spec_path: String,
    pub service_type: Option<Field<'a>>,
    pub external_traffic_policy: Option<Field<'a>>,
    pub internal_traffic_policy: Option<Field<'a>>,
    pub load_balancer_class: Option<Field<'a>>,
    /// The annotations the Service ends up with; the map they live in.
    pub annotations: Vec<(&'a str, Field<'a>)>,
    /// Where a fix adds an annotation.
    pub annotations_path: String,
    pub ports: Option<Field<'a>>,
    /// `status.loadBalancer.ingress` of a Service as dumped from a cluster.
    pub status_ingress: &'a [Node],
    pub gateway: Option<GatewayReason>,
}

impl<'a> ServiceView<'a> {
    pub fn is_istio_gateway(&self) -> bool {
        matches!(self.origin, Origin::IstioGateway { .. })
    }

    /// `spec.type` (`serviceType`), with the default of the origin.
    pub fn effective_type(&self) -> &'a str {
        match self.service_type.as_ref().and_then(Field::text) {
            Some(t) => t,
            None if self.is_istio_gateway() => "LoadBalancer",
            None => "ClusterIP",
        }
    }

    pub fn effective_etp(&self) -> &'a str {
        self.external_traffic_policy.as_ref().and_then(Field::text).unwrap_or("Cluster")
    }

    pub fn annotation(&self, key: &str) -> Option<&Field<'a>> {
        self.annotations.iter().rev().find(|(k, _)| *k == key).map(|(_, f)| f)
    }

    /// A CCM load-balancer annotation by its suffix, under either prefix;
    /// `alibaba-cloud-` wins over the legacy `alicloud-` (S120, `Get`).
    pub fn lb_annotation(&self, suffix: &str) -> Option<&Field<'a>> {
        self.prefixed_annotation(ALIBABA_PREFIX, suffix).or_else(|| self.prefixed_annotation(ALICLOUD_PREFIX, suffix))
    }

    /// `annotation(prefix + suffix)` without building the key: rules ask
    /// this for every Service, many times.
    fn prefixed_annotation(&self, prefix: &str, suffix: &str) -> Option<&Field<'a>> {
        self.annotations.iter().rev().find(|(k, _)| k.strip_prefix(prefix) == Some(suffix)).map(|(_, f)| f)
    }

    pub fn backend_type(&self) -> Option<&'a str> {
        self.annotation(BACKEND_TYPE).and_then(Field::text)
    }

    pub fn is_nlb(&self) -> bool {
        self.load_balancer_class.as_ref().and_then(Field::text) == Some(NLB_CLASS)
            || self.lb_annotation("type").and_then(Field::text) == Some("nlb")
    }

    pub fn provider(&self) -> Provider {
        if self.is_istio_gateway()
            || self
                .annotations
                .iter()
                .any(|(k, _)| k.starts_with(ALIBABA_PREFIX) || k.starts_with(ALICLOUD_PREFIX) || *k == BACKEND_TYPE)
            || self
                .load_balancer_class
                .as_ref()
                .and_then(Field::text)
                .is_some_and(|c| c.starts_with("alibabacloud.com/"))
        {
            Provider::Alibaba
        } else if self.annotations.iter().any(|(k, _)| k.starts_with("service.beta.kubernetes.io/aws-load-balancer-")) {
            Provider::Aws
        } else {
            Provider::Unknown
        }
    }

    /// The in-cluster DNS name of the Service, when its name is known (a
    /// resource without `metadata.name` shows as `<unnamed>`, which no DNS name holds).
    /// Without `metadata.namespace` an IstioGateway's Service is in
    /// istio-system, the only namespace an ASM gateway works in (S2, S3);
    /// another Service's namespace is unknown and shown as `<namespace>`.
    pub fn dns_name(&self) -> Option<String> {
        let namespace = match (self.namespace_given, self.is_istio_gateway()) {
            (true, _) => self.namespace.as_str(),
            (false, true) => "istio-system",
            (false, false) => "<namespace>",
        };
        (!self.name.contains("<unnamed>")).then(|| format!("{}.{namespace}.svc.cluster.local", self.name))
    }

    /// `namespace/name`, or the name alone when the manifest sets no namespace.
    pub fn display_name(&self) -> String {
        match self.namespace_given {
            true => format!("{}/{}", self.namespace, self.name),
            false => self.name.clone(),
        }
    }

    /// `(ports[i], path)` for every port entry.
    pub fn port_entries(&self) -> Vec<(&'a Node, String)> {
        let Some(ports) = &self.ports else { return Vec::new() };
        ports.node.items().iter().enumerate().map(|(i, n)| (n, pointer::push(&ports.path, &i.to_string()))).collect()
    }
}

/// The gateway-relevant Services of a stream: every `v1 Service`, and the
/// Services every IstioGateway renders.
pub fn service_views<'a>(resources: &[Resource<'a>]) -> Vec<ServiceView<'a>> {
    let mut out = Vec::new();
    for (index, resource) in resources.iter().enumerate() {
        if resource.is("", "Service") {
            out.push(plain_service(index, resource));
        } else if is_istio_gateway(resource) {
            out.extend(istio_gateway_services(index, resource));
        }
    }
    out
}

pub fn is_istio_gateway(resource: &Resource<'_>) -> bool {
    resource.kind == "IstioGateway" && resource.group() == "istio.alibabacloud.com"
}

fn field<'a>(base: &'a Node, base_path: &str, key: &str) -> Option<Field<'a>> {
    base.get(key).map(|node| Field { node, path: pointer::push(base_path, key) })
}

fn string_fields<'a>(map: Option<&Field<'a>>) -> Vec<(&'a str, Field<'a>)> {
    let Some(map) = map else { return Vec::new() };
    map.node.string_map().map(|(k, node)| (k, Field { node, path: pointer::push(&map.path, k) })).collect()
}

fn plain_service<'a>(index: usize, resource: &Resource<'a>) -> ServiceView<'a> {
    let spec = resource.node.get("spec");
    let spec_field = |key: &str| spec.and_then(|s| field(s, "/spec", key));
    let metadata = resource.node.get("metadata");
    let annotations = metadata.and_then(|m| field(m, "/metadata", "annotations"));
    let namespace = resource.namespace.unwrap_or("default");
    let name = resource.name.unwrap_or("<unnamed>");
    let selector = resource.get("/spec/selector");
    let selects = |key: &str, value: &dyn Fn(&str) -> bool| {
        selector.and_then(|m| m.get(key)).and_then(Node::scalar_text).is_some_and(value)
    };
    let gateway = if selects("istio", &|v| v.contains("gateway")) {
        Some(GatewayReason::IstioGatewaySelector)
    } else if selects("gateway.networking.k8s.io/gateway-name", &|_| true) {
        Some(GatewayReason::GatewayApi)
    } else if name.contains("gateway") {
        Some(GatewayReason::GatewayName)
    } else {
        None
    };
    ServiceView {
        resource: index,
        origin: Origin::Service,
        name: name.to_owned(),
        namespace: namespace.to_owned(),
        namespace_given: resource.namespace.is_some(),
        spec_path: "/spec".into(),
        service_type: spec_field("type"),
        external_traffic_policy: spec_field("externalTrafficPolicy"),
        internal_traffic_policy: spec_field("internalTrafficPolicy"),
        load_balancer_class: spec_field("loadBalancerClass"),
        annotations: string_fields(annotations.as_ref()),
        annotations_path: "/metadata/annotations".into(),
        ports: spec_field("ports"),
        status_ingress: resource.get("/status/loadBalancer/ingress").map(Node::items).unwrap_or(&[]),
        gateway,
    }
}

fn istio_gateway_services<'a>(index: usize, resource: &Resource<'a>) -> Vec<ServiceView<'a>> {
    let Some(spec) = resource.node.get("spec") else {
        return vec![istio_gateway_service(index, resource, None, None)];
    };
    let mut out = vec![istio_gateway_service(index, resource, Some(spec), None)];
    if let Some(overrides) = spec.get("overrides") {
        for (cluster, over) in overrides.string_map() {
            out.push(istio_gateway_service(index, resource, Some(spec), Some((cluster, over))));
        }
    }
    out
}

/// The Service ASM renders: field-level precedence of an override over the
/// base spec (assumed: S204 gives an override the base spec's fields, and
/// ASM documents no merge).
fn istio_gateway_service<'a>(
    index: usize,
    resource: &Resource<'a>,
    spec: Option<&'a Node>,
    over: Option<(&'a str, &'a Node)>,
) -> ServiceView<'a> {
    let over_path = over.map(|(cluster, _)| pointer::push("/spec/overrides", cluster));
    let pick = |key: &str| -> Option<Field<'a>> {
        over.and_then(|(_, o)| field(o, over_path.as_deref().unwrap_or(""), key))
            .or_else(|| spec.and_then(|s| field(s, "/spec", key)))
    };
    let annotations = pick("serviceAnnotations");
    // An override without its own serviceAnnotations inherits the base's, so
    // a new annotation goes to the base spec for both.
    let annotations_path =
        annotations.as_ref().map_or_else(|| "/spec/serviceAnnotations".to_owned(), |f| f.path.clone());
    ServiceView {
        resource: index,
        origin: Origin::IstioGateway { cluster: over.map(|(c, _)| c) },
        name: format!("istio-{}", resource.name.unwrap_or("<unnamed>")),
        namespace: resource.namespace.unwrap_or("default").to_owned(),
        namespace_given: resource.namespace.is_some(),
        spec_path: over_path.clone().unwrap_or_else(|| "/spec".into()),
        service_type: pick("serviceType"),
        external_traffic_policy: pick("externalTrafficPolicy"),
        internal_traffic_policy: None,
        load_balancer_class: pick("loadBalancerClass"),
        annotations: string_fields(annotations.as_ref()),
        annotations_path,
        ports: pick("ports"),
        status_ingress: &[],
        gateway: Some(GatewayReason::IstioGateway),
    }
}
