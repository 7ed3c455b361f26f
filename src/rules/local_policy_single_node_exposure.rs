use serde_json::json;
use crate::diagnostic::Severity;
use crate::model::{Field, Resource, ServiceView};
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Related, Rule, RuleContext};
use crate::yaml::pointer;
use super::support::{exposed_placement, scope, Placement, HOSTNAME};

declare_rule! {
    /// ## What it does
    /// Flags a LoadBalancer gateway Service with `externalTrafficPolicy: Local`
    /// whose pods may all sit on one node: fewer than two replicas
    /// (`max(replicaCount, minReplicas)` of an IstioGateway; `replicas` or the
    /// HPA's `minReplicas`, summed over the Deployments behind a `v1 Service`),
    /// or no `affinity.podAntiAffinity` term (required or preferred, with a
    /// `topologyKey`; an empty `podAntiAffinity: {}` asks for nothing) nor a
    /// hostname topology spread on every Deployment. A `v1 Service` is only judged when its Deployments
    /// are in the input; an IstioGateway is judged from its own fields
    /// (replicaCount defaults to 1, S3).
    ///
    /// ## Why is this bad?
    /// "Local mode only uses nodes where pods are located as backend servers"
    /// (S14 `docs/usage.md`): with one replica, or all replicas on one node,
    /// a single node failure removes every CLB backend at once. That follows
    /// from the CCM's rule; no source states the outage itself. An info; a
    /// warning for objects labelled as production
    /// (`env`/`environment`/`stage`: `prod`/`production`).
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   externalTrafficPolicy: Local
    ///   replicaCount: 1
    /// ```
    ///
    /// ## Fix
    /// For an IstioGateway (both can be applied):
    /// - `spread-gateway-pods` (unsafe), one fix for both conditions (fixing
    ///   only one leaves the finding): `replicaCount` (and
    ///   `minReplicas`/`maxReplicas` where set below) to 2, and a *preferred*
    ///   anti-affinity (`affinity` is an IstioGateway field, S4) on
    ///   `kubernetes.io/hostname` for `istio: <name>`. That label is assumed:
    ///   ASM does not document its gateway pods' labels, and Istio's own
    ///   gateway chart labels its pods `istio: ingressgateway` (S34). More
    ///   resources, and `required…` could leave pods Pending on small clusters.
    ///
    /// For a `v1 Service` the same advice, display-only, on its Deployment.
    pub struct LocalPolicySingleNodeExposure {
        code: "ASM-HA-011",
        name: "local-policy-single-node-exposure",
        title: "externalTrafficPolicy: Local with gateway pods that may all be on one node",
        title_zh: "externalTrafficPolicy: Local 时网关 Pod 可能全部位于同一节点",
        severity: Info,
        fix: Sometimes,
        sources: ["S3", "S4", "S14", "S34"],
    }
}

/// Runs at least 2 gateway replicas spread over nodes; advice where it cannot be written.
const SPREAD_GATEWAY_PODS: FixId = FixId::new("spread-gateway-pods");

fn is_production(resource: &Resource<'_>) -> bool {
    let Some(labels) = resource.get("/metadata/labels") else { return false };
    labels.string_map().any(|(k, v)| {
        matches!(k, "env" | "environment" | "stage" | "app.kubernetes.io/environment")
            && v.scalar_text().is_some_and(|v| matches!(v.to_ascii_lowercase().as_str(), "prod" | "production" | "prd"))
    })
}

impl Rule for LocalPolicySingleNodeExposure {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.effective_type() != "LoadBalancer" || svc.effective_etp() != "Local" {
                continue;
            }
            let Some(etp) = &svc.external_traffic_policy else { continue };
            if svc.gateway.is_none() {
                continue;
            }
            let Some(placement) = exposed_placement(cx, svc) else { continue };
            // An override that changes none of these fields repeats its base.
            let mut key = vec![etp.path.as_str()];
            if let Some(fields) = &placement.fields {
                key.extend(fields.iter().map(|f| f.as_ref().map_or("", |f| f.path.as_str())));
            }
            out.push(finding(cx, svc, &etp.path, &placement).once_per(&key));
        }
    }
}

