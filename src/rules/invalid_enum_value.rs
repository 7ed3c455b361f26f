use crate::model::Resource;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Rule, RuleContext};
use crate::yaml::{Node, Resolved};
use super::support::{dotted, enum_fields, resource_label};

declare_rule! {
    /// ## What it does
    /// Checks fields that only take a fixed set of values:
    /// - `IstioGateway`: `spec.serviceType` (`ClusterIP`, `NodePort`,
    ///   `LoadBalancer`), `spec.externalTrafficPolicy` (`Cluster`, `Local`),
    ///   both also in every `overrides` entry, and `spec.gatewayType`
    ///   (`ingress`, `egress`, `cross-network`);
    /// - `v1 Service`: `spec.type` (`ClusterIP`, `NodePort`, `LoadBalancer`,
    ///   `ExternalName`) and `spec.externalTrafficPolicy` (`Cluster`, `Local`).
    ///
    /// ## Why is this bad?
    /// Values are case-sensitive. The Go types of `IstioGateway` carry
    /// kubebuilder enum markers for `serviceType` and `gatewayType` (S4);
    /// `externalTrafficPolicy` has none there, so a wrong value passes the CR
    /// and fails when ASM renders the Service: the API server answers
    /// `NotSupported` for a `type` or `externalTrafficPolicy` outside the
    /// values above (S36; the values, S16). ASM's older field table itself
    /// spells `Nodeport` (S3), a typo Kubernetes does not accept.
    ///
    /// Sources disagree on `gatewayType`: the enum marker lists `ingress` and
    /// `egress`, while the same Go package defines a `cross-network` constant
    /// (S4). The rule accepts `cross-network` rather than flag a value ASM's
    /// own code uses.
    ///
    /// An empty or null value is not reported: Kubernetes defaults it, and the
    /// Go decoder ASM uses reads it as unset.
    ///
    /// Placeholder values, such as the `type: typeValue` of Kubernetes' API
    /// round-trip fixtures, are reported too — the API server rejects them —
    /// but get no fix: nothing says which value was meant, and guessing one
    /// (say `ClusterIP`) would silently change how the Service is exposed.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   serviceType: Nodeport
    ///   externalTrafficPolicy: local
    /// ```
    ///
    /// ## Fix
    /// `correct-enum-case` (safe) when the value matches exactly one allowed
    /// value ignoring case (`Nodeport` → `NodePort`, `local` → `Local`): the
    /// intent is unambiguous and the object is rejected as written. No fix
    /// otherwise.
    pub struct InvalidEnumValue {
        code: "ASM-CR-021",
        name: "invalid-enum-value",
        title: "value outside the allowed set",
        title_zh: "取值不在允许范围内",
        severity: Error,
        fix: Sometimes,
        sources: ["S3", "S4", "S16", "S36"],
    }
}

/// Writes an enum value in the case the API defines (`nodeport` to `NodePort`).
const CORRECT_ENUM_CASE: FixId = FixId::new("correct-enum-case");

impl Rule for InvalidEnumValue {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for (index, resource) in cx.resources.iter().enumerate() {
            for (path, allowed) in enum_fields(resource) {
                let Some(node) = resource.get(&path) else { continue };
                if let Some(draft) = check_value(cx, index, resource, &path, node, allowed) {
                    out.push(draft);
                }
            }
        }
    }
}

