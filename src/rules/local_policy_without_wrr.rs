use crate::diagnostic::Severity;
use crate::model::anti_affinity::spreads_pods;
use crate::model::{istio_spec_field, selected_deployments, Origin, ServiceView, ALIBABA_PREFIX};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use crate::yaml::Node;
use super::support::{annotation_path, owner, reports_local_without_wrr};

declare_rule! {
    /// ## What it does
    /// Flags a CLB `LoadBalancer` Service or IstioGateway with
    /// `externalTrafficPolicy: Local`, node backends (no `backend-type: eni`),
    /// and a listener scheduler that ignores weights: no
    /// `alibaba-cloud-loadbalancer-scheduler` (the CCM default is `rr`), `rr`,
    /// or a hashing scheduler (`sch`, `tch`, `qch`). A `v1 Service` counts only
    /// when the Alibaba Cloud CCM is known to run it: a CCM annotation, an
    /// `alibabacloud.com/` class, `--ccm-version` or a Terway CNI (an
    /// ingress-nginx manifest for another cloud gets no CLB advice).
    ///
    /// ## Why is this bad?
    /// In Local mode the CCM attaches only nodes running a gateway pod and
    /// weights each by its number of pods (S10, S14). A round-robin listener
    /// ignores the weights: a node with one pod gets as many connections as a
    /// node with three. ACK: "Local mode requires setting the scheduling policy
    /// to weighted round-robin (wrr)" (S8). `wlc` (weighted least connections)
    /// is in the 2021 ACK reference and the CCM's usage.md, but the current CLB
    /// documentation lists only round-robin, weighted round-robin and
    /// consistent hashing (S122), so it is not taken as weight-honouring: the
    /// rule reports it, and ASM-ANN-037 warns that the CLB may reject it.
    ///
    /// | context | severity |
    /// |---|---|
    /// | default | info |
    /// | more than one replica (summed over the Deployments behind a `v1 Service`) and no pod anti-affinity term with a `topologyKey` on each (pods likely share nodes; an empty `podAntiAffinity: {}` asks for nothing) | warning |
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
    ///   replicaCount: 3
    /// ```
    ///
    /// ## Fix
    /// `set-wrr-scheduler`: `alibaba-cloud-loadbalancer-scheduler: "wrr"` —
    /// safe when the scheduler is unset or `rr`; unsafe over a hashing
    /// scheduler, whose source-IP affinity it gives up.
    pub struct LocalPolicyWithoutWrr {
        code: "ASM-LB-010",
        name: "local-policy-without-wrr",
        title: "Local mode without the wrr scheduler",
        title_zh: "Local 模式未使用 wrr 调度算法",
        severity: Info,
        fix: Always,
        sources: ["S8", "S10", "S14", "S122"],
    }
}

/// Sets the CLB scheduler to `wrr`, which honours node weights.
const SET_WRR_SCHEDULER: FixId = FixId::new("set-wrr-scheduler");

