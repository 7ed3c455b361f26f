use crate::model::clb_annotations::{lb_kind, protocol_ports, LbKind};
use crate::model::topology::{label_map, selector_matches, Match};
use crate::model::{Resource, ServiceView};
use crate::rule::{declare_rule, Advice, Draft, FixId, Related, Rule, RuleContext};
use crate::yaml::Node;
use super::support::owner;

declare_rule! {
    /// ## What it does
    /// Flags a CLB `LoadBalancer` Service (or IstioGateway) whose
    /// `alibaba-cloud-loadbalancer-protocol-port` makes port P an `https`
    /// listener while an Istio `Gateway` (networking.istio.io) in the input,
    /// selecting the Service's pods, serves `HTTPS` or `TLS` on P or on P's
    /// `targetPort`.
    ///
    /// The Gateways are related to the Service's pods as ASM-GW-035 does: the
    /// Gateway's `selector` must match the labels the pods are known to carry
    /// (an IstioGateway's generated labels, or a Service's selector). A
    /// selector key the input does not show is not taken as a match.
    ///
    /// ## Why is this bad?
    /// A CLB HTTPS listener terminates TLS with its certificate (`cert-id`) and
    /// sends plain HTTP to the backend (ACK: "CLB上配置证书后将会在CLB侧进行解密，
    /// 导致实际发送到后端Pod的请求为HTTP请求", S142). Envoy's HTTPS or TLS
    /// listener there waits for a TLS ClientHello, so every request through the
    /// CLB fails; nginx-style backends answer "The plain HTTP request was sent
    /// to HTTPS port" (S142).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata: {name: ingressgateway, namespace: istio-system}
    /// spec:
    ///   serviceAnnotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: "https:443,http:80"
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cert-id: "1234-cn-hangzhou"
    ///   ports:
    ///   - {name: http2, port: 80, targetPort: 80}
    ///   - {name: https, port: 443, targetPort: 443}
    /// ---
    /// apiVersion: networking.istio.io/v1
    /// kind: Gateway
    /// metadata: {name: web, namespace: istio-system}
    /// spec:
    ///   selector: {istio: ingressgateway}
    ///   servers:
    ///   - port: {number: 443, name: https, protocol: HTTPS}
    ///     tls: {mode: SIMPLE, credentialName: web-cert}
    ///     hosts: ["*"]
    /// ```
    ///
    /// ## Fix
    /// Both display-only:
    /// - `target-http-port`: ACK's fix, "将Service中HTTPS端口对应的Target Port
    ///   配置为HTTP端口" (S142): point P's `targetPort` at the port where the
    ///   Gateway serves plain HTTP (named when the input shows exactly one).
    ///   Not applied automatically: the Gateway's HTTPS server for P must go
    ///   or become plain HTTP as well, and the HTTP server's hosts and routes
    ///   must cover the HTTPS server's — edits in another object that only the
    ///   user can judge.
    /// - `tcp-listener`: make P a `tcp` listener (drop it from `https` in
    ///   `protocol-port`, and the `cert-id`) so TLS reaches the Gateway, which
    ///   terminates it with its own certificate.
    pub struct TlsTerminatedTwice {
        code: "ASM-TLS-038",
        name: "tls-terminated-twice",
        title: "CLB HTTPS listener in front of an Istio Gateway port that expects TLS",
        title_zh: "CLB HTTPS 监听后端是期望 TLS 的 Istio Gateway 端口",
        severity: Error,
        fix: None,
        sources: ["S8", "S142"],
    }
}

/// Advice: point the https port's targetPort at the Gateway's plain HTTP port.
const TARGET_HTTP_PORT: FixId = FixId::new("target-http-port");
/// Advice: make the port a TCP listener so TLS reaches the Gateway.
const TCP_LISTENER: FixId = FixId::new("tcp-listener");