fn check_value(
    cx: &RuleContext<'_>,
    index: usize,
    resource: &Resource<'_>,
    path: &str,
    node: &Node,
    allowed: &[&str],
) -> Option<Draft> {
    let scalar = node.as_scalar();
    if let Some(s) = scalar {
        if s.resolve() == Resolved::Null || s.text.is_empty() {
            return None;
        }
        if s.resolve() == Resolved::Str && allowed.contains(&s.text.as_str()) {
            return None;
        }
    }
    let shown = scalar.map_or("…", |s| s.text.as_str());
    let field = dotted(path);
    let what = resource_label(resource);
    let list = allowed.join(", ");
    let message = cx.t(
        format_args!("{field} `{shown}` of {what} is not one of {list}"),
        format_args!("{what} 的 {field} `{shown}` 不是 {list} 之一"),
    );
    let note = if resource.is("", "Service") {
        Note::from(cx.t("the API server rejects the Service (S16)", "API server 会拒绝该 Service（S16）"))
    } else if path.ends_with("/externalTrafficPolicy") {
        Note::from(cx.t(
            "IstioGateway has no enum marker for this field (S4): the CR is accepted and the Service ASM renders from it is rejected",
            "IstioGateway 的 Go 类型对该字段没有枚举约束（S4）：CR 会被接受，而 ASM 据此生成的 Service 会被拒绝",
        ))
    } else {
        Note::assumed(cx.t(
            "the IstioGateway CRD enforces the enum markers of its Go types (S4); if not, ASM cannot render the Service",
            "IstioGateway CRD 会执行其 Go 类型中的枚举约束（S4）；否则 ASM 无法生成对应的 Service",
        ))
    };
    let mut draft = Draft::new(&InvalidEnumValue::META, index, path, message)
        .label(cx.t("values are case-sensitive", "取值区分大小写"))
        .note(note);
    let mut matches = allowed.iter().filter(|a| scalar.is_some_and(|s| a.eq_ignore_ascii_case(&s.text)));
    if let (Some(intended), None) = (matches.next(), matches.next()) {
        let mut fix = Fix::new(
            CORRECT_ENUM_CASE,
            Applicability::Safe,
            cx.t(format_args!("write {intended}"), format_args!("改为 {intended}")),
        )
        .reveals()
        .op(Op::replace(path, *intended))
        .tradeoff(
            cx.t("none: the same value in the spelling Kubernetes accepts", "无：相同取值，改为 Kubernetes 接受的拼写"),
        );
        fix.recommended = true;
        draft = draft.fix(fix);
    }
    Some(draft)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Lang;
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  gatewayType: ingress
  serviceType: Nodeport   # as in the ASM doc
  externalTrafficPolicy: Local
  overrides:
    c1:
      externalTrafficPolicy: local
";

    #[test]
    fn wrong_case_gets_a_safe_fix() {
        let report = check_with(GATEWAY, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-CR-021").collect();
        assert_eq!(found.len(), 2);
        assert_eq!(
            found[0].message,
            "spec.serviceType `Nodeport` of IstioGateway istio-system/ingressgateway is not one of ClusterIP, NodePort, LoadBalancer"
        );
        assert_eq!(found[1].location.path, "/spec/overrides/c1/externalTrafficPolicy");
        assert_eq!(found[0].fixes[0].applicability, crate::rule::Applicability::Safe);
        let zh = check_lang(GATEWAY, &[], Lang::Zh);
        assert!(zh.findings.iter().any(|f| f.message.contains("不是 ClusterIP, NodePort, LoadBalancer 之一")));
    }

    #[test]
    fn valid_values_and_empty_ones_pass() {
        let text = GATEWAY.replace("Nodeport", "NodePort").replace("Policy: local", "Policy: \"\"");
        assert!(!codes(&check_with(&text, &[])).contains(&"ASM-CR-021"));
        let egress = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: e}\nspec: {gatewayType: cross-network}\n";
        assert!(!codes(&check_with(egress, &[])).contains(&"ASM-CR-021"));
        let external = "apiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {type: ExternalName, externalName: db.example.com}\n";
        assert!(!codes(&check_with(external, &[])).contains(&"ASM-CR-021"));
    }

    #[test]
    fn placeholders_are_reported_without_a_fix() {
        let text = "apiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {type: NodePort}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: nameValue}\nspec:\n  type: typeValue\n  externalTrafficPolicy: externalTrafficPolicyValue\n";
        let report = check_with(text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-CR-021").collect();
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.location.document == 1 && f.fixes.is_empty()));
        assert_eq!(
            found[0].message,
            "spec.type `typeValue` of Service nameValue is not one of ClusterIP, NodePort, LoadBalancer, ExternalName"
        );
    }

    #[test]
    fn safe_fix_rewrites_only_the_values() {
        let outcome = crate::engine::fix(GATEWAY, &crate::engine::FixRequest::default(), &options(&[]));
        assert_eq!(
            outcome.text,
            GATEWAY.replace("Nodeport   #", "NodePort   #").replace("Policy: local", "Policy: Local")
        );
        assert_eq!(apply_fix(GATEWAY, "correct-enum-case", &[]), outcome.text);
    }
}
