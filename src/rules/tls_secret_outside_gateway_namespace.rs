use crate::model::topology::{label_map, selector_matches, Match, ISTIO_ROOT_NAMESPACE};
use crate::model::Resource;
use crate::rule::{declare_rule, Advice, Draft, FixId, Note, Related, Rule, RuleContext};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags an Istio `Gateway` (`networking.istio.io`) server whose
    /// `tls.credentialName` names a `Secret` that is in the input, but only in
    /// namespaces other than the one the gateway workload runs in. The
    /// workload is found from the Gateway's `selector`: an IstioGateway, a
    /// workload template or a Service selector in the input that carries the
    /// selected labels. With none in the input, the workload is assumed to
    /// run in `istio-system`, where ASM requires its gateways (S1). A name
    /// with no Secret in the input at all is left alone (it may be created
    /// elsewhere, or by ASM's certificate management).
    ///
    /// ## Why is this bad?
    /// The gateway reads `credentialName` Secrets from its own namespace.
    /// Istio's cert-manager integration: "The Certificate should be created in
    /// the same namespace as the istio-ingressgateway deployment", then
    /// referenced by `credentialName`; istioctl's IST0161 asks for the secret
    /// "in the same namespace as the Gateway workload" (S183). A Secret in the
    /// application's namespace is not found, and TLS handshakes on that
    /// server fail. ASM also offers its own certificate management, so this is
    /// a warning.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: networking.istio.io/v1beta1
    /// kind: Gateway
    /// metadata: {name: web, namespace: app}
    /// spec:
    ///   selector: {istio: ingressgateway}
    ///   servers:
    ///   - port: {number: 443, name: https, protocol: HTTPS}
    ///     hosts: [web.example.com]
    ///     tls: {mode: SIMPLE, credentialName: web-cert}
    /// ---
    /// apiVersion: v1
    /// kind: Secret
    /// metadata: {name: web-cert, namespace: app}
    /// type: kubernetes.io/tls
    /// ```
    ///
    /// ## Fix
    /// `move-tls-secret` (display-only): create the Secret (or the
    /// cert-manager `Certificate`) in the gateway workload's namespace. Not
    /// done by text: the Secret may also be used where it is.
    pub struct TlsSecretOutsideGatewayNamespace {
        code: "ASM-TLS-045",
        name: "tls-secret-outside-gateway-namespace",
        title: "a gateway TLS credentialName names a Secret in another namespace than the gateway workload",
        title_zh: "网关 TLS credentialName 引用的 Secret 不在网关工作负载所在的命名空间",
        severity: Warning,
        fix: None,
        sources: ["S183", "S1"],
    }
}

/// Advice: create the TLS Secret in the gateway's namespace.
const MOVE_TLS_SECRET: FixId = FixId::new("move-tls-secret");

fn namespace_of<'a>(resource: &Resource<'a>) -> &'a str {
    resource.namespace.unwrap_or("default")
}

