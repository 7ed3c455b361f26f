//! How the objects around a gateway relate: the pods behind a gateway
//! Service, the Deployment and HPA ASM or Istio generate for it, the Istio
//! `AuthorizationPolicy`s that apply to its pods. Everything is worked out
//! from the names and labels ASM and Istio generate (S3, S5, S6, S34) and
//! from objects in the same input; nothing outside the input is assumed.

use crate::yaml::{pointer, Node};

use super::resource::Resource;
use super::service::{is_istio_gateway, Field, Origin, ServiceView};

/// Pod labels as far as the input shows them.
pub use super::Labels;

/// The root namespace of an Istio mesh: policies there apply mesh-wide.
pub const ISTIO_ROOT_NAMESPACE: &str = "istio-system";

/// Whether a label selector matches pods of which only some labels are known.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Match {
    /// Every selector label is among the known labels.
    Yes,
    /// A selector label has another value on these pods: it cannot match.
    No,
    /// A selector key is not among the known labels: the pods may carry it.
    Unknown,
}

/// Matches `selector` against pods known to carry at least `labels`.
pub fn selector_matches<'s>(selector: impl IntoIterator<Item = (&'s str, &'s str)>, labels: &Labels) -> Match {
    let mut result = Match::Yes;
    for (key, value) in selector {
        match labels.get(key) {
            Some(v) if v == value => {}
            Some(_) => return Match::No,
            None => result = Match::Unknown,
        }
    }
    result
}

/// The string entries of a label map (`matchLabels`, `selector`, `podLabels`).
pub fn label_map(node: Option<&Node>) -> Vec<(&str, &str)> {
    label_pairs(node).collect()
}

/// The same entries without collecting them (for the loops over every resource).
pub fn label_pairs(node: Option<&Node>) -> impl Iterator<Item = (&str, &str)> {
    node.into_iter().flat_map(Node::string_map).filter_map(|(k, v)| Some((k, v.scalar_text()?)))
}

/// Whether a label map written in the manifest carries every selector label.
fn has_labels(labels: &Node, selector: &[(&str, &str)]) -> bool {
    selector.iter().all(|(k, v)| labels.get(k).and_then(Node::scalar_text) == Some(*v))
}

/// A field of an IstioGateway's effective configuration: the override's
/// value when `spec_path` is an override that sets it, else the base spec's
/// (field-level precedence: assumed, ASM documents no merge; S204).
pub fn istio_gateway_field<'a>(resource: &Resource<'a>, spec_path: &str, key: &str) -> Option<Field<'a>> {
    let own = pointer::push(spec_path, key);
    if let Some(node) = resource.get(&own) {
        return Some(Field { node, path: own });
    }
    let base = pointer::push("/spec", key);
    resource.get(&base).map(|node| Field { node, path: base })
}

/// The labels ASM puts on an IstioGateway's pods: `app: istio-<name>`,
/// `istio: <name>` (S6 selects `app=istio-ingressgateway`; Istio's gateway
/// chart, S34, sets both; ASM does not document them) and `spec.podLabels`.
pub fn istio_gateway_pod_labels(resource: &Resource<'_>, spec_path: &str) -> Labels {
    let name = resource.name.unwrap_or("<unnamed>");
    let mut labels = Labels::new();
    labels.insert("app".into(), format!("istio-{name}"));
    labels.insert("istio".into(), name.to_owned());
    let pod_labels = istio_gateway_field(resource, spec_path, "podLabels");
    for (k, v) in label_map(pod_labels.as_ref().map(|f| f.node)) {
        labels.insert(k.to_owned(), v.to_owned());
    }
    labels
}

/// Workload kinds whose pod template labels the input shows.
fn is_workload(resource: &Resource<'_>) -> bool {
    resource.group() == "apps" && matches!(resource.kind, "Deployment" | "DaemonSet" | "StatefulSet")
}

