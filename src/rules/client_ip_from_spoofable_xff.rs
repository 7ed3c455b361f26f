use crate::model::clb_annotations::{lb_kind, LbKind};
use crate::model::proxy_config::{gateway_pod_templates, PodTemplate, PROXY_CONFIG};
use crate::model::topology::{clb_listeners, has_l7_listener};
use crate::model::ServiceView;
use crate::rule::{declare_rule, Advice, Draft, FixId, Note, Related, Rule, RuleContext};
use super::support::owner;
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags a gateway whose client IP is taken from an `X-Forwarded-For`
    /// header it should not trust, or not taken from the one it should.
    /// Both sides must be in the input: the CLB gateway Service's listeners
    /// (`protocol-port`) and the gateway pods' `proxy.istio.io/config` (an
    /// IstioGateway's `podAnnotations`, or the Deployments a `v1 Service`
    /// selects).
    ///
    /// - (a) `gatewayTopology.numTrustedProxies` ≥ 1 on a gateway whose CLB
    ///   listeners are all TCP/UDP (no `http:`/`https:` in `protocol-port`).
    /// - (b) CLB HTTP/HTTPS listeners, no `numTrustedProxies` on the gateway
    ///   pods, and an `AuthorizationPolicy` on the gateway matching
    ///   `remoteIpBlocks`/`notRemoteIpBlocks`.
    ///
    /// ## Why is this bad?
    /// With `numTrustedProxies` N, "the trusted client address is assumed to be
    /// the Nth address from the right end of the X-Forwarded-For (XFF) header";
    /// with 0 (the default) the gateway uses the downstream connection's
    /// address (S161). Istio asks for N to be "the number of trusted proxies
    /// deployed in front of the Istio gateway proxy" (S32). A TCP/UDP CLB
    /// listener adds no header (S164), so in (a) the addresses in
    /// `X-Forwarded-For` come from the client, which can write any address
    /// there: `remoteIpBlocks` allow-lists, rate limits and logs then trust a
    /// forged address. (Unless an HTTP proxy the input cannot show, a CDN or
    /// WAF, sits in front of the CLB: then make sure nothing else can reach
    /// it.) In (b) a CLB HTTP/HTTPS listener proxies the connection, so
    /// without `numTrustedProxies` `remoteIpBlocks` ("the original client IP,
    /// typically extracted from the X-Forwarded-For header", S7) sees the CLB's
    /// address (S160).
    ///
    /// A `remoteIpBlocks` policy with neither `numTrustedProxies` nor a
    /// layer-7 listener matches the TCP peer and is not flagged here
    /// (ASM-SIP-006 covers SNAT). Warning; security. The mesh-wide
    /// `defaultConfig.gatewayTopology` is not in the manifests: (b) assumes it
    /// does not set `numTrustedProxies`, and says so.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   externalTrafficPolicy: Local
    ///   podAnnotations:
    ///     proxy.istio.io/config: '{"gatewayTopology":{"numTrustedProxies":1}}'
    /// ```
    ///
    /// ## Fix
    /// Display-only:
    /// - (a) `untrust-forwarded-for`: drop `numTrustedProxies` (the client
    ///   address is then the TCP peer; keep it with `Local`, ENI or PROXY
    ///   protocol), or put a CLB HTTP/HTTPS listener in front.
    /// - (b) `set-num-trusted-proxies`: `"gatewayTopology":
    ///   {"numTrustedProxies": 1}` in the gateway pods' `proxy.istio.io/config`
    ///   (ASM documents it for ASM ≥ 1.24.6.83, S160).
    pub struct ClientIpFromSpoofableXff {
        code: "ASM-SIP-043",
        name: "client-ip-from-spoofable-xff",
        title: "client IP taken from an X-Forwarded-For the gateway should not trust",
        title_zh: "客户端 IP 取自网关不应信任的 X-Forwarded-For",
        severity: Warning,
        fix: None,
        sources: ["S7", "S32", "S160", "S161", "S164"],
    }
}

/// Advice: remove `numTrustedProxies`, or put a CLB HTTP/HTTPS listener in front.
const UNTRUST_FORWARDED_FOR: FixId = FixId::new("untrust-forwarded-for");

