use crate::context::Cni;
use crate::diagnostic::Severity;
use crate::model::proxy_config::PROXY_CONFIG;
use crate::model::topology::{clb_listeners, snats_client_ip, ClbListeners, IpCondition, IpPolicy};
use crate::model::ServiceView;
use crate::rule::{declare_rule, Advice, Draft, FixId, Note, Related, Remedy, Rule, RuleContext};

declare_rule! {
    /// ## What it does
    /// Flags an Istio `AuthorizationPolicy` (security.istio.io) that applies to
    /// a gateway's pods — its `selector.matchLabels` match the gateway pod labels
    /// (`app: istio-<name>`, `istio: <name>` and `podLabels` for an IstioGateway,
    /// as `istio_gateway_pod_labels` in src/model/topology.rs derives them; the
    /// selector and Deployment template for a `v1 Service`),
    /// or it has no selector in the gateway's namespace or the root namespace —
    /// and matches client addresses where the gateway cannot see them:
    /// - the gateway Service SNATs external traffic: LoadBalancer or NodePort
    ///   with `externalTrafficPolicy: Cluster` (or unset), no
    ///   `backend-type: eni`, no PROXY protocol (ASM-LB-005's conditions); then
    ///   `ipBlocks`/`notIpBlocks`, and `remoteIpBlocks`/`notRemoteIpBlocks`
    ///   unless a CLB layer-7 listener adds `X-Forwarded-For`;
    /// - or the CLB has HTTP/HTTPS listeners (`protocol-port` `http:`/`https:`)
    ///   on client ports, whatever the ETP: then `ipBlocks`/`notIpBlocks`.
    ///   (`remoteIpBlocks` there without `numTrustedProxies` is ASM-SIP-043's.)
    ///
    /// Both objects must be in the input.
    ///
    /// ## Why is this bad?
    /// `ipBlocks` "Matches against the IP address of the peer that directly
    /// establishes the TCP connection with the proxy"; `remoteIpBlocks` "the
    /// original client IP, typically extracted from the X-Forwarded-For header"
    /// (S7). With `Cluster`, kube-proxy masquerades external traffic to a node
    /// IP (S17, S27): "If the externalTrafficPolicy field is set to Cluster,
    /// source IP addresses are not preserved" (S7). Behind a CLB HTTP/HTTPS
    /// listener the CLB proxies the connection, so the TCP peer is the CLB
    /// whatever the ETP, and the client IP is only in `X-Forwarded-For` (S9,
    /// S160). An allow-list then admits nobody (or every node), a
    /// deny-list blocks nobody. Istio's own ingress access-control task sets
    /// `Local` first for this reason (S33).
    ///
    /// | case | severity |
    /// |---|---|
    /// | SNAT, the CNI unknown | warning (Terway clusters created after 2020-08-10 default to ENI backends, which keep the client IP: S8, S9) |
    /// | SNAT, `--cni flannel` or `backend-type: "ecs"`, an `ALLOW` policy deciding on addresses alone | error |
    /// | SNAT, a Terway `--cni` | info |
    /// | HTTP/HTTPS listeners on every client port, an `ALLOW` policy deciding on addresses alone | error |
    /// | HTTP/HTTPS listeners otherwise | warning |
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: security.istio.io/v1
    /// kind: AuthorizationPolicy
    /// metadata:
    ///   name: office-only
    ///   namespace: istio-system
    /// spec:
    ///   selector:
    ///     matchLabels: {istio: ingressgateway}
    ///   rules:
    ///   - from:
    ///     - source: {ipBlocks: [203.0.113.0/24]}
    /// ```
    /// with the IstioGateway `ingressgateway` left at `externalTrafficPolicy: Cluster`.
    ///
    /// ## Fix
    /// Display-only, since the change belongs to the gateway Service:
    /// - `preserve-source-ip` (SNAT only): `externalTrafficPolicy: Local`
    ///   (then mind ASM-LB-001 and ASM-HA-011), or on Terway `Cluster` plus
    ///   `backend-type: "eni"`. Not offered when HTTP/HTTPS listeners are the
    ///   cause: neither changes what a layer-7 listener sends.
    /// - `use-remote-ip-blocks`: match `remoteIpBlocks` and set
    ///   `gatewayTopology.numTrustedProxies: 1` in the gateway pods'
    ///   `proxy.istio.io/config` (S32; ASM documents it for ASM ≥ 1.24.6.83,
    ///   S160). Recommended behind HTTP/HTTPS listeners.
    pub struct IpAuthorizationPolicyBehindSnat {
        code: "ASM-SIP-006",
        name: "ip-authorization-policy-behind-snat",
        title: "IP-based AuthorizationPolicy cannot see the client IP behind a SNATing gateway Service",
        title_zh: "网关 Service 做了 SNAT，基于 IP 的 AuthorizationPolicy 看不到客户端 IP",
        severity: Warning,
        fix: None,
        sources: ["S7", "S8", "S9", "S17", "S27", "S32", "S33", "S160"],
    }
}