impl Rule for LocalPolicyWithoutWrr {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.effective_etp() != "Local" || !reports_local_without_wrr(cx, svc, svc.backend_type()) {
                continue;
            }
            let Some(etp) = &svc.external_traffic_policy else { continue };
            let scheduler = svc.lb_annotation("scheduler");
            let current = scheduler.and_then(|f| f.text());
            let who = owner(cx, svc);
            let shown = current.unwrap_or("rr (default)");
            let message = cx.t(
                format_args!("{who} uses externalTrafficPolicy: Local with the {shown} scheduler, which ignores the per-node pod-count weights"),
                format_args!("{who} 使用 externalTrafficPolicy: Local，但调度算法为 {shown}，会忽略按节点 Pod 数设置的权重"),
            );
            let path = scheduler.map_or_else(|| etp.path.clone(), |f| f.path.clone());
            // Each rendering has its own pods (an override's replicaCount): one finding each.
            let mut draft = Draft::new(&Self::META, svc.resource, path, message).once_per(&[&svc.spec_path]);
            if let Some(reason) = pods_likely_share_nodes(cx, svc) {
                draft = draft.severity(Severity::Warning).note(reason);
            }
            let hashing = matches!(current, Some("sch" | "tch" | "qch"));
            let wlc = current == Some("wlc");
            let key = format!("{ALIBABA_PREFIX}scheduler");
            let mut fix = Fix::new(
                SET_WRR_SCHEDULER,
                if hashing || wlc { Applicability::Unsafe } else { Applicability::Safe },
                cx.t(format_args!("set {key}: \"wrr\""), format_args!("设置 {key}: \"wrr\"")),
            );
            fix = match scheduler {
                Some(f) => fix.op(Op::replace(f.path.clone(), "wrr").quoted()),
                None => fix.op(Op::add(annotation_path(svc, &key), "wrr").quoted()),
            };
            fix = fix.tradeoff(cx.t(
                "connections spread per pod instead of per node; existing connections stay where they are",
                "连接按 Pod 而不是按节点分配；已有连接不受影响",
            ));
            if wlc {
                fix = fix.tradeoff(cx.t(
                    "wlc sends new connections to the backend with the fewest per weight; wrr spreads them by weight alone",
                    "wlc 把新连接发往按权重计连接数最少的后端；wrr 只按权重分配",
                ));
            }
            if hashing {
                fix = fix.tradeoff(cx.t(
                    format_args!("{shown} keeps a client on one backend; wrr does not"),
                    format_args!("{shown} 会把同一客户端固定到同一后端；wrr 不会"),
                ));
            }
            // On a reused CLB without force-override-listeners the CCM ignores it (ASM-ANN-039).
            if super::support::warns_once_listener_set(svc) {
                fix = fix.introduces("ASM-ANN-039");
            }
            fix.recommended = true;
            out.push(draft.fix(fix));
        }
    }
}