/// `spec.template.metadata.labels` of a Deployment, DaemonSet or StatefulSet.
pub fn template_labels(resource: &Resource<'_>) -> Option<Labels> {
    if !is_workload(resource) {
        return None;
    }
    let labels = resource.get("/spec/template/metadata/labels")?;
    Some(owned_labels(label_map(Some(labels)).into_iter()))
}

/// Labels from borrowed pairs, the last of a repeated key winning.
fn owned_labels<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Labels {
    let mut labels = Labels::new();
    for (k, v) in pairs {
        labels.insert(k.to_owned(), v.to_owned());
    }
    labels
}

/// Where a gateway's pods come from, with the labels they are known to carry.
#[derive(Clone, Debug)]
pub struct PodSource {
    pub resource: usize,
    /// Where the labels are written: the template's labels, the Service's
    /// selector, or the IstioGateway's name.
    pub path: String,
    pub labels: Labels,
}

impl PodSource {
    /// Whether these pods run a gateway: rendered by an IstioGateway, or
    /// labelled `istio: *gateway*`, `app: *gateway*` or by the Gateway API.
    pub fn is_gateway(&self, resources: &[Resource<'_>]) -> bool {
        resources.get(self.resource).is_some_and(is_istio_gateway)
            || self.labels.iter().any(|(k, v)| {
                (matches!(k.as_str(), "istio" | "app") && v.contains("gateway"))
                    || k == "gateway.networking.k8s.io/gateway-name"
            })
    }
}

/// How the indexes find objects without scanning the whole stream for every
/// gateway: `(namespace, label key, label value)`, or `(namespace, name, "")`.
pub type Key<'a> = (&'a str, &'a str, &'a str);

/// Indices (of resources, of pod sources) by key: a vector sorted once, then
/// searched by halves. As fast as a hash map here, without a hash-map
/// instance in the wasm builds.
#[derive(Default)]
pub struct Index<'a> {
    entries: Vec<(Key<'a>, usize)>,
}

impl<'a> Index<'a> {
    /// Sorts by key, then index: callers push entries in resource order, so
    /// each key keeps its indices in input order.
    pub fn new(mut entries: Vec<(Key<'a>, usize)>) -> Self {
        entries.sort_unstable();
        Index { entries }
    }

    /// The indices under `key`, in input order.
    pub fn get(&self, key: Key<'_>) -> impl Iterator<Item = usize> + '_ {
        let start = self.entries.partition_point(|(k, _)| *k < key);
        let from_key = self.entries.get(start..).unwrap_or_default();
        let len = from_key.partition_point(|(k, _)| *k == key);
        from_key.iter().take(len).map(|(_, index)| *index)
    }
}

/// The relations of one stream, indexed once so that relating
/// every gateway to every other object stays close to linear. The engine
/// builds one per check and hands it to every rule (`RuleContext::topology`).
pub struct Topology<'r, 'a> {
    resources: &'r [Resource<'a>],
    services: &'r [ServiceView<'a>],
    /// Workloads by every label of their pod template.
    workloads: Index<'a>,
    /// `v1 Service`s by the first label of their selector.
    selecting_services: Index<'a>,
    /// Deployments by `(namespace, name)`.
    deployments: Index<'a>,
    /// HPAs by the `(namespace, name)` of the Deployment they scale.
    hpas: Index<'a>,
    /// AuthorizationPolicies by the first label of their selector, as
    /// `(key, value, "")`; [`NO_SELECTOR`] for those without one (they apply
    /// to their whole namespace).
    policies: Index<'a>,
    /// Service views by resource index.
    views: Vec<Vec<usize>>,
}

const NO_SELECTOR: Key<'static> = ("", "", "");

fn policy_key<'a>(first_label: Option<(&'a str, &'a str)>) -> Key<'a> {
    first_label.map_or(NO_SELECTOR, |(k, v)| (k, v, ""))
}

fn namespace_of<'a>(resource: &Resource<'a>) -> &'a str {
    resource.namespace.unwrap_or("default")
}