impl Rule for ClientIpFromSpoofableXff {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let topology = cx.topology;
        for svc in cx.services {
            if svc.gateway.is_none() || lb_kind(svc) != Some(LbKind::Clb) {
                continue;
            }
            let pods = gateway_pod_templates(cx.resources, svc);
            if pods.is_empty() {
                continue;
            }
            let trusting: Vec<(&PodTemplate<'_>, i64)> = pods
                .iter()
                .filter_map(|p| Some((p, p.config.facts()?.num_trusted_proxies.filter(|n| *n >= 1)?)))
                .collect();
            if !has_l7_listener(svc) {
                for (pod, n) in trusting {
                    let Some(field) = &pod.config_field else { continue };
                    out.push(trusts_forged_header(cx, svc, field.path.clone(), pod.resource, n));
                }
            } else if trusting.is_empty() && pods.iter().all(|p| p.config.facts().is_some()) {
                for policy in topology.ip_based_authorization_policies(svc) {
                    let Some(condition) = policy.conditions.iter().find(|c| !c.is_peer()) else { continue };
                    out.push(sees_the_clb(cx, svc, policy.resource, condition.key, condition.path.clone()));
                }
            }
        }
    }
}

/// (a): the gateway trusts addresses nothing in front of it wrote.
fn trusts_forged_header(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    path: String,
    resource: usize,
    n: i64,
) -> Draft {
    let gateway = owner(cx, svc);
    let message = cx.t(
        format_args!("numTrustedProxies: {n} on {gateway}, whose CLB listeners are all TCP/UDP: nothing in front adds X-Forwarded-For, so the gateway trusts an address the client can forge"),
        format_args!("{gateway} 设置了 numTrustedProxies: {n}，但其 CLB 监听全部为 TCP/UDP：前端没有组件添加 X-Forwarded-For，网关会信任客户端可伪造的地址"),
    );
    let mut draft = Draft::new(&ClientIpFromSpoofableXff::META, resource, path, message)
        .label(cx.t("trusts X-Forwarded-For from the client", "信任来自客户端的 X-Forwarded-For"))
        .note(Note::assumed(cx.t(
            "no HTTP proxy (CDN, WAF) the input cannot show sits in front of the CLB; if one does, make sure nothing else can reach the CLB",
            "CLB 前面没有输入中看不到的 HTTP 代理（CDN、WAF）；如果有，请确保其他来源无法访问该 CLB",
        )));
    for policy in cx.topology.ip_based_authorization_policies(svc) {
        let Some(condition) = policy.conditions.iter().find(|c| !c.is_peer()) else { continue };
        let name = cx.resources[policy.resource].display_name();
        draft = draft
            .note(cx.t(
                format_args!("AuthorizationPolicy {name} matches {} on forgeable addresses", condition.key),
                format_args!("AuthorizationPolicy {name} 用 {} 匹配可伪造的地址", condition.key),
            ))
            .related(Related {
                resource: policy.resource,
                path: condition.path.clone(),
                message: cx.t("matches the forgeable client address", "匹配可伪造的客户端地址"),
            });
    }
    draft.advice(
        Advice::new(
            UNTRUST_FORWARDED_FOR,
            cx.t(
                "remove numTrustedProxies (the client address is then the TCP peer), or put a CLB HTTP/HTTPS listener in front",
                "删除 numTrustedProxies（客户端地址即为 TCP 对端），或在前端使用 CLB HTTP/HTTPS 监听",
            ),
        )
        .tradeoff(cx.t(
            "the TCP peer is the client only with externalTrafficPolicy: Local, ENI backends or PROXY protocol (ASM-LB-005)",
            "只有在 externalTrafficPolicy: Local、ENI 后端或 PROXY 协议下，TCP 对端才是客户端（ASM-LB-005）",
        )),
    )
}

