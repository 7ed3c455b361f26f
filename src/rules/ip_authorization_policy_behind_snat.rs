use super::common::Reported;
use crate::context::Cni;
use crate::diagnostic::Severity;
use crate::model::topology::{snats_client_ip, Topology};
use crate::rule::{declare_rule, Applicability, Draft, Fix, Related, Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an Istio `AuthorizationPolicy` (security.istio.io) that applies to
    /// a gateway's pods — its `selector.matchLabels` match the gateway pod labels
    /// (`app: istio-<name>`, `istio: <name>` and `podLabels` for an IstioGateway,
    /// domain.md 1.1 [M]; the selector and Deployment template for a `v1 Service`),
    /// or it has no selector in the gateway's namespace or the root namespace —
    /// and matches client addresses with `ipBlocks`/`notIpBlocks` (or
    /// `remoteIpBlocks`/`notRemoteIpBlocks` without a CLB layer-7 listener),
    /// while the gateway Service SNATs external traffic: LoadBalancer or
    /// NodePort with `externalTrafficPolicy: Cluster` (or unset), no
    /// `backend-type: eni`, no PROXY protocol (ASM-LB-005's conditions).
    /// Both objects must be in the input.
    ///
    /// ## Why is this bad?
    /// `ipBlocks` "Matches against the IP address of the peer that directly
    /// establishes the TCP connection with the proxy"; `remoteIpBlocks` "the
    /// original client IP, typically extracted from the X-Forwarded-For header"
    /// (S7). With `Cluster`, kube-proxy masquerades external traffic to a node
    /// IP (S17, S27): "If the externalTrafficPolicy field is set to Cluster,
    /// source IP addresses are not preserved" (S7). An allow-list then admits
    /// nobody (or every node), a deny-list blocks nobody. Istio's own
    /// ingress access-control task sets `Local` first for this reason (S33).
    ///
    /// Warning; error when an `ALLOW` policy decides on addresses alone. On a
    /// Terway cluster the CCM may default to ENI backends, which keep the client
    /// IP (S8, S9): info.
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
    /// - `preserve-source-ip`: `externalTrafficPolicy: Local` (then mind
    ///   ASM-LB-001 and ASM-HA-011), or on Terway `Cluster` plus
    ///   `backend-type: "eni"`.
    /// - `use-remote-ip-blocks`: with a CLB HTTP/HTTPS listener that adds
    ///   `X-Forwarded-For`, match `remoteIpBlocks` and set `numTrustedProxies`.
    pub struct IpAuthorizationPolicyBehindSnat {
        code: "ASM-SIP-006",
        name: "ip-authorization-policy-behind-snat",
        title: "IP-based AuthorizationPolicy cannot see the client IP behind a SNATing gateway Service",
        title_zh: "网关 Service 做了 SNAT，基于 IP 的 AuthorizationPolicy 看不到客户端 IP",
        severity: Warning,
        fix: Always,
        sources: ["S7", "S8", "S9", "S17", "S27", "S32", "S33"],
    }
}

