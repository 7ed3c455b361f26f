use crate::diagnostic::Severity;
use crate::model::clb_annotations::lb_kind;
use crate::model::proxy_config::{read_proxy_config, ProxyConfig, PROXY_CONFIG};
use crate::model::{istio_spec_field, selected_deployments, Field, Origin, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Note, NoteKind, Related, Remedy, Rule, RuleContext};
use crate::yaml::Node;
use super::support::reports_cluster_policy;
use super::support::{has_l4_listener, owner};

const PARSER_CONFIG: &str = r#"{"gatewayTopology":{"proxyProtocol":{}}}"#;

declare_rule! {
    /// ## What it does
    /// Flags a gateway load balancer with
    /// `alibaba-cloud-loadbalancer-proxy-protocol: "on"` whose gateway pods are
    /// not shown to parse PROXY protocol: no `gatewayTopology.proxyProtocol` in
    /// the `proxy.istio.io/config` pod annotation — the IstioGateway's
    /// `podAnnotations`, or the pod template of the Deployment a gateway
    /// Service selects — and no `EnvoyFilter` in the input that inserts the
    /// `envoy.filters.listener.proxy_protocol` listener filter (or its old name
    /// `envoy.listener.proxy_protocol`) for the gateway: in the gateway's or
    /// the root namespace, with a `workloadSelector` the gateway pod labels
    /// match or none.
    ///
    /// ## Why is this bad?
    /// The CLB then prefixes every TCP connection with a PROXY protocol v2
    /// header (S8, S14) that Envoy does not expect, and every connection
    /// fails. Istio must be configured for it: "both the external load
    /// balancer and the Istio ingress gateway must support the PROXY protocol"
    /// (S32). `gatewayTopology.proxyProtocol` exists only since Istio 1.19
    /// (istio/api#2860, "a substitute for the difficult-to-support
    /// EnvoyFilter", S161); before that, and on many newer gateways, an
    /// EnvoyFilter does the job (S162).
    ///
    /// **Warning**, not error: the mesh-wide `defaultConfig.gatewayTopology`
    /// and EnvoyFilters kept elsewhere are not in the manifests, and either may
    /// enable the parser. Info when the annotation cannot be read.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   serviceAnnotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: "on"
    /// ```
    ///
    /// ## Fix
    /// - `istio-parse-proxy-protocol` (unsafe, Istio/ASM ≥ 1.19):
    ///   `podAnnotations["proxy.istio.io/config"]: '{"gatewayTopology":{"proxyProtocol":{}}}'`
    ///   on the IstioGateway (pods restart; clients that bypass the CLB then
    ///   fail, see ASM-PP-008). Older gateways ignore the field: use an
    ///   EnvoyFilter there.
    /// - `proxy-protocol-off` (unsafe): turn PROXY protocol off on the CLB.
    pub struct ProxyProtocolWithoutIstioParser {
        code: "ASM-PP-007",
        name: "proxy-protocol-without-istio-parser",
        title: "load balancer PROXY protocol without the Istio parser",
        title_zh: "负载均衡启用 PROXY 协议但 Istio 未配置解析",
        severity: Warning,
        fix: Sometimes,
        sources: ["S8", "S14", "S32", "S161", "S162"],
    }
}

/// Makes the gateway pods parse PROXY protocol (the `proxy.istio.io/config` gatewayTopology annotation); advice when a config already exists.
const ISTIO_PARSE_PROXY_PROTOCOL: FixId = FixId::new("istio-parse-proxy-protocol");
/// Turns PROXY protocol off at the load balancer.
const PROXY_PROTOCOL_OFF: FixId = FixId::new("proxy-protocol-off");

