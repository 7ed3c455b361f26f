use crate::model::{is_istio_gateway, replica_bounds, Field, ReplicaBounds};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Remedy, Rule, RuleContext};
use crate::yaml::pointer;
use super::support::is_within;
use super::support::{autoscale_disabled, scope_of};

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` (base spec, or an `overrides` entry merged field
    /// by field over it) whose `replicaCount` lies outside
    /// `[minReplicas, maxReplicas]`, when all three are written.
    ///
    /// ## Why is this bad?
    /// ASM renders an HPA from `minReplicas`/`maxReplicas` (S5); an HPA moves
    /// the replica count into its bounds (S16), so `replicaCount` does not
    /// say how many gateway pods run. Someone reading `replicaCount: 1` may
    /// plan capacity or `externalTrafficPolicy: Local` placement for one pod
    /// while five run, or the other way round.
    ///
    /// An **info**: the HPA clamps the count, so the mismatch misleads readers
    /// but breaks nothing on its own. It would be worse only if ASM also kept
    /// re-syncing the Deployment's `replicas` to `replicaCount` against its own
    /// HPA; S5 documents re-syncing for manual changes and external HPAs (see
    /// ASM-HPA-014), not for the HPA ASM renders, so that is not assumed. How
    /// ASM renders the HPA, and whether it does when `autoscaleEnabled` is
    /// `false`, is not documented (S5 does not say); with
    /// `autoscaleEnabled: false` the finding says that `replicaCount` may then
    /// be what runs.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicaCount: 1
    ///   minReplicas: 2
    ///   maxReplicas: 5
    /// ```
    ///
    /// ## Fix
    /// - `set-replica-count` (unsafe, recommended): move `replicaCount` to the
    ///   nearest bound — the smallest change, and the count the HPA would
    ///   reach anyway. Unsafe because the gateway's starting size changes.
    /// - `widen-replica-bounds` (unsafe): move the crossed bound to
    ///   `replicaCount` instead, which changes how far the HPA may scale.
    pub struct ReplicasOutsideHpaBounds {
        code: "ASM-HPA-013",
        name: "replicas-outside-hpa-bounds",
        title: "replicaCount outside the HPA bounds",
        title_zh: "replicaCount 超出 HPA 边界",
        severity: Info,
        fix: Always,
        sources: ["S5", "S16"],
    }
}

/// Sets the replica count within the autoscaling bounds.
const SET_REPLICA_COUNT: FixId = FixId::new("set-replica-count");
/// Moves an autoscaling bound to include the replica count.
const WIDEN_REPLICA_BOUNDS: FixId = FixId::new("widen-replica-bounds");

impl Rule for ReplicasOutsideHpaBounds {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for bounds in replica_bounds(cx.resources) {
            let resource = &cx.resources[bounds.resource];
            if !is_istio_gateway(resource) {
                continue;
            }
            let (Some(replicas_f), Some(min_f), Some(max_f)) = (&bounds.replicas, &bounds.min, &bounds.max) else {
                continue;
            };
            let (Some(replicas), Some(min), Some(max)) =
                (replicas_f.node.as_i64(), min_f.node.as_i64(), max_f.node.as_i64())
            else {
                continue;
            };
            if min > max || (min..=max).contains(&replicas) {
                continue;
            }
            let below = replicas < min;
            let crossed = if below { min_f } else { max_f };
            let own = |f: &Field<'_>| is_within(&f.path, &bounds.base);
            let at = if own(replicas_f) || !own(crossed) { &replicas_f.path } else { &crossed.path };
            let scope =
                if [replicas_f, min_f, max_f].iter().any(|f| own(f)) { scope_of(cx, &bounds) } else { String::new() };
            let what = format!("IstioGateway {}", resource.display_name());
            let message = cx.t(
                format_args!("replicaCount {replicas} is outside minReplicas {min} .. maxReplicas {max} in {what}{scope}; the HPA overrides it"),
                format_args!("{what}{scope} 中 replicaCount {replicas} 超出 minReplicas {min} 到 maxReplicas {max} 的范围；HPA 会覆盖它"),
            );
            let disabled = autoscale_disabled(cx, &bounds);
            let note = if disabled {
                Note::from(cx.t(
                    "autoscaleEnabled is false: ASM does not document whether it still creates the HPA; if not, replicaCount is what runs",
                    "autoscaleEnabled 为 false：ASM 未说明此时是否仍会创建 HPA；若不创建，实际运行的是 replicaCount 个副本",
                ))
            } else {
                Note::assumed(cx.t(
                    "ASM renders an HPA from minReplicas/maxReplicas (its rendering is undocumented)",
                    "ASM 会根据 minReplicas/maxReplicas 生成 HPA（其生成方式未公开说明）",
                ))
            };
            let target = if below { min } else { max };
            let mut draft = Draft::new(&Self::META, bounds.resource, at.clone(), message).note(note).label(
                cx.t(format_args!("the HPA scales this to {target}"), format_args!("HPA 会将其调整为 {target}")),
            );
            draft
                .remedies
                .extend(fixes(cx, &bounds, replicas_f, crossed, replicas, target, below).into_iter().map(Remedy::from));
            out.push(draft.once_per(&[&replicas_f.path, &min_f.path, &max_f.path]));
        }
    }
}