impl<'r, 'a> Topology<'r, 'a> {
    pub fn new(resources: &'r [Resource<'a>], services: &'r [ServiceView<'a>]) -> Self {
        let (mut workloads, mut selecting_services, mut deployments, mut hpas, mut policies) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (index, r) in resources.iter().enumerate() {
            let ns = namespace_of(r);
            if is_workload(r) {
                for (k, v) in label_pairs(r.get("/spec/template/metadata/labels")) {
                    workloads.push(((ns, k, v), index));
                }
                if let (true, Some(name)) = (r.kind == "Deployment", r.name) {
                    deployments.push(((ns, name, ""), index));
                }
            } else if r.is("", "Service") {
                if let Some((k, v)) = label_pairs(r.get("/spec/selector")).next() {
                    selecting_services.push(((ns, k, v), index));
                }
            } else if r.kind == "HorizontalPodAutoscaler" && r.group() == "autoscaling" {
                let target = |key: &str| r.get(&format!("/spec/scaleTargetRef/{key}")).and_then(Node::scalar_text);
                if let (Some("Deployment"), Some(name)) = (target("kind"), target("name")) {
                    hpas.push(((ns, name, ""), index));
                }
            } else if r.is("security.istio.io", "AuthorizationPolicy") {
                let first = label_pairs(r.get("/spec/selector/matchLabels")).next();
                policies.push((policy_key(first), index));
            }
        }
        let mut t = Topology {
            resources,
            services,
            workloads: Index::new(workloads),
            selecting_services: Index::new(selecting_services),
            deployments: Index::new(deployments),
            hpas: Index::new(hpas),
            policies: Index::new(policies),
            views: vec![Vec::new(); resources.len()],
        };
        for (i, view) in services.iter().enumerate() {
            if let Some(views) = t.views.get_mut(view.resource) {
                views.push(i);
            }
        }
        t
    }

    /// Every place in the input that tells which labels some pods carry: the
    /// pods an IstioGateway renders, workload templates, and Service selectors
    /// (the pods behind a Service carry at least its selector).
    pub fn pod_sources(&self) -> Vec<PodSource> {
        let mut out = Vec::new();
        for (index, resource) in self.resources.iter().enumerate() {
            if is_istio_gateway(resource) {
                out.push(PodSource {
                    resource: index,
                    path: "/metadata/name".into(),
                    labels: istio_gateway_pod_labels(resource, "/spec"),
                });
            } else if let Some(labels) = template_labels(resource) {
                out.push(PodSource { resource: index, path: "/spec/template/metadata/labels".into(), labels });
            } else if resource.is("", "Service") {
                let labels = owned_labels(label_pairs(resource.get("/spec/selector")));
                if !labels.is_empty() {
                    out.push(PodSource { resource: index, path: "/spec/selector".into(), labels });
                }
            }
        }
        out
    }

    /// The Services in front of a pod source: an IstioGateway's rendered
    /// Services, the `v1 Service`s in a workload's namespace whose selector
    /// matches its template, or the Service itself.
    pub fn services_of(&self, source: &PodSource) -> Vec<&'r ServiceView<'a>> {
        let Some(resource) = self.resources.get(source.resource) else { return Vec::new() };
        let views = |index: usize| self.views.get(index).into_iter().flatten().filter_map(|i| self.services.get(*i));
        if is_istio_gateway(resource) || resource.is("", "Service") {
            return views(source.resource).collect();
        }
        let ns = namespace_of(resource);
        let mut out: Vec<&'r ServiceView<'a>> = Vec::new();
        for (k, v) in &source.labels {
            for index in self.selecting_services.get((ns, k.as_str(), v.as_str())) {
                let selector = label_pairs(self.resources.get(index).and_then(|r| r.get("/spec/selector")));
                if selector_matches(selector, &source.labels) != Match::Yes {
                    continue;
                }
                for view in views(index) {
                    if !out.iter().any(|o| std::ptr::eq(*o, view)) {
                        out.push(view);
                    }
                }
            }
        }
        out
    }

    /// The workloads in the input whose pods a Service selects (same namespace).
    pub fn workloads_selected_by(&self, service: &Resource<'a>) -> Vec<usize> {
        let selector = label_map(service.get("/spec/selector"));
        let Some(&(k, v)) = selector.first() else { return Vec::new() };
        let candidates = self.workloads.get((namespace_of(service), k, v));
        candidates
            .filter(|i| {
                let labels = self.resources.get(*i).and_then(|r| r.get("/spec/template/metadata/labels"));
                labels.is_some_and(|l| has_labels(l, &selector))
            })
            .collect()
    }

    /// The labels every pod behind a gateway Service is known to carry: the
    /// generated labels of an IstioGateway; for a `v1 Service`, its selector
    /// plus the labels common to the templates of the workloads it selects.
    pub fn service_pod_labels(&self, svc: &ServiceView<'_>) -> Labels {
        let Some(resource) = self.resources.get(svc.resource) else { return Labels::default() };
        if svc.is_istio_gateway() {
            return istio_gateway_pod_labels(resource, &svc.spec_path);
        }
        let mut labels = owned_labels(label_pairs(resource.get("/spec/selector")));
        let mut common: Option<Labels> = None;
        for index in self.workloads_selected_by(resource) {
            let Some(template) = self.resources.get(index).and_then(template_labels) else { continue };
            common = Some(match common {
                None => template,
                Some(mut c) => {
                    c.retain(|k, v| template.get(k).is_some_and(|t| t == v));
                    c
                }
            });
        }
        labels.extend(common.unwrap_or_default());
        labels
    }

    /// The workloads that run a gateway's pods, when the input has them: the
    /// Deployment `istio-<name>` of an IstioGateway (S3, S5), or the
    /// workloads a `v1 Service` selects.
    pub fn gateway_workloads(&self, svc: &ServiceView<'_>) -> Vec<usize> {
        match svc.origin {
            Origin::IstioGateway { .. } => {
                self.deployments.get((svc.namespace.as_str(), svc.name.as_str(), "")).collect()
            }
            Origin::Service => {
                self.resources.get(svc.resource).map(|r| self.workloads_selected_by(r)).unwrap_or_default()
            }
        }
    }

    /// The HPAs (any `autoscaling` version) whose `scaleTargetRef` names the
    /// Deployment `name` in `namespace`.
    pub fn hpas_targeting(&self, namespace: &str, deployment: &str) -> Vec<usize> {
        self.hpas.get((namespace, deployment, "")).collect()
    }

    /// The AuthorizationPolicies (security.istio.io) in the input that apply
    /// to the pods behind `svc` and match client addresses (`ipBlocks`,
    /// `remoteIpBlocks` and their negations).
    pub fn ip_based_authorization_policies(&self, svc: &ServiceView<'_>) -> Vec<IpPolicy> {
        let pod_labels = self.service_pod_labels(svc);
        let candidates = pod_labels
            .iter()
            .map(|(k, v)| policy_key(Some((k.as_str(), v.as_str()))))
            .chain([NO_SELECTOR])
            .flat_map(|key| self.policies.get(key));
        let mut indices: Vec<usize> = candidates
            .filter(|i| self.resources.get(*i).is_some_and(|r| policy_applies(r, svc, &pod_labels)))
            .collect();
        indices.sort_unstable();
        indices.dedup();
        indices.into_iter().filter_map(|i| ip_policy(i, self.resources.get(i)?)).collect()
    }

    /// The `EnvoyFilter`s (networking.istio.io) in the input that apply to
    /// the pods behind `svc` and insert Envoy's PROXY protocol listener
    /// filter: the way gateways parsed PROXY protocol before
    /// `gatewayTopology.proxyProtocol` (Istio 1.19, istio/api#2860).
    pub fn proxy_protocol_envoy_filters(&self, svc: &ServiceView<'_>) -> Vec<usize> {
        let pod_labels = self.service_pod_labels(svc);
        self.resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is("networking.istio.io", "EnvoyFilter"))
            .filter(|(_, r)| envoy_filter_applies(r, svc, &pod_labels) && inserts_proxy_protocol(r))
            .map(|(i, _)| i)
            .collect()
    }
}