impl Rule for TlsSecretOutsideGatewayNamespace {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let gateways: Vec<usize> =
            (0..cx.resources.len()).filter(|i| cx.resources[*i].is("networking.istio.io", "Gateway")).collect();
        if gateways.is_empty() {
            return;
        }
        let secrets: Vec<usize> = (0..cx.resources.len()).filter(|i| cx.resources[*i].is("", "Secret")).collect();
        let sources = cx.topology.pod_sources();
        for index in gateways {
            let gateway = &cx.resources[index];
            let selector = label_map(gateway.get("/spec/selector"));
            let mut workload_namespaces: Vec<&str> = sources
                .iter()
                .filter(|s| !selector.is_empty() && selector_matches(selector.iter().copied(), &s.labels) == Match::Yes)
                .map(|s| namespace_of(&cx.resources[s.resource]))
                .collect();
            workload_namespaces.sort_unstable();
            workload_namespaces.dedup();
            let assumed = workload_namespaces.is_empty();
            if assumed {
                workload_namespaces.push(ISTIO_ROOT_NAMESPACE);
            }
            let servers = gateway.get("/spec/servers").map(Node::items).unwrap_or(&[]);
            for (i, server) in servers.iter().enumerate() {
                let Some(credential) = server.pointer("/tls/credentialName").and_then(Node::scalar_text) else {
                    continue;
                };
                // `ns/name` or `scheme://` references are not plain Secret names.
                if credential.is_empty() || credential.contains('/') || credential.contains(':') {
                    continue;
                }
                let named: Vec<usize> =
                    secrets.iter().copied().filter(|s| cx.resources[*s].name == Some(credential)).collect();
                let in_place = named.iter().any(|s| workload_namespaces.contains(&namespace_of(&cx.resources[*s])));
                let Some(&elsewhere) = named.first() else { continue };
                if in_place {
                    continue;
                }
                let secret_ns = namespace_of(&cx.resources[elsewhere]);
                let workload_ns = workload_namespaces.join(", ");
                let name = gateway.display_name();
                let path = format!("/spec/servers/{i}/tls/credentialName");
                let message = cx.t(
                    format_args!("Gateway {name} uses credentialName {credential}, but Secret {credential} is in namespace {secret_ns}, not in {workload_ns} where the gateway workload reads TLS Secrets"),
                    format_args!("Gateway {name} 使用 credentialName {credential}，但 Secret {credential} 位于命名空间 {secret_ns}，而不是网关工作负载读取 TLS Secret 的 {workload_ns}"),
                );
                let mut draft = Draft::new(&Self::META, index, path, message)
                    .related(Related {
                        resource: elsewhere,
                        path: "/metadata/namespace".into(),
                        message: cx.t("the Secret is here", "Secret 在此处"),
                    })
                    .advice(
                        Advice::new(
                            MOVE_TLS_SECRET,
                            cx.t(
                                format_args!("create Secret {credential} (or its cert-manager Certificate) in namespace {workload_ns}"),
                                format_args!("在命名空间 {workload_ns} 中创建 Secret {credential}（或其 cert-manager Certificate）"),
                            ),
                        )
                        .tradeoff(cx.t(
                            "two copies of the certificate to renew, unless cert-manager issues the one in the gateway namespace",
                            "需要续期两份证书，除非由 cert-manager 在网关命名空间中签发",
                        )),
                    );
                if assumed {
                    draft = draft.note(Note::assumed(cx.t(
                        "no workload in the input carries the selector's labels; ASM gateways run in istio-system (S1)",
                        "输入中没有带该 selector 标签的工作负载；ASM 网关运行在 istio-system（S1）",
                    )));
                }
                out.push(draft);
            }
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: networking.istio.io/v1beta1
kind: Gateway
metadata: {name: web, namespace: app}
spec:
  selector: {istio: ingressgateway}
  servers:
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: [web.example.com]
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: [web.example.com]
    tls: {mode: SIMPLE, credentialName: web-cert}
";
    const SECRET_IN_APP: &str = "apiVersion: v1
kind: Secret
metadata: {name: web-cert, namespace: app}
type: kubernetes.io/tls
";

    #[test]
    fn flags_a_secret_in_the_app_namespace() {
        let text = format!("{GATEWAY}---\n{SECRET_IN_APP}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-TLS-045");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.location.path, "/spec/servers/1/tls/credentialName");
        assert_eq!(f.message, "Gateway app/web uses credentialName web-cert, but Secret web-cert is in namespace app, not in istio-system where the gateway workload reads TLS Secrets");
        assert_eq!(f.related[0].location.document, 1);
        assert!(f.notes.iter().any(|n| n.text.starts_with("assumed")), "{:?}", f.notes);
    }

    #[test]
    fn the_workload_namespace_comes_from_the_input() {
        let workload = "apiVersion: apps/v1
kind: Deployment
metadata: {name: gw, namespace: edge}
spec:
  template:
    metadata:
      labels: {istio: ingressgateway}
";
        let text = format!("{GATEWAY}---\n{SECRET_IN_APP}---\n{workload}");
        let f = only(&check_with(&text, &[]), "ASM-TLS-045").clone();
        assert!(f.message.ends_with("not in edge where the gateway workload reads TLS Secrets"), "{}", f.message);
        assert!(f.notes.iter().all(|n| !n.text.starts_with("assumed")));
        let moved = text.replace("{name: web-cert, namespace: app}", "{name: web-cert, namespace: edge}");
        assert!(!codes(&check_with(&moved, &[])).contains(&"ASM-TLS-045"));
    }

    #[test]
    fn quiet_when_the_secret_is_in_place_or_not_in_the_input() {
        assert!(!codes(&check_with(GATEWAY, &[])).contains(&"ASM-TLS-045"));
        let in_place = SECRET_IN_APP.replace("namespace: app", "namespace: istio-system");
        let both = format!("{GATEWAY}---\n{SECRET_IN_APP}---\n{in_place}");
        assert!(!codes(&check_with(&both, &[])).contains(&"ASM-TLS-045"));
    }
}
