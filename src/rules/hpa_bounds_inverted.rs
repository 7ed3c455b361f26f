use crate::model::{replica_bounds, Field, ReplicaBounds};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Remedy, Rule, RuleContext};
use crate::yaml::pointer;
use super::support::{autoscale_disabled, is_within, resource_label, scope_of};

declare_rule! {
    /// ## What it does
    /// Flags `minReplicas` greater than `maxReplicas` in an `IstioGateway`
    /// (base spec, and each `overrides` entry merged field by field over it)
    /// and in an `autoscaling` `HorizontalPodAutoscaler` (where `minReplicas`
    /// defaults to 1).
    ///
    /// ## Why is this bad?
    /// Kubernetes rejects such an HPA: `maxReplicas` "must be greater than or
    /// equal to `minReplicas`" (S37; the API type says it "cannot be less
    /// that minReplicas", S16). ASM configures the gateway's HPA from these
    /// fields (S5), so the gateway never gets a working autoscaler. ASM does not
    /// document whether it creates the HPA only when `autoscaleEnabled` is
    /// true; when it is `false` the finding says so but stays an error, since
    /// the spec contradicts itself either way.
    ///
    /// For an `IstioGateway` the rule needs both bounds written: ASM does not
    /// document defaults for them.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   minReplicas: 5
    ///   maxReplicas: 2
    /// ```
    ///
    /// ## Fix
    /// - `swap-replica-bounds` (unsafe), recommended when both bounds are in the
    ///   same place: the usual cause is a transposition.
    /// - `raise-max-replicas` (unsafe): `maxReplicas` = `minReplicas`, keeping
    ///   the floor; the gateway then runs at a fixed size.
    ///
    /// Both bring an IstioGateway's `replicaCount` inside the new bounds when
    /// it lies outside them: the HPA keeps the replicas within its bounds
    /// anyway (S16), and a `replicaCount` left outside would be ASM-HPA-013.
    pub struct HpaBoundsInverted {
        code: "ASM-HPA-012",
        name: "hpa-bounds-inverted",
        title: "minReplicas greater than maxReplicas",
        title_zh: "minReplicas 大于 maxReplicas",
        severity: Error,
        fix: Always,
        sources: ["S5", "S16", "S37"],
    }
}

/// Raises `maxReplicas` to `minReplicas`.
const RAISE_MAX_REPLICAS: FixId = FixId::new("raise-max-replicas");
/// Swaps inverted `minReplicas` and `maxReplicas`.
const SWAP_REPLICA_BOUNDS: FixId = FixId::new("swap-replica-bounds");

impl Rule for HpaBoundsInverted {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for bounds in replica_bounds(cx.resources) {
            let resource = &cx.resources[bounds.resource];
            let is_hpa = resource.kind == "HorizontalPodAutoscaler";
            let Some(max_field) = &bounds.max else { continue };
            let Some(max) = max_field.node.as_i64() else { continue };
            let min = match &bounds.min {
                Some(f) => f.node.as_i64(),
                None if is_hpa => Some(1),
                None => None,
            };
            let Some(min) = min else { continue };
            if min <= max {
                continue;
            }
            let min_at = bounds.min.as_ref().map_or("default", |f| f.path.as_str());
            let override_scope = bounds.base != "/spec";
            let own = |f: &Option<Field<'_>>| f.as_ref().map(|f| f.path.clone()).filter(|p| is_within(p, &bounds.base));
            let at = match (override_scope, own(&bounds.min), own(&bounds.max)) {
                (true, Some(p), _) | (true, None, Some(p)) => p,
                _ => bounds.min.as_ref().unwrap_or(max_field).path.clone(),
            };
            let what = resource_label(resource);
            let scope = scope_of(cx, &bounds);
            let min_text =
                if bounds.min.is_some() { min.to_string() } else { cx.t("1 (the default)", "1（默认值）") };
            let message = cx.t(
                format_args!("minReplicas {min_text} is greater than maxReplicas {max} in {what}{scope}"),
                format_args!("{what}{scope} 中 minReplicas {min_text} 大于 maxReplicas {max}"),
            );
            let mut draft = Draft::new(&Self::META, bounds.resource, at, message)
                .label(cx.t("Kubernetes rejects an HPA with these bounds", "Kubernetes 会拒绝这样的 HPA 边界"));
            draft = draft.note(if is_hpa {
                Note::from(cx.t(
                    "the API server rejects an HPA whose maxReplicas is below minReplicas (S16)",
                    "API server 会拒绝 maxReplicas 小于 minReplicas 的 HPA（S16）",
                ))
            } else {
                Note::assumed(cx.t(
                    "ASM renders an HPA from minReplicas/maxReplicas (S5), which Kubernetes then rejects",
                    "ASM 会根据 minReplicas/maxReplicas 生成 HPA（S5），随后被 Kubernetes 拒绝",
                ))
            });
            if !is_hpa && autoscale_disabled(cx, &bounds) {
                draft = draft.note(cx.t(
                    "autoscaleEnabled is false: ASM does not document whether it still creates the HPA",
                    "autoscaleEnabled 为 false：ASM 未说明此时是否仍会创建 HPA",
                ));
            }
            draft.remedies.extend(fixes(cx, &bounds, min, max).into_iter().map(Remedy::from));
            out.push(draft.once_per(&[min_at, &max_field.path]));
        }
    }
}

