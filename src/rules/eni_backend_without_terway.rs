use crate::context::Cni;
use crate::diagnostic::Severity;
use crate::model::{Field, ServiceView, BACKEND_TYPE};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Remedy, Rule, RuleContext};
use super::support::{proxy_protocol_on, reports_cluster_policy};
use super::support::scope;
use super::support::reports_local_lb_access;
use super::support::reports_local_without_wrr;

declare_rule! {
    /// ## What it does
    /// Flags a `LoadBalancer` Service (a `v1 Service`, or the Service an ASM
    /// `IstioGateway` renders from `spec.serviceAnnotations`) annotated with
    /// `service.beta.kubernetes.io/backend-type: eni` when the cluster is not
    /// known to run Terway.
    ///
    /// ## Why is this bad?
    /// With `eni` the CCM attaches pod IPs, not nodes, to the CLB's vServer
    /// group. ACK documents that `eni` "takes effect only in Terway mode"
    /// (S8; its 2021 text, S39). On Flannel, pod IPs are not VPC addresses:
    /// the CCM skips them ("Not sync pods [...] whose ip is not in vpc cidrs",
    /// S14) and the CLB ends up with no backends, so the Service is
    /// unreachable through it. ACK's troubleshooting table lists the error
    /// `can not find eniid for ip` for this case: "Flannel网络模式不支持ENI模式",
    /// remove the annotation (S11).
    ///
    /// The module cannot see the CNI offline, so the severity follows the
    /// context: **info** when the CNI is unknown (on Terway ENI/ENIIP the
    /// annotation is right, and on Terway clusters created after 2020-08-10 it
    /// is even the default, S39); **error** with `--cni flannel`; no finding
    /// with a Terway CNI. With another known CNI (Cilium kube-proxy
    /// replacement) it stays info: whether its pod IPs are VPC addresses
    /// depends on its IPAM mode.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   serviceAnnotations:
    ///     service.beta.kubernetes.io/backend-type: "eni"   # on a Flannel cluster
    /// ```
    ///
    /// ## Fix
    /// - `set-ecs-backend` (unsafe): set the annotation to `"ecs"`, so nodes
    ///   are attached whatever the CCM's default is.
    /// - `remove-backend-type` (unsafe): drop the annotation and take the CCM's
    ///   default (`ecs` on Flannel, S39), ACK's own fix (S11).
    ///
    /// Either way node backends bring `externalTrafficPolicy` back into play:
    /// `Cluster` SNATs client IPs (ASM-LB-005), `Local` restricts in-cluster
    /// access to the load balancer address (ASM-LB-001).
    pub struct EniBackendWithoutTerway {
        code: "ASM-LB-002",
        name: "eni-backend-without-terway",
        title: "ENI backend annotation on a cluster that may not run Terway",
        title_zh: "非 Terway 集群上使用 ENI 后端注解",
        severity: Info,
        fix: Always,
        sources: ["S8", "S11", "S14", "S39"],
    }
}

/// Removes the `backend-type` annotation.
const REMOVE_BACKEND_TYPE: FixId = FixId::new("remove-backend-type");
/// Sets `backend-type: "ecs"`.
const SET_ECS_BACKEND: FixId = FixId::new("set-ecs-backend");

impl Rule for EniBackendWithoutTerway {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            if svc.effective_type() != "LoadBalancer" || cx.cluster.cni.is_some_and(Cni::is_terway) {
                continue;
            }
            let Some(annotation) = svc.annotation(BACKEND_TYPE).filter(|f| f.text() == Some("eni")) else {
                continue;
            };
            let (severity, note) = assess(cx);
            let name = svc.display_name();
            let scope = scope(cx, svc);
            let message = cx.t(
                format_args!(
                    "{BACKEND_TYPE}: eni on {name}{scope} only works with Terway; on Flannel the CLB gets no backends"
                ),
                format_args!("{name}{scope} 的 {BACKEND_TYPE}: eni 只在 Terway 下有效；在 Flannel 上 CLB 将没有后端"),
            );
            let mut draft = Draft::new(&Self::META, svc.resource, annotation.path.clone(), message)
                .severity(severity)
                .note(note)
                .label(cx.t("pod IPs are attached to the CLB directly", "Pod IP 会被直接挂载到 CLB"));
            draft.remedies = fixes(cx, svc, annotation);
            out.push(draft);
        }
    }
}

