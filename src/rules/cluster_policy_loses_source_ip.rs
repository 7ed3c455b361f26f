use crate::context::Cni;
use crate::diagnostic::Severity;
use crate::model::topology::Topology;
use crate::model::{Field, Provider, ServiceView, ALIBABA_PREFIX, BACKEND_TYPE};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Related, Rule, RuleContext, RuleMeta};

use super::common::{absent_field_path, annotation_path, scope, Reported};
use super::lb_support::eni_backend_tradeoffs;

declare_rule! {
    /// ## What it does
    /// Flags an ingress gateway's Service — an `IstioGateway`'s rendered
    /// Service, or a `v1 Service` recognised as a gateway's — of type
    /// `LoadBalancer` or `NodePort` whose `externalTrafficPolicy` is `Cluster`
    /// or absent, with node backends (no `backend-type: eni`) and without CLB
    /// PROXY protocol.
    ///
    /// ## Why is this bad?
    /// With `Cluster`, external traffic may hop to another node and kube-proxy
    /// masquerades it (S17, S27): the gateway sees a node IP. IP-based
    /// `AuthorizationPolicy` (`ipBlocks`), access logs and the
    /// `X-Forwarded-For` header Envoy builds then carry node IPs, not clients
    /// (S7: "If the externalTrafficPolicy field is set to Cluster, source IP
    /// addresses are not preserved").
    ///
    /// Many gateways do not need client IPs, so the default severity is
    /// **info**. `--needs-source-ip` raises it to **warning**; `--no-source-ip`
    /// silences the rule; an IP-based `AuthorizationPolicy` on the gateway in
    /// the same input (ASM-SIP-006's conditions) also raises it to **warning**
    /// and points at the policy. On Terway the CCM may already attach pods (ENI
    /// backends keep the client IP) without the annotation — on clusters created
    /// after 2020-08-10 that is the default (S8, S9), which the module cannot
    /// see offline — so with a Terway CNI it stays info and says so.
    ///
    /// For an `IstioGateway` without `externalTrafficPolicy`, ASM's default is
    /// documented as `Cluster` only in an older field table (S3), while every
    /// current example sets `Local` (S1, S2): the finding says to check the
    /// rendered Service.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   serviceType: LoadBalancer
    ///   externalTrafficPolicy: Cluster
    /// ```
    ///
    /// ## Fix
    /// Choose one:
    /// - `set-local-policy` (unsafe): `externalTrafficPolicy: Local`. Client
    ///   IPs are kept, but in-cluster clients of the load balancer address then
    ///   meet ASM-LB-001, and only nodes with a gateway pod serve traffic
    ///   (ASM-LB-010, ASM-HA-011).
    /// - `eni-passthrough` (unsafe, Terway only): keep `Cluster` and add
    ///   `service.beta.kubernetes.io/backend-type: "eni"`; the CLB sends to pods
    ///   directly (the ASM FAQ's fix (3), S6).
    /// - `proxy-protocol` (display-only): enable the CLB's PROXY protocol and
    ///   make the gateway parse it; see ASM-PP-007 and ASM-PP-008.
    pub struct ClusterPolicyLosesSourceIp {
        code: "ASM-LB-005",
        name: "cluster-policy-loses-source-ip",
        title: "client source IP lost to externalTrafficPolicy: Cluster",
        title_zh: "externalTrafficPolicy: Cluster 导致客户端源 IP 丢失",
        severity: Info,
        fix: Always,
        sources: ["S1", "S2", "S3", "S6", "S7", "S8", "S9", "S16", "S17", "S27"],
    }
}

