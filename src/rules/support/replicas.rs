//! The replica bounds of IstioGateway specs and HPAs, and the ports gateway
//! pods bind.

use crate::model::ReplicaBounds;
use crate::rule::RuleContext;
use crate::yaml::{pointer, Node};

pub fn scope_of(cx: &RuleContext<'_>, bounds: &ReplicaBounds<'_>) -> String {
    match bounds.base.strip_prefix("/spec/overrides/") {
        Some(cluster) => {
            let cluster = pointer::unescape(cluster);
            cx.t(format_args!(" (override for cluster {cluster})"), format_args!("（集群 {cluster} 的覆盖配置）"))
        }
        None => String::new(),
    }
}

/// `autoscaleEnabled: false` in the override or, failing that, the base spec.
pub fn autoscale_disabled(cx: &RuleContext<'_>, bounds: &ReplicaBounds<'_>) -> bool {
    let resource = &cx.resources[bounds.resource];
    let own = resource.get(&format!("{}/autoscaleEnabled", bounds.base));
    own.or_else(|| resource.get("/spec/autoscaleEnabled")).and_then(|n| n.as_bool()) == Some(false)
}

/// The lowest container port Envoy may bind without root (S181).
pub const UNPRIVILEGED_PORT_START: i64 = 1024;

/// The port Envoy binds for one Service port: `targetPort`, or `port` when
/// it is missing; `None` for a named or unreadable target.
pub fn bound_port(port: &Node) -> Option<i64> {
    match port.get("targetPort") {
        Some(target) => target.as_i64(),
        None => port.get("port").and_then(Node::as_i64),
    }
}
