use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use crate::yaml::{pointer, Node};

const PROTOCOLS: [&str; 11] =
    ["http", "http2", "https", "tcp", "tls", "grpc", "grpc-web", "mongo", "mysql", "redis", "udp"];

/// Kubernetes port names are IANA service names: at most 15 characters.
const MAX_PORT_NAME: usize = 15;

declare_rule! {
    /// ## What it does
    /// Flags a port of a gateway Service (an IstioGateway's `ports`, or a gateway
    /// `v1 Service`) whose `name` is not `<protocol>[-<suffix>]` for one of
    /// Istio's protocols (`http`, `http2`, `https`, `tcp`, `tls`, `grpc`,
    /// `grpc-web`, `mongo`, `mysql`, `redis`, `udp`) and that has no
    /// `appProtocol`. `status-port` and unnamed ports are left alone.
    ///
    /// ## Why is this bad?
    /// Istio selects a port's protocol from its name prefix or `appProtocol`
    /// (S30); otherwise it sniffs the protocol. At a gateway the listening
    /// protocol comes from the Istio `Gateway` resource, so names matter less
    /// than for sidecars ([M]) — an info, as istioctl's IST0118 is.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   ports:
    ///   - name: web
    ///     port: 80
    ///     targetPort: 8080
    /// ```
    ///
    /// ## Fix
    /// When the protocol can be told (the IstioGateway `protocol` field, or
    /// port 80/8080 → http, 443/8443 → https), choose one:
    /// - `prefix-port-name` (unsafe): `name: http-web`; anything that refers to
    ///   the port by name must follow. The load balancer does not care: the CCM
    ///   keys CLB listeners by port and vServer groups by namespace, Service
    ///   and node port (or targetPort with ENI backends), never by port name
    ///   (S14 `clbv1/listeners.go` `buildListenerFromServicePort`,
    ///   `getVGroupNamedKey`; `nlbv2/server_groups.go`
    ///   `getServerGroupNamedKey`).
    /// - `set-app-protocol` (unsafe): `appProtocol: http`, name unchanged.
    ///
    /// Otherwise the advice is display-only.
    pub struct PortNameWithoutProtocol {
        code: "ASM-PORT-018",
        name: "port-name-without-protocol",
        title: "gateway port name without an Istio protocol prefix",
        title_zh: "网关端口名称缺少 Istio 协议前缀",
        severity: Info,
        fix: Sometimes,
        sources: ["S3", "S14", "S30"],
    }
}

/// Advice: rename the port to `<protocol>-<name>` or set `appProtocol`.
const NAME_THE_PROTOCOL: FixId = FixId::new("name-the-protocol");
/// Renames a port to `<protocol>-<name>` so Istio knows its protocol.
const PREFIX_PORT_NAME: FixId = FixId::new("prefix-port-name");
/// Sets `appProtocol` on a port so Istio knows its protocol.
const SET_APP_PROTOCOL: FixId = FixId::new("set-app-protocol");

fn has_protocol_prefix(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    PROTOCOLS.iter().any(|p| name == *p || name.strip_prefix(p).is_some_and(|rest| rest.starts_with('-')))
}

/// The protocol a port most likely carries: ASM's `protocol: HTTP2/HTTPS`
/// values (S3), else the well-known port numbers.
fn likely_protocol(port: &Node) -> Option<&'static str> {
    let declared = port.get("protocol").and_then(Node::scalar_text).map(str::to_ascii_lowercase);
    if let Some(p) = declared.as_deref().and_then(|d| PROTOCOLS.iter().find(|p| **p == d)) {
        if !matches!(*p, "tcp" | "udp") {
            return Some(p);
        }
    }
    match port.get("port").and_then(Node::as_i64) {
        Some(80 | 8080) => Some("http"),
        Some(443 | 8443) => Some("https"),
        _ => None,
    }
}