fn finding(cx: &RuleContext<'_>, svc: &ServiceView<'_>, etp_path: &str, p: &Placement<'_>) -> Draft {
    let name = svc.display_name();
    let scope = scope(cx, svc);
    let (why_en, why_zh) = match (p.replicas < 2, p.spread) {
        (true, _) => (format!("{} replica", p.replicas), format!("{} 个副本", p.replicas)),
        (false, false) => ("no pod anti-affinity".to_owned(), "没有 Pod 反亲和性".to_owned()),
        (false, true) => unreachable!("filtered before"),
    };
    let message = cx.t(
        format_args!("{name}{scope} has spec.externalTrafficPolicy: Local and {why_en}, so one node failure can remove every load balancer backend"),
        format_args!("{name}{scope} 设置了 spec.externalTrafficPolicy: Local 且只有{why_zh}，一个节点故障即可使负载均衡失去全部后端"),
    );
    let production = p.tagged.iter().any(|r| is_production(&cx.resources[*r]));

    let mut draft = Draft::new(&LocalPolicySingleNodeExposure::META, svc.resource, etp_path.to_owned(), message)
        .label(cx.t("only nodes running gateway pods are CLB backends", "只有运行网关 Pod 的节点才是 CLB 后端"));
    if p.replicas >= 2 {
        draft = draft.note(cx.t(
            "the default scheduler spreads a Service's pods over nodes only as a preference; nothing here requires it",
            "默认调度器只是尽量把同一 Service 的 Pod 分散到不同节点；这里没有任何配置要求这样做",
        ));
    }
    if production {
        draft = draft.severity(Severity::Warning).note(cx.t(
            "labelled as production, so a single-node outage matters: warning",
            "已标记为生产环境，单节点故障影响较大：警告",
        ));
    }
    for (resource, path) in &p.related {
        let what = cx.resources[*resource].kind;
        draft = draft.related(Related {
            resource: *resource,
            path: path.clone(),
            message: cx.t(format_args!("the gateway pods' {what}"), format_args!("网关 Pod 的 {what}")),
        });
    }
    match &p.fields {
        Some(fields) => istio_gateway_fixes(cx, svc, p, fields, draft),
        None => {
            let workload = p.workload.clone().unwrap_or_default();
            draft.advice(
                Advice::new(
                    SPREAD_GATEWAY_PODS,
                    cx.t(
                        format_args!(
                            "run at least 2 replicas of {workload} with a preferred pod anti-affinity on {HOSTNAME}"
                        ),
                        format_args!(
                            "为 {workload} 运行至少 2 个副本，并设置基于 {HOSTNAME} 的 preferred Pod 反亲和性"
                        ),
                    ),
                )
                .tradeoff(cx.t("more resources for the extra replica", "额外副本需要更多资源")),
            )
        }
    }
}

