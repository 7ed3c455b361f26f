use crate::diagnostic::Severity;
use crate::model::topology::{label_map, selector_matches, Index, Match, PodSource};
use crate::model::ServiceView;
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Note, Related, Rule, RuleContext};
use crate::yaml::{pointer, Node};

declare_rule! {
    /// ## What it does
    /// Relates every Istio `Gateway` (networking.istio.io) to the gateway pods
    /// in the same input and flags:
    /// - a `selector` that matches none of them — when the input holds gateway
    ///   pods (an `IstioGateway`, whose pods carry its `podLabels` (S4, S41)
    ///   and, assumed by analogy with Istio's gateway chart (S34),
    ///   `app: istio-<name>` and `istio: <name>`; a Deployment,
    ///   DaemonSet or StatefulSet template; a gateway Service's selector) and the
    ///   selector contradicts each of them. A selector key that a source does
    ///   not show (the pods may carry it) is never taken as a mismatch;
    /// - a `servers[].port.number` that no Service in front of the selected
    ///   pods exposes, as `port` or as a numeric `targetPort` (the proxy may
    ///   listen on the target port directly). Services are the IstioGateway's
    ///   rendered ones (base and overrides) or the `v1 Service`s whose selector
    ///   matches the workload, in its namespace. Checked only when those
    ///   Services list their ports.
    ///
    /// Nothing is reported when the input has no gateway side: the gateway may
    /// be deployed from another manifest. This works offline, where
    /// `istioctl analyze` (IST0101, IST0162) needs the live Pods.
    ///
    /// ## Why is this bad?
    /// An Istio Gateway configures only the proxies its selector matches (by
    /// default in any namespace, S40; ASM, S41); with no match its servers
    /// exist nowhere. A server port is where the proxy listens (S40): one that
    /// the gateway Service does not expose gets a listener in Envoy that no
    /// load balancer or ClusterIP traffic can reach (S32; the generated
    /// Service, S1, S3).
    ///
    /// A mismatched selector is a warning when its value is one edit (a
    /// missing, extra, wrong or swapped character) away from the same label
    /// of a gateway in the input — a likely typo; else an info, since the
    /// gateway it names (`egressgateway`, say) may be deployed from elsewhere.
    /// A missing port is a warning.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata: {name: ingressgateway, namespace: istio-system}
    /// spec:
    ///   ports:
    ///   - {name: http2, port: 80, targetPort: 80}
    /// ---
    /// apiVersion: networking.istio.io/v1
    /// kind: Gateway
    /// metadata: {name: grpc, namespace: apps}
    /// spec:
    ///   selector: {istio: ingressgateway}
    ///   servers:
    ///   - port: {number: 9996, name: grpc, protocol: GRPC}
    ///     hosts: ["*"]
    /// ```
    ///
    /// ## Fix
    /// - `use-gateway-selector` (unsafe, for a likely typo): the gateway's
    ///   label value; the Gateway then configures those pods.
    /// - `expose-server-port` (display-only): add the port to the gateway
    ///   Service (`spec.ports` of the IstioGateway); a new CLB listener.
    /// - `use-exposed-port` (display-only): move the server to a port the
    ///   Service exposes.
    pub struct IstioGatewaySelectorPortMismatch {
        code: "ASM-GW-035",
        name: "istio-gateway-selector-port-mismatch",
        title: "Istio Gateway selects no gateway pods in the input, or uses a port its gateway Service does not expose",
        title_zh: "Istio Gateway 未选中输入中的任何网关 Pod，或使用了网关 Service 未暴露的端口",
        severity: Warning,
        fix: Sometimes,
        sources: ["S1", "S3", "S4", "S32", "S34", "S40", "S41"],
    }
}

/// Advice: add the Gateway server's port to the gateway Service.
const EXPOSE_SERVER_PORT: FixId = FixId::new("expose-server-port");
/// Advice: move the Gateway server to a port the Service exposes.
const USE_EXPOSED_PORT: FixId = FixId::new("use-exposed-port");
/// Writes the Gateway selector that matches the gateway pods.
const USE_GATEWAY_SELECTOR: FixId = FixId::new("use-gateway-selector");