/// Advice: keep client IPs at the gateway (`Local`, or `Cluster` with ENI backends).
const PRESERVE_SOURCE_IP: FixId = FixId::new("preserve-source-ip");
/// Advice: match `remoteIpBlocks` and set `numTrustedProxies`.
const USE_REMOTE_IP_BLOCKS: FixId = FixId::new("use-remote-ip-blocks");

impl Rule for IpAuthorizationPolicyBehindSnat {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let topology = cx.topology;
        for svc in cx.services {
            if svc.gateway.is_none() {
                continue;
            }
            let snat = snats_client_ip(svc);
            let l7 = clb_listeners(svc).filter(|l| !l.l7.is_empty());
            if !snat && l7.is_none() {
                continue;
            }
            for policy in topology.ip_based_authorization_policies(svc) {
                // Behind a CLB HTTP/HTTPS listener the TCP peer is the CLB
                // whatever the ETP; remoteIpBlocks there is ASM-SIP-043's.
                let defeated: Vec<&IpCondition> = policy
                    .conditions
                    .iter()
                    .filter(|c| if snat { c.sees_node_ip_under_snat(svc) } else { c.is_peer() })
                    .collect();
                let Some(first) = defeated.first() else { continue };
                let cause = match &l7 {
                    Some(listeners) if listeners.all_l7() || !snat => Cause::ClbProxy(listeners),
                    _ => Cause::Snat,
                };
                // One finding per policy and Service, though renderings differ in what they defeat.
                out.push(finding(cx, svc, &policy, first, &defeated, &cause).once_per(&[svc.resource.to_string()]));
            }
        }
    }
}

/// Why the policy sees something other than the client.
enum Cause<'l> {
    /// kube-proxy SNAT to a node IP (`Cluster`, node backends).
    Snat,
    /// CLB layer-7 listeners: the TCP peer is the CLB's proxy address.
    ClbProxy(&'l ClbListeners),
}