/// Envoy's PROXY protocol listener filter, by its current name and the one
/// older EnvoyFilters use (Istio blog "show-source-ip", 2020).
const PROXY_PROTOCOL_FILTERS: [&str; 2] = ["envoy.filters.listener.proxy_protocol", "envoy.listener.proxy_protocol"];
const PROXY_PROTOCOL_TYPE: &str =
    "type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol";

/// Whether an EnvoyFilter applies to the pods behind `svc`: in the gateway's
/// namespace or the root namespace, with no `workloadSelector` or one the
/// gateway pod labels match. One without a namespace is taken to be applied
/// next to the gateway; one attached by `targetRefs` is not related.
fn envoy_filter_applies(filter: &Resource<'_>, svc: &ServiceView<'_>, pod_labels: &Labels) -> bool {
    let namespace_ok = filter.namespace.is_none_or(|ns| ns == svc.namespace || ns == ISTIO_ROOT_NAMESPACE);
    if !namespace_ok || filter.get("/spec/targetRefs").is_some() {
        return false;
    }
    let selector = label_map(filter.get("/spec/workloadSelector/labels"));
    selector.is_empty() || selector_matches(selector, pod_labels) == Match::Yes
}

/// Whether a patch of the EnvoyFilter (other than a REMOVE) names the PROXY
/// protocol listener filter.
fn inserts_proxy_protocol(filter: &Resource<'_>) -> bool {
    let patches = filter.get("/spec/configPatches").map(Node::items).unwrap_or(&[]);
    patches.iter().any(|p| {
        let operation = p.get("patch").and_then(|x| x.get("operation")).and_then(Node::scalar_text);
        operation != Some("REMOVE") && p.get("patch").and_then(|x| x.get("value")).is_some_and(names_proxy_protocol)
    })
}

