//! Pieces the load-balancer annotation rules share: how a finding names an
//! IstioGateway override, and the fixes for in-cluster access to a CLB,
//! ENI passthrough and NLB.

use crate::context::{Cni, Version};
use crate::diagnostic::Severity;
use crate::model::clb_annotations::is_dns_hostname;
use crate::model::{Provider, ServiceView, ALIBABA_PREFIX, NLB_CLASS};
use crate::patch::Op;
use crate::rule::{Advice, Applicability, Fix, Note, Remedy, RuleContext};

use super::common::{annotation_path, scope};
use super::fix_ids;
use super::predicates::{named_target_port_with_eni, reports_backend_label_with_eni, reports_eni_local_with_eni};

/// `kind namespace/name`: what the user wrote, not the Service ASM renders.
pub fn owner(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> String {
    let resource = &cx.resources[svc.resource];
    format!("{} {}{}", resource.kind, resource.display_name(), scope(cx, svc))
}

/// Whether the Alibaba Cloud CCM manages this Service, as far as the manifest
/// or the context shows.
pub fn is_alibaba(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> bool {
    svc.provider() == Provider::Alibaba
        || cx.cluster.ccm_version.is_some()
        || cx.cluster.cni.is_some_and(Cni::is_terway)
}

/// ASM's recommended way around in-cluster interception: call the Service.
/// The trade-offs every case shares; callers add their own.
pub fn service_dns_fix(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> Advice {
    // Never a name that cannot exist: without metadata.name the Service's name is unknown.
    let title = match svc.dns_name() {
        Some(dns) => cx.t(
            format_args!("call {dns} (or the ClusterIP) from inside the cluster instead of the load balancer address"),
            format_args!("在集群内改用 {dns}（或 ClusterIP）访问，而不是负载均衡地址"),
        ),
        None => cx.t(
            "call the Service's in-cluster DNS name (<name>.<namespace>.svc.cluster.local; this manifest sets no metadata.name) or its ClusterIP from inside the cluster instead of the load balancer address",
            "在集群内改用 Service 的集群内域名（<名称>.<命名空间>.svc.cluster.local；此清单未设置 metadata.name）或 ClusterIP 访问，而不是负载均衡地址",
        ),
    };
    Advice::new(fix_ids::USE_SERVICE_DNS, title).tradeoff(
        cx.t(
            "no manifest change: in-cluster clients' configuration changes",
            "无需修改清单：需要修改集群内客户端的配置",
        ),
    )
}

/// [`service_dns_fix`] where the CLB's listener does the work (PROXY
/// protocol, TLS termination): in-cluster clients must do without it.
pub fn use_service_dns(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> Advice {
    service_dns_fix(cx, svc).tradeoff(cx.t(
        "in-cluster clients skip the CLB's listener features (PROXY header, TLS termination, X-Forwarded-For) and must not expect them",
        "集群内客户端不经过 CLB 监听的功能（PROXY 头、TLS 卸载、X-Forwarded-For），不能依赖这些功能",
    ))
}

/// The hostname annotation: the CCM publishes a name instead of the CLB IP,
/// so nothing in the cluster captures the address (S8; S14 `updateServiceStatus`).
pub fn lb_hostname(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> Remedy {
    let key = format!("{ALIBABA_PREFIX}hostname");
    let host = cx.params.hostname.as_deref().filter(|h| is_dns_hostname(h));
    let mut fix = match host {
        Some(host) => Fix::new(
            fix_ids::LB_HOSTNAME,
            Applicability::Unsafe,
            cx.t(format_args!("add {key}: \"{host}\""), format_args!("添加 {key}: \"{host}\"")),
        )
        .op(Op::add(annotation_path(svc, &key), host).quoted())
        .into(),
        None => Remedy::Advice(Advice::new(
            fix_ids::LB_HOSTNAME,
            cx.t(
                format_args!("add {key} with a DNS name bound to the CLB (pass --param hostname=NAME to apply)"),
                format_args!("添加 {key}，值为绑定到 CLB 的域名（传入 --param hostname=NAME 以应用）"),
            ),
        )),
    }
    .tradeoff(cx.t(
        "needs CCM v2.3.0 or later; the DNS record must be created separately",
        "需要 CCM v2.3.0 及以上；DNS 记录需要另行创建",
    ))
    .tradeoff(cx.t(
        "the status shows a hostname instead of an IP: tools that read .status.loadBalancer.ingress[0].ip break",
        "状态中显示域名而不是 IP：读取 .status.loadBalancer.ingress[0].ip 的工具会失效",
    ))
    .tradeoff(cx.t(
        "TCP/UDP listeners may hit loopback problems; keep client and gateway pods on different nodes (asymmetric routing)",
        "TCP/UDP 监听可能出现回环问题；客户端 Pod 与网关 Pod 不要调度在同一节点（非对称路由）",
    ))
    .tradeoff(cx.t("in-cluster traffic pays CLB latency and bandwidth", "集群内流量会经过 CLB，产生延迟和带宽开销"));
    if let Some(ccm) = cx.cluster.ccm_version.filter(|v| *v < Version(2, 3, 0)) {
        fix = fix.tradeoff(cx.t(
            format_args!("your CCM {ccm} is older than v2.3.0: upgrade it first"),
            format_args!("你的 CCM {ccm} 低于 v2.3.0：请先升级"),
        ));
    }
    fix
}

/// ENI passthrough (`backend-type: eni`): the trade-offs every case shares,
/// added to a fix whose title and operations say what changes.
pub fn eni_backend_tradeoffs(cx: &RuleContext<'_>, fix: Fix) -> Fix {
    let fix = fix.tradeoff(cx.t(
        "requires Terway ENI or ENIIP; on Flannel the CLB ends up with no backends (ASM-LB-002)",
        "需要 Terway ENI 或 ENIIP 模式；在 Flannel 上 CLB 将没有后端（ASM-LB-002）",
    ));
    // CCMs before v2.1.0 cannot register a named targetPort in ENI mode (ASM-LB-004).
    let fix = match cx.cluster.ccm_version.filter(|v| *v < Version(2, 1, 0)) {
        Some(ccm) => fix.tradeoff(cx.t(
            format_args!("your CCM {ccm} is older than v2.1.0: every targetPort must then be a number (ASM-LB-004)"),
            format_args!("你的 CCM {ccm} 低于 v2.1.0：所有 targetPort 都必须是数字（ASM-LB-004）"),
        )),
        None => fix,
    };
    if cx.cluster.cni.is_none() {
        return fix.tradeoff(cx.t("assumed: the CNI is unknown (--cni tells)", "假定：CNI 未知（可用 --cni 指定）"));
    }
    fix
}

/// What adding `backend-type: eni` to `svc`'s annotations brings to every
/// rendering that reads them (an IstioGateway's overrides share the base
/// spec's annotations): a Local one becomes ASM-LB-003's finding, a named
/// targetPort ASM-LB-004's, a `backend-label` ASM-ANN-028's. `cluster_at`: the externalTrafficPolicy field the
/// fix also sets to Cluster (renderings that inherit it follow). When ASM-LB-004 would be an error (a CCM before v2.1.0), the fix
/// is advice only: its tradeoff says to number the ports first.
pub fn declare_eni_passthrough(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    mut fix: Fix,
    cluster_at: Option<&str>,
) -> Remedy {
    let mut advice_only = false;
    let sharing = cx.services.iter().filter(|other| {
        other.resource == svc.resource
            && other.annotations_path == svc.annotations_path
            && other.backend_type() != Some("eni")
    });
    for other in sharing {
        let etp_path = other.external_traffic_policy.as_ref().map(|f| f.path.as_str());
        let to_cluster = cluster_at.is_some() && etp_path == cluster_at;
        if !to_cluster && reports_eni_local_with_eni(other) {
            fix = fix.introduces("ASM-LB-003");
        }
        if reports_backend_label_with_eni(other) {
            fix = fix.introduces("ASM-ANN-028");
        }
        match named_target_port_with_eni(cx, other) {
            Some(Severity::Error) => advice_only = true,
            Some(_) => fix = fix.introduces("ASM-LB-004"),
            None => {}
        }
    }
    if advice_only {
        Remedy::Advice(fix.into_advice())
    } else {
        fix.into()
    }
}

/// The first CCM that enforces `loadBalancerSourceRanges` on an NLB (S144).
pub const NLB_SOURCE_RANGES_CCM: Version = Version(2, 14, 0);

/// Moving a Service to NLB: a new Service with `loadBalancerClass`, and what
/// an NLB needs first (ASM NLB guide S140, ACK NLB annotations S141, CCM S144).
/// `why_en`/`why_zh` end the title with why NLB helps in the caller's case.
pub fn use_nlb(cx: &RuleContext<'_>, why_en: &str, why_zh: &str) -> Advice {
    let fix = Advice::new(
        fix_ids::USE_NLB,
        cx.t(
            format_args!("recreate the Service as an NLB (loadBalancerClass: {NLB_CLASS}){why_en}"),
            format_args!("将 Service 重建为 NLB（loadBalancerClass: {NLB_CLASS}）{why_zh}"),
        ),
    )
    .tradeoff(cx.t(
        "needs Kubernetes 1.24 or later, CCM v2.5.0 or later and, for an ASM gateway, ASM 1.18 or later",
        "需要 Kubernetes 1.24 及以上、CCM v2.5.0 及以上，ASM 网关还需要 ASM 1.18 及以上",
    ))
    .tradeoff(cx.t(
        format_args!("needs {ALIBABA_PREFIX}zone-maps with vSwitches in at least two zones (`zone-a:vsw-1,zone-b:vsw-2`); without it the CCM fails with \"ParameterMissing, zone mappings are required\" (ASM-NLB-040)"),
        format_args!("需要 {ALIBABA_PREFIX}zone-maps，至少包含两个可用区的交换机（`zone-a:vsw-1,zone-b:vsw-2`）；缺少时 CCM 报错 \"ParameterMissing, zone mappings are required\"（ASM-NLB-040）"),
    ))
    .tradeoff(cx.t(
        "loadBalancerClass is immutable: the Service is recreated and gets a new address",
        "loadBalancerClass 不可修改：Service 需要重建并获得新地址",
    ))
    .tradeoff(cx.t("a different product with its own pricing and limits", "不同的产品，有各自的计费和限制"));
    match cx.cluster.ccm_version.filter(|v| *v < Version(2, 5, 0)) {
        Some(ccm) => fix.tradeoff(cx.t(
            format_args!("your CCM {ccm} is older than v2.5.0 and has no NLB support: upgrade it first"),
            format_args!("你的 CCM {ccm} 低于 v2.5.0，不支持 NLB：请先升级"),
        )),
        None => fix,
    }
}

/// Whether PROXY protocol reaches any listener: it applies to TCP/UDP
/// listeners only, so ports that `protocol-port` makes HTTP/HTTPS do not count.
pub fn has_l4_listener(svc: &ServiceView<'_>) -> bool {
    let l7: Vec<u32> = svc
        .lb_annotation("protocol-port")
        .and_then(|f| f.text())
        .map(crate::model::clb_annotations::protocol_ports)
        .unwrap_or_default()
        .into_iter()
        .filter(|(proto, _)| matches!(*proto, "http" | "https"))
        .map(|(_, port)| port)
        .collect();
    let ports = svc.port_entries();
    ports.is_empty()
        || ports.iter().any(|(port, _)| {
            port.get("port").and_then(crate::yaml::Node::as_i64).is_none_or(|p| !l7.iter().any(|l| i64::from(*l) == p))
        })
}

/// The note and severity for a finding that only matters to in-cluster
/// clients of the load balancer address.
pub fn in_cluster_note(cx: &RuleContext<'_>) -> Option<Note> {
    use crate::context::InClusterClients;
    match cx.cluster.in_cluster_clients {
        Some(InClusterClients::None) => Some(
            cx.t(
                "no in-cluster client uses the load balancer address (--in-cluster-clients none)",
                "集群内没有客户端使用负载均衡地址（--in-cluster-clients none）",
            )
            .into(),
        ),
        Some(_) => Some(
            cx.t(
                "in-cluster clients use the load balancer address (--in-cluster-clients)",
                "集群内客户端使用负载均衡地址（--in-cluster-clients）",
            )
            .into(),
        ),
        None => None,
    }
}