impl Rule for ClusterPolicyLosesSourceIp {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        if cx.cluster.needs_source_ip == Some(false) {
            return;
        }
        let mut reported = Reported::default();
        let topology = Topology::new(cx.resources, cx.services);
        for svc in cx.services {
            if svc.gateway.is_none() || !matches!(svc.effective_type(), "LoadBalancer" | "NodePort") {
                continue;
            }
            if svc.effective_etp() != "Cluster" || svc.backend_type() == Some("eni") {
                continue;
            }
            if svc.lb_annotation("proxy-protocol").and_then(Field::text) == Some("on") {
                continue;
            }
            let etp = svc.external_traffic_policy.as_ref();
            let path = match etp {
                Some(f) => f.path.clone(),
                None => absent_field_path(
                    svc,
                    "externalTrafficPolicy",
                    &[svc.service_type.as_ref().map(|f| f.path.as_str())],
                ),
            };
            // An override with its own serviceAnnotations needs its own annotation fix.
            if !reported.first(svc.resource, &format!("{path} {}", svc.annotations_path)) {
                continue;
            }
            let name = svc.display_name();
            let scope = scope(cx, svc);
            let message = match etp {
                Some(_) => cx.t(
                    format_args!("externalTrafficPolicy: Cluster on {name}{scope} SNATs external traffic, so the gateway sees node IPs instead of client IPs"),
                    format_args!("{name}{scope} 的 externalTrafficPolicy: Cluster 会对外部流量做 SNAT，网关看到的是节点 IP 而不是客户端 IP"),
                ),
                None => cx.t(
                    format_args!("{name}{scope} sets no externalTrafficPolicy, so Cluster applies: external traffic is SNATed and the gateway sees node IPs instead of client IPs"),
                    format_args!("{name}{scope} 未设置 externalTrafficPolicy，按 Cluster 处理：外部流量会被 SNAT，网关看到的是节点 IP 而不是客户端 IP"),
                ),
            };
            let mut draft = Draft::new(&Self::META, svc.resource, path.clone(), message)
                .label(cx.t("client IPs are replaced by node IPs", "客户端 IP 被替换为节点 IP"));
            let (mut severity, notes) = assess(cx, svc);
            draft.notes = notes;
            // An IP-based AuthorizationPolicy on this gateway needs the client IP (ASM-SIP-006's conditions).
            for policy in topology.ip_based_authorization_policies(svc) {
                if !policy.conditions.iter().any(|c| c.sees_node_ip_under_snat(svc)) {
                    continue;
                }
                let policy_name = cx.resources[policy.resource].display_name();
                severity = severity.max(Severity::Warning);
                draft = draft
                    .note(cx.t(
                        format_args!(
                            "AuthorizationPolicy {policy_name} matches client IPs at this gateway (ASM-SIP-006)"
                        ),
                        format_args!("AuthorizationPolicy {policy_name} 在此网关按客户端 IP 匹配（ASM-SIP-006）"),
                    ))
                    .related(Related {
                        resource: policy.resource,
                        path: policy.conditions[0].path.clone(),
                        message: cx.t("matches client IPs", "按客户端 IP 匹配"),
                    });
            }
            draft = draft.severity(severity);
            if etp.is_none() && svc.is_istio_gateway() {
                draft = draft.note(cx.t(
                    "ASM documents Cluster as the default only in an older field table (S3) and current examples set Local: check the rendered Service (kubectl -n istio-system get svc -o yaml)",
                    "ASM 仅在旧版字段表（S3）中说明默认值为 Cluster，而当前示例均设置 Local：请检查实际生成的 Service（kubectl -n istio-system get svc -o yaml）",
                ));
            }
            draft.fixes = fixes(cx, svc, &path, etp.is_some());
            out.push(draft);
        }
    }
}

/// Whether `check` above would report `svc` once its externalTrafficPolicy is
/// Cluster and its backend type is `backend_type`: what a fix elsewhere that
/// makes it so must declare (`Fix::introduces`). The fixture harness fails
/// when this drifts from `check`.
pub(crate) fn reports_cluster_policy(cx: &RuleContext<'_>, svc: &ServiceView<'_>, backend_type: Option<&str>) -> bool {
    cx.cluster.needs_source_ip != Some(false)
        && svc.gateway.is_some()
        && matches!(svc.effective_type(), "LoadBalancer" | "NodePort")
        && backend_type != Some("eni")
        && svc.lb_annotation("proxy-protocol").and_then(Field::text) != Some("on")
}