/// Replaces `field` when it is written in the bounds' own spec, else adds it there.
fn set_in_scope(bounds: &ReplicaBounds<'_>, field: &Field<'_>, key: &str, value: i64) -> Op {
    if is_within(&field.path, &bounds.base) {
        Op::replace(field.path.clone(), value)
    } else {
        Op::add(pointer::push(&bounds.base, key), value)
    }
}

fn fixes(
    cx: &RuleContext<'_>,
    bounds: &ReplicaBounds<'_>,
    replicas_f: &Field<'_>,
    crossed: &Field<'_>,
    replicas: i64,
    target: i64,
    below: bool,
) -> Vec<Fix> {
    let mut set = Fix::new(
        SET_REPLICA_COUNT,
        Applicability::Unsafe,
        cx.t(format_args!("set replicaCount to {target}"), format_args!("将 replicaCount 设为 {target}")),
    )
    .op(set_in_scope(bounds, replicas_f, "replicaCount", target))
    .tradeoff(cx.t(
        format_args!("the gateway starts with {target} replicas, the count the HPA would reach anyway"),
        format_args!("网关以 {target} 个副本启动，这也是 HPA 最终会调整到的数量"),
    ));
    set.recommended = true;
    let (key, tradeoff) = if below {
        (
            "minReplicas",
            cx.t(
                format_args!("lowers the floor: the HPA may scale the gateway down to {replicas} replicas"),
                format_args!("降低下限：HPA 可能把网关缩容到 {replicas} 个副本"),
            ),
        )
    } else {
        (
            "maxReplicas",
            cx.t(
                format_args!("raises the ceiling: the HPA may scale the gateway up to {replicas} replicas"),
                format_args!("提高上限：HPA 可能把网关扩容到 {replicas} 个副本"),
            ),
        )
    };
    let widen = Fix::new(
        WIDEN_REPLICA_BOUNDS,
        Applicability::Unsafe,
        cx.t(format_args!("set {key} to {replicas}"), format_args!("将 {key} 设为 {replicas}")),
    )
    .op(set_in_scope(bounds, crossed, key, replicas))
    .tradeoff(tradeoff);
    vec![set, widen]
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  replicaCount: 1 # one pod
  minReplicas: 2
  maxReplicas: 5
  overrides:
    c1: {loadBalancerIP: 10.0.0.1}
";

    #[test]
    fn below_the_floor_is_an_info_once() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-HPA-013");
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.location.path, "/spec/replicaCount");
        assert_eq!(
            f.message,
            "replicaCount 1 is outside minReplicas 2 .. maxReplicas 5 in IstioGateway istio-system/ingressgateway; the HPA overrides it"
        );
        let disabled = format!("{GATEWAY}  autoscaleEnabled: false\n");
        let f = only(&check_with(&disabled, &[]), "ASM-HPA-013").clone();
        assert_eq!(f.severity.as_str(), "info");
        assert!(f.notes.iter().any(|n| n.text.contains("replicaCount is what runs")), "{:?}", f.notes);
    }

    #[test]
    fn within_bounds_or_inverted_bounds_pass() {
        assert!(
            !codes(&check_with(&GATEWAY.replace("replicaCount: 1", "replicaCount: 2"), &[])).contains(&"ASM-HPA-013")
        );
        let inverted = GATEWAY.replace("maxReplicas: 5", "maxReplicas: 0");
        assert!(!codes(&check_with(&inverted, &[])).contains(&"ASM-HPA-013"));
    }

    #[test]
    fn second_document_and_override_bounds() {
        let first = GATEWAY
            .replace("replicaCount: 1", "replicaCount: 3")
            .replace("{loadBalancerIP: 10.0.0.1}", "{maxReplicas: 2}");
        let text = format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\n---\n{first}");
        let f = only(&check_with(&text, &[]), "ASM-HPA-013").clone();
        assert_eq!(f.location.document, 1);
        assert_eq!(f.location.path, "/spec/overrides/c1/maxReplicas");
        assert!(f.message.contains("(override for cluster c1)"));
        let fixed = apply_fix(&text, "set-replica-count", &[]);
        assert_eq!(fixed, text.replace("{maxReplicas: 2}", "{maxReplicas: 2, replicaCount: 2}"));
    }

    #[test]
    fn fixes() {
        assert_eq!(
            apply_fix(GATEWAY, "set-replica-count", &[]),
            GATEWAY.replace("replicaCount: 1 #", "replicaCount: 2 #")
        );
        assert_eq!(
            apply_fix(GATEWAY, "widen-replica-bounds", &[]),
            GATEWAY.replace("minReplicas: 2", "minReplicas: 1")
        );
    }
}
