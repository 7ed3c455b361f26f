use crate::model::is_istio_gateway;
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Related, Rule, RuleContext};
use crate::yaml::pointer;

const REPLICAS_MANAGED: &str = "asm.alibabacloud.com/replicas-managed-by-asm";

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` when the input also holds a
    /// `HorizontalPodAutoscaler` whose `scaleTargetRef` is the Deployment ASM
    /// generates for it (`kind: Deployment`, `name: istio-<gateway name>`, same
    /// namespace, S3 S5) and the gateway lacks the annotation
    /// `asm.alibabacloud.com/replicas-managed-by-asm: "false"`.
    ///
    /// ## Why is this bad?
    /// ASM re-syncs the Deployment it renders: "Any manual changes to the replica
    /// count are overwritten during synchronization" (S5). An external HPA or
    /// CronHPA then fights the control plane and the replica count flaps. The
    /// annotation (ASM 1.19 and later) "tells the control plane to skip
    /// replica count synchronization for the gateway Deployment" (S5); the
    /// ASM API names it `REPLICAS_MANAGED_BY_ASM` (S4).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// ---
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata:
    ///   name: gw
    ///   namespace: istio-system
    /// spec:
    ///   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: istio-ingressgateway}
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    ///
    /// ## Fix
    /// Choose one:
    /// - `disable-asm-replica-sync` (unsafe): add the annotation with the string
    ///   `"false"` (ASM 1.19 and later); ASM then no longer reconciles replicas
    ///   at all.
    /// - `use-asm-autoscaling` (display-only): delete the external HPA and set
    ///   `minReplicas`, `maxReplicas` and `cpu.targetAverageUtilization` on the
    ///   IstioGateway.
    ///
    /// An unquoted `false` is a YAML boolean, which the API server rejects as an
    /// annotation value: `quote-annotation` (safe) quotes it.
    pub struct ExternalHpaFightsAsmReplicaSync {
        code: "ASM-HPA-014",
        name: "external-hpa-fights-asm-replica-sync",
        title: "an external HPA scales the gateway Deployment that ASM keeps re-syncing",
        title_zh: "外部 HPA 伸缩的网关 Deployment 会被 ASM 反复同步副本数",
        severity: Warning,
        fix: Always,
        sources: ["S3", "S4", "S5", "S16"],
    }
}

/// Sets `asm.alibabacloud.com/replicas-managed-by-asm: "false"` so ASM stops fighting an external HPA.
const DISABLE_ASM_REPLICA_SYNC: FixId = FixId::new("disable-asm-replica-sync");
/// Quotes the `replicas-managed-by-asm` annotation value so it is a string.
const QUOTE_ANNOTATION: FixId = FixId::new("quote-annotation");
/// Advice: delete the external HPA and set autoscaling on the IstioGateway.
const USE_ASM_AUTOSCALING: FixId = FixId::new("use-asm-autoscaling");

impl Rule for ExternalHpaFightsAsmReplicaSync {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        let topology = cx.topology;
        for (index, gateway) in cx.resources.iter().enumerate() {
            if !is_istio_gateway(gateway) {
                continue;
            }
            let Some(name) = gateway.name else { continue };
            let deployment = format!("istio-{name}");
            let hpas = topology.hpas_targeting(gateway.namespace.unwrap_or("default"), &deployment);
            let Some(&first) = hpas.first() else { continue };
            let annotation_path = pointer::push("/metadata/annotations", REPLICAS_MANAGED);
            let annotation = gateway.annotation(REPLICAS_MANAGED);
            let hpa_name = cx.resources[first].display_name();
            let gateway_name = gateway.display_name();
            let mut draft = match annotation {
                Some(value) if value.as_str() == Some("false") => continue,
                Some(value) if value.scalar_text() == Some("false") => Draft::new(
                    &Self::META,
                    index,
                    annotation_path.clone(),
                    cx.t(
                        format_args!("IstioGateway {gateway_name} writes {REPLICAS_MANAGED} as a YAML boolean; annotation values must be the string \"false\""),
                        format_args!("IstioGateway {gateway_name} 的 {REPLICAS_MANAGED} 写成了 YAML 布尔值；注解值必须是字符串 \"false\""),
                    ),
                )
                .fix(
                    Fix::new(
                        QUOTE_ANNOTATION,
                        Applicability::Safe,
                        cx.t(format_args!("quote the value: {REPLICAS_MANAGED}: \"false\""), format_args!("为值加引号：{REPLICAS_MANAGED}: \"false\"")),
                    )
                    .reveals()
                    .op(Op::replace(annotation_path.clone(), "false").quoted())
                    .tradeoff(cx.t("none: the intended value is kept", "无：保留原本想要的值")),
                ),
                _ => Draft::new(
                    &Self::META,
                    index,
                    annotation_path.clone(),
                    cx.t(
                        format_args!("HPA {hpa_name} scales {deployment}, but IstioGateway {gateway_name} has no {REPLICAS_MANAGED}: \"false\", so ASM re-syncs its replicas"),
                        format_args!("HPA {hpa_name} 伸缩 {deployment}，但 IstioGateway {gateway_name} 没有 {REPLICAS_MANAGED}: \"false\"，ASM 会反复同步其副本数"),
                    ),
                )
                .fix(
                    Fix::new(
                        DISABLE_ASM_REPLICA_SYNC,
                        Applicability::Unsafe,
                        cx.t(format_args!("add the annotation {REPLICAS_MANAGED}: \"false\""), format_args!("添加注解 {REPLICAS_MANAGED}: \"false\"")),
                    )
                    .op(Op::add(annotation_path.clone(), "false").quoted())
                    .tradeoff(cx.t("needs ASM 1.19 or later", "需要 ASM 1.19 及以上"))
                    .tradeoff(cx.t(
                        "ASM no longer reconciles the gateway's replicas at all: replicaCount and the ASM HPA settings stop applying",
                        "ASM 将不再管理网关副本数：replicaCount 和 ASM 的 HPA 配置都不再生效",
                    )),
                )
                .advice(
                    Advice::new(
                        USE_ASM_AUTOSCALING,
                        cx.t(
                            format_args!("delete HPA {hpa_name} and set minReplicas, maxReplicas and cpu.targetAverageUtilization on the IstioGateway"),
                            format_args!("删除 HPA {hpa_name}，改在 IstioGateway 上设置 minReplicas、maxReplicas 和 cpu.targetAverageUtilization"),
                        ),
                    )
                    .tradeoff(cx.t(
                        "ASM's autoscaling offers CPU and memory targets only",
                        "ASM 的自动伸缩只支持 CPU 和内存指标",
                    )),
                ),
            };
            for hpa in hpas {
                draft = draft.related(Related {
                    resource: hpa,
                    path: "/spec/scaleTargetRef/name".into(),
                    message: cx.t(format_args!("scales {deployment}"), format_args!("伸缩 {deployment}")),
                });
            }
            out.push(draft);
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const HPA: &str = "apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: gw-hpa, namespace: istio-system}
spec:
  minReplicas: 2
  maxReplicas: 10
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: istio-ingressgateway
";
    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
  labels:
    asm-gateway-type: ingress # from the console
spec:
  replicaCount: 2
";

    #[test]
    fn passes_with_the_annotation_or_without_an_hpa() {
        let annotated = GATEWAY.replace(
            "  labels:\n",
            "  annotations:\n    asm.alibabacloud.com/replicas-managed-by-asm: \"false\"\n  labels:\n",
        );
        assert!(!codes(&check_with(&format!("{annotated}---\n{HPA}"), &[])).contains(&"ASM-HPA-014"));
        assert!(!codes(&check_with(GATEWAY, &[])).contains(&"ASM-HPA-014"));
        let other_ns = HPA.replace("namespace: istio-system", "namespace: apps");
        assert!(!codes(&check_with(&format!("{GATEWAY}---\n{other_ns}"), &[])).contains(&"ASM-HPA-014"));
    }

    #[test]
    fn flags_the_gateway_with_the_hpa_related() {
        let clean = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: egress, namespace: istio-system}\n";
        let text = format!("{clean}---\n{HPA}---\n{GATEWAY}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-HPA-014");
        assert_eq!(f.location.document, 2);
        assert_eq!(f.severity.as_str(), "warning");
        assert!(f.message.starts_with(
            "HPA istio-system/gw-hpa scales istio-ingressgateway, but IstioGateway istio-system/ingressgateway has no"
        ));
        assert_eq!(f.related.len(), 1);
        assert_eq!(f.related[0].location.document, 1);
        assert_eq!(&text[f.related[0].location.span.start..f.related[0].location.span.end], "istio-ingressgateway");
    }

    #[test]
    fn fix_adds_a_quoted_annotation() {
        let text = format!("{GATEWAY}---\n{HPA}");
        let fixed = apply_fix(&text, "disable-asm-replica-sync", &[]);
        assert_eq!(
            fixed,
            text.replace(
                "    asm-gateway-type: ingress # from the console\n",
                "    asm-gateway-type: ingress # from the console\n  annotations:\n    asm.alibabacloud.com/replicas-managed-by-asm: \"false\"\n"
            )
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-HPA-014"));
    }

    #[test]
    fn unquoted_false_gets_quoted() {
        let gateway = GATEWAY.replace(
            "  labels:\n",
            "  annotations:\n    asm.alibabacloud.com/replicas-managed-by-asm: false\n  labels:\n",
        );
        let text = format!("{gateway}---\n{HPA}");
        let f = only(&check_with(&text, &[]), "ASM-HPA-014").clone();
        assert_eq!(f.fixes[0].id, "quote-annotation");
        let fixed = apply_fix(&text, "quote-annotation", &[]);
        assert_eq!(fixed, text.replace("by-asm: false", "by-asm: \"false\""));
    }
}