fn finding(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    policy: &IpPolicy,
    first: &IpCondition,
    defeated: &[&IpCondition],
    cause: &Cause<'_>,
) -> Draft {
    let policy_name = cx.resources[policy.resource].display_name();
    let gateway = svc.display_name();
    let key = first.key;
    let allow_only = policy.action == "ALLOW" && policy.addresses_only;
    let (message, severity, note, related) = match cause {
        Cause::ClbProxy(listeners) => {
            let ports = listeners.l7_text();
            let severity = if allow_only && listeners.all_l7() { Severity::Error } else { Severity::Warning };
            (
                cx.t(
                    format_args!("AuthorizationPolicy {policy_name} matches client IPs with {key} at gateway {gateway}, whose CLB listeners on ports {ports} are HTTP/HTTPS: the TCP peer there is the CLB, not the client"),
                    format_args!("AuthorizationPolicy {policy_name} 在网关 {gateway} 上用 {key} 匹配客户端 IP，但该网关端口 {ports} 的 CLB 监听为 HTTP/HTTPS：TCP 对端是 CLB 而不是客户端"),
                ),
                severity,
                Note::from(cx.t(
                    "a CLB HTTP/HTTPS listener proxies the connection whatever externalTrafficPolicy says; the client IP is only in X-Forwarded-For",
                    "无论 externalTrafficPolicy 如何设置，CLB 的 HTTP/HTTPS 监听都会代理连接；客户端 IP 只在 X-Forwarded-For 中",
                )),
                Related {
                    resource: svc.resource,
                    path: svc.lb_annotation("protocol-port").map_or_else(|| svc.spec_path.clone(), |f| f.path.clone()),
                    message: cx.t(
                        format_args!("ports {ports} get HTTP/HTTPS listeners at the CLB"),
                        format_args!("端口 {ports} 在 CLB 上为 HTTP/HTTPS 监听"),
                    ),
                },
            )
        }
        Cause::Snat => {
            let (severity, note) = snat_severity(cx, svc, allow_only, key);
            (
                cx.t(
                    format_args!("AuthorizationPolicy {policy_name} matches client IPs with {key} at gateway {gateway}, whose Service SNATs external traffic to node IPs"),
                    format_args!("AuthorizationPolicy {policy_name} 在网关 {gateway} 上用 {key} 匹配客户端 IP，但该网关 Service 会把外部流量 SNAT 为节点 IP"),
                ),
                severity,
                note,
                Related {
                    resource: svc.resource,
                    path: svc
                        .external_traffic_policy
                        .as_ref()
                        .map_or_else(|| svc.spec_path.clone(), |f| f.path.clone()),
                    message: cx.t(
                        format_args!("{gateway} uses externalTrafficPolicy: Cluster, which SNATs external traffic"),
                        format_args!("{gateway} 使用 externalTrafficPolicy: Cluster，外部流量会被 SNAT"),
                    ),
                },
            )
        }
    };
    let mut draft = Draft::new(&IpAuthorizationPolicyBehindSnat::META, policy.resource, first.path.clone(), message)
        .severity(severity)
        .label(match cause {
            Cause::Snat => cx.t("sees node IPs, not client IPs", "看到的是节点 IP，而不是客户端 IP"),
            Cause::ClbProxy(_) => {
                cx.t("sees the CLB's address, not client IPs", "看到的是 CLB 的地址，而不是客户端 IP")
            }
        })
        .note(note)
        .related(related);
    for other in defeated.iter().skip(1) {
        draft = draft.related(Related {
            resource: policy.resource,
            path: other.path.clone(),
            message: match cause {
                Cause::Snat => cx.t(
                    format_args!("{} sees node IPs too", other.key),
                    format_args!("{} 同样只能看到节点 IP", other.key),
                ),
                Cause::ClbProxy(_) => cx.t(
                    format_args!("{} sees the CLB's address too", other.key),
                    format_args!("{} 同样只能看到 CLB 的地址", other.key),
                ),
            },
        });
    }
    draft.remedies.extend(fixes(cx, svc, cause).into_iter().map(Remedy::from));
    draft
}