/// How many gateways a selector finding names and links.
const SHOWN_GATEWAYS: usize = 5;

fn is_istio_gateway_config(resource: &crate::model::Resource<'_>) -> bool {
    resource.is("networking.istio.io", "Gateway")
}

impl Rule for IstioGatewaySelectorPortMismatch {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let topology = cx.topology;
        let all = topology.pod_sources();
        let sources = Sources::new(&all);
        let mut gateways: Vec<&PodSource> = Vec::new();
        for source in sources.all {
            if source.is_gateway(cx.resources) {
                gateways.push(source);
            }
        }
        for (index, gateway) in cx.resources.iter().enumerate() {
            if !is_istio_gateway_config(gateway) {
                continue;
            }
            let selector = label_map(gateway.get("/spec/selector"));
            if selector.is_empty() {
                continue;
            }
            let matched = sources.matching(&selector);
            if matched.is_empty() {
                if !gateways.is_empty() && !sources.any_undecided(&selector) {
                    out.push(selector_finding(cx, index, &selector, &gateways));
                }
                continue;
            }
            out.extend(port_findings(cx, index, &matched));
        }
    }
}

/// The pod sources of the stream, indexed by label so that many Gateways
/// against many workloads stay close to linear.
/// What an entry of [`Sources::index`] stands for.
const LABEL: &str = "label";
const KEY: &str = "key";

struct Sources<'s> {
    all: &'s [PodSource],
    /// Sources by every label they carry, as `(key, value, LABEL)`, and by
    /// every label key they show, as `(key, "", KEY)`.
    index: Index<'s>,
}

impl<'s> Sources<'s> {
    fn new(all: &'s [PodSource]) -> Self {
        let mut entries = Vec::new();
        for (i, source) in all.iter().enumerate() {
            for (k, v) in &source.labels {
                entries.push(((k.as_str(), v.as_str(), LABEL), i));
                entries.push(((k.as_str(), "", KEY), i));
            }
        }
        Self { all, index: Index::new(entries) }
    }

    /// The sources whose pods the selector certainly matches.
    fn matching(&self, selector: &[(&str, &str)]) -> Vec<&PodSource> {
        let mut out = Vec::new();
        let Some((k, v)) = selector.first() else { return out };
        for i in self.index.get((*k, *v, LABEL)) {
            let source = &self.all[i];
            if selector_matches(selector.iter().copied(), &source.labels) == Match::Yes {
                out.push(source);
            }
        }
        out
    }

    /// Whether some source neither matches nor contradicts the selector: it
    /// lacks one of its keys, so its pods may carry it.
    fn any_undecided(&self, selector: &[(&str, &str)]) -> bool {
        if let [(key, _)] = selector {
            // One key: undecided exactly when some source does not show it.
            return self.index.get((*key, "", KEY)).count() < self.all.len();
        }
        self.all.iter().any(|s| selector_matches(selector.iter().copied(), &s.labels) == Match::Unknown)
    }
}

/// `k1=v1,k2=v2`.
fn selector_text<'s>(selector: impl IntoIterator<Item = (&'s str, &'s str)>) -> String {
    let mut text = String::new();
    for (k, v) in selector {
        push_label(&mut text, k, v);
    }
    text
}

/// Appends `k=v` to a comma-separated list (one routine for both kinds of label lists).
fn push_label(text: &mut String, k: &str, v: &str) {
    if !text.is_empty() {
        text.push(',');
    }
    text.push_str(k);
    text.push('=');
    text.push_str(v);
}