fn assess(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> (Severity, Vec<String>) {
    let c = cx.cluster;
    let terway_may_default_to_eni = c.cni.is_some_and(Cni::is_terway) && svc.effective_type() == "LoadBalancer";
    match c.needs_source_ip {
        Some(true) if terway_may_default_to_eni => (
            Severity::Info,
            vec![cx.t(
                "on Terway clusters created after 2020-08-10 the CCM attaches pods (ENI) by default, which keeps client IPs; the default is not visible offline, so set the annotation explicitly to be sure",
                "在 2020-08-10 之后创建的 Terway 集群中，CCM 默认挂载 Pod（ENI），可保留客户端 IP；离线无法判断默认值，建议显式设置该注解",
            )],
        ),
        Some(true) => (
            Severity::Warning,
            vec![cx.t(
                "the gateway needs client IPs (--needs-source-ip)",
                "网关需要客户端 IP（--needs-source-ip）",
            )],
        ),
        _ => (
            Severity::Info,
            vec![cx.t(
                "assumed: whether the gateway needs client IPs is unknown (--needs-source-ip raises this, --no-source-ip silences it)",
                "假定：未知网关是否需要客户端 IP（--needs-source-ip 提高级别，--no-source-ip 关闭此检查）",
            )],
        ),
    }
}

fn fixes(cx: &RuleContext<'_>, svc: &ServiceView<'_>, path: &str, present: bool) -> Vec<Fix> {
    let c = cx.cluster;
    let terway = c.cni.is_some_and(Cni::is_terway);
    let alibaba_lb = svc.effective_type() == "LoadBalancer" && (svc.provider() == Provider::Alibaba || terway);
    let mut fixes = Vec::new();

    let local_op = if present { Op::replace(path, "Local") } else { Op::add(path, "Local") };
    fixes.push(
        Fix::new(
            "set-local-policy",
            Applicability::Unsafe,
            cx.t("set externalTrafficPolicy: Local", "将 externalTrafficPolicy 设为 Local"),
        )
        .op(local_op)
        .tradeoff(cx.t("client IPs are kept: no SNAT, no second hop", "保留客户端 IP：没有 SNAT，也没有第二跳"))
        .tradeoff(cx.t(
            "in-cluster clients of the load balancer address may then fail on nodes without a gateway pod (ASM-LB-001 applies)",
            "之后没有网关 Pod 的节点上的集群内客户端访问负载均衡地址可能失败（适用 ASM-LB-001）",
        ))
        .tradeoff(cx.t(
            "only nodes with a gateway pod serve traffic: spread the replicas (ASM-HA-011) and use the wrr scheduler (ASM-LB-010)",
            "只有部署了网关 Pod 的节点处理流量：请分散副本（ASM-HA-011）并使用 wrr 调度（ASM-LB-010）",
        )),
    );

    if alibaba_lb && c.cni != Some(Cni::Flannel) {
        let eni = Fix::new(
            "eni-passthrough",
            Applicability::Unsafe,
            cx.t(
                format_args!("keep Cluster and add {BACKEND_TYPE}: \"eni\" (Terway only)"),
                format_args!("保留 Cluster 并添加 {BACKEND_TYPE}: \"eni\"（仅限 Terway）"),
            ),
        )
        .op(Op::add(annotation_path(svc, BACKEND_TYPE), "eni").quoted())
        .tradeoff(cx.t(
            "client IPs are kept and in-cluster access works from every node: the CLB sends to pod ENIs directly",
            "保留客户端 IP，且所有节点的集群内访问均正常：CLB 直接转发到 Pod 的弹性网卡",
        ));
        fixes.push(eni_backend_tradeoffs(cx, eni));
    }

    if alibaba_lb {
        fixes.push(
            Fix::new(
                "proxy-protocol",
                Applicability::DisplayOnly,
                cx.t(
                    format_args!("enable {ALIBABA_PREFIX}proxy-protocol: \"on\" and make the gateway parse PROXY protocol (see ASM-PP-007, ASM-PP-008)"),
                    format_args!("启用 {ALIBABA_PREFIX}proxy-protocol: \"on\"，并让网关解析 PROXY 协议（见 ASM-PP-007、ASM-PP-008）"),
                ),
            )
            .tradeoff(cx.t(
                "both sides must change together: Envoy rejects every connection until gatewayTopology.proxyProtocol is set in proxy.istio.io/config",
                "两端必须同时修改：在 proxy.istio.io/config 中设置 gatewayTopology.proxyProtocol 之前，Envoy 会拒绝所有连接",
            ))
            .tradeoff(cx.t(
                "needs CCM v2.6.0 or later, TCP/UDP listeners only, and switching is not a smooth online migration",
                "需要 CCM v2.6.0 及以上，仅支持 TCP/UDP 监听，且切换无法平滑在线迁移",
            ))
            .tradeoff(cx.t(
                "in-cluster clients of the load balancer address arrive without the PROXY header and fail (ASM-PP-008)",
                "集群内访问负载均衡地址的客户端不带 PROXY 头，会握手失败（ASM-PP-008）",
            )),
        );
    }

    let recommended =
        if terway && fixes.iter().any(|f| f.id == "eni-passthrough") { "eni-passthrough" } else { "set-local-policy" };
    for fix in &mut fixes {
        fix.recommended = fix.id == recommended;
    }
    fixes
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Lang;
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  serviceType: LoadBalancer # public CLB
  replicaCount: 2
  overrides:
    c1:
      replicaCount: 3
";

    #[test]
    fn absent_policy_is_reported_once_on_the_base_spec() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-LB-005");
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.location.path, "/spec/externalTrafficPolicy");
        assert!(f.message.starts_with("istio-system/istio-ingressgateway sets no externalTrafficPolicy"));
        assert!(f.notes.iter().any(|n| n.contains("older field table")), "{:?}", f.notes);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["set-local-policy", "eni-passthrough", "proxy-protocol"]);
        let zh = check_lang(GATEWAY, &[], Lang::Zh);
        assert!(only(&zh, "ASM-LB-005").message.contains("未设置 externalTrafficPolicy"));
    }

    #[test]
    fn context_sets_the_severity() {
        let sev = |ctx: &[(&str, &str)]| only(&check_with(GATEWAY, ctx), "ASM-LB-005").severity.as_str();
        assert_eq!(sev(&[("needsSourceIp", "true")]), "warning");
        assert_eq!(sev(&[("needsSourceIp", "true"), ("cni", "terway-eniip")]), "info");
        assert!(!codes(&check_with(GATEWAY, &[("needsSourceIp", "false")])).contains(&"ASM-LB-005"));
        let rec = check_with(GATEWAY, &[("cni", "terway-eni")]);
        assert_eq!(only(&rec, "ASM-LB-005").fixes.iter().find(|f| f.recommended).unwrap().id, "eni-passthrough");
    }

    #[test]
    fn quiet_when_the_client_ip_survives() {
        for extra in [
            "  externalTrafficPolicy: Local\n",
            "  serviceType: ClusterIP\n",
            "  serviceAnnotations: {service.beta.kubernetes.io/backend-type: eni}\n",
            "  serviceAnnotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"on\"}\n",
        ] {
            let text = format!("{GATEWAY}{extra}");
            assert!(!codes(&check_with(&text, &[])).contains(&"ASM-LB-005"), "{extra}");
        }
        // Not a gateway Service.
        let web = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: LoadBalancer}\n";
        assert!(!codes(&check_with(web, &[])).contains(&"ASM-LB-005"));
    }

    #[test]
    fn gateway_service_in_second_document() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {type: ClusterIP}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  type: NodePort\n  externalTrafficPolicy: Cluster\n";
        let f = only(&check_with(text, &[]), "ASM-LB-005").clone();
        assert_eq!(f.location.document, 1);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["set-local-policy"], "NodePort without a CLB has only one fix");
        assert!(!f.notes.iter().any(|n| n.contains("older field table")));
        assert_eq!(apply_fix(text, "set-local-policy", &[]), text.replace("Policy: Cluster", "Policy: Local"));
    }

    #[test]
    fn fixes_add_the_missing_fields() {
        let fixed = apply_fix(GATEWAY, "set-local-policy", &[]);
        assert_eq!(
            fixed,
            GATEWAY.replace("      replicaCount: 3\n", "      replicaCount: 3\n  externalTrafficPolicy: Local\n")
        );
        let fixed = apply_fix(GATEWAY, "eni-passthrough", &[]);
        assert_eq!(
            fixed,
            format!("{GATEWAY}  serviceAnnotations:\n    service.beta.kubernetes.io/backend-type: \"eni\"\n")
        );
    }

    #[test]
    fn an_ip_based_authorization_policy_raises_it_to_warning() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\nspec:\n  type: LoadBalancer\n  selector:\n    istio: ingressgateway\n---\napiVersion: security.istio.io/v1\nkind: AuthorizationPolicy\nmetadata:\n  name: allow-office\n  namespace: istio-system\nspec:\n  selector:\n    matchLabels:\n      istio: ingressgateway\n  action: ALLOW\n  rules:\n  - from:\n    - source:\n        ipBlocks: [\"203.0.113.0/24\"]\n";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-LB-005");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.related[0].location.document, 1);
        assert!(f.notes.iter().any(|n| n.contains("istio-system/allow-office")));
    }
}