/// The severity under node SNAT: the backend type decides whether the
/// client IP is lost, and only `--cni flannel` or an explicit
/// `backend-type: ecs` shows node backends for sure (S8, S9).
fn snat_severity(cx: &RuleContext<'_>, svc: &ServiceView<'_>, allow_only: bool, key: &str) -> (Severity, Note) {
    if cx.cluster.cni.is_some_and(Cni::is_terway) {
        return (
            Severity::Info,
            cx.t(
                "on Terway the CCM may attach pod ENIs by default (clusters created after 2020-08-10), which keeps the client IP: check the CLB backend type",
                "在 Terway 上 CCM 可能默认挂载 Pod 弹性网卡（2020-08-10 之后创建的集群），这会保留客户端 IP：请检查 CLB 后端类型",
            ).into(),
        );
    }
    let node_backends = cx.cluster.cni == Some(Cni::Flannel) || svc.backend_type() == Some("ecs");
    if allow_only && node_backends {
        return (
            Severity::Error,
            cx.t(
                "this ALLOW policy decides on addresses alone: it admits node IPs, not clients",
                "该 ALLOW 策略仅依据地址判断：放行的是节点 IP，而不是客户端",
            )
            .into(),
        );
    }
    let note = if node_backends {
        Note::from(cx.t(
            format_args!(
                "{key} will match node IPs; remoteIpBlocks only helps when something in front adds X-Forwarded-For"
            ),
            format_args!("{key} 匹配到的将是节点 IP；只有前端添加 X-Forwarded-For 时 remoteIpBlocks 才有用"),
        ))
    } else {
        Note::assumed(cx.t(
            "the CNI is unknown; Terway clusters created after 2020-08-10 default to ENI backends, which keep the client IP (--cni flannel or backend-type: \"ecs\" makes this certain)",
            "CNI 未知；2020-08-10 之后创建的 Terway 集群默认使用 ENI 后端，可保留客户端 IP（--cni flannel 或 backend-type: \"ecs\" 可确定）",
        ))
    };
    (Severity::Warning, note)
}