impl Rule for ProxyProtocolWithoutIstioParser {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let topology = cx.topology;
        for svc in cx.services {
            if svc.gateway.is_none() || lb_kind(svc).is_none() || !has_l4_listener(svc) {
                continue;
            }
            let Some(field) = svc.lb_annotation("proxy-protocol").filter(|f| f.text() == Some("on")) else { continue };
            let pods = pod_config(cx, svc);
            let parser = pods.parser();
            if parser == Parser::Enabled {
                continue;
            }
            // The pre-1.19 way: an EnvoyFilter inserting the listener filter (S162).
            if !topology.proxy_protocol_envoy_filters(svc).is_empty() {
                continue;
            }
            out.push(finding(cx, svc, field, &pods, parser));
        }
    }
}

/// What the input shows about the gateway pods' Istio config.
enum Pods<'a> {
    /// The IstioGateway's `podAnnotations` (or where it would be).
    IstioGateway { annotations: Option<Field<'a>>, config: Option<Field<'a>> },
    /// Deployments the Service selects, each with its config annotation and
    /// what that says (read once).
    Deployments(Vec<(usize, Option<&'a Node>, Parser)>),
}

/// What the gateway pods' Istio config says about the PROXY protocol parser.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Parser {
    Enabled,
    Absent,
    /// A config this build cannot read: YAML text in a JSON-only build (the
    /// policy hosts), or text that is neither YAML nor JSON.
    Unreadable,
}

impl Pods<'_> {
    fn parser(&self) -> Parser {
        match self {
            Pods::IstioGateway { config, .. } => config.as_ref().map_or(Parser::Absent, |c| parser_in(Some(c.node))),
            Pods::Deployments(list) if list.is_empty() => Parser::Absent,
            Pods::Deployments(list) => {
                let has = |state: Parser| list.iter().any(|(_, _, p)| *p == state);
                if has(Parser::Absent) {
                    Parser::Absent
                } else if has(Parser::Unreadable) {
                    Parser::Unreadable
                } else {
                    Parser::Enabled
                }
            }
        }
    }
}

fn pod_config<'a>(cx: &RuleContext<'a>, svc: &ServiceView<'a>) -> Pods<'a> {
    let resource = &cx.resources[svc.resource];
    if matches!(svc.origin, Origin::IstioGateway { .. }) {
        let annotations = istio_spec_field(resource, svc, "podAnnotations");
        let config = annotations.as_ref().and_then(|a| {
            let node = a.node.get(PROXY_CONFIG)?;
            Some(Field { node, path: crate::yaml::pointer::push(&a.path, PROXY_CONFIG) })
        });
        return Pods::IstioGateway { annotations, config };
    }
    let mut deployments = Vec::new();
    for i in selected_deployments(cx.resources, svc.resource) {
        let config = cx.resources[i].get("/spec/template/metadata/annotations").and_then(|a| a.get(PROXY_CONFIG));
        deployments.push((i, config, parser_in(config)));
    }
    Pods::Deployments(deployments)
}

/// Whether a `proxy.istio.io/config` value (YAML or JSON) sets
/// `gatewayTopology.proxyProtocol`.
fn parser_in(value: Option<&Node>) -> Parser {
    match read_proxy_config(value) {
        ProxyConfig::Read(facts) if facts.proxy_protocol => Parser::Enabled,
        ProxyConfig::Unreadable => Parser::Unreadable,
        _ => Parser::Absent,
    }
}