/// (b): behind HTTP listeners, remoteIpBlocks without a trusted proxy.
fn sees_the_clb(cx: &RuleContext<'_>, svc: &ServiceView<'_>, policy: usize, key: &str, path: String) -> Draft {
    let name = cx.resources[policy].display_name();
    let gateway = owner(cx, svc);
    let ports = clb_listeners(svc).map(|l| l.l7_text()).filter(|p| !p.is_empty());
    let where_ = ports.map_or_else(String::new, |p| format!(" (ports {p})"));
    let message = cx.t(
        format_args!("AuthorizationPolicy {name} matches {key} at {gateway}, behind CLB HTTP/HTTPS listeners{where_}, but the gateway pods set no numTrustedProxies: {key} sees the CLB's address, not the client"),
        format_args!("AuthorizationPolicy {name} 在 {gateway} 上匹配 {key}，网关位于 CLB HTTP/HTTPS 监听{where_}之后，但网关 Pod 未设置 numTrustedProxies：{key} 看到的是 CLB 的地址而不是客户端"),
    );
    let mut draft = Draft::new(&ClientIpFromSpoofableXff::META, policy, path, message)
        .label(cx.t("sees the CLB's address", "看到的是 CLB 的地址"))
        .note(Note::assumed(cx.t(
            "the mesh-wide defaultConfig.gatewayTopology does not set numTrustedProxies (it is not in the input)",
            "网格全局 defaultConfig.gatewayTopology 未设置 numTrustedProxies（不在输入中）",
        )));
    if let Some(field) = svc.lb_annotation("protocol-port") {
        draft = draft.related(Related {
            resource: svc.resource,
            path: field.path.clone(),
            message: cx.t("HTTP/HTTPS listeners at the CLB", "CLB 上的 HTTP/HTTPS 监听"),
        });
    }
    let mut fix = Advice::new(
        fix_ids::SET_NUM_TRUSTED_PROXIES,
        cx.t(
            format_args!("set \"gatewayTopology\": {{\"numTrustedProxies\": 1}} in the gateway pods' {PROXY_CONFIG}"),
            format_args!("在网关 Pod 的 {PROXY_CONFIG} 中设置 \"gatewayTopology\": {{\"numTrustedProxies\": 1}}"),
        ),
    )
    .tradeoff(cx.t(
        "ASM documents numTrustedProxies for ASM 1.24.6.83 and later (S160); the gateway pods restart",
        "ASM 文档说明 numTrustedProxies 需要 ASM 1.24.6.83 及以上（S160）；网关 Pod 会重启",
    ));
    fix.recommended = true;
    draft.advice(fix)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const TCP: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  externalTrafficPolicy: Local
  ports:
  - {name: http-0, port: 80, targetPort: 80}
  podAnnotations:
    proxy.istio.io/config: '{\"gatewayTopology\":{\"numTrustedProxies\":1}}'
";
    const REMOTE: &str = "apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: office-only, namespace: istio-system}
spec:
  selector:
    matchLabels: {istio: ingressgateway}
  rules:
  - from:
    - source: {remoteIpBlocks: [203.0.113.0/24]}
";

    #[test]
    fn trusted_proxies_behind_tcp_listeners() {
        let report = check_with(TCP, &[]);
        let f = only(&report, "ASM-SIP-043");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.location.path, "/spec/podAnnotations/proxy.istio.io~1config");
        assert!(f.message.starts_with("numTrustedProxies: 1 on IstioGateway istio-system/ingressgateway"));
        let with_policy = check_with(&format!("{TCP}---\n{REMOTE}"), &[]);
        let f = only(&with_policy, "ASM-SIP-043");
        assert_eq!(f.related[0].location.document, 1);
        // An HTTP listener in front, or no trusted proxy: nothing to say.
        let http = format!("{TCP}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80\"\n");
        assert!(!codes(&check_with(&http, &[])).contains(&"ASM-SIP-043"));
        let zero = TCP.replace("Proxies\":1}", "Proxies\":0}");
        assert!(!codes(&check_with(&format!("{zero}---\n{REMOTE}"), &[])).contains(&"ASM-SIP-043"));
    }

    #[test]
    fn remote_ip_blocks_behind_http_listeners_without_trusted_proxies() {
        let http = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  ports:
  - {name: http-0, port: 80, targetPort: 80}
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80\"
";
        let report = check_with(&format!("{http}---\n{REMOTE}"), &[]);
        let f = only(&report, "ASM-SIP-043");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.location.path, "/spec/rules/0/from/0/source/remoteIpBlocks");
        assert!(f.message.contains("(ports 80)"), "{}", f.message);
        assert_eq!(f.fixes[0].id, "set-num-trusted-proxies");
        // Trusting the CLB fixes it; ipBlocks is ASM-SIP-006's.
        let trusted = format!("{http}  podAnnotations:\n    proxy.istio.io/config: '{{\"gatewayTopology\":{{\"numTrustedProxies\":1}}}}'\n");
        assert!(!codes(&check_with(&format!("{trusted}---\n{REMOTE}"), &[])).contains(&"ASM-SIP-043"));
        let peer = REMOTE.replace("remoteIpBlocks", "ipBlocks");
        assert!(!codes(&check_with(&format!("{http}---\n{peer}"), &[])).contains(&"ASM-SIP-043"));
        // A plain Service without its Deployment: the pods are not in view.
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"http:80\"\nspec:\n  type: LoadBalancer\n  selector: {istio: ingressgateway}\n  ports: [{port: 80}]\n";
        assert!(!codes(&check_with(&format!("{svc}---\n{REMOTE}"), &[])).contains(&"ASM-SIP-043"));
    }
}