fn fixes(cx: &RuleContext<'_>, bounds: &ReplicaBounds<'_>, min: i64, max: i64) -> Vec<Fix> {
    let mut fixes = Vec::new();
    let parent = |f: &Field<'_>| pointer::split_last(&f.path).map(|(p, _)| p.to_owned());
    if let (Some(min_f), Some(max_f)) = (&bounds.min, &bounds.max) {
        if parent(min_f) == parent(max_f) {
            let swap = Fix::new(
                SWAP_REPLICA_BOUNDS,
                Applicability::Unsafe,
                cx.t(
                    format_args!("swap the bounds: minReplicas {max}, maxReplicas {min}"),
                    format_args!("交换边界：minReplicas {max}，maxReplicas {min}"),
                ),
            )
            .op(Op::replace(min_f.path.clone(), max))
            .op(Op::replace(max_f.path.clone(), min))
            .tradeoff(cx.t(
                format_args!("the gateway may scale down to {max} and up to {min} replicas: check both against capacity and cost"),
                format_args!("网关可缩容到 {max}、扩容到 {min} 个副本：请结合容量和成本确认"),
            ));
            let mut swap = replicas_within(cx, bounds, max, min, swap);
            swap.recommended = true;
            fixes.push(swap);
        }
    }
    let max_path = bounds
        .max
        .as_ref()
        .filter(|f| is_within(&f.path, &bounds.base))
        .map_or_else(|| pointer::push(&bounds.base, "maxReplicas"), |f| f.path.clone());
    let max_op = if cx.resources[bounds.resource].get(&max_path).is_some() {
        Op::replace(max_path, min)
    } else {
        Op::add(max_path, min)
    };
    let raise = Fix::new(
        RAISE_MAX_REPLICAS,
        Applicability::Unsafe,
        cx.t(format_args!("raise maxReplicas to {min}"), format_args!("将 maxReplicas 提高到 {min}")),
    )
    .op(max_op)
    .tradeoff(cx.t(
        format_args!(
            "keeps the floor of {min} replicas, but the HPA can no longer scale: the gateway runs at a fixed size"
        ),
        format_args!("保留 {min} 个副本的下限，但 HPA 无法再伸缩：网关以固定规模运行"),
    ));
    let mut raise = replicas_within(cx, bounds, min, min, raise);
    raise.recommended = fixes.is_empty();
    fixes.push(raise);
    fixes
}

