use crate::diagnostic::Severity;
use crate::model::{quantity, resources_blocks, Field};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, NoteKind, Rule, RuleContext};
use crate::yaml::Resolved;
use super::support::{quantities, quantity_text, resource_label};

declare_rule! {
    /// ## What it does
    /// Checks every request and limit in an `IstioGateway`'s `spec.resources`
    /// (and each `overrides` entry's) and in the containers of a gateway
    /// `Deployment`:
    /// - a value that is not a Kubernetes quantity (`2GB`, `2g`, `1.5 Gi`,
    ///   `true`) is an **error**;
    /// - a memory **limit** in milli-units (`512m`) below 12 MiB is an **error**;
    /// - a memory **request** in milli-units is a **warning**.
    ///
    /// ## Why is this bad?
    /// The API server parses every value with the quantity grammar
    /// (`<number><suffix>`, suffixes `n u m k M G T P E` and `Ki Mi Gi Ti Pi
    /// Ei`, or an exponent such as `1e3`) and rejects the object when one does
    /// not parse; quantities are case-sensitive. A lowercase `m` is valid but
    /// means one thousandth: `memory: 512m` is 0.512 bytes (S35), almost
    /// certainly meant as `512Mi`. As a request it only misleads the
    /// scheduler. As a limit the container cannot start: the kubelet rounds
    /// up to whole bytes and the runtime then refuses the cgroup limit. CRI-O
    /// rejects any limit under 12 MiB ("A lower value would result in the
    /// container failing to start"), and runc's write of a limit below the
    /// current usage fails with EBUSY (S182). A YAML null is read as zero and
    /// is not reported.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   resources:
    ///     requests: {memory: 512m}
    ///     limits: {memory: 2GB}
    /// ```
    ///
    /// ## Fix
    /// - `mebibytes` (unsafe) for `512m`: write `512Mi`. It is a guess at the
    ///   intent (`512M` would be 512,000,000 bytes), so it is never applied
    ///   without asking.
    /// - No fix for a value that does not parse: `2GB` may mean `2G` or `2Gi`.
    pub struct InvalidQuantity {
        code: "ASM-RES-017",
        name: "invalid-quantity",
        title: "memory in milli-units or a quantity that does not parse",
        title_zh: "内存使用了毫单位或数量无法解析",
        severity: Error,
        fix: Sometimes,
        sources: ["S29", "S35", "S182"],
    }
}

/// Writes a memory quantity given in milli-units (`512m`) in mebibytes (`512Mi`).
const MEBIBYTES: FixId = FixId::new("mebibytes");

impl Rule for InvalidQuantity {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for block in resources_blocks(cx.resources) {
            let what = resource_label(&cx.resources[block.resource]);
            let at = Place { resource: block.resource, owner: &block.owner, what: &what };
            let memory_limit = quantities(&block.field, "limits")
                .into_iter()
                .find(|(name, _)| *name == "memory")
                .and_then(|(_, field)| quantity_text(field.node))
                .and_then(|text| quantity::nano_units(&text));
            for group in ["requests", "limits"] {
                for (name, field) in quantities(&block.field, group) {
                    if field.node.as_scalar().map(|s| s.resolve()) == Some(Resolved::Null) {
                        continue;
                    }
                    let text = quantity_text(field.node);
                    let parsed = text.as_deref().and_then(|t| Some((t, quantity::parse(t)?)));
                    match parsed {
                        None => out.push(unparsable(cx, &at, group, name, &field)),
                        Some((text, _)) if name == "memory" && quantity::suffix_of(text) == "m" => {
                            out.push(milli_bytes(cx, &at, group, &field, text, memory_limit))
                        }
                        Some(_) => {}
                    }
                }
            }
        }
    }
}

/// Whose resources block a finding is in.
struct Place<'a> {
    resource: usize,
    owner: &'a str,
    what: &'a str,
}

fn unparsable(cx: &RuleContext<'_>, at: &Place<'_>, group: &str, name: &str, field: &Field<'_>) -> Draft {
    let (owner, what) = (at.owner, at.what);
    let shown = field.node.scalar_text().unwrap_or("…");
    let message = cx.t(
        format_args!(
            "{group}.{name} `{shown}` in {owner} of {what} is not a Kubernetes quantity; the API server rejects it"
        ),
        format_args!("{what} 的 {owner} 中 {group}.{name} `{shown}` 不是合法的 Kubernetes 数量；API server 会拒绝"),
    );
    Draft::new(&InvalidQuantity::META, at.resource, field.path.clone(), message)
        .label(cx.t(
            "expected a number with an optional suffix such as 500m, 2Gi or 1e3",
            "应为数字加可选后缀，如 500m、2Gi 或 1e3",
        ))
        .note(cx.t(
            "the API server parses every request and limit as a quantity (S35)",
            "API server 会把每项请求和限制按数量语法解析（S35）",
        ))
}

/// CRI-O's minimum container memory limit, 12 MiB, in nano-bytes (S182).
const MIN_MEMORY_LIMIT_NANO: i128 = 12 * 1024 * 1024 * 1_000_000_000;

