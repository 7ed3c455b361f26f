//! Answers to "would rule X report this Service?" for other rules' fix
//! declarations (`Fix::introduces`): a fix that sets `Local`, adds
//! `backend-type: eni` or a listener setting must declare the findings it
//! brings. Each predicate names the rule it mirrors; where it can, that rule
//! calls it (or the helpers it is built from) too, so the two cannot drift,
//! and the fixture harness fails when a declaration is wrong.

use crate::context::Version;
use crate::diagnostic::Severity;
use crate::model::clb_annotations::{lb_kind, lookup, value_problem, LbKind};
use crate::model::proxy_config::{gateway_pod_templates, ProxyConfig};
use crate::model::topology::clb_listeners;
use crate::model::{Field, ServiceView};
use crate::rule::RuleContext;

use super::{exposed_placement, has_l4_listener, is_alibaba};

/// Whether the load balancer prefixes connections with a PROXY protocol header,
/// which carries the client IP whatever the policy (S8, S14).
pub fn proxy_protocol_on(svc: &ServiceView<'_>) -> bool {
    svc.lb_annotation("proxy-protocol").and_then(Field::text) == Some("on")
}

/// Whether every gateway pod in view trusts one proxy in front of it
/// (`numTrustedProxies` 1 or more): behind CLB HTTP/HTTPS listeners
/// ASM-LB-005 (`cluster_policy_loses_source_ip.rs`) is then silent.
pub fn pods_trust_one_proxy(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> bool {
    let pods = gateway_pod_templates(cx.resources, svc);
    let trusted = |config: &ProxyConfig| config.facts().and_then(|f| f.num_trusted_proxies).is_some_and(|n| n >= 1);
    !pods.is_empty() && pods.iter().all(|p| trusted(&p.config))
}

/// Mirrors ASM-LB-005 (`cluster_policy_loses_source_ip.rs`): whether its
/// `check` would report `svc` once its externalTrafficPolicy is Cluster, its
/// backend type is `backend_type` and PROXY protocol is on or off as
/// `proxy_protocol` says: what a fix elsewhere that makes it so must declare
/// (`Fix::introduces`). The fixture harness fails when this drifts from
/// `check`.
pub fn reports_cluster_policy(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    backend_type: Option<&str>,
    proxy_protocol: bool,
) -> bool {
    let reported = cx.cluster.needs_source_ip != Some(false)
        && svc.gateway.is_some()
        && matches!(svc.effective_type(), "LoadBalancer" | "NodePort")
        && backend_type != Some("eni")
        && !proxy_protocol;
    // Behind HTTP/HTTPS listeners on every port, `check` stays quiet when the
    // pods in view already trust the CLB as a proxy.
    let all_l7 = clb_listeners(svc).is_some_and(|l| l.all_l7());
    reported && !(all_l7 && pods_trust_one_proxy(cx, svc))
}

/// Mirrors ASM-LB-001 (`local_policy_in_cluster_lb_access.rs`): whether its
/// `check` would report `svc` once its externalTrafficPolicy is Local and its
/// backend type is `backend_type` (for `Fix::introduces`). With ENI backends
/// the policy only limits in-cluster access: that is ASM-LB-003's finding, with
/// its own fix.
pub fn reports_local_lb_access(svc: &ServiceView<'_>, backend_type: Option<&str>) -> bool {
    svc.effective_type() == "LoadBalancer"
        && !svc.is_nlb()
        && svc.lb_annotation("hostname").is_none()
        && !has_proxy_ip_mode(svc)
        && backend_type != Some("eni")
}

fn has_proxy_ip_mode(svc: &ServiceView<'_>) -> bool {
    svc.status_ingress.iter().any(|i| i.get("ipMode").and_then(|m| m.scalar_text()) == Some("Proxy"))
}

/// Mirrors ASM-LB-010 (`local_policy_without_wrr.rs`): whether its `check`
/// would report `svc` once its externalTrafficPolicy is Local and its backend
/// type is `backend_type` (for `Fix::introduces`; the fixture harness fails
/// when this drifts from `check`).
pub fn reports_local_without_wrr(cx: &RuleContext<'_>, svc: &ServiceView<'_>, backend_type: Option<&str>) -> bool {
    // Misspelt values are ASM-ANN-037's; wrr is the one weighted scheduler
    // the current CLB docs list (S122), so wlc does not count.
    let current = svc.lb_annotation("scheduler").and_then(|f| f.text());
    let scheduler_values = lookup("scheduler").map(|e| e.values);
    lb_kind(svc) == Some(LbKind::Clb)
        && is_alibaba(cx, svc)
        && backend_type != Some("eni")
        && current != Some("wrr")
        && current.is_none_or(|c| scheduler_values.is_none_or(|v| value_problem(v, c).is_none()))
}

/// Mirrors ASM-HA-011 (`local_policy_single_node_exposure.rs`): whether its
/// `check` would report `svc` once its externalTrafficPolicy is Local (for
/// `Fix::introduces`): a gateway LoadBalancer whose pods may sit on one node.
pub fn reports_single_node_once_local(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> bool {
    if svc.effective_type() != "LoadBalancer" || svc.gateway.is_none() {
        return false;
    }
    exposed_placement(cx, svc).is_some()
}

/// Mirrors ASM-HA-042 (`gateway_rollout_drops_connections.rs`): whether its
/// `check` reports `svc`: a CLB gateway with a TCP/UDP listener, no connection
/// drain, and gateway pods in view that all stop at once. A fix elsewhere that
/// moves `svc` to ENI backends raises this to a warning and declares it
/// (`Fix::introduces`).
pub fn drops_connections(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> bool {
    if svc.gateway.is_none() || lb_kind(svc) != Some(LbKind::Clb) || !is_alibaba(cx, svc) {
        return false;
    }
    // The CLB drains TCP/UDP listeners only (S164).
    if !has_l4_listener(svc) {
        return false;
    }
    let drain = svc.lb_annotation("connection-drain");
    if drain.and_then(Field::text).is_some_and(|v| v.eq_ignore_ascii_case("on")) {
        return false;
    }
    let pods = gateway_pod_templates(cx.resources, svc);
    let stops_gracefully = |p: &crate::model::proxy_config::PodTemplate<'_>| {
        p.pre_stop || p.config.facts().is_none_or(|f| f.termination_drain.is_some())
    };
    !pods.is_empty() && !pods.iter().any(stops_gracefully)
}

/// Mirrors ASM-LB-003 (`eni_backend_with_local_policy.rs`): whether its `check`
/// would report `svc` once its backend type is ENI: what a fix that adds
/// `backend-type: eni` to annotations `svc` reads must declare
/// (`Fix::introduces`).
pub fn reports_eni_local_with_eni(svc: &ServiceView<'_>) -> bool {
    svc.effective_type() == "LoadBalancer"
        && svc.external_traffic_policy.as_ref().and_then(|f| f.text()) == Some("Local")
}

/// Mirrors ASM-LB-003 (`eni_backend_with_local_policy.rs`): whether its `check`
/// would report `svc` once its externalTrafficPolicy is Local: what a fix that
/// sets Local must declare.
pub fn reports_eni_local_once_local(svc: &ServiceView<'_>) -> bool {
    svc.effective_type() == "LoadBalancer" && svc.backend_type() == Some("eni")
}

/// Mirrors ASM-ANN-028 (`incomplete_lb_annotations.rs`): whether its `check`
/// would report `svc`'s `backend-label` once its backend type is ENI: what a
/// fix that adds `backend-type: eni` must declare.
pub fn reports_backend_label_with_eni(svc: &ServiceView<'_>) -> bool {
    lb_kind(svc) == Some(LbKind::Clb) && svc.lb_annotation("backend-label").is_some()
}

/// The first CCM that resolves a named `targetPort` for ENI backends (S144).
const NAMED_TARGET_PORT_CCM: Version = Version(2, 1, 0);

/// Mirrors ASM-LB-004 (`eni_backend_named_target_port.rs`): the severity its
/// `check` gives a string targetPort `name` on ENI backends, if it reports it
/// at all.
pub fn named_target_port_severity(cx: &RuleContext<'_>, name: &str) -> Option<Severity> {
    if is_quoted_number(name) {
        return Some(Severity::Error);
    }
    match cx.cluster.ccm_version {
        Some(ccm) if ccm >= NAMED_TARGET_PORT_CCM => None,
        Some(_) => Some(Severity::Error),
        None => Some(Severity::Info),
    }
}

/// Mirrors ASM-LB-004 (`eni_backend_named_target_port.rs`): the most severe
/// finding its `check` would give `svc` once its backend type is ENI: what a
/// fix that adds `backend-type: eni` must declare (`Fix::introduces`), or must
/// not apply when it is an error.
pub fn named_target_port_with_eni(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> Option<Severity> {
    if svc.effective_type() != "LoadBalancer" {
        return None;
    }
    svc.port_entries()
        .into_iter()
        .filter_map(|(port, _)| port.get("targetPort")?.as_str())
        .filter_map(|name| named_target_port_severity(cx, name))
        .max()
}

/// `"8080"`: digits only, which no port name can be.
pub fn is_quoted_number(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

/// The annotations only `clbv1/listeners.go` reads (S121): with a reused CLB
/// and no listener override the CCM never builds listeners, so it never reads them.
pub const LISTENER_KEYS: &[&str] = &[
    "protocol-port",
    "cert-id",
    "forward-port",
    "scheduler",
    "proxy-protocol",
    "acl-status",
    "acl-id",
    "acl-type",
    "tls-cipher-policy",
    "http2-enabled",
    "idle-timeout",
    "request-timeout",
    "established-timeout",
    "persistence-timeout",
    "connection-drain",
    "connection-drain-timeout",
    "sticky-session",
    "sticky-session-type",
    "cookie",
    "cookie-timeout",
    "xforwardedfor-proto",
    "xforwardedfor-slbport",
    "xforwardedfor-clientsrcport",
    "domain-extensions",
    "health-check-switch",
    "health-check-flag",
    "health-check-type",
    "health-check-uri",
    "health-check-domain",
    "health-check-method",
    "health-check-httpcode",
    "health-check-connect-port",
    "health-check-connect-timeout",
    "health-check-timeout",
    "health-check-interval",
    "healthy-threshold",
    "unhealthy-threshold",
];

/// Mirrors ASM-ANN-039 (`reused_clb_listeners_not_managed.rs`): whether its
/// `check` would warn about `svc` once it carries a listener setting
/// (`scheduler`, ...) it has none of yet: what a fix that adds one must declare
/// (`Fix::introduces`).
pub fn warns_once_listener_set(svc: &ServiceView<'_>) -> bool {
    lb_kind(svc) == Some(LbKind::Clb)
        && svc.lb_annotation("id").and_then(Field::text).is_some_and(|t| !t.is_empty())
        && svc.lb_annotation("force-override-listeners").and_then(Field::text) != Some("true")
        && LISTENER_KEYS.iter().all(|suffix| svc.lb_annotation(suffix).is_none())
}