impl Rule for TlsTerminatedTwice {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let gateways: Vec<(usize, Vec<(&str, &str)>)> = cx
            .resources
            .iter()
            .enumerate()
            .filter(|(_, r)| r.is("networking.istio.io", "Gateway"))
            .map(|(i, r)| (i, label_map(r.get("/spec/selector"))))
            .filter(|(_, selector)| !selector.is_empty())
            .collect();
        if gateways.is_empty() {
            return;
        }
        let topology = cx.topology;
        for svc in cx.services {
            if lb_kind(svc) != Some(LbKind::Clb) {
                continue;
            }
            let Some(field) = svc.lb_annotation("protocol-port") else { continue };
            let https: Vec<u32> = field
                .text()
                .map(protocol_ports)
                .unwrap_or_default()
                .into_iter()
                .filter(|(p, _)| *p == "https")
                .map(|(_, port)| port)
                .collect();
            if https.is_empty() {
                continue;
            }
            let pod_labels = topology.service_pod_labels(svc);
            let selecting: Vec<usize> = gateways
                .iter()
                .filter(|(_, selector)| selector_matches(selector.iter().copied(), &pod_labels) == Match::Yes)
                .map(|(i, _)| *i)
                .collect();
            if selecting.is_empty() {
                continue;
            }
            let ports = service_ports(svc);
            for listener in https {
                let Some(port) = ports.iter().find(|p| p.number == i64::from(listener)) else { continue };
                let servers = servers_on(cx.resources, &selecting, port, |p| matches!(p, "HTTPS" | "TLS"));
                if servers.is_empty() {
                    continue;
                }
                let case =
                    Case { svc, port, ports: &ports, selecting: &selecting, servers, annotation_path: &field.path };
                out.push(finding(cx, &case));
            }
        }
    }
}

/// One entry of the Service's `ports`: its number, its numeric `targetPort`
/// (the port itself when unset), and where to point at it.
struct ServicePort {
    number: i64,
    target: Option<i64>,
    /// The `targetPort` when written, else the entry.
    path: String,
}

fn service_ports(svc: &ServiceView<'_>) -> Vec<ServicePort> {
    svc.port_entries()
        .into_iter()
        .filter_map(|(entry, path)| {
            let number = entry.get("port").and_then(Node::as_i64)?;
            let (target, path) = match entry.get("targetPort") {
                None => (Some(number), path),
                Some(t) => (t.as_i64(), format!("{path}/targetPort")),
            };
            Some(ServicePort { number, target, path })
        })
        .collect()
}

/// A server of a selecting Gateway: `(gateway resource, server index, protocol)`.
type Server<'a> = (usize, usize, &'a str);

/// The servers of the Gateways that listen on the port (its number, or its
/// target port) with a protocol `wanted` accepts (upper-cased).
fn servers_on<'a>(
    resources: &'a [Resource<'a>],
    gateways: &[usize],
    port: &ServicePort,
    wanted: impl Fn(&str) -> bool,
) -> Vec<Server<'a>> {
    let mut out = Vec::new();
    for &g in gateways {
        let servers = resources[g].get("/spec/servers").map(Node::items).unwrap_or(&[]);
        for (i, server) in servers.iter().enumerate() {
            let Some(number) = server.pointer("/port/number").and_then(Node::as_i64) else { continue };
            let Some(protocol) = server.pointer("/port/protocol").and_then(Node::scalar_text) else { continue };
            if (number == port.number || Some(number) == port.target) && wanted(&protocol.to_ascii_uppercase()) {
                out.push((g, i, protocol));
            }
        }
    }
    out
}