/// Brings an IstioGateway's `replicaCount` inside the new bounds `low..=high`,
/// so the fix does not leave ASM-HPA-013 behind. The value is the one the HPA
/// would set anyway: it keeps the workload's replicas within its bounds (S16).
/// An inherited `replicaCount` is written into the override, not the base
/// spec that other clusters share.
fn replicas_within(cx: &RuleContext<'_>, bounds: &ReplicaBounds<'_>, low: i64, high: i64, fix: Fix) -> Fix {
    let Some(field) = &bounds.replicas else { return fix };
    let Some(replicas) = field.node.as_i64() else { return fix };
    let clamped = replicas.clamp(low, high);
    if clamped == replicas {
        return fix;
    }
    let op = if is_within(&field.path, &bounds.base) {
        Op::replace(field.path.clone(), clamped)
    } else {
        Op::add(pointer::push(&bounds.base, "replicaCount"), clamped)
    };
    fix.op(op).tradeoff(cx.t(
        format_args!("replicaCount {replicas} becomes {clamped}, inside the new bounds, as the HPA would set it"),
        format_args!("replicaCount {replicas} 改为 {clamped}，落在新边界内，与 HPA 的调整一致"),
    ))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Lang;
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  minReplicas: 5  # at least five
  maxReplicas: 2
  overrides:
    c1: {replicaCount: 3}
";

    #[test]
    fn inverted_bounds_are_reported_once_at_min() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-HPA-012");
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(f.location.path, "/spec/minReplicas");
        assert_eq!(
            f.message,
            "minReplicas 5 is greater than maxReplicas 2 in IstioGateway istio-system/ingressgateway"
        );
        assert_eq!(f.fixes.iter().find(|x| x.recommended).unwrap().id, "swap-replica-bounds");
        let zh = check_lang(GATEWAY, &[], Lang::Zh);
        assert_eq!(
            only(&zh, "ASM-HPA-012").message,
            "IstioGateway istio-system/ingressgateway 中 minReplicas 5 大于 maxReplicas 2"
        );
    }

    #[test]
    fn ordered_bounds_pass() {
        let text = GATEWAY.replace("minReplicas: 5", "minReplicas: 2");
        assert!(!codes(&check_with(&text, &[])).contains(&"ASM-HPA-012"));
    }

    #[test]
    fn override_with_its_own_max_is_reported_there() {
        let text = GATEWAY.replace("maxReplicas: 2", "maxReplicas: 8").replace("{replicaCount: 3}", "{maxReplicas: 3}");
        let f = only(&check_with(&text, &[]), "ASM-HPA-012").clone();
        assert_eq!(f.location.path, "/spec/overrides/c1/maxReplicas");
        assert!(f.message.ends_with("(override for cluster c1)"), "{}", f.message);
        let ids: Vec<_> = f.fixes.iter().map(|x| x.id).collect();
        assert_eq!(ids, ["raise-max-replicas"]);
        let fixed = apply_fix(&text, "raise-max-replicas", &[]);
        assert_eq!(fixed, text.replace("{maxReplicas: 3}", "{maxReplicas: 5}"));
    }

    #[test]
    fn hpa_default_min_and_a_clean_first_document() {
        let text = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: ok}\nspec: {minReplicas: 1, maxReplicas: 3}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: bad}\nspec:\n  maxReplicas: 0\n";
        let f = only(&check_with(text, &[]), "ASM-HPA-012").clone();
        assert_eq!(f.location.document, 1);
        assert!(f.message.starts_with("minReplicas 1 (the default) is greater than maxReplicas 0"));
        assert_eq!(apply_fix(text, "raise-max-replicas", &[]), text.replace("maxReplicas: 0", "maxReplicas: 1"));
    }

    #[test]
    fn swap_keeps_comments() {
        let fixed = apply_fix(GATEWAY, "swap-replica-bounds", &[]);
        assert_eq!(
            fixed,
            GATEWAY.replace("minReplicas: 5  #", "minReplicas: 2  #").replace("maxReplicas: 2", "maxReplicas: 5")
        );
    }

    #[test]
    fn fixes_bring_replica_count_inside_the_new_bounds() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  replicaCount: 1
  minReplicas: 5
  maxReplicas: 2
";
        let swapped = apply_fix(text, "swap-replica-bounds", &[]);
        assert!(swapped.contains("replicaCount: 2\n  minReplicas: 2\n  maxReplicas: 5"), "{swapped}");
        let raised = apply_fix(text, "raise-max-replicas", &[]);
        assert!(raised.contains("replicaCount: 5\n  minReplicas: 5\n  maxReplicas: 5"), "{raised}");
        for fixed in [swapped, raised] {
            assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-HPA-013"), "{fixed}");
        }
        // Already inside: replicaCount is left alone.
        let inside = text.replace("replicaCount: 1", "replicaCount: 3");
        assert!(apply_fix(&inside, "swap-replica-bounds", &[]).contains("replicaCount: 3"));
    }
}
