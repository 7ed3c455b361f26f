use crate::diagnostic::Severity;
use crate::model::{Origin, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Rule, RuleContext};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Flags `externalTrafficPolicy` on a Service whose type is `ClusterIP`:
    /// - a `v1 Service` without `type` or with `type: ClusterIP`, and without
    ///   `spec.externalIPs`: **error**;
    /// - an `IstioGateway` (or one of its `overrides`) with `serviceType:
    ///   ClusterIP`: **warning**.
    ///
    /// In Markdown input (docs snippets) a `v1 Service` without `type` is left
    /// alone: a block often shows only the fields to change (ACK's Service
    /// troubleshooting page gives a Service with annotations and
    /// `externalTrafficPolicy` but no `type`, for `kubectl edit`), so the
    /// missing field is unknown, not its `ClusterIP` default.
    ///
    /// ## Why is this bad?
    /// The API server rejects the object: `validateServiceExternalTrafficPolicy`
    /// answers `spec.externalTrafficPolicy: Invalid value: "Local": may only be
    /// set for externally-accessible services` unless the Service is a
    /// `LoadBalancer`, a `NodePort`, or a `ClusterIP` with `externalIPs`
    /// (`ExternallyAccessible`; the `externalIPs` case is allowed since
    /// kubernetes PR #119150) (S180). So `kubectl apply` fails for the whole
    /// manifest.
    ///
    /// For an IstioGateway the API server never sees the field itself: ASM
    /// renders the Service. Whether ASM copies `externalTrafficPolicy` into a
    /// `ClusterIP` Service is not documented (S1, S4); if it does, that
    /// Service is rejected and the gateway is not exposed as configured, so
    /// this is a warning rather than an error.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: cluster-local-gateway
    ///   namespace: istio-system
    /// spec:
    ///   externalTrafficPolicy: Cluster
    ///   ports:
    ///   - name: http2
    ///     port: 80
    /// ```
    ///
    /// ## Fix
    /// `remove-external-traffic-policy` (safe): drop the field; a ClusterIP
    /// Service has no external traffic for it to govern. It is offered only
    /// when every Service rendered from that field is ClusterIP: an
    /// IstioGateway override that inherits it as a LoadBalancer keeps it.
    pub struct TrafficPolicyOnClusterIp {
        code: "ASM-CR-022",
        name: "traffic-policy-on-cluster-ip",
        title: "externalTrafficPolicy on a ClusterIP Service, which the API server rejects",
        title_zh: "ClusterIP 类型的 Service 上设置了 externalTrafficPolicy，API server 会拒绝",
        severity: Error,
        fix: Sometimes,
        sources: ["S180", "S1", "S4"],
    }
}

/// Removes `externalTrafficPolicy` where it has no effect.
const REMOVE_EXTERNAL_TRAFFIC_POLICY: FixId = FixId::new("remove-external-traffic-policy");