fn names_proxy_protocol(node: &Node) -> bool {
    if let Some(mapping) = node.as_mapping() {
        return mapping.entries.iter().any(|e| {
            let key = e.key.scalar_text();
            let value = e.value.scalar_text();
            (key == Some("name") && value.is_some_and(|v| PROXY_PROTOCOL_FILTERS.contains(&v)))
                || (key == Some("@type") && value == Some(PROXY_PROTOCOL_TYPE))
                || names_proxy_protocol(&e.value)
        });
    }
    node.items().iter().any(names_proxy_protocol)
}

/// Istio's gateway health-check port (S31): it carries no client traffic.
const STATUS_PORT: i64 = 15021;

/// The client-facing ports of a CLB gateway Service by listener layer
/// (`protocol-port`, CCM `clbv1/listeners.go` `protocol()`): a port listed
/// as `http:`/`https:` gets a layer-7 listener, every other port a TCP/UDP
/// one. The status port is left out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClbListeners {
    pub l7: Vec<i64>,
    pub l4: Vec<i64>,
}

impl ClbListeners {
    /// Every client-facing port has a layer-7 listener.
    pub fn all_l7(&self) -> bool {
        !self.l7.is_empty() && self.l4.is_empty()
    }

    /// The layer-7 ports as text: `80, 443`.
    pub fn l7_text(&self) -> String {
        self.l7.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
    }
}

