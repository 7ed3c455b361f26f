use crate::diagnostic::Severity;
use crate::model::Resource;
use crate::patch::Op;
use crate::rule::{declare_rule, Advice, Applicability, Draft, Fix, FixId, Remedy, Rule, RuleContext};
use crate::schema::{self, Problem, SchemaSource, Unknown};
use super::support::{dotted, resource_label};

declare_rule! {
    /// ## What it does
    /// Checks every key of a `v1 Service`, `apps/v1 Deployment` (with its pod
    /// template), `autoscaling/v2 HorizontalPodAutoscaler`, `policy/v1
    /// PodDisruptionBudget`, Istio `Gateway` and `AuthorizationPolicy`, and
    /// ASM `IstioGateway` (its spec and each `overrides` entry) against the
    /// field tables generated from pinned sources: the Kubernetes 1.34 OpenAPI
    /// v3 (S202), the CRDs of istio/api 1.30.3 (S203) and the Go types of the
    /// ASM API (S204), vendored in `schema/upstream/` (`schema/tables.txt`
    /// lists them). A key its object type does not have is reported with the
    /// nearest known field of that type as "did you mean" (one edit away, two
    /// for names of eight characters or more): `spec.externalTrafficPolicey`
    /// → `externalTrafficPolicy`, `spec.ports[].protocoll` → `protocol`.
    ///
    /// Keys of free-form maps (`labels`, `annotations`, `selector`,
    /// `nodeSelector`, `serviceAnnotations`, `podLabels`, the cluster names
    /// of `overrides`, ...) are never checked: the tables mark them as maps.
    /// `status` is skipped, and so is every subtree the schema declares
    /// `x-kubernetes-preserve-unknown-fields`. The items of a `kind: List`,
    /// JSON input and the YAML blocks of Markdown are checked alike.
    ///
    /// The native CLI and the policy modules embed the tables; the browser
    /// module is handed them by the page (`loadSchema`), and until then a
    /// report carries one `schema-unavailable` diagnostic instead of passing
    /// silently.
    ///
    /// A key with no close known field is reported as a warning, "unknown to
    /// kubernetes@1.34" (or the pinned istio/api or ASM API version): it may
    /// be a field of a newer release than the tables know.
    ///
    /// ## Why is this bad?
    /// The setting never reaches the cluster. For a built-in kind, the API
    /// server either refuses the object (`kubectl` validates strictly by
    /// default: "unknown field") or, with `Warn` or `Ignore` field
    /// validation, drops the field with at most a warning (S200). A CRD such
    /// as `Gateway` prunes fields its structural schema does not specify
    /// (S201). ASM's controller reads an `IstioGateway` into its Go types,
    /// and Go's JSON decoder ignores keys that match no field (S205): a
    /// misspelt `externalTrafficPolicey: Local` leaves the gateway on the
    /// default policy, and every rule about that field reads it as unset.
    ///
    /// The ASM API publishes only `v1` Go types; ASM's documents write the
    /// same fields under `v1beta1`, and the rule reads both with the `v1`
    /// table.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata: {name: istio-ingressgateway, namespace: istio-system}
    /// spec:
    ///   type: LoadBalancer
    ///   externalTrafficPolicey: Local
    ///   ports:
    ///     - port: 80
    ///       protocoll: TCP
    /// ```
    ///
    /// ## Fix
    /// `rename-key` (safe) when exactly one known field is close and that
    /// field is not already set in the same map: it rewrites the key only,
    /// keeping the value, its comments and formatting. Renaming makes the
    /// API server read the setting, so the findings other rules would then
    /// report are computed first: a warning or info they add is declared by
    /// the fix; when the renamed document would carry a new error (the value
    /// itself is wrong, say `local`), the rename is offered as advice only.
    /// Without a single close candidate the suggestion is advice only.
    pub struct UnknownField {
        code: "ASM-CR-046",
        name: "unknown-field",
        title: "field the API does not have",
        title_zh: "API 中不存在的字段",
        severity: Error,
        fix: Sometimes,
        sources: ["S200", "S201", "S202", "S203", "S204", "S205"],
    }
}

/// Renames a misspelt field to the one the API defines.
const RENAME_KEY: FixId = FixId::new("rename-key");

impl Rule for UnknownField {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        // Without tables (a browser page that has not loaded them) the engine
        // reports one `schema-unavailable` diagnostic instead.
        for (index, resource) in cx.resources.iter().enumerate() {
            let Some(checked) = cx.schema_of(index) else { continue };
            for problem in &checked.problems {
                if let Problem::Unknown(unknown) = problem {
                    out.push(unknown_draft(cx, index, resource, checked.source, unknown));
                }
            }
        }
    }
}