fn fixes(cx: &RuleContext<'_>, svc: &ServiceView<'_>, cause: &Cause<'_>) -> Vec<Advice> {
    let gateway = svc.display_name();
    let mut fixes = Vec::new();
    let behind_l7 = matches!(cause, Cause::ClbProxy(_));
    if !behind_l7 {
        let mut preserve = Advice::new(
            PRESERVE_SOURCE_IP,
            cx.t(
                format_args!("keep client IPs at {gateway}: externalTrafficPolicy: Local, or on Terway Cluster plus service.beta.kubernetes.io/backend-type: \"eni\""),
                format_args!("在 {gateway} 上保留客户端 IP：externalTrafficPolicy: Local，或在 Terway 上使用 Cluster 加 service.beta.kubernetes.io/backend-type: \"eni\""),
            ),
        )
        .tradeoff(cx.t(
            "Local: in-cluster clients of the load balancer address may fail on nodes without a gateway pod (ASM-LB-001) and one node can carry all backends (ASM-HA-011)",
            "Local：没有网关 Pod 的节点上访问负载均衡地址的集群内客户端可能失败（ASM-LB-001），且所有后端可能集中在一个节点（ASM-HA-011）",
        ))
        .tradeoff(cx.t(
            "ENI backends need Terway ENI or ENIIP (ASM-LB-002)",
            "ENI 后端需要 Terway ENI 或 ENIIP 模式（ASM-LB-002）",
        ));
        if let Some(listeners) = clb_listeners(svc).filter(|l| !l.l7.is_empty()) {
            let ports = listeners.l7_text();
            preserve = preserve.tradeoff(cx.t(
                format_args!(
                    "does not help ports {ports}: their HTTP/HTTPS listeners proxy the connection whatever the policy"
                ),
                format_args!("对端口 {ports} 无效：其 HTTP/HTTPS 监听无论策略如何都会代理连接"),
            ));
        }
        fixes.push(preserve);
    }
    let mut remote = Advice::new(
        USE_REMOTE_IP_BLOCKS,
        if behind_l7 {
            cx.t(
                format_args!("match remoteIpBlocks instead, and set numTrustedProxies: 1 in {PROXY_CONFIG} (gatewayTopology) on the gateway pods"),
                format_args!("改用 remoteIpBlocks，并在网关 Pod 的 {PROXY_CONFIG}（gatewayTopology）中设置 numTrustedProxies: 1"),
            )
        } else {
            cx.t(
                "behind a CLB HTTP/HTTPS listener that adds X-Forwarded-For, match remoteIpBlocks and set numTrustedProxies: 1",
                "在会添加 X-Forwarded-For 的 CLB HTTP/HTTPS 监听之后，改用 remoteIpBlocks 并设置 numTrustedProxies: 1",
            )
        },
    );
    if !behind_l7 {
        remote = remote.tradeoff(cx.t(
            "TLS terminates at the CLB, and in-cluster clients of the CLB address bypass it (ASM-L7-009)",
            "TLS 在 CLB 终止，且集群内访问 CLB 地址的客户端会绕过它（ASM-L7-009）",
        ));
    }
    remote = remote
        .tradeoff(cx.t(
            "ASM documents numTrustedProxies for ASM 1.24.6.83 and later; the gateway pods restart",
            "ASM 文档说明 numTrustedProxies 需要 ASM 1.24.6.83 及以上；网关 Pod 会重启",
        ))
        .tradeoff(cx.t(
            "only requests that pass through an HTTP/HTTPS listener carry a trustworthy X-Forwarded-For: clients reaching the gateway another way can forge it (ASM-SIP-043)",
            "只有经过 HTTP/HTTPS 监听的请求才带有可信的 X-Forwarded-For：以其他方式访问网关的客户端可以伪造它（ASM-SIP-043）",
        ));
    remote.recommended = behind_l7;
    fixes.push(remote);
    fixes
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  serviceType: LoadBalancer
";
    const POLICY: &str = "apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: office-only
  namespace: istio-system
spec:
  selector:
    matchLabels:
      istio: ingressgateway
  action: ALLOW
  rules:
  - from:
    - source:
        ipBlocks: [\"203.0.113.0/24\"] # office
";

    #[test]
    fn passes_when_the_gateway_keeps_client_ips() {
        let local =
            GATEWAY.replace("serviceType: LoadBalancer", "serviceType: LoadBalancer\n  externalTrafficPolicy: Local");
        assert!(!codes(&check_with(&format!("{local}---\n{POLICY}"), &[])).contains(&"ASM-SIP-006"));
        let eni = format!("{GATEWAY}  serviceAnnotations:\n    service.beta.kubernetes.io/backend-type: \"eni\"\n");
        assert!(!codes(&check_with(&format!("{eni}---\n{POLICY}"), &[])).contains(&"ASM-SIP-006"));
        // The policy alone says nothing about a gateway.
        assert!(!codes(&check_with(POLICY, &[])).contains(&"ASM-SIP-006"));
        // Another gateway's policy.
        let other = POLICY.replace("istio: ingressgateway", "istio: egressgateway");
        assert!(!codes(&check_with(&format!("{GATEWAY}---\n{other}"), &[])).contains(&"ASM-SIP-006"));
    }

    #[test]
    fn flags_the_policy_with_the_gateway_related() {
        let text = format!("{GATEWAY}---\n{POLICY}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-SIP-006");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.location.path, "/spec/rules/0/from/0/source/ipBlocks");
        assert_eq!(f.severity.as_str(), "warning", "the CNI is unknown");
        assert!(f.notes.iter().any(|n| n.text.contains("2020-08-10")), "{:?}", f.notes);
        assert_eq!(f.message, "AuthorizationPolicy istio-system/office-only matches client IPs with ipBlocks at gateway istio-system/istio-ingressgateway, whose Service SNATs external traffic to node IPs");
        assert_eq!(f.related[0].location.document, 0);
        assert_eq!(f.related[0].location.path, "/spec");
        assert!(f.fixes.iter().all(|x| x.applicability == crate::rule::Applicability::DisplayOnly));
    }

    #[test]
    fn context_and_policy_shape_move_the_severity() {
        let text = format!("{GATEWAY}---\n{POLICY}");
        assert_eq!(only(&check_with(&text, &[("cni", "terway-eniip")]), "ASM-SIP-006").severity.as_str(), "info");
        assert_eq!(only(&check_with(&text, &[("cni", "flannel")]), "ASM-SIP-006").severity.as_str(), "error");
        let ecs = format!(
            "{GATEWAY}  serviceAnnotations:\n    service.beta.kubernetes.io/backend-type: \"ecs\"\n---\n{POLICY}"
        );
        assert_eq!(only(&check_with(&ecs, &[]), "ASM-SIP-006").severity.as_str(), "error");
        let deny = POLICY.replace("action: ALLOW", "action: DENY");
        assert_eq!(
            only(&check_with(&format!("{GATEWAY}---\n{deny}"), &[]), "ASM-SIP-006").severity.as_str(),
            "warning"
        );
    }

    #[test]
    fn plain_service_and_deployment_in_a_list() {
        let text = "apiVersion: v1
kind: List
items:
- apiVersion: v1
  kind: Service
  metadata: {name: istio-ingressgateway, namespace: istio-system}
  spec:
    type: LoadBalancer
    externalTrafficPolicy: Cluster
    selector: {istio: ingressgateway}
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: istio-ingressgateway, namespace: istio-system}
  spec:
    template:
      metadata:
        labels: {istio: ingressgateway, app: istio-ingressgateway}
- apiVersion: security.istio.io/v1beta1
  kind: AuthorizationPolicy
  metadata: {name: block, namespace: istio-system}
  spec:
    selector:
      matchLabels: {app: istio-ingressgateway}
    action: DENY
    rules:
    - from:
      - source: {remoteIpBlocks: [198.51.100.7]}
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-SIP-006");
        assert_eq!(f.location.path, "/items/2/spec/rules/0/from/0/source/remoteIpBlocks");
        assert_eq!(f.related[0].location.path, "/items/0/spec/externalTrafficPolicy");
        // An HTTP listener on the CLB carries the client in X-Forwarded-For.
        let l7 = text.replace(
            "  metadata: {name: istio-ingressgateway, namespace: istio-system}\n  spec:\n    type",
            "  metadata:\n    name: istio-ingressgateway\n    namespace: istio-system\n    annotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80\"}\n  spec:\n    type",
        );
        assert!(!codes(&check_with(&l7, &[])).contains(&"ASM-SIP-006"));
    }

    #[test]
    fn clb_http_listeners_hide_the_client_whatever_the_policy() {
        let l7 = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  serviceType: LoadBalancer
  externalTrafficPolicy: Local
  ports:
  - {name: http-0, port: 80, targetPort: 80}
  - {name: https-1, port: 443, targetPort: 80}
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80,https:443\"
";
        let report = check_with(&format!("{l7}---\n{POLICY}"), &[]);
        let f = only(&report, "ASM-SIP-006");
        assert_eq!(f.severity.as_str(), "error", "every port behind HTTP/HTTPS, ALLOW on addresses alone");
        assert!(f.message.contains("ports 80, 443 are HTTP/HTTPS"), "{}", f.message);
        assert_eq!(
            f.related[0].location.path,
            "/spec/serviceAnnotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-protocol-port"
        );
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["use-remote-ip-blocks"], "Local/ENI do not change what a layer-7 listener sends");
        assert!(f.fixes[0].recommended);
        // One TCP port left: a warning, and the SNAT fixes stay when Cluster applies.
        let mixed = l7.replace("http:80,https:443", "http:80");
        let f = only(&check_with(&format!("{mixed}---\n{POLICY}"), &[]), "ASM-SIP-006").clone();
        assert_eq!(f.severity.as_str(), "warning");
        let cluster = mixed.replace("  externalTrafficPolicy: Local\n", "");
        let f = only(&check_with(&format!("{cluster}---\n{POLICY}"), &[]), "ASM-SIP-006").clone();
        assert_eq!(f.fixes[0].id, "preserve-source-ip");
        assert!(
            f.fixes[0].tradeoffs.iter().any(|t| t.contains("does not help ports 80")),
            "{:?}",
            f.fixes[0].tradeoffs
        );
        // remoteIpBlocks behind HTTP listeners is ASM-SIP-043's.
        let remote = POLICY.replace("ipBlocks", "remoteIpBlocks");
        assert!(!codes(&check_with(&format!("{l7}---\n{remote}"), &[])).contains(&"ASM-SIP-006"));
    }
}
