use crate::diagnostic::Severity;
use crate::model::clb_annotations::{
    edit_distance, entry_for_key, is_ambiguous, lb_kind, lookup, nearest, split_key, value_problem, ClbAnnotation, Key,
    LbKind, Prefix, CATALOGUE,
};
use crate::model::{Field, ServiceView, ALIBABA_PREFIX};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use super::support::{annotation_path, owner};
use super::support::fix_ids;

declare_rule! {
    /// ## What it does
    /// Flags `service.beta.kubernetes.io/alibaba-cloud-loadbalancer-*` (and
    /// legacy `alicloud-loadbalancer-*`) annotation keys that the Alibaba Cloud
    /// CCM does not read, on `LoadBalancer` Services and in an IstioGateway's
    /// `serviceAnnotations`, and names the known key it most likely meant. The
    /// finding points at the key. Keys only the NLB path reads (`zone-maps`,
    /// `security-group-ids`, `cps`, `cacert-id`, …) are reported at info on a CLB.
    ///
    /// ## Why is this bad?
    /// The CCM looks annotations up by their exact key (S120 `annotations.go`
    /// `Get`: the `alibaba-cloud-` key, then the legacy `alicloud-` one;
    /// `tunnel-type` and `type` only in the `alibaba-cloud-` form) and ignores
    /// every other key without an event. A misspelt `schedular: "wrr"` leaves
    /// the listener on `rr`; a misspelt `acl-status` leaves the CLB open. The
    /// catalogue is the 86 keys the CCM source reads (S120). `slb-network-type`,
    /// which the CCM's `docs/usage.md` table still lists, was read only by the
    /// v1.9.3.x CCMs; v2.12.4 and later read `network-type` (`classic`/`vpc`).
    ///
    /// This rule has a code of its own (not ASM-ANN-028..030): those check
    /// known keys; this one checks that a key is known at all.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: istio-ingressgateway
    ///   namespace: istio-system
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-schedular: "wrr"
    /// spec:
    ///   type: LoadBalancer
    /// ```
    ///
    /// ## Fix
    /// - `rename-annotation`: rename the key to the suggestion in place,
    ///   keeping its value, position and comment. Safe when the key is at most two edits from a single known key,
    ///   that key is not set yet and the value suits it; otherwise unsafe. The
    ///   CCM starts applying the setting on its next sync. The suggestion is
    ///   always a key the CCM reads (a row of the catalogue). What the other
    ///   rules report once the key is read is computed first: the warnings
    ///   and infos it brings out are declared, and when it would bring out
    ///   an error (`https` in `protocol-port` without `cert-id`, ASM-ANN-028)
    ///   the rename is advice only.
    /// - `remove-annotation` (NLB-only key on a CLB): safe, the CCM ignores it.
    pub struct UnknownLbAnnotation {
        code: "ASM-ANN-036",
        name: "unknown-lb-annotation",
        title: "unknown CCM load balancer annotation",
        title_zh: "未知的 CCM 负载均衡注解",
        severity: Warning,
        fix: Sometimes,
        sources: ["S8", "S14", "S120"],
    }
}

/// Renames a misspelt annotation key to the one the CCM reads.
const RENAME_ANNOTATION: FixId = FixId::new("rename-annotation");

/// The key `docs/usage.md` lists; only the v1.9.3.x CCMs read it (S120).
const SLB_NETWORK_TYPE: &str = "slb-network-type";

/// Keys outside both prefixes that still look like a slip of one of them.
const FAMILY_START: &str = "service.beta.kubernetes.io/ali";

impl Rule for UnknownLbAnnotation {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for svc in cx.services {
            let Some(kind) = lb_kind(svc) else { continue };
            for (key, field) in &svc.annotations {
                if entry_for_key(key).is_some_and(|e| !e.nlb_only() || kind == LbKind::Nlb) {
                    continue;
                }
                if let Some(entry) = entry_for_key(key) {
                    out.push(nlb_only_on_clb(cx, svc, key, field, entry));
                } else if let Some(draft) = unknown(cx, svc, key, field) {
                    out.push(draft);
                }
            }
        }
    }
}