impl Rule for PortNameWithoutProtocol {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.gateway.is_none() {
                continue;
            }
            for (port, path) in svc.port_entries() {
                let Some(name) = port.get("name").and_then(Node::scalar_text) else { continue };
                if name == "status-port" || has_protocol_prefix(name) || port.get("appProtocol").is_some() {
                    continue;
                }
                let name_path = pointer::push(&path, "name");
                let field = name_path.trim_start_matches('/').replace('/', ".");
                let service = svc.display_name();
                let message = cx.t(
                    format_args!("port {name} of gateway Service {service} ({field}) has no Istio protocol prefix and no appProtocol"),
                    format_args!("网关 Service {service} 的端口 {name}（{field}）没有 Istio 协议前缀，也没有 appProtocol"),
                );
                let mut draft = Draft::new(&Self::META, svc.resource, name_path.clone(), message);
                match likely_protocol(port) {
                    Some(protocol) => {
                        let renamed = format!("{protocol}-{name}");
                        if renamed.len() <= MAX_PORT_NAME {
                            draft = draft.fix(
                                Fix::new(
                                    PREFIX_PORT_NAME,
                                    Applicability::Unsafe,
                                    cx.t(
                                        format_args!("rename the port to {renamed}"),
                                        format_args!("将端口重命名为 {renamed}"),
                                    ),
                                )
                                .op(Op::replace(name_path.clone(), renamed.as_str()))
                                .tradeoff(cx.t(
                                    "anything that refers to the port by name must follow",
                                    "所有按名称引用该端口的配置都要同步修改",
                                )),
                            );
                        }
                        draft = draft.fix(
                            Fix::new(
                                SET_APP_PROTOCOL,
                                Applicability::Unsafe,
                                cx.t(
                                    format_args!("set appProtocol: {protocol} on the port"),
                                    format_args!("为该端口设置 appProtocol: {protocol}"),
                                ),
                            )
                            .op(Op::add(pointer::push(&path, "appProtocol"), protocol))
                            .tradeoff(cx.t(
                                format_args!(
                                    "the protocol is a guess from the port ({protocol}); Istio stops sniffing it"
                                ),
                                format_args!("协议是根据端口推测的（{protocol}）；Istio 不再探测协议"),
                            )),
                        );
                    }
                    None => {
                        draft = draft.advice(
                            Advice::new(
                                NAME_THE_PROTOCOL,
                                cx.t(
                                    format_args!("rename the port to <protocol>-{name} or set appProtocol (http, https, grpc, tcp, tls, ...)"),
                                    format_args!("将端口重命名为 <协议>-{name}，或设置 appProtocol（http、https、grpc、tcp、tls 等）"),
                                ),
                            )
                            .tradeoff(cx.t(
                                "anything that refers to the port by name must follow",
                                "所有按名称引用该端口的配置都要同步修改",
                            )),
                        );
                    }
                }
                out.push(draft);
            }
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const CLEAN: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: a, namespace: istio-system}
spec:
  ports:
  - {name: status-port, port: 15020, targetPort: 15020}
  - {name: http2, port: 80, targetPort: 80}
  - {name: https-main, port: 443, targetPort: 443}
  - {name: default, port: 8080, appProtocol: http}
";
    const BAD: &str = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  selector: {istio: ingressgateway}
  ports:
  - name: web # public site
    port: 80
    targetPort: 8080
  - name: metrics
    port: 9000
";

    #[test]
    fn passes_prefixed_names_and_app_protocol() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-PORT-018"));
    }

    #[test]
    fn flags_each_bad_port_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-PORT-018").collect();
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.location.document == 1));
        assert_eq!(
            found[0].message,
            "port web of gateway Service istio-system/istio-ingressgateway (spec.ports.0.name) has no Istio protocol prefix and no appProtocol"
        );
        let ids: Vec<_> = found[0].fixes.iter().map(|f| f.id).collect();
        assert_eq!(ids, ["prefix-port-name", "set-app-protocol"]);
        assert_eq!(found[1].fixes[0].id, "name-the-protocol");
    }

    #[test]
    fn fixes_rename_or_add_app_protocol() {
        assert_eq!(apply_fix(BAD, "prefix-port-name", &[]), BAD.replace("name: web #", "name: http-web #"));
        assert_eq!(
            apply_fix(BAD, "set-app-protocol", &[]),
            BAD.replace("    targetPort: 8080\n", "    targetPort: 8080\n    appProtocol: http\n")
        );
    }

    #[test]
    fn ignores_services_of_other_workloads() {
        let istiod = "apiVersion: v1\nkind: Service\nmetadata: {name: istio-pilot, namespace: istio-system, labels: {istio: pilot}}\nspec:\n  selector: {istio: pilot}\n  ports:\n  - {name: monitoring, port: 15014}\n";
        assert!(!codes(&check_with(istiod, &[])).contains(&"ASM-PORT-018"));
    }
}