fn assess(cx: &RuleContext<'_>) -> (Severity, Note) {
    match cx.cluster.cni {
        Some(Cni::Flannel) => (
            Severity::Error,
            cx.t(
                "Flannel pod IPs are outside the VPC CIDR: the CCM skips them and the CLB has no backends (S14)",
                "Flannel 的 Pod IP 不在 VPC 网段内：CCM 会跳过它们，CLB 没有后端（S14）",
            ).into(),
        ),
        Some(_) => (
            Severity::Info,
            Note::assumed(cx.t(
                "this CNI's pod IPs may not be VPC addresses; the CLB only gets backends if they are",
                "该 CNI 的 Pod IP 可能不是 VPC 地址；只有是 VPC 地址时 CLB 才有后端",
            )),
        ),
        None => (
            Severity::Info,
            Note::assumed(cx.t(
                "the CNI is unknown; with Terway ENI/ENIIP the annotation is right, with Flannel it is an error (--cni tells)",
                "CNI 未知；Terway ENI/ENIIP 下该注解正确，Flannel 下则是错误（可用 --cni 指定）",
            )),
        ),
    }
}

/// What nodes as backends bring back: the findings of externalTrafficPolicy
/// that ENI backends made moot, which the fix must declare.
fn with_node_backend_findings(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    backend_type: Option<&str>,
    mut fix: Fix,
) -> Fix {
    let etp = svc.effective_etp();
    let local = etp == "Local";
    let findings = [
        ("ASM-LB-005", etp == "Cluster" && reports_cluster_policy(cx, svc, backend_type, proxy_protocol_on(svc))),
        ("ASM-LB-001", local && reports_local_lb_access(svc, backend_type)),
        ("ASM-LB-010", local && reports_local_without_wrr(cx, svc, backend_type)),
    ];
    for (code, _) in findings.iter().filter(|(_, comes)| *comes) {
        fix = fix.introduces(code);
    }
    fix
}