fn milli_bytes(
    cx: &RuleContext<'_>,
    at: &Place<'_>,
    group: &str,
    field: &Field<'_>,
    text: &str,
    memory_limit: Option<i128>,
) -> Draft {
    let (owner, what) = (at.owner, at.what);
    let number = &text[..text.len() - 1];
    let bytes = quantity::thousandths(number);
    let mebibytes = format!("{number}Mi");
    let message = cx.t(
        format_args!("{group}.memory {text} in {owner} of {what} is {bytes} bytes: m means thousandths"),
        format_args!("{what} 的 {owner} 中 {group}.memory {text} 是 {bytes} 字节：m 表示千分之一"),
    );
    let fix = Fix::new(
        MEBIBYTES,
        Applicability::Unsafe,
        cx.t(format_args!("write {mebibytes} instead of {text}"), format_args!("将 {text} 改为 {mebibytes}")),
    )
    .op(Op::replace(field.path.clone(), mebibytes.clone()))
    .tradeoff(cx.t(
        format_args!("a guess at the intent: {mebibytes} is mebibytes; {number}M would be decimal megabytes"),
        format_args!("这是对意图的推测：{mebibytes} 是二进制兆字节；{number}M 则是十进制兆字节"),
    ));
    let too_small_a_limit =
        group == "limits" && quantity::nano_units(text).is_some_and(|nano| nano < MIN_MEMORY_LIMIT_NANO);
    let mut draft = Draft::new(&InvalidQuantity::META, at.resource, field.path.clone(), message)
        .label(cx.t("milli-bytes", "毫字节"));
    // A request written as mebibytes must stay within the limit, or the API
    // server rejects the object (ASM-RES-015): then the limit comes first.
    let exceeds_limit = group == "requests"
        && memory_limit.zip(quantity::nano_units(&mebibytes)).is_some_and(|(limit, request)| request > limit);
    if exceeds_limit {
        draft = draft.note(cx.t(
            format_args!("{mebibytes} would exceed the memory limit: correct the limit first"),
            format_args!("{mebibytes} 会超过内存限制：请先修正限制"),
        ));
    } else {
        draft = draft.fix(fix);
    }
    if too_small_a_limit {
        draft.note(Note::new(
            NoteKind::Error,
            cx.t(
                "a memory limit under 12 MiB keeps the container from starting (S182)",
                "低于 12 MiB 的内存限制会使容器无法启动（S182）",
            ),
        ))
    } else {
        draft.severity(Severity::Warning).note(Note::new(
            NoteKind::Warning,
            cx.t("valid, but a fraction of a byte is never meant", "合法，但不可能真的想要零点几个字节"),
        ))
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  resources:
    requests:
      cpu: 200m
      memory: 512m   # meant Mi
    limits:
      cpu: 2
      memory: 2GB
";

    #[test]
    fn milli_memory_warns_and_garbage_is_an_error() {
        let report = check_with(GATEWAY, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-RES-017").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].severity.as_str(), "warning");
        assert_eq!(
            found[0].message,
            "requests.memory 512m in spec.resources of IstioGateway istio-system/ingressgateway is 0.512 bytes: m means thousandths"
        );
        assert_eq!(found[1].severity.as_str(), "error");
        assert_eq!(found[1].location.path, "/spec/resources/limits/memory");
        assert!(found[1].fixes.is_empty());
    }

    #[test]
    fn valid_quantities_and_yaml_numbers_pass() {
        let text = GATEWAY.replace("512m", "512Mi").replace("2GB", "1e9").replace("cpu: 2\n", "cpu: 0x2\n");
        let report = check_with(&text, &[]);
        assert!(!codes(&report).contains(&"ASM-RES-017"), "{:#?}", report.findings);
    }

    #[test]
    fn second_document_booleans_and_overrides() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: a, namespace: istio-system}\nspec: {resources: {limits: {cpu: 1}}}\n---\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: b, namespace: istio-system}\nspec:\n  overrides:\n    c1:\n      resources: {limits: {cpu: yes}}\n";
        let f = only(&check_with(text, &[]), "ASM-RES-017").clone();
        assert_eq!(f.location.document, 1);
        assert_eq!(f.location.path, "/spec/overrides/c1/resources/limits/cpu");
        assert!(f.message.contains("`yes` in spec.overrides.c1.resources"), "{}", f.message);
    }

    #[test]
    fn a_milli_memory_limit_is_an_error() {
        let text = GATEWAY.replace("2GB", "256m");
        let report = check_with(&text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-RES-017").collect();
        assert_eq!(found.len(), 2, "{found:#?}");
        assert_eq!(found[0].severity.as_str(), "warning", "the request");
        assert_eq!(found[1].severity.as_str(), "error", "the limit");
        assert_eq!(found[1].location.path, "/spec/resources/limits/memory");
        assert_eq!(found[1].fixes[0].id, "mebibytes");
        // 12 MiB written in milli-bytes is absurd but starts: only a warning.
        let huge = GATEWAY.replace("2GB", "12582912000m");
        let found = check_with(&huge, &[]);
        assert!(found.findings.iter().filter(|f| f.code == "ASM-RES-017").all(|f| f.severity.as_str() == "warning"));
    }

    #[test]
    fn fix_writes_mebibytes() {
        assert_eq!(apply_fix(GATEWAY, "mebibytes", &[]), GATEWAY.replace("512m   #", "512Mi   #"));
    }
}