/// The listeners of a CLB gateway Service as far as its `ports` show them;
/// `None` for other load balancers or when no port number is written.
pub fn clb_listeners(svc: &ServiceView<'_>) -> Option<ClbListeners> {
    if super::clb_annotations::lb_kind(svc) != Some(super::clb_annotations::LbKind::Clb) {
        return None;
    }
    let annotation = svc.lb_annotation("protocol-port").and_then(Field::text).unwrap_or("");
    let l7_ports: Vec<i64> = super::clb_annotations::protocol_ports(annotation)
        .into_iter()
        .filter(|(proto, _)| matches!(*proto, "http" | "https"))
        .map(|(_, port)| i64::from(port))
        .collect();
    let mut listeners = ClbListeners::default();
    for (port, _) in svc.port_entries() {
        let Some(number) = port.get("port").and_then(Node::as_i64) else { continue };
        if number == STATUS_PORT {
            continue;
        }
        if l7_ports.contains(&number) {
            listeners.l7.push(number);
        } else {
            listeners.l4.push(number);
        }
    }
    (!listeners.l7.is_empty() || !listeners.l4.is_empty()).then_some(listeners)
}

/// Whether external traffic reaches the gateway from a node IP rather than
/// from the client (ASM-LB-005's conditions; S7, S17, S27): a LoadBalancer
/// or NodePort with `externalTrafficPolicy: Cluster` (or unset), no ENI
/// backends and no PROXY protocol.
pub fn snats_client_ip(svc: &ServiceView<'_>) -> bool {
    matches!(svc.effective_type(), "LoadBalancer" | "NodePort")
        && svc.effective_etp() == "Cluster"
        && svc.backend_type() != Some("eni")
        && svc.lb_annotation("proxy-protocol").and_then(Field::text) != Some("on")
}

/// Whether a CLB layer-7 listener (`protocol-port` with `http:`/`https:`)
/// puts the client address into `X-Forwarded-For` (S9, S160).
pub fn has_l7_listener(svc: &ServiceView<'_>) -> bool {
    svc.lb_annotation("protocol-port")
        .and_then(Field::text)
        .is_some_and(|v| v.split(',').any(|p| matches!(p.trim().split(':').next(), Some("http" | "https"))))
}

/// One `source` condition of an AuthorizationPolicy that matches addresses.
#[derive(Clone, Debug)]
pub struct IpCondition {
    /// `ipBlocks`, `notIpBlocks`, `remoteIpBlocks` or `notRemoteIpBlocks`.
    pub key: &'static str,
    pub path: String,
}

impl IpCondition {
    /// `ipBlocks`/`notIpBlocks` match the peer of the TCP connection.
    pub fn is_peer(&self) -> bool {
        matches!(self.key, "ipBlocks" | "notIpBlocks")
    }

    /// Whether node SNAT in front of `svc` hides the client from this
    /// condition: always for the TCP peer; for `remoteIpBlocks` too unless a
    /// CLB layer-7 listener carries the client in `X-Forwarded-For` (S7).
    pub fn sees_node_ip_under_snat(&self, svc: &ServiceView<'_>) -> bool {
        self.is_peer() || !has_l7_listener(svc)
    }
}

/// An Istio AuthorizationPolicy that applies to a gateway's pods and matches
/// client addresses.
#[derive(Clone, Debug)]
pub struct IpPolicy {
    pub resource: usize,
    /// `ALLOW` (the default), `DENY`, `AUDIT` or `CUSTOM`.
    pub action: String,
    pub conditions: Vec<IpCondition>,
    /// Every `from` source of every rule has only address conditions, and
    /// the rules have no `to` or `when`: the policy decides on addresses alone.
    pub addresses_only: bool,
}

const IP_KEYS: [&str; 4] = ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"];

/// Whether an AuthorizationPolicy applies to the pods behind `svc`: it is in
/// the gateway's namespace or the root namespace, and its selector matches
/// the gateway pod labels (no selector: every workload in its namespace).
/// A policy without a namespace is taken to be applied next to the gateway;
/// one attached by `targetRef` is not related.
fn policy_applies(policy: &Resource<'_>, svc: &ServiceView<'_>, pod_labels: &Labels) -> bool {
    let namespace_ok = policy.namespace.is_none_or(|ns| ns == svc.namespace || ns == ISTIO_ROOT_NAMESPACE);
    if !namespace_ok {
        return false;
    }
    // `targetRef(s)` attach to Gateway API objects, which the input does not relate.
    if policy.get("/spec/targetRef").is_some() || policy.get("/spec/targetRefs").is_some() {
        return false;
    }
    let selector = label_map(policy.get("/spec/selector/matchLabels"));
    selector.is_empty() || selector_matches(selector, pod_labels) == Match::Yes
}