fn unknown_draft(
    cx: &RuleContext<'_>,
    index: usize,
    resource: &Resource<'_>,
    source: &SchemaSource,
    unknown: &Unknown<'_>,
) -> Draft {
    let field = dotted(&unknown.path);
    let what = resource_label(resource);
    let label = source.label.as_str();
    let candidates = schema::suggestions(unknown.object, unknown.key);
    let (fate, fate_zh) = if crate::model::is_istio_gateway(resource) {
        ("ASM never reads it", "ASM 不会读取它")
    } else {
        ("the API server drops or refuses it", "API server 会丢弃或拒绝它")
    };
    let message = match candidates.as_slice() {
        [] => cx.t(
            format_args!("field {field} of {what} is unknown to {label}; {fate}"),
            format_args!("{what} 的字段 {field} 在 {label} 中不存在；{fate_zh}"),
        ),
        names => {
            let names = names.join(" or ");
            cx.t(
                format_args!("unknown field {field} of {what} (did you mean {names}?); {fate}"),
                format_args!("{what} 的字段 {field} 未知（是否想写 {names}？）；{fate_zh}"),
            )
        }
    };
    let mut draft = Draft::new(&UnknownField::META, index, unknown.path.clone(), message)
        .on_key()
        .label(cx.t("the setting never reaches the cluster", "该设置不会生效"))
        .note(consequence(cx, resource, label));
    if candidates.is_empty() {
        return draft.severity(Severity::Warning).note(cx.t(
            format_args!("no known field is close; if it is a field of a release newer than {label}, the tables do not know it yet"),
            format_args!("没有相近的已知字段；如果它是比 {label} 更新的版本的字段，字段表尚未收录"),
        ));
    }
    let [target] = candidates.as_slice() else { return draft };
    draft.remedies.push(rename_fix(cx, resource, unknown, target));
    draft
}

/// What the API server (or ASM's controller) does with the key.
fn consequence(cx: &RuleContext<'_>, resource: &Resource<'_>, label: &str) -> String {
    if crate::model::is_istio_gateway(resource) {
        return cx.t(
            "ASM reads IstioGateway into its Go types, whose JSON decoder ignores unknown keys (S204, S205); a structural CRD also prunes them (S201)",
            "ASM 将 IstioGateway 解码为其 Go 类型，JSON 解码器会忽略未知键（S204、S205）；结构化 CRD 也会裁剪它们（S201）",
        );
    }
    if resource.group().ends_with("istio.io") {
        return cx.t(
            format_args!("the {label} CRD prunes fields its schema does not specify; strict field validation refuses them (S201, S200)"),
            format_args!("{label} 的 CRD 会裁剪其 schema 未定义的字段；严格字段校验会拒绝它们（S201、S200）"),
        );
    }
    cx.t(
        "kubectl's default strict field validation refuses the object (\"unknown field\"); with Warn or Ignore the API server drops the field (S200)",
        "kubectl 默认的严格字段校验会拒绝该对象（\"unknown field\"）；Warn 或 Ignore 时 API server 会丢弃该字段（S200）",
    )
}

