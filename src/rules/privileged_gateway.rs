use crate::model::topology::istio_gateway_field;
use crate::model::{is_istio_gateway, Origin, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Remedy, Rule, RuleContext};
use crate::yaml::pointer;
use super::support::{UNPRIVILEGED_PORT_START, bound_port};

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` with `runAsRoot: true` in its spec or in an
    /// `overrides` entry.
    ///
    /// ## Why is this bad?
    /// The gateway's Envoy then runs as root (UID 0). In Istio, `runAsRoot`
    /// exists so that Envoy can bind container ports below 1024; since Istio
    /// 1.7 gateways run without root and listen on 8080/8443 instead (S181).
    /// It does not make the container `privileged` (only the Go API comment
    /// says "privileged container", S4), but a root process in the pod that
    /// faces the internet is still more than it needs. The current ASM example
    /// sets it to `true` (S2), the founding example to `false`; it is hygiene,
    /// so an info.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   runAsRoot: true
    ///   ports:
    ///   - {name: http2, port: 80, targetPort: 8080}
    /// ```
    ///
    /// ## Fix
    /// `run-as-non-root` (unsafe): `runAsRoot: false`, offered only when every
    /// port of every Service that takes this `runAsRoot` has a numeric
    /// `targetPort` (or, without one, a `port`) of 1024 or more. A non-root
    /// Envoy cannot bind lower ports; istioctl rejects that combination
    /// ("targetPort is set to %d, which requires root", S181), and
    /// ASM-SEC-044 reports it. Otherwise the advice is display-only: remap the
    /// target ports first.
    pub struct PrivilegedGateway {
        code: "ASM-SEC-032",
        name: "privileged-gateway",
        title: "the gateway runs as root (runAsRoot: true)",
        title_zh: "网关以 root 身份运行（runAsRoot: true）",
        severity: Info,
        fix: Sometimes,
        sources: ["S2", "S4", "S181"],
    }
}

/// Advice: move every targetPort below 1024 up, then set `runAsRoot: false`.
const REMAP_PORTS_THEN_RUN_AS_NON_ROOT: FixId = FixId::new("remap-ports-then-run-as-non-root");
/// Sets `runAsRoot: false` on the IstioGateway.
const RUN_AS_NON_ROOT: FixId = FixId::new("run-as-non-root");

/// Every port of the Service binds at or above 1024 (and the ports are written).
fn binds_only_high_ports(svc: &ServiceView<'_>) -> bool {
    let ports = svc.port_entries();
    !ports.is_empty() && ports.iter().all(|(port, _)| bound_port(port).is_some_and(|p| p >= UNPRIVILEGED_PORT_START))
}

