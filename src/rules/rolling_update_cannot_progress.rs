use crate::model::{is_gateway_deployment, is_istio_gateway, Field};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, NoteKind, Rule, RuleContext};
use crate::yaml::pointer;

declare_rule! {
    /// ## What it does
    /// Flags a gateway whose rolling update allows neither a surge nor an
    /// unavailable pod: `rollingMaxSurge` and `rollingMaxUnavailable` of an
    /// `IstioGateway` (or an override) both `0`/`0%`, or the same in
    /// `strategy.rollingUpdate` of a gateway Deployment.
    ///
    /// ## Why is this bad?
    /// Kubernetes: `maxUnavailable` "can not be 0 if MaxSurge is 0" (S16): the
    /// Deployment is rejected, or its rollout never starts. That ASM maps the
    /// two IstioGateway fields (S4) to the Deployment's
    /// `strategy.rollingUpdate` is assumed from the Istio gateway chart, where
    /// the same names do exactly that (S34); ASM does not document it.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// spec:
    ///   rollingMaxSurge: "0"
    ///   rollingMaxUnavailable: "0%"
    /// ```
    ///
    /// ## Fix
    /// Choose one:
    /// - `allow-unavailable` (unsafe): `rollingMaxUnavailable: "25%"` (the Istio
    ///   chart default, S34); a quarter of the pods may be down during a rollout.
    /// - `allow-surge` (unsafe): `rollingMaxSurge: "100%"` (also the chart
    ///   default); a rollout briefly
    ///   doubles the pods, which needs the room.
    pub struct RollingUpdateCannotProgress {
        code: "ASM-DEP-027",
        name: "rolling-update-cannot-progress",
        title: "rolling update with zero surge and zero unavailable can never progress",
        title_zh: "滚动更新的 maxSurge 与 maxUnavailable 同为 0，无法推进",
        severity: Error,
        fix: Always,
        sources: ["S4", "S16", "S34"],
    }
}

/// Sets `rollingMaxSurge: "100%"` so a rollout can progress.
const ALLOW_SURGE: FixId = FixId::new("allow-surge");
/// Sets `rollingMaxUnavailable: "25%"` so a rollout can progress.
const ALLOW_UNAVAILABLE: FixId = FixId::new("allow-unavailable");

/// `0`, `"0"` or `0%`.
fn is_zero(field: &Field<'_>) -> bool {
    matches!(field.text().map(str::trim), Some("0" | "0%"))
}

/// One place a pair of rolling-update fields is written.
struct Pair<'a> {
    resource: usize,
    surge: Field<'a>,
    unavailable: Field<'a>,
    istio_gateway: bool,
}

fn pairs<'a>(cx: &RuleContext<'a>) -> Vec<Pair<'a>> {
    let mut out = Vec::new();
    for svc in cx.services {
        let resource = &cx.resources[svc.resource];
        if !is_istio_gateway(resource) {
            continue;
        }
        let pick = |key| crate::model::topology::istio_gateway_field(resource, &svc.spec_path, key);
        if let (Some(surge), Some(unavailable)) = (pick("rollingMaxSurge"), pick("rollingMaxUnavailable")) {
            out.push(Pair { resource: svc.resource, surge, unavailable, istio_gateway: true });
        }
    }
    for (index, resource) in cx.resources.iter().enumerate() {
        if !is_gateway_deployment(resource) {
            continue;
        }
        let field = |key: &str| {
            let path = pointer::push("/spec/strategy/rollingUpdate", key);
            resource.get(&path).map(|node| Field { node, path })
        };
        if let (Some(surge), Some(unavailable)) = (field("maxSurge"), field("maxUnavailable")) {
            out.push(Pair { resource: index, surge, unavailable, istio_gateway: false });
        }
    }
    out
}