/// `rename-key`: safe when the target is free and the renamed document brings
/// nothing new; what it brings is declared, and a new error keeps it from applying.
fn rename_fix(cx: &RuleContext<'_>, resource: &Resource<'_>, unknown: &Unknown<'_>, target: &str) -> Remedy {
    let title =
        cx.t(format_args!("rename {} to {target}", unknown.key), format_args!("将 {} 改名为 {target}", unknown.key));
    let to = crate::yaml::pointer::push(&unknown.parent, target);
    let rename = Fix::new(RENAME_KEY, Applicability::Safe, title.clone())
        .op(Op::rename(unknown.path.clone(), to))
        .tradeoff(if crate::model::is_istio_gateway(resource) {
            cx.t("ASM starts reading the setting: its value takes effect", "ASM 开始读取该设置：其取值将生效")
        } else {
            cx.t(
                "the API server starts reading the setting: its value takes effect",
                "API server 开始读取该设置：其取值将生效",
            )
        });
    let advice = |reason: String| Remedy::Advice(Advice::new(RENAME_KEY, title.clone()).tradeoff(reason));
    let duplicated = unknown.siblings.iter().filter(|e| e.key.scalar_text() == Some(unknown.key)).count() > 1;
    if unknown.entry.key.aliased || duplicated {
        return advice(
            cx.t("the key is repeated or comes from an alias: rename it by hand", "该键重复或来自别名：请手动改名"),
        );
    }
    if unknown.siblings.iter().any(|e| e.key.scalar_text() == Some(target)) {
        return advice(cx.t(
            format_args!("{target} is already set here: keep one of the two by hand"),
            format_args!("此处已设置 {target}：请手动保留其一"),
        ));
    }
    // The API server starts reading the value: what the other rules then say
    // is measured by the engine (`Fix::reveals`), and an error keeps it from applying.
    let mut fix = rename.reveals();
    fix.recommended = true;
    fix.into()
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::{Applicability, Lang};
    use crate::rules::test_support::*;

    const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  labels: {anyKey: x}
spec:
  type: LoadBalancer
  externalTrafficPolicey: Cluster   # keep
  selector: {app: gw, whatever: x}
  ports:
    - port: 80
      protocoll: TCP
status:
  loadBalancer: {anything: 1}
";

    fn found(report: &crate::report::Report) -> Vec<&crate::report::Finding> {
        report.findings.iter().filter(|f| f.code == "ASM-CR-046").collect()
    }

    #[test]
    fn typos_at_two_depths_get_their_suggestion() {
        let report = check_with(SERVICE, &[]);
        let found = found(&report);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(
            found[0].message,
            "unknown field spec.externalTrafficPolicey of Service istio-system/istio-ingressgateway (did you mean externalTrafficPolicy?); the API server drops or refuses it"
        );
        assert_eq!(found[1].location.path, "/spec/ports/0/protocoll");
        assert!(found[1].message.contains("did you mean protocol?"));
        assert!(found.iter().all(|f| f.fixes[0].applicability == Applicability::Safe));
        let zh = check_lang(SERVICE, &[], Lang::Zh);
        assert!(zh.findings.iter().any(|f| f.message.contains("是否想写 protocol？")));
    }

    #[test]
    fn the_fix_renames_only_the_key() {
        let fixed = apply_fix(SERVICE, "rename-key", &[]);
        assert_eq!(
            fixed,
            SERVICE
                .replace("externalTrafficPolicey: Cluster", "externalTrafficPolicy: Cluster")
                .replace("protocoll", "protocol")
        );
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-CR-046"));
    }

    #[test]
    fn a_set_target_or_a_wrong_value_leaves_advice_only() {
        let both = SERVICE.replace("  selector:", "  externalTrafficPolicy: Local\n  selector:");
        let report = check_with(&both, &[]);
        let typo = found(&report).into_iter().find(|f| f.location.path == "/spec/externalTrafficPolicey").unwrap();
        assert_eq!(typo.fixes[0].applicability, Applicability::DisplayOnly);
        let wrong = SERVICE.replace("Policey: Cluster", "Policey: cluster");
        let report = check_with(&wrong, &[]);
        let typo = found(&report).into_iter().find(|f| f.location.path == "/spec/externalTrafficPolicey").unwrap();
        // The engine measures the rename (`Fix::reveals`): `cluster` would be refused.
        assert!(typo.fixes[0].edits.is_empty());
        assert!(typo.fixes[0].unavailable.as_deref().is_some_and(|u| u.contains("ASM-CR-021")), "{:?}", typo.fixes[0]);
    }

    #[test]
    fn free_form_maps_status_and_unrelated_kinds_are_not_checked() {
        let report = check_with(SERVICE, &[]);
        assert!(found(&report)
            .iter()
            .all(|f| !f.location.path.contains("labels") && !f.location.path.contains("status")));
        let other = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {anything: 1}\n";
        assert!(!codes(&check_with(other, &[])).contains(&"ASM-CR-046"));
    }

    #[test]
    fn a_far_key_is_unknown_to_the_pinned_release() {
        let text =
            "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ClusterIP\n  futureFeatureGate: true\n";
        let report = check_with(text, &[]);
        let finding = only(&report, "ASM-CR-046");
        assert_eq!(finding.severity, crate::diagnostic::Severity::Warning);
        assert_eq!(
            finding.message,
            "field spec.futureFeatureGate of Service s is unknown to kubernetes@1.34; the API server drops or refuses it"
        );
        assert!(finding.fixes.is_empty());
    }

    #[test]
    fn istio_gateway_overrides_list_items_and_markdown_are_checked() {
        let gateway = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  serviceAnnotation:
    a: b
  podLabels: {free: form}
  overrides:
    c1:
      externalTrafficPolicey: Cluster
";
        let report = check_with(gateway, &[]);
        let paths: Vec<&str> = found(&report).iter().map(|f| f.location.path.as_str()).collect();
        assert_eq!(paths, ["/spec/serviceAnnotation", "/spec/overrides/c1/externalTrafficPolicey"]);
        let list = format!("apiVersion: v1\nkind: List\nitems:\n  - {}\n", SERVICE.replace('\n', "\n    ").trim_end());
        let report = check_with(&list, &[]);
        assert_eq!(found(&report)[0].location.path, "/items/0/spec/externalTrafficPolicey");
        let markdown = format!("# Gateway\n\n```yaml\n{SERVICE}```\n");
        let report = crate::engine::check(
            &markdown,
            &crate::engine::Options { format: crate::InputFormat::Markdown, ..Default::default() },
        );
        assert_eq!(found(&report).len(), 2);
    }
}
