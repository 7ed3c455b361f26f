use crate::context::Cni;
use crate::diagnostic::Severity;
use crate::model::proxy_config::{gateway_pod_templates, PROXY_CONFIG};
use crate::model::topology::{clb_listeners, ClbListeners};
use crate::model::{Provider, ServiceView, ALIBABA_PREFIX, BACKEND_TYPE};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Note, Related, Remedy, Rule, RuleContext};
use super::support::{absent_field_path, annotation_path, pods_trust_one_proxy, proxy_protocol_on, scope};
use super::support::{declare_eni_passthrough, eni_backend_tradeoffs};
use super::support::fix_ids;

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
    /// **CLB layer-7 listeners.** A port that `protocol-port` lists as
    /// `http:`/`https:` gets a CLB HTTP/HTTPS listener, which proxies the
    /// connection: the gateway's TCP peer is the CLB whatever the ETP, and the
    /// client IP is only in `X-Forwarded-For` (S7, S160). When every client
    /// port (all but the status port 15021, S31) is such a listener, the rule
    /// reports that instead, as info, and advises
    /// `gatewayTopology.numTrustedProxies: 1` (S32; ASM documents it for ASM ≥
    /// 1.24.6.83, S160) rather than Local or ENI, which change nothing there.
    /// It stays quiet when the gateway pods in the input already set
    /// `numTrustedProxies` ≥ 1. With some ports L7 and some TCP, the SNAT
    /// finding stays, says which ports Local/ENI cannot help, and points at
    /// `numTrustedProxies` for them.
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
    /// - `set-num-trusted-proxies` (only behind HTTP/HTTPS listeners on every
    ///   port; unsafe on an IstioGateway without a `proxy.istio.io/config`,
    ///   else display-only): `podAnnotations["proxy.istio.io/config"]:
    ///   '{"gatewayTopology":{"numTrustedProxies":1}}'`. Pods restart, and
    ///   clients that reach the gateway without the CLB can then forge
    ///   `X-Forwarded-For` (ASM-SIP-043).
    pub struct ClusterPolicyLosesSourceIp {
        code: "ASM-LB-005",
        name: "cluster-policy-loses-source-ip",
        title: "client source IP lost to externalTrafficPolicy: Cluster",
        title_zh: "externalTrafficPolicy: Cluster 导致客户端源 IP 丢失",
        severity: Info,
        fix: Sometimes,
        sources: ["S1", "S2", "S3", "S6", "S7", "S8", "S9", "S16", "S17", "S27", "S31", "S32", "S160"],
    }
}

/// Advice: enable PROXY protocol on the load balancer and make the gateway parse it.
const PROXY_PROTOCOL: FixId = FixId::new("proxy-protocol");