fn selector_finding(cx: &RuleContext<'_>, index: usize, selector: &[(&str, &str)], gateways: &[&PodSource]) -> Draft {
    let gateway = &cx.resources[index];
    let name = gateway.display_name();
    let wanted = selector_text(selector.iter().copied());
    // A likely typo: one selector value close to the same key's value on a gateway.
    let typo = selector.iter().find_map(|(key, value)| {
        gateways.iter().find_map(|g| {
            let actual = g.labels.get(key)?;
            one_edit_apart(value, actual).then(|| (*key, actual.clone(), *g))
        })
    });
    let shown: &[&PodSource] = match &typo {
        Some((_, _, g)) => std::slice::from_ref(g),
        None => &gateways[..gateways.len().min(SHOWN_GATEWAYS)],
    };
    let mut known: Vec<String> = Vec::new();
    for g in shown {
        known.push(cx.resources[g.resource].display_name());
    }
    if gateways.len() > shown.len() {
        known.push(cx.t(
            format_args!("{} more", gateways.len() - shown.len()),
            format_args!("另有 {} 个", gateways.len() - shown.len()),
        ));
    }
    let path = match &typo {
        Some((key, _, _)) => pointer::push("/spec/selector", key),
        None => "/spec/selector".into(),
    };
    let message = cx.t(
        format_args!(
            "Gateway {name} selector {wanted} matches none of the gateway pods in the input ({})",
            known.join(", ")
        ),
        format_args!("Gateway {name} 的 selector {wanted} 未匹配输入中的任何网关 Pod（{}）", known.join("、")),
    );
    let mut draft = Draft::new(&IstioGatewaySelectorPortMismatch::META, index, path.clone(), message);
    for g in shown {
        let labels = selector_text(g.labels.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        draft = draft.related(Related {
            resource: g.resource,
            path: g.path.clone(),
            message: cx.t(format_args!("gateway pods labelled {labels}"), format_args!("网关 Pod 的标签为 {labels}")),
        });
    }
    match typo {
        Some((key, actual, _)) => draft
            .label(cx.t(format_args!("did you mean {key}={actual}?"), format_args!("是否应为 {key}={actual}？")))
            .fix(
                Fix::new(
                    USE_GATEWAY_SELECTOR,
                    Applicability::Unsafe,
                    cx.t(format_args!("select {key}: {actual}"), format_args!("将 selector 改为 {key}: {actual}")),
                )
                .op(Op::replace(path, actual.as_str()))
                // What the Gateway's servers mean on those pods is every other rule's to say.
                .reveals()
                .tradeoff(cx.t(
                    "the Gateway's servers start to apply on those gateway pods",
                    "该 Gateway 的 servers 将开始作用于这些网关 Pod",
                )),
            ),
        None => draft.severity(Severity::Info).note(Note::assumed(cx.t(
            "the gateway this selector names is not deployed from another manifest; the input is all that is known",
            "该 selector 指向的网关不是由其他清单部署的；只依据输入内容判断",
        ))),
    }
}

/// `(port, numeric targetPort)` of every TCP port of the Services.
fn exposed_ports(services: &[&ServiceView<'_>]) -> Vec<(i64, Option<i64>)> {
    let mut out = Vec::new();
    for svc in services {
        for (port, _) in svc.port_entries() {
            let protocol = port.get("protocol").and_then(Node::scalar_text).unwrap_or("TCP");
            if matches!(protocol, "UDP" | "SCTP") {
                continue;
            }
            let Some(number) = port.get("port").and_then(Node::as_i64) else { continue };
            let target = port.get("targetPort").and_then(Node::as_i64).filter(|t| *t != 0);
            out.push((number, target));
        }
    }
    out
}

fn port_findings(
    cx: &RuleContext<'_>,
    index: usize,
    matched: &[&PodSource],
) -> Vec<Draft> {
    let mut services: Vec<&ServiceView<'_>> = Vec::new();
    for source in matched {
        for svc in cx.topology.services_of(source) {
            if !services.iter().any(|s| std::ptr::eq(*s, svc)) {
                services.push(svc);
            }
        }
    }
    // Without a port list, what the Service exposes is not in the input.
    if services.is_empty() || services.iter().any(|s| s.ports.is_none()) {
        return Vec::new();
    }
    let exposed = exposed_ports(&services);
    let gateway = &cx.resources[index];
    let name = gateway.display_name();
    let mut service_names: Vec<String> = Vec::new();
    for svc in &services {
        service_names.push(svc.display_name());
    }
    service_names.dedup();
    let service_list = service_names.join(", ");
    let mut listed: Vec<String> = Vec::new();
    for (port, _) in &exposed {
        listed.push(port.to_string());
    }
    let mut out = Vec::new();
    let servers = gateway.get("/spec/servers").map(Node::items).unwrap_or(&[]);
    for (i, server) in servers.iter().enumerate() {
        let Some(number) = server.pointer("/port/number").and_then(Node::as_i64) else { continue };
        if exposed.iter().any(|(port, target)| *port == number || *target == Some(number)) {
            continue;
        }
        let message = cx.t(
            format_args!("Gateway {name} serves port {number} (spec.servers.{i}.port.number), which gateway Service {service_list} does not expose"),
            format_args!("Gateway {name} 在端口 {number}（spec.servers.{i}.port.number）上提供服务，但网关 Service {service_list} 未暴露该端口"),
        );
        let mut draft = Draft::new(
            &IstioGatewaySelectorPortMismatch::META,
            index,
            format!("/spec/servers/{i}/port/number"),
            message,
        )
        .label(cx.t(
            "no load balancer or ClusterIP traffic reaches this listener",
            "没有负载均衡或 ClusterIP 流量能到达该监听",
        ));
        for svc in &services {
            let path = svc.ports.as_ref().map_or_else(|| svc.spec_path.clone(), |p| p.path.clone());
            draft = draft.related(Related {
                resource: svc.resource,
                path,
                message: cx.t(
                    format_args!("ports of {} ({})", svc.display_name(), listed.join(", ")),
                    format_args!("{} 的端口（{}）", svc.display_name(), listed.join("、")),
                ),
            });
        }
        draft = draft
            .advice(
                Advice::new(
                    EXPOSE_SERVER_PORT,
                    cx.t(
                        format_args!("add {{name: <protocol>-{number}, port: {number}, targetPort: {number}}} to the ports of {service_list}"),
                        format_args!("在 {service_list} 的端口中添加 {{name: <协议>-{number}, port: {number}, targetPort: {number}}}"),
                    ),
                )
                .tradeoff(cx.t(
                    "a LoadBalancer Service gets a new CLB listener: the port becomes reachable from outside",
                    "LoadBalancer Service 会新增一个 CLB 监听：该端口将可从外部访问",
                )),
            )
            .advice(
                Advice::new(
                    USE_EXPOSED_PORT,
                    cx.t(
                        format_args!("move the server to a port the Service exposes ({})", listed.join(", ")),
                        format_args!("将该 server 改到 Service 已暴露的端口（{}）", listed.join("、")),
                    ),
                )
                .tradeoff(cx.t(
                    "clients and other servers on that port must agree on hosts and protocol",
                    "该端口上的客户端和其他 server 必须在 hosts 和协议上保持一致",
                )),
            );
        out.push(draft);
    }
    out
}

/// Whether `a` becomes `b` by one edit: a missing, extra or wrong character,
/// or two neighbours swapped (a likely typo); equal strings are not. Label
/// values are ASCII (Kubernetes label syntax), so bytes are characters.
fn one_edit_apart(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long.iter()).take_while(|(x, y)| x == y).count();
    match long.len() - short.len() {
        // One character more: the rest lines up after skipping it.
        1 => short[prefix..] == long[prefix + 1..],
        0 if prefix == short.len() => false,
        // One character changed, or two neighbours swapped.
        0 => {
            short[prefix + 1..] == long[prefix + 1..]
                || (prefix + 1 < short.len()
                    && short[prefix] == long[prefix + 1]
                    && short[prefix + 1] == long[prefix]
                    && short[prefix + 2..] == long[prefix + 2..])
        }
        _ => false,
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use super::one_edit_apart;
    use crate::rules::test_support::*;

    const IGW: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  ports:
  - {name: status-port, port: 15020, targetPort: 15020}
  - {name: http2, port: 80, targetPort: 80}
  - {name: https, port: 443, targetPort: 8443}
";
    const GATEWAY: &str = "apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: apps}
spec:
  selector:
    istio: ingressgateway
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [\"*\"]
  - port: {number: 8443, name: https, protocol: HTTPS}
    hosts: [\"*\"]
";

    #[test]
    fn passes_matching_selector_and_ports() {
        assert!(!codes(&check_with(&format!("{IGW}---\n{GATEWAY}"), &[])).contains(&"ASM-GW-035"));
    }

    #[test]
    fn silent_without_the_gateway_side() {
        assert!(!codes(&check_with(GATEWAY, &[])).contains(&"ASM-GW-035"));
        let other = GATEWAY.replace("istio: ingressgateway", "team: edge");
        // A selector key the input does not show is not a mismatch.
        assert!(!codes(&check_with(&format!("{IGW}---\n{other}"), &[])).contains(&"ASM-GW-035"));
    }

    #[test]
    fn flags_a_missing_port_with_the_service_related() {
        let grpc = GATEWAY.replace("number: 8443", "number: 9996");
        let text = format!("{GATEWAY}---\n{IGW}---\n{grpc}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-GW-035");
        assert_eq!(f.location.document, 2);
        assert_eq!(f.location.path, "/spec/servers/1/port/number");
        assert_eq!(&text[f.location.span.start..f.location.span.end], "9996");
        assert_eq!(f.message, "Gateway apps/web serves port 9996 (spec.servers.1.port.number), which gateway Service istio-system/istio-ingressgateway does not expose");
        assert_eq!(f.related[0].location.document, 1);
        assert_eq!(f.related[0].location.path, "/spec/ports");
    }

    #[test]
    fn flags_a_typo_in_the_selector_and_fixes_it() {
        let typo = GATEWAY.replace("istio: ingressgateway", "istio: ingresgateway  # typo");
        let text = format!("{IGW}---\n{typo}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-GW-035");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.location.path, "/spec/selector/istio");
        assert_eq!(f.related[0].location.document, 0);
        let fixed = apply_fix(&text, "use-gateway-selector", &[]);
        assert_eq!(fixed, text.replace("ingresgateway  #", "ingressgateway  #"));
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-GW-035"));
    }

    #[test]
    fn a_distant_selector_is_an_info() {
        let egress = GATEWAY.replace("istio: ingressgateway", "istio: egressgateway");
        let f = only(&check_with(&format!("{IGW}---\n{egress}"), &[]), "ASM-GW-035").clone();
        assert_eq!(f.severity.as_str(), "info");
        assert!(f.fixes.is_empty());
    }

    #[test]
    fn deployments_and_services_in_a_list() {
        let text = "apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: istio-ingressgateway, namespace: istio-system}
  spec:
    template:
      metadata:
        labels: {app: istio-ingressgateway, istio: ingressgateway}
- apiVersion: v1
  kind: Service
  metadata: {name: istio-ingressgateway, namespace: istio-system}
  spec:
    selector: {istio: ingressgateway}
    ports:
    - {name: http2, port: 80, targetPort: 8080}
- apiVersion: networking.istio.io/v1beta1
  kind: Gateway
  metadata: {name: web, namespace: apps}
  spec:
    selector: {app: istio-ingressgateway}
    servers:
    - port: {number: 8080, name: http, protocol: HTTP}
    - port: {number: 443, name: https, protocol: HTTPS}
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-GW-035");
        assert_eq!(f.location.path, "/items/2/spec/servers/1/port/number");
        assert_eq!(f.related[0].location.path, "/items/1/spec/ports");
    }

    #[test]
    fn typos_are_one_edit() {
        assert!(one_edit_apart("ingresgateway", "ingressgateway"));
        assert!(one_edit_apart("ingressgatewya", "ingressgateway"));
        assert!(one_edit_apart("ingressgatewax", "ingressgateway"));
        assert!(!one_edit_apart("egressgateway", "ingressgateway"));
        assert!(!one_edit_apart("ingressgateway", "ingressgateway"));
        assert!(!one_edit_apart("", "ab"));
    }
}