fn finding(cx: &RuleContext<'_>, svc: &ServiceView<'_>, field: &Field<'_>, pods: &Pods<'_>, parser: Parser) -> Draft {
    let who = owner(cx, svc);
    let message = cx.t(
        format_args!("{who} turns on PROXY protocol at the load balancer but its gateway pods are not configured to parse it: Envoy rejects every connection"),
        format_args!("{who} 在负载均衡上启用了 PROXY 协议，但网关 Pod 未配置解析：Envoy 会拒绝所有连接"),
    );
    let mut draft = Draft::new(&ProxyProtocolWithoutIstioParser::META, svc.resource, field.path.clone(), message)
        .label(cx.t("the load balancer sends a PROXY protocol v2 header first", "负载均衡会先发送 PROXY 协议 v2 头"))
        .note(Note::assumed(cx.t(
            "the mesh config (defaultConfig.gatewayTopology.proxyProtocol) and EnvoyFilters outside the input do not enable the parser; neither is in view, so this is a warning, not an error",
            "网格配置（defaultConfig.gatewayTopology.proxyProtocol）和输入之外的 EnvoyFilter 都没有启用解析；二者均不可见，因此仅为警告而非错误",
        )));
    if parser == Parser::Unreadable {
        // Unknown, not absent: never an error (an admission rejection) on a guess.
        draft = draft.severity(Severity::Info).note(if cfg!(feature = "yaml") {
            Note::new(NoteKind::Info, cx.t(
                format_args!("the {PROXY_CONFIG} annotation is neither YAML nor JSON, so whether it enables the parser is unknown"),
                format_args!("{PROXY_CONFIG} 注解既不是 YAML 也不是 JSON，无法判断是否启用了解析"),
            ))
        } else {
            Note::new(NoteKind::Info, cx.t(
                format_args!("this build reads JSON only and the {PROXY_CONFIG} annotation is not JSON, so whether it enables the parser is unknown; `gateway-doctor check` reads it"),
                format_args!("此构建只读取 JSON，而 {PROXY_CONFIG} 注解不是 JSON，无法判断是否启用了解析；`gateway-doctor check` 可以读取"),
            ))
        });
    }
    let mut fixes = Vec::new();
    match pods {
        Pods::IstioGateway { annotations, config } => {
            let fix = Fix::new(
                ISTIO_PARSE_PROXY_PROTOCOL,
                Applicability::Unsafe,
                cx.t(
                    format_args!("set podAnnotations {PROXY_CONFIG}: '{PARSER_CONFIG}' (Istio/ASM 1.19 or later)"),
                    format_args!("设置 podAnnotations {PROXY_CONFIG}: '{PARSER_CONFIG}'（Istio/ASM 1.19 及以上）"),
                ),
            );
            let remedy = match config {
                None => {
                    let map = annotations.as_ref().map_or_else(
                        || crate::yaml::pointer::push(&svc.spec_path, "podAnnotations"),
                        |a| a.path.clone(),
                    );
                    fix.op(Op::add(crate::yaml::pointer::push(&map, PROXY_CONFIG), PARSER_CONFIG).quoted()).into()
                }
                Some(existing) => {
                    draft = draft.related(Related {
                        resource: svc.resource,
                        path: existing.path.clone(),
                        message: cx.t("the gateway pods' Istio config", "网关 Pod 的 Istio 配置"),
                    });
                    // Merging into someone's config text is left to them.
                    Remedy::Advice(Advice {
                        title: cx.t(
                            format_args!(
                                "add \"gatewayTopology\": {{\"proxyProtocol\": {{}}}} to the existing {PROXY_CONFIG} (Istio/ASM 1.19 or later)"
                            ),
                            format_args!(
                                "在现有的 {PROXY_CONFIG} 中加入 \"gatewayTopology\": {{\"proxyProtocol\": {{}}}}（Istio/ASM 1.19 及以上）"
                            ),
                        ),
                        ..fix.into_advice()
                    })
                }
            };
            fixes.push(remedy);
        }
        Pods::Deployments(list) if list.is_empty() => {
            draft = draft.note(cx.t(
                "the gateway Deployment is not in the input, so its pod annotations could not be checked",
                "输入中没有网关 Deployment，无法检查其 Pod 注解",
            ));
            fixes.push(deployment_advice(cx).into());
        }
        Pods::Deployments(list) => {
            for (index, config, _) in list.iter().filter(|(_, _, p)| *p != Parser::Enabled) {
                let resource = &cx.resources[*index];
                let path = if config.is_some() {
                    format!("/spec/template/metadata/annotations/{}", crate::yaml::pointer::escape(PROXY_CONFIG))
                } else {
                    "/spec/template/metadata".into()
                };
                draft = draft.related(Related {
                    resource: *index,
                    path,
                    message: cx.t(
                        format_args!("pods of Deployment {} do not parse PROXY protocol", resource.display_name()),
                        format_args!("Deployment {} 的 Pod 未配置解析 PROXY 协议", resource.display_name()),
                    ),
                });
            }
            fixes.push(deployment_advice(cx).into());
        }
    }
    for fix in &mut fixes {
        fix.tradeoffs_mut().push(cx.t(
            "gatewayTopology.proxyProtocol exists from Istio 1.19 (istio/api#2860); older gateways silently ignore it and need an EnvoyFilter that inserts envoy.filters.listener.proxy_protocol",
            "gatewayTopology.proxyProtocol 自 Istio 1.19 起才有（istio/api#2860）；更早版本的网关会静默忽略它，需要用 EnvoyFilter 插入 envoy.filters.listener.proxy_protocol",
        ));
        fix.tradeoffs_mut().push(cx.t(
            "gateway pods restart; afterwards every connection must carry the header: in-cluster clients that bypass the CLB fail (ASM-PP-008)",
            "网关 Pod 会重启；之后每个连接都必须带 PROXY 头：绕过 CLB 的集群内客户端会失败（ASM-PP-008）",
        ));
        fix.tradeoffs_mut().push(cx.t(
            "do not combine with HTTP/HTTPS listeners at the CLB (use X-Forwarded-For and numTrustedProxies there)",
            "不要与 CLB 的 HTTP/HTTPS 监听同时使用（七层监听请用 X-Forwarded-For 和 numTrustedProxies）",
        ));
    }
    let mut off = Fix::new(
        PROXY_PROTOCOL_OFF,
        Applicability::Unsafe,
        cx.t("turn PROXY protocol off at the load balancer", "在负载均衡上关闭 PROXY 协议"),
    );
    // Without the header a Cluster gateway loses the client IP (ASM-LB-005).
    if svc.effective_etp() == "Cluster" && reports_cluster_policy(cx, svc, svc.backend_type(), false) {
        off = off.introduces("ASM-LB-005");
    }
    fixes.push(
        off.op(Op::replace(field.path.clone(), "off").quoted())
            .tradeoff(cx.t(
                "the gateway no longer learns client IPs from the header (see ASM-LB-005 for other ways)",
                "网关不再能从协议头获得客户端 IP（其他方式见 ASM-LB-005）",
            ))
            .tradeoff(cx.t(
                "switching PROXY protocol on a CLB listener is not a smooth online change",
                "切换 CLB 监听的 PROXY 协议不支持平滑在线变更",
            ))
            .into(),
    );
    draft.remedies = fixes;
    draft
}