fn fixes(cx: &RuleContext<'_>, svc: &ServiceView<'_>, annotation: &Field<'_>) -> Vec<Remedy> {
    let node_backends = cx.t(
        "nodes become the CLB backends: externalTrafficPolicy applies again (Cluster SNATs client IPs, ASM-LB-005; Local restricts in-cluster access, ASM-LB-001)",
        "节点成为 CLB 后端：externalTrafficPolicy 重新生效（Cluster 会 SNAT 客户端 IP，见 ASM-LB-005；Local 会限制集群内访问，见 ASM-LB-001）",
    );
    let flannel = cx.cluster.cni == Some(Cni::Flannel);
    let ecs = Fix::new(
        SET_ECS_BACKEND,
        Applicability::Unsafe,
        cx.t(format_args!("set {BACKEND_TYPE}: \"ecs\""), format_args!("将 {BACKEND_TYPE} 设为 \"ecs\"")),
    )
    .op(Op::replace(annotation.path.clone(), "ecs").quoted())
    .tradeoff(node_backends.clone())
    .tradeoff(cx.t(
        "explicit: nodes are attached even where the CCM's default is ENI",
        "显式指定：即使 CCM 默认使用 ENI，也会挂载节点",
    ));
    let mut ecs = with_node_backend_findings(cx, svc, Some("ecs"), ecs);
    ecs.recommended = flannel;
    let remove = Fix::new(
        REMOVE_BACKEND_TYPE,
        Applicability::Unsafe,
        cx.t(format_args!("remove the {BACKEND_TYPE} annotation"), format_args!("删除 {BACKEND_TYPE} 注解")),
    )
    .op(Op::remove(annotation.path.clone()))
    .tradeoff(node_backends)
    .tradeoff(cx.t(
        "takes the CCM's default backend type: ecs on Flannel, ENI on Terway clusters created after 2020-08-10",
        "使用 CCM 默认的后端类型：Flannel 上为 ecs，2020-08-10 之后创建的 Terway 集群上为 ENI",
    ));
    // Judged on the Service without the annotation: it may have been the only
    // sign that the Service is Alibaba Cloud's (`ServiceView::provider`).
    let mut without = svc.clone();
    without.annotations.retain(|(key, _)| *key != BACKEND_TYPE);
    let remove = with_node_backend_findings(cx, &without, None, remove);
    vec![ecs.into(), remove.into()]
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    #[test]
    fn removing_the_only_alibaba_annotation_brings_no_wrr_finding() {
        // Without backend-type nothing marks the Service as Alibaba's: ASM-LB-010 stays silent.
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: gw\n  namespace: istio-system\n  annotations:\n    service.beta.kubernetes.io/backend-type: \"eni\"\nspec:\n  type: LoadBalancer\n  externalTrafficPolicy: Local\n";
        let report = check_with(text, &[]);
        let remove = only(&report, "ASM-LB-002").fixes.iter().find(|f| f.id == "remove-backend-type").unwrap();
        assert!(!remove.introduces.contains(&"ASM-LB-010"), "{:?}", remove.introduces);
        let fixed = apply_fix(text, "remove-backend-type", &[]);
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-LB-010"));
    }

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  serviceAnnotations:
    service.beta.kubernetes.io/backend-type: \"eni\"   # pod backends
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec: slb.s1.small
  overrides:
    c1:
      replicaCount: 3
";

    #[test]
    fn severity_follows_the_cni_and_overrides_do_not_repeat_it() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-LB-002");
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.location.path, "/spec/serviceAnnotations/service.beta.kubernetes.io~1backend-type");
        assert_eq!(&GATEWAY[f.location.span.start..f.location.span.end], "\"eni\"");
        assert!(f
            .message
            .starts_with("service.beta.kubernetes.io/backend-type: eni on istio-system/istio-ingressgateway"));
        let flannel = check_with(GATEWAY, &[("cni", "flannel")]);
        let f = only(&flannel, "ASM-LB-002");
        assert_eq!(f.severity.as_str(), "error");
        assert!(f.fixes.iter().find(|x| x.recommended).is_some_and(|x| x.id == "set-ecs-backend"));
        assert!(!codes(&check_with(GATEWAY, &[("cni", "terway-eniip")])).contains(&"ASM-LB-002"));
    }

    #[test]
    fn quiet_without_eni_or_without_a_load_balancer() {
        let ecs = GATEWAY.replace("\"eni\"", "\"ecs\"");
        assert!(!codes(&check_with(&ecs, &[])).contains(&"ASM-LB-002"));
        let cluster_ip = format!("{GATEWAY}  serviceType: ClusterIP\n");
        assert!(!codes(&check_with(&cluster_ip, &[])).contains(&"ASM-LB-002"));
    }

    #[test]
    fn a_clean_first_document_does_not_hide_the_second() {
        let text = format!(
            "apiVersion: v1\nkind: Service\nmetadata: {{name: web}}\nspec: {{type: LoadBalancer}}\n---\n{}",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  annotations: {service.beta.kubernetes.io/backend-type: eni}\nspec:\n  type: LoadBalancer\n"
        );
        let report = check_with(&text, &[("cni", "flannel")]);
        let f = only(&report, "ASM-LB-002");
        assert_eq!(f.location.document, 1);
        let fixed = apply_fix(&text, "set-ecs-backend", &[]);
        assert_eq!(fixed, text.replace("backend-type: eni}", "backend-type: \"ecs\"}"));
    }

    #[test]
    fn fixes_edit_only_the_annotation() {
        let fixed = apply_fix(GATEWAY, "set-ecs-backend", &[]);
        assert_eq!(fixed, GATEWAY.replace("\"eni\"   #", "\"ecs\"   #"));
        let fixed = apply_fix(GATEWAY, "remove-backend-type", &[]);
        assert_eq!(
            fixed,
            GATEWAY.replace("    service.beta.kubernetes.io/backend-type: \"eni\"   # pod backends\n", "")
        );
    }

    #[test]
    fn node_backends_declare_the_findings_of_the_policy_they_bring_back() {
        let introduces = |text: &str| {
            let f = only(&check_with(text, &[]), "ASM-LB-002").clone();
            f.fixes.iter().map(|x| (x.id, x.introduces.clone())).collect::<Vec<_>>()
        };
        let local = GATEWAY.replace("spec:\n", "spec:\n  externalTrafficPolicy: Local\n");
        let both = vec!["ASM-LB-001", "ASM-LB-010"];
        assert_eq!(introduces(&local), [("set-ecs-backend", both.clone()), ("remove-backend-type", both)]);
        let cluster = GATEWAY.replace("spec:\n", "spec:\n  externalTrafficPolicy: Cluster\n");
        let snat = vec!["ASM-LB-005"];
        assert_eq!(introduces(&cluster), [("set-ecs-backend", snat.clone()), ("remove-backend-type", snat)]);
    }
}