/// The distinct numeric target ports where the Gateways serve plain HTTP.
fn http_targets(resources: &[Resource<'_>], gateways: &[usize], ports: &[ServicePort]) -> Vec<i64> {
    let mut targets: Vec<i64> = Vec::new();
    for port in ports {
        let Some(target) = port.target else { continue };
        if !servers_on(resources, gateways, port, |p| matches!(p, "HTTP" | "HTTP2")).is_empty()
            && !targets.contains(&target)
        {
            targets.push(target);
        }
    }
    targets
}

/// One HTTPS listener in front of TLS servers, with what the finding names.
struct Case<'c, 'a> {
    svc: &'c ServiceView<'a>,
    port: &'c ServicePort,
    ports: &'c [ServicePort],
    /// The Gateways that select the Service's pods.
    selecting: &'c [usize],
    /// The HTTPS/TLS servers on the port; never empty.
    servers: Vec<Server<'c>>,
    annotation_path: &'c str,
}

fn finding(cx: &RuleContext<'_>, case: &Case<'_, '_>) -> Draft {
    let Case { svc, port, ports, selecting, servers, annotation_path } = case;
    let (gateway, server, protocol) = &servers[0];
    let who = owner(cx, svc);
    let number = port.number;
    let gateway_name = cx.resources[*gateway].display_name();
    let target = port.target.map_or_else(|| cx.t("its named target port", "其命名的目标端口"), |t| t.to_string());
    let message = cx.t(
        format_args!("the CLB HTTPS listener on port {number} of {who} decrypts TLS and sends plain HTTP to {target}, where Gateway {gateway_name} serves {protocol} (spec.servers.{server}): every request through the CLB fails"),
        format_args!("{who} 端口 {number} 的 CLB HTTPS 监听会解密 TLS，并把明文 HTTP 发往 {target}，而 Gateway {gateway_name} 在那里提供 {protocol}（spec.servers.{server}）：经过 CLB 的请求全部失败"),
    );
    let mut draft = Draft::new(&TlsTerminatedTwice::META, svc.resource, port.path.clone(), message)
        .label(cx.t("plain HTTP arrives where TLS is expected", "期望 TLS 的端口收到明文 HTTP"))
        .related(Related {
            resource: svc.resource,
            path: (*annotation_path).to_owned(),
            message: cx.t(
                format_args!("https:{number} terminates TLS on the CLB"),
                format_args!("https:{number} 在 CLB 上终止 TLS"),
            ),
        });
    for (g, i, p) in servers.iter() {
        draft = draft.related(Related {
            resource: *g,
            path: format!("/spec/servers/{i}/port/protocol"),
            message: cx.t(format_args!("expects {p} (TLS)"), format_args!("期望 {p}（TLS）")),
        });
    }
    let http = http_targets(cx.resources, selecting, ports);
    let title = match http[..] {
        [t] => cx.t(
            format_args!("point targetPort of port {number} at {t}, where the Gateway serves plain HTTP"),
            format_args!("将端口 {number} 的 targetPort 改为 {t}（Gateway 在该端口提供明文 HTTP）"),
        ),
        _ => cx.t(
            format_args!("point targetPort of port {number} at a port where the Gateway serves plain HTTP"),
            format_args!("将端口 {number} 的 targetPort 改为 Gateway 提供明文 HTTP 的端口"),
        ),
    };
    let mut target_http = Advice::new(TARGET_HTTP_PORT, title)
        .tradeoff(cx.t(
            "the Gateway's HTTP server then handles these requests: its hosts and routes must cover the HTTPS server's",
            "这些请求将由 Gateway 的 HTTP server 处理：其 hosts 和路由必须覆盖 HTTPS server 的",
        ))
        .tradeoff(cx.t(
            format_args!("remove the Gateway's {protocol} server for port {number} or make it plain HTTP, or it keeps expecting TLS there"),
            format_args!("删除 Gateway 在端口 {number} 上的 {protocol} server 或改为明文 HTTP，否则它仍期望 TLS"),
        ));
    target_http.recommended = true;
    let tcp = Advice::new(
        TCP_LISTENER,
        cx.t(
            format_args!("make port {number} a tcp listener (tcp:{number} in protocol-port, no cert-id) so TLS reaches the Gateway"),
            format_args!("将端口 {number} 改为 tcp 监听（protocol-port 中写 tcp:{number}，去掉 cert-id），让 TLS 到达 Gateway"),
        ),
    )
    .tradeoff(cx.t(
        "clients then see the Gateway's certificate (credentialName), not the CLB's",
        "客户端看到的将是 Gateway 的证书（credentialName），而不是 CLB 的",
    ))
    .tradeoff(cx.t(
        "the CLB adds no X-Forwarded-For: client IPs then need PROXY protocol or externalTrafficPolicy: Local",
        "CLB 不再添加 X-Forwarded-For：保留客户端 IP 需要 PROXY 协议或 externalTrafficPolicy: Local",
    ));
    draft.advice(target_http).advice(tcp)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  serviceAnnotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"https:443,http:80\"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cert-id: \"1234-cn-hangzhou\"
  ports:
  - {name: http2, port: 80, targetPort: 80}
  - {name: https, port: 443, targetPort: 443}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: istio-system}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [\"*\"]
  - port: {number: 443, name: https, protocol: HTTPS}
    tls: {mode: SIMPLE, credentialName: web-cert}
    hosts: [\"*\"]
";

    #[test]
    fn https_listener_in_front_of_an_https_server_is_an_error() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-TLS-038");
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.location.path, "/spec/ports/1/targetPort");
        assert!(f.message.contains("port 443 of IstioGateway istio-system/ingressgateway"), "{}", f.message);
        assert!(f.message.contains("serves HTTPS (spec.servers.1)"), "{}", f.message);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["target-http-port", "tcp-listener"]);
        assert!(f.fixes[0].title.contains("at 80,"), "{}", f.fixes[0].title);
        assert!(f.fixes.iter().all(|x| x.applicability == crate::rule::Applicability::DisplayOnly));
    }

    #[test]
    fn istio_chart_style_target_ports_and_tls_servers_match() {
        // Service port 443 -> 8443, the server on 443 (the Service port) or 8443 (the target).
        let chart = GATEWAY.replace("port: 443, targetPort: 443", "port: 443, targetPort: 8443");
        assert!(codes(&check_with(&chart, &[])).contains(&"ASM-TLS-038"));
        let on_target =
            chart.replace("number: 443, name: https, protocol: HTTPS", "number: 8443, name: tls, protocol: TLS");
        assert!(codes(&check_with(&on_target, &[])).contains(&"ASM-TLS-038"));
    }

    #[test]
    fn quiet_when_tls_is_not_expected_or_not_terminated() {
        for (from, to) in [
            ("protocol: HTTPS", "protocol: HTTP"),
            ("https:443,http:80", "tcp:443,http:80"),
            ("selector: {istio: ingressgateway}", "selector: {istio: egressgateway}"),
            ("selector: {istio: ingressgateway}", "selector: {istio: ingressgateway, unknown: key}"),
        ] {
            let text = GATEWAY.replace(from, to);
            assert!(!codes(&check_with(&text, &[])).contains(&"ASM-TLS-038"), "{from} -> {to}");
        }
        let alone = GATEWAY.split("---\n").next().unwrap();
        assert!(!codes(&check_with(alone, &[])).contains(&"ASM-TLS-038"));
    }

    #[test]
    fn plain_services_are_related_through_their_selector() {
        let text = "apiVersion: v1
kind: Service
metadata:
  name: nginx
  namespace: default
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-protocol-port: \"https:443\"
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-cert-id: \"1234\"
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway, app: istio-ingressgateway}
  ports:
  - {name: https, port: 443}
---
apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: web, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 443, name: https, protocol: https}
    hosts: [\"*\"]
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-TLS-038");
        assert_eq!(f.location.path, "/spec/ports/0");
        assert!(f.fixes[0].title.contains("a port where the Gateway serves plain HTTP"), "{}", f.fixes[0].title);
    }
}