impl Rule for ClusterPolicyLosesSourceIp {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        if cx.cluster.needs_source_ip == Some(false) {
            return;
        }
        let topology = cx.topology;
        for svc in cx.services {
            if svc.gateway.is_none() || !matches!(svc.effective_type(), "LoadBalancer" | "NodePort") {
                continue;
            }
            if svc.effective_etp() != "Cluster" || svc.backend_type() == Some("eni") {
                continue;
            }
            if proxy_protocol_on(svc) {
                continue;
            }
            let etp = svc.external_traffic_policy.as_ref();
            let path = etp_path(svc);
            // An override with its own serviceAnnotations needs its own annotation fix.
            let key = [path.clone(), svc.annotations_path.clone()];
            let listeners = clb_listeners(svc);
            if let Some(l7) = listeners.as_ref().filter(|l| l.all_l7()) {
                if let Some(draft) = behind_http_listeners(cx, svc, path, l7) {
                    out.push(draft.once_per(&key));
                }
                continue;
            }
            let name = svc.display_name();
            let scope = scope(cx, svc);
            // `externalTrafficPolicey: Local` is dropped: name it rather than offer the key twice.
            let misspelt = match etp {
                Some(_) => None,
                None => cx.schema_of(svc.resource).and_then(|checked| {
                    let parent = path.rsplit_once('/').map_or("", |(parent, _)| parent);
                    crate::schema::misspelling_of(checked, parent, "externalTrafficPolicy")
                }),
            };
            let message = match (etp, misspelt) {
                (None, Some(key)) => cx.t(
                    format_args!("{name}{scope} sets no externalTrafficPolicy (`{key}` is a misspelling the API drops, ASM-CR-046), so Cluster applies: external traffic is SNATed and the gateway sees node IPs instead of client IPs"),
                    format_args!("{name}{scope} 未设置 externalTrafficPolicy（`{key}` 是拼写错误，API 会丢弃它，见 ASM-CR-046），按 Cluster 处理：外部流量会被 SNAT，网关看到的是节点 IP 而不是客户端 IP"),
                ),
                (Some(_), _) => cx.t(
                    format_args!("externalTrafficPolicy: Cluster on {name}{scope} SNATs external traffic, so the gateway sees node IPs instead of client IPs"),
                    format_args!("{name}{scope} 的 externalTrafficPolicy: Cluster 会对外部流量做 SNAT，网关看到的是节点 IP 而不是客户端 IP"),
                ),
                (None, None) => cx.t(
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
            draft.remedies = fixes(cx, svc, &path, etp.is_some());
            if let Some(key) = misspelt {
                // Adding the key would leave the misspelt one beside it; ASM-CR-046 renames it.
                draft.remedies.retain(|f| f.id() != fix_ids::SET_LOCAL_POLICY);
                draft = draft.note(cx.t(
                    format_args!("to set the policy, correct `{key}` (ASM-CR-046's rename-key) rather than add externalTrafficPolicy beside it"),
                    format_args!("如需设置策略，请修正 `{key}`（ASM-CR-046 的 rename-key），而不是在旁边再添加 externalTrafficPolicy"),
                ));
            }
            // Mixed listeners: Local/ENI help the TCP ports only.
            if let Some(l7) = listeners.filter(|l| !l.l7.is_empty()) {
                let ports = l7.l7_text();
                draft = draft.note(cx.t(
                    format_args!("ports {ports} have CLB HTTP/HTTPS listeners: their client IP is in X-Forwarded-For whatever the policy (set gatewayTopology.numTrustedProxies, S160)"),
                    format_args!("端口 {ports} 为 CLB HTTP/HTTPS 监听：无论策略如何，其客户端 IP 都在 X-Forwarded-For 中（请设置 gatewayTopology.numTrustedProxies，S160）"),
                ));
                let helped = [fix_ids::SET_LOCAL_POLICY, fix_ids::ENI_PASSTHROUGH];
                for fix in draft.remedies.iter_mut().filter(|f| helped.contains(&f.id())) {
                    fix.tradeoffs_mut().push(cx.t(
                        format_args!("does not help ports {ports}: their HTTP/HTTPS listeners proxy the connection"),
                        format_args!("对端口 {ports} 无效：其 HTTP/HTTPS 监听会代理连接"),
                    ));
                }
            }
            out.push(draft.once_per(&key));
        }
    }
}

const TRUSTED_PROXY_CONFIG: &str = r#"{"gatewayTopology":{"numTrustedProxies":1}}"#;

/// Every client port has a CLB HTTP/HTTPS listener: the TCP peer is the CLB
/// whatever the ETP, so the advice is `numTrustedProxies`, not Local/ENI
/// (S32, S160). Silent when the pods in view already trust one proxy.
fn behind_http_listeners(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    path: String,
    l7: &ClbListeners,
) -> Option<Draft> {
    if pods_trust_one_proxy(cx, svc) {
        return None;
    }
    let pods = gateway_pod_templates(cx.resources, svc);
    let name = svc.display_name();
    let scope = scope(cx, svc);
    let ports = l7.l7_text();
    let message = cx.t(
        format_args!("{name}{scope} reaches clients through CLB HTTP/HTTPS listeners (ports {ports}): the gateway's TCP peer is the CLB whatever externalTrafficPolicy says, and the client IP is only in X-Forwarded-For"),
        format_args!("{name}{scope} 通过 CLB HTTP/HTTPS 监听（端口 {ports}）接收客户端流量：无论 externalTrafficPolicy 如何，网关的 TCP 对端都是 CLB，客户端 IP 只在 X-Forwarded-For 中"),
    );
    let draft = Draft::new(&ClusterPolicyLosesSourceIp::META, svc.resource, path, message)
        .severity(Severity::Info)
        .label(cx.t("the CLB proxies every connection", "CLB 代理每个连接"))
        .note(Note::assumed(cx.t(
            "the mesh-wide defaultConfig.gatewayTopology does not set numTrustedProxies (it is not in the input)",
            "网格全局 defaultConfig.gatewayTopology 未设置 numTrustedProxies（不在输入中）",
        )));
    let istio_config = pods.first().filter(|_| svc.is_istio_gateway());
    let mut fix = match istio_config {
        Some(template) if template.config_field.is_none() => Fix::new(
            fix_ids::SET_NUM_TRUSTED_PROXIES,
            Applicability::Unsafe,
            cx.t(
                format_args!("set podAnnotations {PROXY_CONFIG}: '{TRUSTED_PROXY_CONFIG}'"),
                format_args!("设置 podAnnotations {PROXY_CONFIG}: '{TRUSTED_PROXY_CONFIG}'"),
            ),
        )
        .op(Op::add(crate::yaml::pointer::push(&template.annotations_path, PROXY_CONFIG), TRUSTED_PROXY_CONFIG).quoted())
        .into(),
        _ => Remedy::Advice(Advice::new(
            fix_ids::SET_NUM_TRUSTED_PROXIES,
            cx.t(
                format_args!("set \"gatewayTopology\": {{\"numTrustedProxies\": 1}} in the gateway pods' {PROXY_CONFIG} (or mesh-wide)"),
                format_args!("在网关 Pod 的 {PROXY_CONFIG} 中（或网格全局）设置 \"gatewayTopology\": {{\"numTrustedProxies\": 1}}"),
            ),
        )),
    }
    .tradeoff(cx.t(
        "the gateway takes the client IP from X-Forwarded-For (one trusted proxy: the CLB); remoteIpBlocks and access logs see clients",
        "网关从 X-Forwarded-For 获取客户端 IP（信任一层代理：CLB）；remoteIpBlocks 和访问日志可看到客户端",
    ))
    .tradeoff(cx.t(
        "ASM documents numTrustedProxies for ASM 1.24.6.83 and later (S160); the gateway pods restart",
        "ASM 文档说明 numTrustedProxies 需要 ASM 1.24.6.83 及以上（S160）；网关 Pod 会重启",
    ))
    .tradeoff(cx.t(
        "clients that reach the gateway without the CLB's HTTP listener can then forge X-Forwarded-For (ASM-SIP-043)",
        "不经过 CLB HTTP 监听访问网关的客户端随后可以伪造 X-Forwarded-For（ASM-SIP-043）",
    ));
    fix.set_recommended(true);
    Some(draft.remedy(fix))
}

fn assess(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> (Severity, Vec<Note>) {
    let c = cx.cluster;
    let terway_may_default_to_eni = c.cni.is_some_and(Cni::is_terway) && svc.effective_type() == "LoadBalancer";
    match c.needs_source_ip {
        Some(true) if terway_may_default_to_eni => (
            Severity::Info,
            vec![cx.t(
                "on Terway clusters created after 2020-08-10 the CCM attaches pods (ENI) by default, which keeps client IPs; the default is not visible offline, so set the annotation explicitly to be sure",
                "在 2020-08-10 之后创建的 Terway 集群中，CCM 默认挂载 Pod（ENI），可保留客户端 IP；离线无法判断默认值，建议显式设置该注解",
            ).into()],
        ),
        Some(true) => (
            Severity::Warning,
            vec![cx.t(
                "the gateway needs client IPs (--needs-source-ip)",
                "网关需要客户端 IP（--needs-source-ip）",
            ).into()],
        ),
        _ => (
            Severity::Info,
            vec![Note::assumed(cx.t(
                "whether the gateway needs client IPs is unknown (--needs-source-ip raises this, --no-source-ip silences it)",
                "未知网关是否需要客户端 IP（--needs-source-ip 提高级别，--no-source-ip 关闭此检查）",
            ))],
        ),
    }
}

/// Where `svc`'s externalTrafficPolicy is, or where a fix adds it.
fn etp_path(svc: &ServiceView<'_>) -> String {
    match &svc.external_traffic_policy {
        Some(f) => f.path.clone(),
        None => absent_field_path(svc, "externalTrafficPolicy", &[svc.service_type.as_ref().map(|f| f.path.as_str())]),
    }
}

fn fixes(cx: &RuleContext<'_>, svc: &ServiceView<'_>, path: &str, present: bool) -> Vec<Remedy> {
    let c = cx.cluster;
    let terway = c.cni.is_some_and(Cni::is_terway);
    let alibaba_lb = svc.effective_type() == "LoadBalancer" && (svc.provider() == Provider::Alibaba || terway);
    let mut fixes = Vec::new();

    let local_op = if present { Op::replace(path, "Local") } else { Op::add(path, "Local") };
    let mut local = Fix::new(
        fix_ids::SET_LOCAL_POLICY,
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
    ));
    // Every rendering that reads the field the fix sets turns Local with it.
    let turning_local = cx.services.iter().filter(|other| other.resource == svc.resource && etp_path(other) == path);
    for other in turning_local {
        let backend_type = other.backend_type();
        let brings = [
            ("ASM-LB-001", super::support::reports_local_lb_access(other, backend_type)),
            ("ASM-LB-010", super::support::reports_local_without_wrr(cx, other, backend_type)),
            ("ASM-HA-011", super::support::reports_single_node_once_local(cx, other)),
            // With Local the CLB's backends follow the pods: the info turns warning.
            (
                "ASM-HA-042",
                backend_type != Some("eni") && super::support::drops_connections(cx, other),
            ),
        ];
        for (code, _) in brings.iter().filter(|(_, brought)| *brought) {
            local = local.introduces(code);
        }
    }
    fixes.push(local.into());

    if alibaba_lb && c.cni != Some(Cni::Flannel) {
        let eni = Fix::new(
            fix_ids::ENI_PASSTHROUGH,
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
        let mut eni = declare_eni_passthrough(cx, svc, eni_backend_tradeoffs(cx, eni), None);
        // ENI backends without Terway are ASM-LB-002's finding.
        if !terway {
            eni = eni.introduces("ASM-LB-002");
        }
        // ENI backends follow the pods: ASM-HA-042's info turns warning.
        if super::support::drops_connections(cx, svc) {
            eni = eni.introduces("ASM-HA-042");
        }
        fixes.push(eni);
    }

    if alibaba_lb {
        fixes.push(Remedy::Advice(
            Advice::new(
                PROXY_PROTOCOL,
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
        ));
    }

    let eni = terway && fixes.iter().any(|f| f.id() == fix_ids::ENI_PASSTHROUGH);
    let recommended = if eni { fix_ids::ENI_PASSTHROUGH } else { fix_ids::SET_LOCAL_POLICY };
    for fix in &mut fixes {
        fix.set_recommended(fix.id() == recommended);
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
        assert!(f.notes.iter().any(|n| n.text.contains("older field table")), "{:?}", f.notes);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["set-local-policy", "eni-passthrough", "proxy-protocol"]);
        let zh = check_lang(GATEWAY, &[], Lang::Zh);
        assert!(only(&zh, "ASM-LB-005").message.contains("未设置 externalTrafficPolicy"));
    }

    #[test]
    fn a_misspelt_policy_is_named_and_not_added_twice() {
        let text = GATEWAY.replace("  replicaCount: 2\n", "  replicaCount: 2\n  externalTrafficPolicey: Local\n");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-LB-005");
        assert!(
            f.message.contains("(`externalTrafficPolicey` is a misspelling the API drops, ASM-CR-046)"),
            "{}",
            f.message
        );
        assert!(f.fixes.iter().all(|x| x.id != "set-local-policy"));
        assert!(f.notes.iter().any(|n| n.text.contains("rename-key")));
        // A far key is no misspelling: the usual fixes stay.
        let far = GATEWAY.replace("  replicaCount: 2\n", "  replicaCount: 2\n  trafficPolicy: Local\n");
        assert_eq!(only(&check_with(&far, &[]), "ASM-LB-005").fixes[0].id, "set-local-policy");
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
        assert!(!f.notes.iter().any(|n| n.text.contains("older field table")));
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
        assert!(f.notes.iter().any(|n| n.text.contains("istio-system/allow-office")));
    }

    const L7: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  serviceType: LoadBalancer
  externalTrafficPolicy: Cluster
  ports:
  - {name: status-port, port: 15021, targetPort: 15021}
  - {name: http-0, port: 80, targetPort: 80}
  - {name: https-1, port: 443, targetPort: 80}
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80,https:443\"
";

    #[test]
    fn http_listeners_on_every_port_advise_num_trusted_proxies() {
        let report = check_with(L7, &[("needsSourceIp", "true")]);
        let f = only(&report, "ASM-LB-005");
        assert_eq!(f.severity.as_str(), "info");
        assert!(f.message.contains("CLB HTTP/HTTPS listeners (ports 80, 443)"), "{}", f.message);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["set-num-trusted-proxies"], "no Local/ENI behind layer-7 listeners");
        let fixed = apply_fix(L7, "set-num-trusted-proxies", &[]);
        assert_eq!(
            fixed,
            format!("{L7}  podAnnotations:\n    proxy.istio.io/config: \"{{\\\"gatewayTopology\\\":{{\\\"numTrustedProxies\\\":1}}}}\"\n")
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-LB-005"));
    }

    #[test]
    fn mixed_listeners_keep_the_snat_finding_with_a_caveat() {
        let mixed = L7.replace("http:80,https:443", "http:80");
        let f = only(&check_with(&mixed, &[]), "ASM-LB-005").clone();
        assert!(f.message.contains("SNATs external traffic"), "{}", f.message);
        assert!(f.notes.iter().any(|n| n.text.starts_with("ports 80 have CLB HTTP/HTTPS listeners")), "{:?}", f.notes);
        let local = f.fixes.iter().find(|x| x.id == "set-local-policy").unwrap();
        assert!(local.tradeoffs.iter().any(|t| t.contains("does not help ports 80")));
    }
}