/// Why pods probably share nodes, when they do: more than one replica and no
/// pod anti-affinity to spread them.
fn pods_likely_share_nodes(cx: &RuleContext<'_>, svc: &ServiceView<'_>) -> Option<String> {
    let resource = &cx.resources[svc.resource];
    let (replicas, spread) = if matches!(svc.origin, Origin::IstioGateway { .. }) {
        let count = |key: &str| istio_spec_field(resource, svc, key).and_then(|f| f.node.as_i64()).unwrap_or(0);
        let replicas = count("replicaCount").max(count("minReplicas"));
        let spread = spreads_pods(istio_spec_field(resource, svc, "affinity").map(|f| f.node));
        (replicas, spread)
    } else {
        // Every Deployment behind the Service adds its pods (`replicas` defaults
        // to 1), and pods are only spread when every Deployment spreads them.
        let deployments = selected_deployments(cx.resources, svc.resource);
        let replicas = deployments
            .iter()
            .map(|i| cx.resources[*i].get("/spec/replicas").and_then(Node::as_i64).unwrap_or(1))
            .sum();
        let spread = deployments.iter().all(|i| {
            let spec = cx.resources[*i].get("/spec/template/spec");
            spec.is_some_and(|s| spreads_pods(s.get("affinity")) || s.get("topologySpreadConstraints").is_some())
        });
        (replicas, spread)
    };
    (replicas > 1 && !spread).then(|| {
        cx.t(
            format_args!(
                "{replicas} replicas without pod anti-affinity: nodes likely host different numbers of gateway pods"
            ),
            format_args!("{replicas} 个副本且没有 Pod 反亲和：各节点上的网关 Pod 数很可能不同"),
        )
    })
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Applicability;
    use crate::rules::test_support::*;

    const GW: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  externalTrafficPolicy: Local
  replicaCount: 3
";

    #[test]
    fn fires_and_adds_wrr() {
        let r = check_with(GW, &[]);
        let f = only(&r, "ASM-LB-010");
        assert_eq!(f.severity.as_str(), "warning");
        assert_eq!(f.fixes[0].applicability, Applicability::Safe);
        let fixed = apply_fix(GW, "set-wrr-scheduler", &[]);
        assert_eq!(
            fixed,
            format!("{GW}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: \"wrr\"\n")
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-LB-010"));
    }

    #[test]
    fn info_when_spread_and_unsafe_over_hashing() {
        let spread = format!("{GW}  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n      - topologyKey: kubernetes.io/hostname\n");
        assert_eq!(only(&check_with(&spread, &[]), "ASM-LB-010").severity.as_str(), "info");
        // An empty podAntiAffinity asks the scheduler for nothing.
        let empty = format!("{GW}  affinity:\n    podAntiAffinity: {{}}\n");
        assert_eq!(only(&check_with(&empty, &[]), "ASM-LB-010").severity.as_str(), "warning");
        let sch = format!("{GW}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: sch # affinity\n");
        let r = check_with(&sch, &[]);
        assert_eq!(only(&r, "ASM-LB-010").fixes[0].applicability, Applicability::Unsafe);
        assert_eq!(apply_fix(&sch, "set-wrr-scheduler", &[]), sch.replace("sch #", "\"wrr\" #"));
    }

    #[test]
    fn wlc_is_not_taken_as_weighted() {
        let wlc = format!(
            "{GW}  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wlc\n"
        );
        let r = check_with(&wlc, &[]);
        let fix = &only(&r, "ASM-LB-010").fixes[0];
        assert_eq!(fix.applicability, Applicability::Unsafe);
        assert!(fix.tradeoffs.iter().any(|t| t.contains("fewest")), "{:?}", fix.tradeoffs);
        assert!(!fix.tradeoffs.iter().any(|t| t.contains("one backend")), "{:?}", fix.tradeoffs);
    }

    #[test]
    fn quiet_cases() {
        for extra in [
            "  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wrr\n",
            "  serviceAnnotations:\n    service.beta.kubernetes.io/backend-type: eni\n",
            "  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: WRR\n",
            "  loadBalancerClass: alibabacloud.com/nlb\n",
        ] {
            assert!(!codes(&check_with(&format!("{GW}{extra}"), &[])).contains(&"ASM-LB-010"), "{extra}");
        }
        // Not an Alibaba Service: nothing to say about CLB schedulers.
        let aws = "apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {type: LoadBalancer, externalTrafficPolicy: Local}\n";
        assert!(!codes(&check_with(aws, &[])).contains(&"ASM-LB-010"));
        assert!(codes(&check_with(aws, &[("ccmVersion", "v2.9.0")])).contains(&"ASM-LB-010"));
        let stream = format!("{aws}---\n{GW}");
        assert_eq!(only(&check_with(&stream, &[]), "ASM-LB-010").location.document, 1);
    }

    /// istioctl's golden output (corpus): two Deployments without `replicas`
    /// behind one Service are two pods that may share a node.
    #[test]
    fn counts_the_pods_of_every_deployment_behind_a_service() {
        let svc = "apiVersion: v1
kind: Service
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  type: LoadBalancer
  externalTrafficPolicy: Local
  selector: {istio: ingressgateway}
";
        let deployment = |name: &str, extra: &str| {
            format!(
                "apiVersion: apps/v1
kind: Deployment
metadata: {{name: {name}, namespace: istio-system}}
spec:
  template:
    metadata:
      labels: {{istio: ingressgateway}}
    spec:
      containers: [{{name: istio-proxy}}]
{extra}"
            )
        };
        let ccm = [("ccmVersion", "v2.9.0")];
        let one = format!("{svc}---\n{}", deployment("a", ""));
        assert_eq!(only(&check_with(&one, &ccm), "ASM-LB-010").severity.as_str(), "info");
        let two = format!("{one}---\n{}", deployment("b", ""));
        assert_eq!(only(&check_with(&two, &ccm), "ASM-LB-010").severity.as_str(), "warning");
        let anti = "      affinity:\n        podAntiAffinity:\n          preferredDuringSchedulingIgnoredDuringExecution:\n          - weight: 100\n            podAffinityTerm: {topologyKey: kubernetes.io/hostname}\n";
        let one_spread = format!("{one}---\n{}", deployment("b", anti));
        assert_eq!(only(&check_with(&one_spread, &ccm), "ASM-LB-010").severity.as_str(), "warning");
        let both_spread = format!("{svc}---\n{}---\n{}", deployment("a", anti), deployment("b", anti));
        assert_eq!(only(&check_with(&both_spread, &ccm), "ASM-LB-010").severity.as_str(), "info");
        let empty = "      affinity:\n        podAntiAffinity: {}\n";
        let both_empty = format!("{svc}---\n{}---\n{}", deployment("a", empty), deployment("b", empty));
        assert_eq!(only(&check_with(&both_empty, &ccm), "ASM-LB-010").severity.as_str(), "warning");
    }
}