fn nlb_only_on_clb(
    cx: &RuleContext<'_>,
    svc: &ServiceView<'_>,
    key: &str,
    field: &Field<'_>,
    entry: &ClbAnnotation,
) -> Draft {
    let who = owner(cx, svc);
    let message = cx.t(
        format_args!("annotation {key} of {who} is read only for NLB; this CLB ignores it"),
        format_args!("{who} 的注解 {key} 只对 NLB 生效；此 CLB 会忽略它"),
    );
    Draft::new(&UnknownLbAnnotation::META, svc.resource, field.path.clone(), message)
        .on_key()
        .severity(Severity::Info)
        .note(cx.t(
            format_args!(
                "only the CCM's NLB controller reads `{}` (S120, {} at eeb0ddc6)",
                entry.suffix(),
                entry.source
            ),
            format_args!("只有 CCM 的 NLB 控制器读取 `{}`（S120，eeb0ddc6 的 {}）", entry.suffix(), entry.source),
        ))
        .fix(
            Fix::new(
                fix_ids::REMOVE_ANNOTATION,
                Applicability::Safe,
                cx.t(format_args!("remove {key}"), format_args!("删除 {key}")),
            )
            .op(Op::remove(field.path.clone()))
            .tradeoff(cx.t(
                "none for this CLB; add it back if the Service moves to NLB",
                "对此 CLB 无影响；如果 Service 改用 NLB，需要重新添加",
            )),
        )
}

/// The known key a misspelt one most likely meant, under the prefix it used.
fn suggestion(key: &str) -> Option<(String, &'static ClbAnnotation, usize, bool)> {
    if let Some((prefix, suffix)) = split_key(key) {
        let (entry, distance) = nearest(suffix)?;
        // tunnel-type and type are read only under alibaba-cloud- (S120 helper/service_utils.go).
        let prefix = if matches!(entry.key, Key::New(_)) { Prefix::AlibabaCloud } else { prefix };
        return Some((format!("{}{}", prefix.text(), entry.suffix()), entry, distance, is_ambiguous(suffix, entry)));
    }
    // A slip in the prefix itself: compare whole keys.
    if !key.starts_with(FAMILY_START) {
        return None;
    }
    // The first nearest entry in catalogue order; ambiguous when another is as near.
    let mut best: Option<(usize, &ClbAnnotation)> = None;
    let mut ambiguous = false;
    for e in CATALOGUE {
        let d = edit_distance(key, &format!("{ALIBABA_PREFIX}{}", e.suffix()));
        match best {
            Some((b, _)) if d > b => {}
            Some((b, _)) if d == b => ambiguous = true,
            _ => {
                best = Some((d, e));
                ambiguous = false;
            }
        }
    }
    let (distance, entry) = best?;
    (distance <= 3).then(|| (format!("{}{}", Prefix::AlibabaCloud.text(), entry.suffix()), entry, distance, ambiguous))
}