fn istio_gateway_fixes(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    p: &Placement<'_>,
    [count, min, max, affinity]: &[Option<Field<'_>>; 4],
    mut draft: Draft,
) -> Draft {
    // One fix for both conditions: fixing only one leaves the finding.
    let label = p.workload.clone().unwrap_or_default();
    let mut fix = Fix::new(
        SPREAD_GATEWAY_PODS,
        Applicability::Unsafe,
        cx.t(
            format_args!("run at least 2 gateway replicas and prefer spreading them (istio: {label}) over nodes"),
            format_args!("运行至少 2 个网关副本，并使其（istio: {label}）尽量分布在不同节点"),
        ),
    );
    if p.replicas < 2 {
        fix = match count {
            Some(f) => fix.op(Op::replace(f.path.clone(), 2)),
            None => fix.op(Op::add(pointer::push(&svc.spec_path, "replicaCount"), 2)),
        };
        for field in [min, max].into_iter().flatten() {
            if field.node.as_i64().is_some_and(|v| v < 2) {
                fix = fix.op(Op::replace(field.path.clone(), 2));
            }
        }
        fix = fix.tradeoff(cx.t("one more gateway pod: more CPU and memory", "多一个网关 Pod：需要更多 CPU 和内存"));
    }
    if !p.spread {
        let parent = affinity.as_ref().map_or_else(|| pointer::push(&svc.spec_path, "affinity"), |a| a.path.clone());
        let term = json!({
            "preferredDuringSchedulingIgnoredDuringExecution": [{
                "weight": 100,
                "podAffinityTerm": {
                    "topologyKey": HOSTNAME,
                    "labelSelector": {"matchLabels": {"istio": label}},
                },
            }],
        });
        fix = fix
            .op(Op::add(pointer::push(&parent, "podAntiAffinity"), term))
            .tradeoff(cx.t(
                "assumed [M]: ASM labels the gateway pods istio: <gateway name>",
                "假定 [M]：ASM 为网关 Pod 添加标签 istio: <网关名称>",
            ))
            .tradeoff(cx.t(
                "preferred only: on a one-node cluster the pods still share the node (required… could leave them Pending)",
                "仅为 preferred：单节点集群上 Pod 仍会在同一节点（required… 可能导致 Pod Pending）",
            ));
    }
    draft = draft.fix(fix);
    draft
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const CLEAN: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: a, namespace: istio-system}
spec:
  externalTrafficPolicy: Local
  replicaCount: 2
  affinity:
    podAntiAffinity:
      preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector: {matchLabels: {istio: a}}
";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  externalTrafficPolicy: Local # keep client IPs
  minReplicas: 1
  maxReplicas: 5
";

    #[test]
    fn a_templated_replica_count_is_unknown_not_one() {
        let templated = BAD.replace("minReplicas: 1", "minReplicas: {{ .Values.minReplicas }}");
        assert!(!codes(&check_with(&templated, &[])).contains(&"ASM-HA-011"));
        let quoted = BAD.replace("minReplicas: 1", "replicaCount: \"{{ .Values.replicas }}\"");
        assert!(!codes(&check_with(&quoted, &[])).contains(&"ASM-HA-011"));
    }

    #[test]
    fn passes_two_spread_replicas_and_cluster_policy() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-HA-011"));
        let cluster = BAD.replace("Local", "Cluster");
        assert!(!codes(&check_with(&cluster, &[])).contains(&"ASM-HA-011"));
    }

    #[test]
    fn flags_a_single_replica_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-HA-011");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.message, "istio-system/istio-ingressgateway has spec.externalTrafficPolicy: Local and 1 replica, so one node failure can remove every load balancer backend");
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["spread-gateway-pods"]);
    }

    #[test]
    fn an_empty_anti_affinity_does_not_spread() {
        let empty = CLEAN.split("    podAntiAffinity:").next().unwrap().to_owned() + "    podAntiAffinity: {}\n";
        let f = only(&check_with(&empty, &[]), "ASM-HA-011").clone();
        assert!(f.message.contains("no pod anti-affinity"), "{}", f.message);
        let deployment = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {istio: ingressgateway}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  replicas: 3
  template:
    metadata:
      labels: {istio: ingressgateway}
    spec:
      affinity:
        podAntiAffinity: {}
";
        assert!(codes(&check_with(deployment, &[])).contains(&"ASM-HA-011"));
        let required = deployment.replace(
            "podAntiAffinity: {}",
            "podAntiAffinity:\n          requiredDuringSchedulingIgnoredDuringExecution:\n          - topologyKey: kubernetes.io/hostname",
        );
        assert!(!codes(&check_with(&required, &[])).contains(&"ASM-HA-011"));
    }

    #[test]
    fn production_label_raises_to_warning() {
        let text =
            BAD.replace("  namespace: istio-system\n", "  namespace: istio-system\n  labels: {env: production}\n");
        assert_eq!(only(&check_with(&text, &[]), "ASM-HA-011").severity.as_str(), "warning");
    }

    #[test]
    fn one_fix_raises_replicas_and_adds_anti_affinity() {
        let fixed = apply_fix(BAD, "spread-gateway-pods", &[]);
        assert_eq!(
            fixed,
            format!(
                "{}  replicaCount: 2\n  affinity:\n    podAntiAffinity:\n      preferredDuringSchedulingIgnoredDuringExecution:\n        - weight: 100\n          podAffinityTerm:\n            topologyKey: kubernetes.io/hostname\n            labelSelector:\n              matchLabels:\n                istio: ingressgateway\n",
                BAD.replace("  minReplicas: 1\n", "  minReplicas: 2\n")
            )
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-HA-011"));
    }

    #[test]
    fn plain_service_is_judged_from_its_deployment_and_hpa() {
        let text = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {app: istio-ingressgateway, istio: ingressgateway}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  replicas: 3
  template:
    metadata:
      labels: {app: istio-ingressgateway, istio: ingressgateway}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  minReplicas: 1
  maxReplicas: 5
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: istio-ingressgateway}
";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-HA-011");
        assert!(f.message.contains("1 replica"), "{}", f.message);
        assert_eq!(f.related.len(), 2);
        assert_eq!(f.related[0].location.document, 1);
        assert_eq!(f.related[1].location.document, 2);
        assert_eq!(f.related[1].location.path, "/spec/minReplicas");
        assert_eq!(f.fixes[0].id, "spread-gateway-pods");

        // Without the Deployment in the input nothing is assumed.
        let service_only = text.split("---").next().unwrap();
        assert!(!codes(&check_with(service_only, &[])).contains(&"ASM-HA-011"));
    }
}
