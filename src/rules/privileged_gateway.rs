use crate::model::{is_istio_gateway, Origin};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Rule, RuleContext, RuleMeta};

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` with `runAsRoot: true` in its spec or in an
    /// `overrides` entry.
    ///
    /// ## Why is this bad?
    /// The Go API describes `runAsRoot` as "Whether to run the gateway in a
    /// privileged container" (S4). A privileged gateway — the pod that faces the
    /// internet — has every capability of the node. The current ASM example sets
    /// it to `true` (S2), the founding example to `false`; it is hygiene, so an
    /// info.
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
    /// ```
    ///
    /// ## Fix
    /// `run-unprivileged` (unsafe): `runAsRoot: false`. Binding ports below 1024
    /// may then need other capabilities or sysctls depending on the ASM version
    /// ([L]).
    pub struct PrivilegedGateway {
        code: "ASM-SEC-032",
        name: "privileged-gateway",
        title: "the gateway runs in a privileged container (runAsRoot: true)",
        title_zh: "网关运行在特权容器中（runAsRoot: true）",
        severity: Info,
        fix: Always,
        sources: ["S2", "S4"],
    }
}

impl Rule for PrivilegedGateway {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        // Each place runAsRoot is written once: the base spec and every override that sets it.
        for svc in cx.services {
            let resource = &cx.resources[svc.resource];
            if !is_istio_gateway(resource) {
                continue;
            }
            let path = format!("{}/runAsRoot", svc.spec_path);
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
                format_args!("IstioGateway {name} sets {field}: true, so the gateway runs in a privileged container"),
                format_args!("IstioGateway {name} 设置了 {field}: true，网关运行在特权容器中"),
            );
            let fix = Fix::new(
                "run-unprivileged",
                Applicability::Unsafe,
                cx.t(format_args!("set {field}: false"), format_args!("将 {field} 设为 false")),
            )
            .op(Op::replace(path.clone(), false))
            .tradeoff(cx.t(
                "assumed [L]: binding ports below 1024 may need other capabilities or sysctls depending on the ASM version",
                "假定 [L]：绑定 1024 以下端口可能需要其他 capability 或 sysctl，取决于 ASM 版本",
            ));
            out.push(Draft::new(&Self::META, svc.resource, path, message).fix(fix));
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
  runAsRoot: false
";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: b, namespace: istio-system}
spec:
  runAsRoot: true # from the ASM example
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
        assert_eq!(found[1].location.path, "/spec/overrides/c2/runAsRoot");
        assert!(found[1].message.contains("spec.overrides.c2.runAsRoot"));
        assert!(found.iter().all(|f| f.location.document == 1));
    }

    #[test]
    fn fix_writes_false_in_place() {
        let fixed = apply_fix(BAD, "run-unprivileged", &[]);
        assert_eq!(fixed, BAD.replace("true # from", "false # from").replace("runAsRoot: yes", "runAsRoot: false"));
    }
}