/// The address conditions of one AuthorizationPolicy, if it has any.
fn ip_policy(index: usize, policy: &Resource<'_>) -> Option<IpPolicy> {
    let mut conditions = Vec::new();
    let mut addresses_only = true;
    let rules = policy.get("/spec/rules").map(Node::items).unwrap_or(&[]);
    for (r, rule) in rules.iter().enumerate() {
        let from = rule.get("from").map(Node::items).unwrap_or(&[]);
        if from.is_empty() || rule.get("to").is_some() || rule.get("when").is_some() {
            addresses_only = false;
        }
        for (f, entry) in from.iter().enumerate() {
            let Some(source) = entry.get("source") else { continue };
            if source.string_map().any(|(k, _)| !IP_KEYS.contains(&k)) {
                addresses_only = false;
            }
            for key in IP_KEYS {
                if source.get(key).is_some_and(|v| !v.items().is_empty()) {
                    conditions.push(IpCondition { key, path: format!("/spec/rules/{r}/from/{f}/source/{key}") });
                }
            }
        }
    }
    if conditions.is_empty() {
        return None;
    }
    let action = policy.get("/spec/action").and_then(Node::scalar_text).unwrap_or("ALLOW").to_owned();
    Some(IpPolicy { resource: index, action, conditions, addresses_only: addresses_only && !rules.is_empty() })
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::*;
    use crate::model::{collect, service_views};
    use crate::yaml::{load, Limits};

    const STREAM: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  podLabels: {team: edge}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec:
  selector: {app: web}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: apps}
spec:
  template:
    metadata:
      labels: {app: web, tier: front}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-office, namespace: istio-system}
spec:
  selector:
    matchLabels: {istio: ingressgateway}
  rules:
  - from:
    - source: {ipBlocks: [203.0.113.0/24]}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: other-gateway, namespace: istio-system}
spec:
  selector:
    matchLabels: {istio: egressgateway}
  rules:
  - from:
    - source: {ipBlocks: [203.0.113.0/24]}
";

    #[test]
    fn relates_gateways_workloads_and_policies() {
        let loaded = load(STREAM, &Limits::default());
        let resources = collect(&loaded.documents);
        let services = service_views(&resources);
        let gateway = &services[0];
        let topology = Topology::new(&resources, &services);
        let labels = topology.service_pod_labels(gateway);
        assert_eq!(labels.get("app").map(String::as_str), Some("istio-ingressgateway"));
        assert_eq!(labels.get("team").map(String::as_str), Some("edge"));
        let policies = topology.ip_based_authorization_policies(gateway);
        assert_eq!(policies.len(), 1);
        assert_eq!(policies[0].resource, 3);
        assert!(policies[0].addresses_only);
        assert_eq!(policies[0].conditions[0].path, "/spec/rules/0/from/0/source/ipBlocks");

        let web = &services[1];
        assert_eq!(topology.gateway_workloads(web), vec![2]);
        assert_eq!(topology.service_pod_labels(web).get("tier").map(String::as_str), Some("front"));
        assert!(web.gateway.is_none());
        assert!(gateway.gateway.is_some());
    }

    #[test]
    fn partial_label_knowledge_is_not_a_mismatch() {
        let mut labels = Labels::new();
        labels.insert("app".to_owned(), "web".to_owned());
        assert_eq!(selector_matches([("app", "web")], &labels), Match::Yes);
        assert_eq!(selector_matches([("app", "api")], &labels), Match::No);
        assert_eq!(selector_matches([("app", "web"), ("tier", "x")], &labels), Match::Unknown);
    }
}
