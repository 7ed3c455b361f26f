use crate::model::is_istio_gateway;
use crate::model::topology::istio_gateway_field;
use crate::rule::{declare_rule, Advice, Draft, FixId, Note, Rule, RuleContext};
use crate::yaml::pointer;
use super::support::{bound_port, UNPRIVILEGED_PORT_START};

declare_rule! {
    /// ## What it does
    /// Flags a port of an `IstioGateway` (base spec or an `overrides` entry)
    /// whose Envoy runs without root (`runAsRoot: false` written in the spec
    /// or inherited from it) and whose numeric `targetPort` (or `port`, when
    /// `targetPort` is missing) is below 1024. Named target ports are left
    /// alone, as istioctl does.
    ///
    /// ## Why is this bad?
    /// Since Istio 1.7 gateways run without root and "will no longer be able
    /// to bind to ports below 1024"; istioctl rejects exactly this combination:
    /// "targetPort is set to %d, which requires root. Set targetPort to be
    /// greater than 1024 or configure values.gateways.%s.runAsRoot=true"
    /// (S181); where nothing lowers the unprivileged-port threshold, the
    /// listener for that port never opens. Istio's current gateway chart does
    /// lower it: without a custom `securityContext` its pods set the sysctl
    /// `net.ipv4.ip_unprivileged_port_start: "0"` ("Safe since 1.22", S42), so
    /// a non-root Envoy binds 80 and 443. Whether ASM renders its gateways
    /// with that sysctl is not documented, and ASM's own examples differ (S2),
    /// so this is an info: check the rendered Deployment's pod
    /// `securityContext.sysctls`.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   runAsRoot: false
    ///   ports:
    ///   - {name: http2, port: 80, targetPort: 80}
    /// ```
    ///
    /// ## Fix
    /// `remap-target-port` (display-only): move the target port to 1024 or
    /// above (80 to 8080, 443 to 8443, as Istio's upgrade notes do, S181), or
    /// set `runAsRoot: true` (see ASM-SEC-032). Not applied by text: an Istio
    /// `Gateway` or AuthorizationPolicy that names the container port must
    /// follow.
    pub struct NonRootGatewayLowPort {
        code: "ASM-SEC-044",
        name: "non-root-gateway-low-port",
        title: "the gateway runs without root but must bind a port below 1024",
        title_zh: "网关未以 root 运行，却需要绑定 1024 以下的端口",
        severity: Info,
        fix: None,
        sources: ["S2", "S42", "S181"],
    }
}

/// Advice: set targetPort to 1024 or above, or set `runAsRoot: true`.
const REMAP_TARGET_PORT: FixId = FixId::new("remap-target-port");

impl Rule for NonRootGatewayLowPort {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            let resource = &cx.resources[svc.resource];
            if !is_istio_gateway(resource) {
                continue;
            }
            let Some(run_as_root) = istio_gateway_field(resource, &svc.spec_path, "runAsRoot") else { continue };
            if run_as_root.node.as_bool() != Some(false) {
                continue;
            }
            let root_field = run_as_root.path.trim_start_matches('/').replace('/', ".");
            for (port, path) in svc.port_entries() {
                let Some(bound) = bound_port(port) else { continue };
                if bound >= UNPRIVILEGED_PORT_START {
                    continue;
                }
                let at =
                    if port.get("targetPort").is_some() { pointer::push(&path, "targetPort") } else { path.clone() };
                let name = resource.display_name();
                let message = cx.t(
                    format_args!("IstioGateway {name} runs without root ({root_field}: false) but its port binds container port {bound}, below 1024"),
                    format_args!("IstioGateway {name} 未以 root 运行（{root_field}: false），但其端口需绑定容器端口 {bound}（低于 1024）"),
                );
                let high = if bound == 443 { 8443 } else { 8080 };
                let fix = Advice::new(
                    REMAP_TARGET_PORT,
                    cx.t(
                        format_args!("set targetPort to 1024 or above (for example {high}), or set {root_field}: true"),
                        format_args!("将 targetPort 设为 1024 及以上（如 {high}），或将 {root_field} 设为 true"),
                    ),
                )
                .tradeoff(cx.t(
                    "an Istio Gateway or AuthorizationPolicy that names the container port must follow; runAsRoot: true runs Envoy as root",
                    "按容器端口配置的 Istio Gateway 或 AuthorizationPolicy 需同步修改；runAsRoot: true 会让 Envoy 以 root 运行",
                ));
                out.push(
                    Draft::new(&Self::META, svc.resource, at, message)
                        .once_per(&[&path, &run_as_root.path])
                        .note(Note::assumed(cx.t(
                            "ASM does not document lowering net.ipv4.ip_unprivileged_port_start for its gateways",
                            "ASM 未说明会为网关调低 net.ipv4.ip_unprivileged_port_start",
                        )))
                        .advice(fix),
                );
            }
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  runAsRoot: false
  ports:
  - {name: status-port, port: 15021, targetPort: 15021}
  - {name: http2, port: 80, targetPort: 80}
  - {name: https, port: 443}
  - {name: tcp, port: 9000, targetPort: tcp-app}
";

    #[test]
    fn flags_each_low_bound_port() {
        let report = check_with(BAD, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-SEC-044").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].location.path, "/spec/ports/1/targetPort");
        assert_eq!(found[0].severity.as_str(), "info");
        assert_eq!(found[0].message, "IstioGateway istio-system/ingressgateway runs without root (spec.runAsRoot: false) but its port binds container port 80, below 1024");
        assert_eq!(found[1].location.path, "/spec/ports/2");
        assert!(found[1].fixes[0].title.contains("8443"), "{}", found[1].fixes[0].title);
    }

    #[test]
    fn root_high_ports_or_unknown_pass() {
        for text in [
            BAD.replace("runAsRoot: false", "runAsRoot: true"),
            BAD.replace("  runAsRoot: false\n", ""),
            BAD.replace("targetPort: 80}", "targetPort: 8080}").replace("port: 443}", "port: 443, targetPort: 8443}"),
        ] {
            assert!(!codes(&check_with(&text, &[])).contains(&"ASM-SEC-044"), "{text}");
        }
    }

    #[test]
    fn an_override_inherits_run_as_root_and_brings_its_ports() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: gw, namespace: istio-system}
spec:
  runAsRoot: false
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  overrides:
    c1:
      ports:
      - {name: http2, port: 80, targetPort: 80}
";
        let f = only(&check_with(text, &[]), "ASM-SEC-044").clone();
        assert_eq!(f.location.path, "/spec/overrides/c1/ports/0/targetPort");
        assert!(f.message.contains("(spec.runAsRoot: false)"));
    }
}