fn unknown(cx: &RuleContext<'_>, svc: &ServiceView<'_>, key: &str, field: &Field<'_>) -> Option<Draft> {
    let family = split_key(key).is_some();
    let suggested = suggestion(key);
    if !family && suggested.is_none() {
        return None;
    }
    let who = owner(cx, svc);
    let message = match &suggested {
        Some((new_key, ..)) => cx.t(
            format_args!(
                "unknown load balancer annotation {key} on {who}: the CCM ignores it (did you mean {new_key}?)"
            ),
            format_args!("{who} 上的负载均衡注解 {key} 未知，CCM 会忽略它（是否想写 {new_key}？）"),
        ),
        None => cx.t(
            format_args!("unknown load balancer annotation {key} on {who}: the CCM ignores it"),
            format_args!("{who} 上的负载均衡注解 {key} 未知，CCM 会忽略它"),
        ),
    };
    let mut draft = Draft::new(&UnknownLbAnnotation::META, svc.resource, field.path.clone(), message).on_key();
    if split_key(key).is_some_and(|(_, suffix)| suffix == SLB_NETWORK_TYPE) {
        draft = draft.note(cx.t(
            "slb-network-type was read only by the v1.9.3.x CCMs; from v2.1.0 no CCM reads it, and v2.12.4 and later read network-type (S120)",
            "slb-network-type 只有 v1.9.3.x 的 CCM 读取；从 v2.1.0 起没有 CCM 读取它，v2.12.4 及以后读取 network-type（S120）",
        ));
    }
    let Some((new_key, entry, distance, ambiguous)) = suggested else { return Some(draft) };
    let Some(value) = field.text() else { return Some(draft) };
    // A duplicated key (the input's duplicate-key warning): renaming the last
    // entry would only bring the earlier one into effect.
    let map = crate::yaml::pointer::split_last(&field.path)
        .and_then(|(parent, _)| cx.resources[svc.resource].get(parent))
        .and_then(crate::yaml::Node::as_mapping);
    if map.is_some_and(|m| m.entries.iter().filter(|e| e.key.scalar_text() == Some(key)).count() > 1) {
        return Some(draft);
    }
    if let Some(existing) = svc.annotation(&new_key) {
        let fix = Fix::new(
            fix_ids::REMOVE_ANNOTATION,
            Applicability::Unsafe,
            cx.t(
                format_args!("remove {key}: {new_key} is already set"),
                format_args!("删除 {key}：{new_key} 已经设置"),
            ),
        )
        .op(Op::remove(field.path.clone()))
        .tradeoff(cx.t(
            format_args!("the value `{value}` is lost; {new_key} keeps `{}`", existing.text().unwrap_or("")),
            format_args!("值 `{value}` 会丢失；{new_key} 保持 `{}`", existing.text().unwrap_or("")),
        ));
        draft = draft.fix(fix);
        return Some(draft);
    }
    let fits = value_problem(entry.values, value).is_none();
    let safe = distance <= 2 && !ambiguous && fits;
    let mut fix = Fix::new(
        RENAME_ANNOTATION,
        if safe { Applicability::Safe } else { Applicability::Unsafe },
        cx.t(format_args!("rename the key to {new_key}"), format_args!("将键名改为 {new_key}")),
    )
    .reveals()
    .op(Op::rename(field.path.clone(), annotation_path(svc, &new_key)))
    .tradeoff(cx.t(
        format_args!(
            "the CCM starts applying {} = \"{value}\" and reconfigures the load balancer on its next sync",
            entry.suffix()
        ),
        format_args!("CCM 将开始应用 {} = \"{value}\"，并在下次同步时修改负载均衡配置", entry.suffix()),
    ));
    if !fits {
        fix = fix.tradeoff(cx.t(
            format_args!("the value `{value}` is not valid for {} (ASM-ANN-037)", entry.suffix()),
            format_args!("值 `{value}` 对 {} 无效（ASM-ANN-037）", entry.suffix()),
        ));
    }
    if ambiguous {
        fix = fix.tradeoff(cx.t(
            "another known key is as close: check which one you meant",
            "还有其他已知键同样接近：请确认想写的是哪一个",
        ));
    }
    draft = draft.fix(fix);
    if lookup(entry.suffix()).is_some_and(|e| e.nlb_only()) && lb_kind(svc) == Some(LbKind::Clb) {
        draft = draft.note(cx.t(
            format_args!("{} is read only for NLB", entry.suffix()),
            format_args!("{} 只对 NLB 生效", entry.suffix()),
        ));
    }
    Some(draft)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const SVC: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-schedular: \"wrr\"   # Local mode
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: intranet
spec:
  type: LoadBalancer
";

    #[test]
    fn a_rename_that_would_bring_out_an_error_is_advice() {
        let text = SVC.replace("schedular: \"wrr\"", "protocol-portt: \"https:443\"");
        let report = check_with(&text, &[]);
        let fix = &only(&report, "ASM-ANN-036").fixes[0];
        assert!(fix.edits.is_empty());
        assert!(fix.unavailable.as_deref().is_some_and(|u| u.contains("ASM-ANN-028")), "{fix:?}");
    }

    #[test]
    fn misspelt_key_gets_a_suggestion_and_a_safe_rename() {
        let report = check_with(SVC, &[]);
        let f = only(&report, "ASM-ANN-036");
        assert_eq!(f.severity.as_str(), "warning");
        assert!(
            f.message.contains("did you mean service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler?"),
            "{}",
            f.message
        );
        assert_eq!(
            f.location.path,
            "/metadata/annotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-schedular"
        );
        assert_eq!(f.fixes[0].id, "rename-annotation");
        assert_eq!(f.fixes[0].applicability, crate::rule::Applicability::Safe);
        let fixed = apply_fix(SVC, "rename-annotation", &[]);
        assert_eq!(
            fixed,
            "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: \"wrr\"   # Local mode
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type: intranet
spec:
  type: LoadBalancer
"
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-ANN-036"));
    }

    #[test]
    fn last_key_is_renamed_in_place_and_legacy_prefix_is_kept() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/alicloud-loadbalancer-Address-Type: \"intranet\"\nspec:\n  type: LoadBalancer\n";
        let fixed = apply_fix(text, "rename-annotation", &[]);
        assert_eq!(fixed, text.replace("Address-Type", "address-type"));
    }

    #[test]
    fn network_type_is_known_and_slb_network_type_is_not() {
        // The CCM reads network-type (annotations.go L55, from v2.12.4); the
        // usage.md table's slb-network-type only v1.9.3.x read.
        let known = "apiVersion: v1\nkind: Service\nmetadata:\n  name: nginx\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-network-type: vpc\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-tunnel-type: vxlan\nspec:\n  type: LoadBalancer\n";
        assert!(!codes(&check_with(known, &[])).contains(&"ASM-ANN-036"));
        let old = known.replace("loadbalancer-network-type", "loadbalancer-slb-network-type");
        let report = check_with(&old, &[]);
        let f = only(&report, "ASM-ANN-036");
        assert!(
            f.message.contains("did you mean service.beta.kubernetes.io/alibaba-cloud-loadbalancer-network-type?"),
            "{}",
            f.message
        );
        assert!(f.notes.iter().any(|n| n.text.contains("v1.9.3.x")), "{:?}", f.notes);
        // Four edits away: the rename is offered, not applied by default.
        assert_eq!(f.fixes[0].applicability, crate::rule::Applicability::Unsafe);
        // The finding points at the key, not at the value.
        assert_eq!(
            &old[f.location.span.start..f.location.span.end],
            "service.beta.kubernetes.io/alibaba-cloud-loadbalancer-slb-network-type"
        );
    }

    #[test]
    fn a_duplicated_key_gets_no_rename() {
        let line = "    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-schedular: wrr\n";
        let text = format!("apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n{line}{line}spec:\n  type: LoadBalancer\n");
        let report = check_with(&text, &[]);
        assert!(only(&report, "ASM-ANN-036").fixes.is_empty());
    }

    #[test]
    fn keys_read_only_in_their_new_form_are_renamed_to_it() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/alicloud-loadbalancer-tunnel-type: vxlan\nspec:\n  type: LoadBalancer\n";
        let fixed = apply_fix(text, "rename-annotation", &[]);
        assert_eq!(fixed, text.replace("alicloud-loadbalancer-tunnel-type", "alibaba-cloud-loadbalancer-tunnel-type"));
    }

    #[test]
    fn prefix_slips_and_nlb_only_keys() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalance-spec: slb.s2.small\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-zone-maps: cn-a:vsw-1\nspec:\n  type: LoadBalancer\n";
        let report = check_with(text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-036").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].message.contains("did you mean service.beta.kubernetes.io/alibaba-cloud-loadbalancer-spec?"));
        assert_eq!(found[1].severity.as_str(), "info");
        let fixed = apply_fix(text, "remove-annotation", &[]);
        assert!(!fixed.contains("zone-maps"));
        // The same key is fine on an NLB.
        let nlb =
            text.replace("  type: LoadBalancer\n", "  type: LoadBalancer\n  loadBalancerClass: alibabacloud.com/nlb\n");
        assert_eq!(check_with(&nlb, &[]).findings.iter().filter(|f| f.code == "ASM-ANN-036").count(), 1);
    }

    #[test]
    fn later_documents_and_overrides_are_checked_once() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: ok, annotations: {service.beta.kubernetes.io/alibaba-cloud-loadbalancer-scheduler: wrr}}\nspec: {type: LoadBalancer}\n---\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: ingressgateway, namespace: istio-system}\nspec:\n  serviceAnnotations:\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-acl-stauts: \"on\"\n  overrides:\n    c1: {replicaCount: 2}\n";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-ANN-036");
        assert_eq!(f.location.document, 1);
        assert!(f.message.contains("acl-status"), "{}", f.message);
    }

    #[test]
    fn chinese_messages_and_fix_titles() {
        let report = check_lang(SVC, &[], crate::rule::Lang::Zh);
        let f = only(&report, "ASM-ANN-036");
        assert!(f.message.contains("未知") && f.message.contains("是否想写"), "{}", f.message);
        assert!(f.fixes[0].title.starts_with("将键名改为"), "{}", f.fixes[0].title);
    }

    #[test]
    fn other_families_and_known_keys_pass() {
        let text = "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  annotations:\n    service.beta.kubernetes.io/aws-load-balancer-type: nlb\n    service.beta.kubernetes.io/backend-type: eni\n    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-health-check-flag: \"on\"\nspec:\n  type: LoadBalancer\n";
        assert!(!codes(&check_with(text, &[])).contains(&"ASM-ANN-036"));
    }
}