impl Rule for IpAuthorizationPolicyBehindSnat {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let topology = Topology::new(cx.resources, cx.services);
        let mut seen = Reported::default();
        for svc in cx.services {
            if !snats_client_ip(svc) || svc.gateway.is_none() {
                continue;
            }
            for policy in topology.ip_based_authorization_policies(svc) {
                let mut defeated = Vec::new();
                for condition in &policy.conditions {
                    if condition.sees_node_ip_under_snat(svc) {
                        defeated.push(condition);
                    }
                }
                let Some(first) = defeated.first() else { continue };
                if !seen.first(policy.resource, &svc.resource.to_string()) {
                    continue;
                }
                let policy_name = cx.resources[policy.resource].display_name();
                let gateway = svc.display_name();
                let key = first.key;
                let message = cx.t(
                    format_args!("AuthorizationPolicy {policy_name} matches client IPs with {key} at gateway {gateway}, whose Service SNATs external traffic to node IPs"),
                    format_args!("AuthorizationPolicy {policy_name} 在网关 {gateway} 上用 {key} 匹配客户端 IP，但该网关 Service 会把外部流量 SNAT 为节点 IP"),
                );
                let (severity, note) = if cx.cluster.cni.is_some_and(Cni::is_terway) {
                    (
                        Severity::Info,
                        cx.t(
                            "on Terway the CCM may attach pod ENIs by default (clusters created after 2020-08-10), which keeps the client IP: check the CLB backend type",
                            "在 Terway 上 CCM 可能默认挂载 Pod 弹性网卡（2020-08-10 之后创建的集群），这会保留客户端 IP：请检查 CLB 后端类型",
                        ),
                    )
                } else if policy.action == "ALLOW" && policy.addresses_only {
                    (
                        Severity::Error,
                        cx.t(
                            "this ALLOW policy decides on addresses alone: it admits node IPs, not clients",
                            "该 ALLOW 策略仅依据地址判断：放行的是节点 IP，而不是客户端",
                        ),
                    )
                } else {
                    (
                        Severity::Warning,
                        cx.t(
                            format_args!("{key} will match node IPs; remoteIpBlocks only helps when something in front adds X-Forwarded-For"),
                            format_args!("{key} 匹配到的将是节点 IP；只有前端添加 X-Forwarded-For 时 remoteIpBlocks 才有用"),
                        ),
                    )
                };
                let snat_path =
                    svc.external_traffic_policy.as_ref().map_or_else(|| svc.spec_path.clone(), |f| f.path.clone());
                let mut draft = Draft::new(&Self::META, policy.resource, first.path.clone(), message)
                    .severity(severity)
                    .label(cx.t("sees node IPs, not client IPs", "看到的是节点 IP，而不是客户端 IP"))
                    .note(note)
                    .related(Related {
                        resource: svc.resource,
                        path: snat_path,
                        message: cx.t(
                            format_args!("{gateway} uses externalTrafficPolicy: Cluster, which SNATs external traffic"),
                            format_args!("{gateway} 使用 externalTrafficPolicy: Cluster，外部流量会被 SNAT"),
                        ),
                    });
                for other in defeated.iter().skip(1) {
                    draft = draft.related(Related {
                        resource: policy.resource,
                        path: other.path.clone(),
                        message: cx.t(
                            format_args!("{} sees node IPs too", other.key),
                            format_args!("{} 同样只能看到节点 IP", other.key),
                        ),
                    });
                }
                draft = draft
                    .fix(
                        Fix::new(
                            "preserve-source-ip",
                            Applicability::DisplayOnly,
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
                        )),
                    )
                    .fix(
                        Fix::new(
                            "use-remote-ip-blocks",
                            Applicability::DisplayOnly,
                            cx.t(
                                "behind a CLB HTTP/HTTPS listener that adds X-Forwarded-For, match remoteIpBlocks and set numTrustedProxies: 1",
                                "在会添加 X-Forwarded-For 的 CLB HTTP/HTTPS 监听之后，改用 remoteIpBlocks 并设置 numTrustedProxies: 1",
                            ),
                        )
                        .tradeoff(cx.t(
                            "TLS terminates at the CLB, and in-cluster clients of the CLB address bypass it (ASM-L7-009)",
                            "TLS 在 CLB 终止，且集群内访问 CLB 地址的客户端会绕过它（ASM-L7-009）",
                        )),
                    );
                out.push(draft);
            }
        }
    }
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
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.message, "AuthorizationPolicy istio-system/office-only matches client IPs with ipBlocks at gateway istio-system/istio-ingressgateway, whose Service SNATs external traffic to node IPs");
        assert_eq!(f.related[0].location.document, 0);
        assert_eq!(f.related[0].location.path, "/spec");
        assert!(f.fixes.iter().all(|x| x.applicability == crate::rule::Applicability::DisplayOnly));
    }

    #[test]
    fn context_and_policy_shape_move_the_severity() {
        let text = format!("{GATEWAY}---\n{POLICY}");
        assert_eq!(only(&check_with(&text, &[("cni", "terway-eniip")]), "ASM-SIP-006").severity.as_str(), "info");
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
}