impl Rule for PrivilegedGateway {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        // Each place runAsRoot is written once: the base spec and every override that sets it.
        for svc in cx.services {
            let resource = &cx.resources[svc.resource];
            if !is_istio_gateway(resource) {
                continue;
            }
            let path = pointer::push(&svc.spec_path, "runAsRoot");
            let Some(value) = resource.get(&path) else { continue };
            if value.as_bool() != Some(true) {
                continue;
            }
            let name = resource.display_name();
            let field = match svc.origin {
                Origin::IstioGateway { cluster: Some(c) } => format!("spec.overrides.{c}.runAsRoot"),
                _ => "spec.runAsRoot".into(),
            };
            let message = cx.t(
                format_args!("IstioGateway {name} sets {field}: true, so the gateway's Envoy runs as root"),
                format_args!("IstioGateway {name} 设置了 {field}: true，网关的 Envoy 以 root 身份运行"),
            );
            // Every Service rendered with this runAsRoot must bind only high ports.
            let takers = cx.services.iter().filter(|other| {
                other.resource == svc.resource
                    && istio_gateway_field(resource, &other.spec_path, "runAsRoot").is_some_and(|f| f.path == path)
            });
            let safe_to_drop = takers.clone().all(binds_only_high_ports);
            let fix = if safe_to_drop {
                Fix::new(
                    RUN_AS_NON_ROOT,
                    Applicability::Unsafe,
                    cx.t(format_args!("set {field}: false"), format_args!("将 {field} 设为 false")),
                )
                .op(Op::replace(path.clone(), false))
                .tradeoff(cx.t(
                    "every target port is 1024 or above, which Envoy binds without root (S181); anything else in the pod that needs root stops working",
                    "所有 targetPort 都不小于 1024，Envoy 无需 root 即可绑定（S181）；Pod 中其他需要 root 的操作将失效",
                ))
                .into()
            } else {
                Remedy::Advice(Advice::new(
                    REMAP_PORTS_THEN_RUN_AS_NON_ROOT,
                    cx.t(
                        format_args!("first move every targetPort below 1024 to 1024 or above (80 to 8080, 443 to 8443), then set {field}: false"),
                        format_args!("先将所有小于 1024 的 targetPort 改为 1024 及以上（80 改为 8080，443 改为 8443），再将 {field} 设为 false"),
                    ),
                )
                .tradeoff(cx.t(
                    "without root Envoy cannot bind ports below 1024 (S181); written ports or unknown defaults keep this from being automatic",
                    "没有 root 权限时 Envoy 无法绑定 1024 以下端口（S181）；端口未写明或默认值未知时无法自动修改",
                )))
            };
            out.push(Draft::new(&Self::META, svc.resource, path, message).remedy(fix));
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Applicability;
    use crate::rules::test_support::*;

    const CLEAN: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: a, namespace: istio-system}
spec:
  runAsRoot: false
  ports:
  - {name: http2, port: 80, targetPort: 8080}
";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: b, namespace: istio-system}
spec:
  runAsRoot: true # from the ASM example
  ports:
  - {name: http2, port: 80, targetPort: 8080}
  - {name: status-port, port: 15021}
  overrides:
    c1:
      replicaCount: 3
    c2:
      runAsRoot: yes
";

    #[test]
    fn passes_false() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-SEC-032"));
    }

    #[test]
    fn flags_base_and_override_once_each() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-SEC-032").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].location.path, "/spec/runAsRoot");
        assert_eq!(
            found[0].message,
            "IstioGateway istio-system/b sets spec.runAsRoot: true, so the gateway's Envoy runs as root"
        );
        assert_eq!(found[1].location.path, "/spec/overrides/c2/runAsRoot");
        assert!(found[1].message.contains("spec.overrides.c2.runAsRoot"));
        assert!(found.iter().all(|f| f.location.document == 1));
        assert!(found.iter().all(|f| f.fixes[0].applicability == Applicability::Unsafe));
    }

    #[test]
    fn fix_writes_false_in_place() {
        let fixed = apply_fix(BAD, "run-as-non-root", &[]);
        assert_eq!(fixed, BAD.replace("true # from", "false # from").replace("runAsRoot: yes", "runAsRoot: false"));
    }

    #[test]
    fn low_or_unknown_target_ports_get_advice_only() {
        // ASM's own example binds 80 and 443 directly.
        for ports in [
            "{name: http2, port: 80, targetPort: 80}",
            "{name: http2, port: 80}",
            "{name: http2, port: 8080, targetPort: http}",
        ] {
            let text = BAD.replace("{name: http2, port: 80, targetPort: 8080}", ports);
            let report = check_with(&text, &[]);
            let f = report.findings.iter().find(|f| f.code == "ASM-SEC-032").unwrap();
            assert_eq!(f.fixes.len(), 1, "{ports}");
            assert_eq!(f.fixes[0].id, "remap-ports-then-run-as-non-root", "{ports}");
            assert_eq!(f.fixes[0].applicability, Applicability::DisplayOnly, "{ports}");
        }
        // No ports written: ASM's defaults are unknown, so no automatic fix.
        let bare = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: c, namespace: istio-system}\nspec: {runAsRoot: true}\n";
        assert_eq!(only(&check_with(bare, &[]), "ASM-SEC-032").fixes[0].applicability, Applicability::DisplayOnly);
    }

    #[test]
    fn an_override_with_low_ports_blocks_the_base_fix() {
        let text =
            BAD.replace("      replicaCount: 3\n", "      ports:\n      - {name: http2, port: 80, targetPort: 80}\n");
        let report = check_with(&text, &[]);
        let base =
            report.findings.iter().find(|f| f.code == "ASM-SEC-032" && f.location.path == "/spec/runAsRoot").unwrap();
        assert_eq!(base.fixes[0].applicability, Applicability::DisplayOnly);
    }
}