fn deployment_advice(cx: &RuleContext<'_>) -> Advice {
    Advice::new(
        ISTIO_PARSE_PROXY_PROTOCOL,
        cx.t(
            format_args!("add the pod annotation {PROXY_CONFIG}: '{PARSER_CONFIG}' to the gateway Deployment, or set it mesh-wide (Istio/ASM 1.19 or later)"),
            format_args!("在网关 Deployment 上添加 Pod 注解 {PROXY_CONFIG}: '{PARSER_CONFIG}'，或在网格全局设置（Istio/ASM 1.19 及以上）"),
        ),
    )
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GW: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  replicaCount: 2
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"on\"
";

    #[test]
    fn istio_gateway_without_parser_and_the_fix() {
        let r = check_with(GW, &[]);
        let f = only(&r, "ASM-PP-007");
        assert_eq!(f.severity.as_str(), "warning");
        assert!(f.fixes[0].title.contains("1.19"), "{}", f.fixes[0].title);
        assert_eq!(
            f.fixes.iter().map(|x| x.id).collect::<Vec<_>>(),
            ["istio-parse-proxy-protocol", "proxy-protocol-off"]
        );
        let fixed = apply_fix(GW, "istio-parse-proxy-protocol", &[]);
        assert_eq!(
            fixed,
            GW.to_owned() + "  podAnnotations:\n    proxy.istio.io/config: \"{\\\"gatewayTopology\\\":{\\\"proxyProtocol\\\":{}}}\"\n"
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-PP-007"));
        let off = apply_fix(GW, "proxy-protocol-off", &[]);
        assert_eq!(off, GW.replace("\"on\"", "\"off\""));
    }

    #[test]
    fn yaml_style_config_counts_and_other_config_gets_advice() {
        let yaml = format!("{GW}  podAnnotations:\n    proxy.istio.io/config: |\n      gatewayTopology:\n        proxyProtocol: {{}}\n");
        assert!(!codes(&check_with(&yaml, &[])).contains(&"ASM-PP-007"));
        let other = format!(
            "{GW}  podAnnotations:\n    proxy.istio.io/config: '{{\"gatewayTopology\":{{\"numTrustedProxies\":1}}}}'\n"
        );
        let r = check_with(&other, &[]);
        let f = only(&r, "ASM-PP-007");
        assert_eq!(f.fixes[0].applicability, crate::rule::Applicability::DisplayOnly);
    }

    #[test]
    fn plain_gateway_service_with_and_without_its_deployment() {
        let svc = "apiVersion: v1\nkind: Service\nmetadata:\n  name: istio-ingressgateway\n  namespace: istio-system\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"on\"\nspec:\n  type: LoadBalancer\n  selector: {istio: ingressgateway}\n";
        assert_eq!(only(&check_with(svc, &[]), "ASM-PP-007").severity.as_str(), "warning");
        let deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  template:\n    metadata:\n      labels: {istio: ingressgateway}\n";
        let r = check_with(&format!("{deploy}---\n{svc}"), &[]);
        let f = only(&r, "ASM-PP-007");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.related.len(), 1);
        let parsed = deploy.replace("      labels:", "      annotations:\n        proxy.istio.io/config: '{\"gatewayTopology\":{\"proxyProtocol\":{}}}'\n      labels:");
        assert!(!codes(&check_with(&format!("{parsed}---\n{svc}"), &[])).contains(&"ASM-PP-007"));
    }

    #[test]
    fn non_gateway_services_are_not_istio_business() {
        let nginx = "apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: \"on\"\nspec:\n  type: LoadBalancer\n";
        assert!(!codes(&check_with(nginx, &[])).contains(&"ASM-PP-007"));
    }

    const ENVOY_FILTER: &str = "apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata:
  name: proxy-protocol
  namespace: istio-system
spec:
  workloadSelector:
    labels:
      istio: ingressgateway
  configPatches:
  - applyTo: LISTENER_FILTER
    patch:
      operation: INSERT_FIRST
      value:
        name: envoy.filters.listener.proxy_protocol
        typed_config:
          \"@type\": type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol
";

    #[test]
    fn an_envoy_filter_for_the_gateway_counts_as_the_parser() {
        let text = format!("{GW}---\n{ENVOY_FILTER}");
        assert!(!codes(&check_with(&text, &[])).contains(&"ASM-PP-007"));
        // The pre-1.14 LISTENER merge with the old filter name, no selector, root namespace.
        let old = "apiVersion: networking.istio.io/v1alpha3\nkind: EnvoyFilter\nmetadata: {name: pp, namespace: istio-system}\nspec:\n  configPatches:\n  - applyTo: LISTENER\n    patch:\n      operation: MERGE\n      value:\n        listener_filters:\n        - name: envoy.listener.proxy_protocol\n";
        assert!(!codes(&check_with(&format!("{GW}---\n{old}"), &[])).contains(&"ASM-PP-007"));
        // Another workload's filter, one in an app namespace, and a REMOVE do not count.
        for other in [
            ENVOY_FILTER.replace("istio: ingressgateway", "istio: egressgateway"),
            ENVOY_FILTER.replace("namespace: istio-system", "namespace: shop"),
            ENVOY_FILTER.replace("INSERT_FIRST", "REMOVE"),
        ] {
            let r = check_with(&format!("{GW}---\n{other}"), &[]);
            assert_eq!(only(&r, "ASM-PP-007").severity.as_str(), "warning");
        }
    }
}
