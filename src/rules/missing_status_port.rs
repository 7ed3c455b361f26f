use crate::rule::{declare_rule, Advice, Draft, FixId, Rule, RuleContext};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` (base spec or override) that lists `ports` but
    /// none named `status-port`. A rendered `v1 Service` is not judged: Istio's
    /// own charts add the port in the versions that serve it (Istio 0.8
    /// gateways had none), and ASM renders its Service from the IstioGateway.
    ///
    /// ## Why is this bad?
    /// Istio serves health checks on 15021 and merged telemetry on 15020 (S31);
    /// the upstream gateway chart exposes `status-port` 15021 first so that load
    /// balancers health-check it (S34), and ASM's examples expose `status-port`
    /// 15020 (S1, S2, S3). Without it, external health checks and scraping
    /// through the Service have nothing to reach. ACK health-checks every TCP
    /// listener by default (S8; "enabled for TCP listeners and cannot be
    /// disabled", S39), so nothing breaks by default: an info.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   ports:
    ///   - {name: http2, port: 80, targetPort: 80}
    /// ```
    ///
    /// ## Fix
    /// Display-only, because the port is a choice (the sources above give both): add
    /// `{name: status-port, port: 15021, targetPort: 15021}` for upstream Istio
    /// 1.8 and later, or keep ASM's documented 15020.
    pub struct MissingStatusPort {
        code: "ASM-PORT-019",
        name: "missing-status-port",
        title: "gateway Service exposes no status-port",
        title_zh: "网关 Service 未暴露 status-port",
        severity: Info,
        fix: None,
        sources: ["S1", "S2", "S3", "S8", "S31", "S34", "S39"],
    }
}

/// Advice: add the status port 15020 to the gateway Service, as ASM's examples do.
const ADD_STATUS_PORT_15020: FixId = FixId::new("add-status-port-15020");
/// Advice: add the status port 15021 to the gateway Service (upstream Istio 1.8 and later).
const ADD_STATUS_PORT_15021: FixId = FixId::new("add-status-port-15021");

impl Rule for MissingStatusPort {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            let Some(ports) = &svc.ports else { continue };
            if !svc.is_istio_gateway() {
                continue;
            }
            let items = ports.node.items();
            if items.is_empty()
                || items.iter().any(|p| p.get("name").and_then(Node::scalar_text) == Some("status-port"))
            {
                continue;
            }
            let service = svc.display_name();
            let field = ports.path.trim_start_matches('/').replace('/', ".");
            let message = cx.t(
                format_args!("gateway Service {service} has no port named status-port in {field}"),
                format_args!("网关 Service {service} 的 {field} 中没有名为 status-port 的端口"),
            );
            let upstream = Advice::new(
                ADD_STATUS_PORT_15021,
                cx.t(
                    format_args!("add {{name: status-port, port: 15021, targetPort: 15021}} to {field} (upstream Istio 1.8 and later)"),
                    format_args!("在 {field} 中添加 {{name: status-port, port: 15021, targetPort: 15021}}（上游 Istio 1.8 及以上）"),
                ),
            )
            .tradeoff(cx.t(
                "a new CLB listener for the health port; ASM's own readiness port is not documented",
                "会新增一个用于健康检查端口的 CLB 监听；ASM 自身的就绪端口未见文档说明",
            ));
            let asm = Advice::new(
                ADD_STATUS_PORT_15020,
                cx.t(
                    format_args!(
                        "add {{name: status-port, port: 15020, targetPort: 15020}} to {field} (as ASM's examples do)"
                    ),
                    format_args!(
                        "在 {field} 中添加 {{name: status-port, port: 15020, targetPort: 15020}}（与 ASM 示例一致）"
                    ),
                ),
            )
            .tradeoff(cx.t(
                "15020 serves merged telemetry, not Envoy's health check (15021)",
                "15020 提供合并后的监控指标，而不是 Envoy 的健康检查（15021）",
            ));
            out.push(Draft::new(&Self::META, svc.resource, ports.path.clone(), message).advice(upstream).advice(asm));
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
";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: b, namespace: istio-system}
spec:
  ports:
  - {name: http2, port: 80, targetPort: 80}
  overrides:
    c1:
      replicaCount: 2
";

    #[test]
    fn passes_with_status_port_or_no_ports() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-PORT-019"));
        // Rendered Services are Istio's (or ASM's) output, not the place to fix.
        let rendered = "apiVersion: v1\nkind: Service\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\nspec:\n  selector: {istio: ingressgateway}\n  ports:\n  - {name: http2, port: 80}\n";
        assert!(!codes(&check_with(rendered, &[])).contains(&"ASM-PORT-019"));
    }

    #[test]
    fn flags_once_per_ports_list_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-PORT-019");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.message, "gateway Service istio-system/istio-b has no port named status-port in spec.ports");
        assert!(f.fixes.iter().all(|x| x.applicability == crate::rule::Applicability::DisplayOnly));
    }
}