impl Rule for RollingUpdateCannotProgress {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for pair in pairs(cx) {
            if !is_zero(&pair.surge) || !is_zero(&pair.unavailable) {
                continue;
            }
            let resource = &cx.resources[pair.resource];
            let kind = resource.kind;
            let name = resource.display_name();
            let dotted = |p: &str| p.trim_start_matches('/').replace('/', ".");
            let (surge, unavailable) = (dotted(&pair.surge.path), dotted(&pair.unavailable.path));
            let message = cx.t(
                format_args!("{kind} {name} sets both {surge} and {unavailable} to zero, so a rolling update can never replace a pod"),
                format_args!("{kind} {name} 的 {surge} 与 {unavailable} 均为 0，滚动更新无法替换任何 Pod"),
            );
            let unavailable_fix = Fix::new(
                ALLOW_UNAVAILABLE,
                Applicability::Unsafe,
                cx.t(format_args!("set {unavailable}: \"25%\""), format_args!("将 {unavailable} 设为 \"25%\"")),
            )
            .op(Op::replace(pair.unavailable.path.clone(), "25%").quoted())
            .tradeoff(cx.t(
                "up to a quarter of the gateway pods may be down during a rollout (the Istio chart default)",
                "滚动更新期间最多四分之一的网关 Pod 不可用（Istio chart 默认值）",
            ));
            let surge_fix = Fix::new(
                ALLOW_SURGE,
                Applicability::Unsafe,
                cx.t(format_args!("set {surge}: \"100%\""), format_args!("将 {surge} 设为 \"100%\"")),
            )
            .op(Op::replace(pair.surge.path.clone(), "100%").quoted())
            .tradeoff(cx.t(
                "a rollout briefly runs twice the gateway pods: the nodes need room for them",
                "滚动更新期间网关 Pod 数量会短暂翻倍：节点需要有足够资源",
            ));
            let mut draft = Draft::new(&Self::META, pair.resource, pair.unavailable.path.clone(), message)
                .fix(unavailable_fix)
                .fix(surge_fix);
            if pair.istio_gateway {
                draft = draft.note(Note::new(
                    NoteKind::AssumedMedium,
                    cx.t(
                        "ASM maps rollingMaxSurge/rollingMaxUnavailable to the Deployment's strategy.rollingUpdate",
                        "ASM 将 rollingMaxSurge/rollingMaxUnavailable 映射到 Deployment 的 strategy.rollingUpdate",
                    ),
                ));
            }
            out.push(draft.once_per(&[&pair.surge.path, &pair.unavailable.path]));
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
  rollingMaxSurge: \"100%\"
  rollingMaxUnavailable: \"0\"
";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: b, namespace: istio-system}
spec:
  rollingMaxSurge: \"0%\"
  rollingMaxUnavailable: '0'  # no downtime, we thought
";

    #[test]
    fn passes_a_surge() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-DEP-027"));
    }

    #[test]
    fn flags_zero_zero_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-DEP-027");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.location.path, "/spec/rollingMaxUnavailable");
        assert!(f.message.contains("spec.rollingMaxSurge and spec.rollingMaxUnavailable"), "{}", f.message);
    }

    #[test]
    fn fixes_keep_quotes_and_comments() {
        assert_eq!(apply_fix(BAD, "allow-unavailable", &[]), BAD.replace("'0'  #", "'25%'  #"));
        assert_eq!(apply_fix(BAD, "allow-surge", &[]), BAD.replace("\"0%\"", "\"100%\""));
    }

    #[test]
    fn gateway_deployments_and_overrides() {
        let text = "apiVersion: apps/v1
kind: Deployment
metadata: {name: istio-ingressgateway, namespace: istio-system}
spec:
  strategy:
    rollingUpdate: {maxSurge: 0, maxUnavailable: 0}
  template:
    metadata:
      labels: {istio: ingressgateway}
---
apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: c, namespace: istio-system}
spec:
  rollingMaxSurge: \"0\"
  rollingMaxUnavailable: \"25%\"
  overrides:
    c1:
      rollingMaxUnavailable: \"0\"
";
        let report = check_with(text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-DEP-027").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].location.path, "/spec/strategy/rollingUpdate/maxUnavailable");
        assert_eq!(found[1].location.path, "/spec/overrides/c1/rollingMaxUnavailable");
    }
}
