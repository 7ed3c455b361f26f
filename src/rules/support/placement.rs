//! Where a gateway's pods run: replicas and spreading, read from an
//! IstioGateway's spec or from the Deployments behind a `v1 Service`
//! (ASM-HA-011 reports it; ASM-LB-005's fixes declare it).

use crate::model::anti_affinity::spreads_pods;
use crate::model::topology::istio_gateway_field;
use crate::model::{Field, Origin, ServiceView};
use crate::rule::RuleContext;
use crate::yaml::Node;

/// The node label a hostname anti-affinity or topology spread keys on.
pub const HOSTNAME: &str = "kubernetes.io/hostname";

/// Replicas and spreading of the pods behind one Service, with where they
/// are written.
pub struct Placement<'a> {
    pub replicas: i64,
    /// A replica count is written but is no number (an unrendered
    /// `{{ .Values.replicas }}`): the count is unknown, not its default.
    pub unknown: bool,
    pub spread: bool,
    /// Other resources that explain it (the Deployment, its HPA).
    pub related: Vec<(usize, String)>,
    /// Where IstioGateway fixes write: `(replicaCount, minReplicas, maxReplicas, affinity)`.
    pub fields: Option<[Option<Field<'a>>; 4]>,
    /// The label set anti-affinity selects on.
    pub workload: Option<String>,
    /// Resources whose labels say production.
    pub tagged: Vec<usize>,
}

fn int(field: &Option<Field<'_>>) -> Option<i64> {
    field.as_ref().and_then(|f| f.node.as_i64())
}

/// Present, and not an integer.
fn unreadable(node: Option<&Node>) -> bool {
    node.is_some_and(|n| n.as_i64().is_none())
}

fn istio_gateway_placement<'a>(cx: &RuleContext<'a>, svc: &ServiceView<'a>) -> Placement<'a> {
    let resource = &cx.resources[svc.resource];
    let pick = |key| istio_gateway_field(resource, &svc.spec_path, key);
    let (count, min, max, affinity) =
        (pick("replicaCount"), pick("minReplicas"), pick("maxReplicas"), pick("affinity"));
    let replicas = int(&count).unwrap_or(1).max(int(&min).unwrap_or(0));
    let spread = spreads_pods(affinity.as_ref().map(|a| a.node));
    let mut related = Vec::new();
    for deployment in cx.topology.gateway_workloads(svc) {
        related.push((deployment, "/metadata/name".to_owned()));
        for hpa in cx.topology.hpas_targeting(&svc.namespace, &svc.name) {
            related.push((hpa, "/spec/minReplicas".to_owned()));
        }
    }
    let mut tagged = vec![svc.resource];
    for (r, _) in &related {
        tagged.push(*r);
    }
    Placement {
        replicas,
        unknown: [&count, &min].iter().any(|f| unreadable(f.as_ref().map(|f| f.node))),
        spread,
        related,
        fields: Some([count, min, max, affinity]),
        workload: resource.name.map(str::to_owned),
        tagged,
    }
}

/// The Deployments behind a `v1 Service`, when the input has them: their
/// replicas (an HPA's `minReplicas` where one targets them) add up, and the
/// pods are spread only if every Deployment spreads them.
fn deployment_placement<'a>(cx: &RuleContext<'a>, svc: &ServiceView<'a>) -> Option<Placement<'a>> {
    let workloads = cx.topology.gateway_workloads(svc);
    // A DaemonSet or StatefulSet is judged by other means; say nothing.
    if workloads.is_empty() || workloads.iter().any(|i| !cx.resources[*i].is("apps", "Deployment")) {
        return None;
    }
    let mut placement = Placement {
        replicas: 0,
        unknown: false,
        spread: true,
        related: Vec::new(),
        fields: None,
        workload: None,
        tagged: vec![svc.resource],
    };
    let mut names = Vec::new();
    for index in workloads {
        let deployment = &cx.resources[index];
        let replicas_path =
            if deployment.get("/spec/replicas").is_some() { "/spec/replicas" } else { "/metadata/name" };
        placement.related.push((index, replicas_path.to_owned()));
        let namespace = deployment.namespace.unwrap_or("default");
        let hpas = deployment.name.map(|n| cx.topology.hpas_targeting(namespace, n)).unwrap_or_default();
        let count = match hpas.first() {
            Some(hpa) => {
                placement.related.push((*hpa, "/spec/minReplicas".to_owned()));
                cx.resources[*hpa].get("/spec/minReplicas")
            }
            None => deployment.get("/spec/replicas"),
        };
        placement.unknown |= unreadable(count);
        placement.replicas += count.and_then(Node::as_i64).unwrap_or(1);
        let pod_spec = deployment.get("/spec/template/spec");
        let anti_affinity = spreads_pods(pod_spec.and_then(|s| s.get("affinity")));
        let topology_spread = pod_spec
            .and_then(|s| s.get("topologySpreadConstraints"))
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .any(|c| c.get("topologyKey").and_then(Node::scalar_text) == Some(HOSTNAME));
        placement.spread &= anti_affinity || topology_spread;
        names.push(deployment.display_name());
    }
    for (r, _) in &placement.related {
        placement.tagged.push(*r);
    }
    placement.workload = Some(names.join(", "));
    Some(placement)
}

/// Where the gateway's pods run, when that may be on one node: fewer than
/// two replicas, or no anti-affinity that spreads them. `None` when they are
/// spread or their placement is unknown.
pub fn exposed_placement<'a>(cx: &RuleContext<'a>, svc: &ServiceView<'a>) -> Option<Placement<'a>> {
    let placement = match svc.origin {
        Origin::IstioGateway { .. } => istio_gateway_placement(cx, svc),
        Origin::Service => deployment_placement(cx, svc)?,
    };
    let spread = placement.replicas >= 2 && placement.spread;
    (!spread && !placement.unknown).then_some(placement)
}