/// `spec.externalIPs` with at least one address: the Service is then
/// externally accessible and may carry the policy (S180).
fn has_external_ips(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> bool {
    let resource = &cx.resources[svc.resource];
    resource.get("/spec/externalIPs").is_some_and(|ips| !Node::items(ips).is_empty())
}

impl Rule for TrafficPolicyOnClusterIp {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            let Some(etp) = &svc.external_traffic_policy else { continue };
            if svc.effective_type() != "ClusterIP" {
                continue;
            }
            let plain = matches!(svc.origin, Origin::Service);
            // A docs snippet without `type` says nothing about the type.
            if plain && (has_external_ips(cx, svc) || (cx.snippets && svc.service_type.is_none())) {
                continue;
            }
            // The same field may feed an override that renders another type.
            let shared_with_external = cx.services.iter().any(|other| {
                other.resource == svc.resource
                    && other.external_traffic_policy.as_ref().is_some_and(|e| e.path == etp.path)
                    && other.effective_type() != "ClusterIP"
            });
            let name = svc.display_name();
            let field = etp.path.trim_start_matches('/').replace('/', ".");
            let value = etp.text().unwrap_or("");
            let mut draft = if plain {
                let message = cx.t(
                    format_args!("{field}: {value} on {name}, whose type is ClusterIP: the API server rejects it (may only be set for externally-accessible services)"),
                    format_args!("{name} 的类型为 ClusterIP，{field}: {value} 会被 API server 拒绝（只能用于可从外部访问的 Service）"),
                );
                Draft::new(&Self::META, svc.resource, etp.path.clone(), message)
            } else {
                let message = cx.t(
                    format_args!("{field}: {value} on {name}, whose serviceType is ClusterIP: the API server rejects the rendered Service if ASM copies the field into it"),
                    format_args!("{name} 的 serviceType 为 ClusterIP，{field}: {value}：若 ASM 把该字段复制到生成的 Service，API server 会拒绝该 Service"),
                );
                Draft::new(&Self::META, svc.resource, etp.path.clone(), message).severity(Severity::Warning).note(
                    Note::assumed(cx.t(
                        "ASM does not document whether it copies externalTrafficPolicy into a ClusterIP Service",
                        "ASM 未说明是否会把 externalTrafficPolicy 复制到 ClusterIP Service 中",
                    )),
                )
            };
            if !shared_with_external {
                draft = draft.fix(
                    Fix::new(
                        REMOVE_EXTERNAL_TRAFFIC_POLICY,
                        Applicability::Safe,
                        cx.t(format_args!("remove {field}"), format_args!("删除 {field}")),
                    )
                    .op(Op::remove(etp.path.clone()))
                    .tradeoff(cx.t(
                        "none: a ClusterIP Service has no external traffic to route",
                        "无：ClusterIP Service 没有外部流量需要路由",
                    )),
                );
            }
            out.push(draft);
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::engine::{check, Options};
    use crate::format::InputFormat;
    use crate::rules::test_support::*;

    const CLEAN: &str = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
";
    const BAD: &str = "apiVersion: v1
kind: Service
metadata: {name: cluster-local-gateway, namespace: istio-system}
spec:
  externalTrafficPolicy: Cluster # copied from the public gateway
  ports:
  - {name: http2, port: 80}
";

    fn markdown(text: &str) -> crate::report::Report {
        check(text, &Options { format: InputFormat::Markdown, ..Options::default() })
    }

    #[test]
    fn passes_load_balancers() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-CR-022"));
    }

    #[test]
    fn flags_default_cluster_ip_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-CR-022");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.message, "spec.externalTrafficPolicy: Cluster on istio-system/cluster-local-gateway, whose type is ClusterIP: the API server rejects it (may only be set for externally-accessible services)");
        assert_eq!(f.fixes[0].applicability, crate::rule::Applicability::Safe);
    }

    #[test]
    fn external_ips_make_the_policy_legal() {
        let with_ips = BAD.replace("  ports:\n", "  externalIPs: [198.51.100.7]\n  ports:\n");
        assert!(!codes(&check_with(&with_ips, &[])).contains(&"ASM-CR-022"));
        let empty = BAD.replace("  ports:\n", "  externalIPs: []\n  ports:\n");
        assert_eq!(only(&check_with(&empty, &[]), "ASM-CR-022").severity.as_str(), "error");
    }

    #[test]
    fn removal_keeps_the_rest() {
        let fixed = apply_fix(BAD, "remove-external-traffic-policy", &[]);
        assert_eq!(fixed, BAD.replace("  externalTrafficPolicy: Cluster # copied from the public gateway\n", ""));
    }

    #[test]
    fn istio_gateway_cluster_ip_is_a_warning() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: internal, namespace: istio-system}
spec:
  serviceType: ClusterIP
  externalTrafficPolicy: Local
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-CR-022");
        assert_eq!(f.severity.as_str(), "warning");
        assert!(f.message.contains("if ASM copies the field"), "{}", f.message);
        assert_eq!(
            apply_fix(text, "remove-external-traffic-policy", &[]),
            text.replace("  externalTrafficPolicy: Local\n", "")
        );
        // Without serviceType the gateway renders a LoadBalancer.
        assert!(!codes(&check_with(&text.replace("  serviceType: ClusterIP\n", ""), &[])).contains(&"ASM-CR-022"));
    }

    #[test]
    fn inherited_by_a_load_balancer_override_is_not_removed() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: gw, namespace: istio-system}
spec:
  serviceType: ClusterIP
  externalTrafficPolicy: Local
  overrides:
    c-public:
      serviceType: LoadBalancer
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-CR-022");
        assert_eq!(f.location.path, "/spec/externalTrafficPolicy");
        assert!(f.fixes.is_empty());
    }

    /// ACK's troubleshooting page shows such a partial Service for `kubectl edit`.
    #[test]
    fn a_docs_snippet_without_type_is_not_judged() {
        let snippet = "Edit the Service:\n\n```yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: nginx-ingress-lb\n  namespace: kube-system\nspec:\n  externalTrafficPolicy: Cluster\n```\n";
        assert!(!codes(&markdown(snippet)).contains(&"ASM-CR-022"));
        let typed = snippet.replace("spec:\n", "spec:\n  type: ClusterIP\n");
        assert_eq!(only(&markdown(&typed), "ASM-CR-022").severity.as_str(), "error");
        // The same block as a YAML file is a whole manifest: type defaults to ClusterIP.
        let yaml = &snippet[snippet.find("apiVersion").unwrap()..snippet.rfind("```").unwrap()];
        assert!(codes(&check_with(yaml, &[])).contains(&"ASM-CR-022"));
    }
}
