use std::collections::HashSet;
use crate::diagnostic::Severity;
use crate::model::Resource;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Rule, RuleContext};
use crate::yaml::{pointer, Node, Resolved, Value};
use super::support::{dotted, resource_label, string_maps};

declare_rule! {
    /// ## What it does
    /// Flags a value in a map of strings that Kubernetes' YAML reader does not
    /// read as a string: `metadata.annotations` of any object (and of a
    /// workload's pod template), and an `IstioGateway`'s
    /// `spec.serviceAnnotations` and `spec.podAnnotations`, in the base spec
    /// and in every `overrides` entry.
    ///
    /// ## Why is this bad?
    /// Kubernetes reads YAML with YAML 1.1 rules (go-yaml v2 through
    /// sigs.k8s.io/yaml): unquoted `on`, `off`, `yes`, `no`, `true`, `y` are
    /// booleans, `8080`, `0x1F` and `0777` are integers, `1.0` is a number.
    /// Annotation values must be strings, so the API server rejects the
    /// object ("cannot unmarshal bool into Go struct field ObjectMeta.metadata.annotations
    /// of type string"). CCM annotations are the usual victims: ACK writes
    /// `proxy-protocol: "on"` quoted for this reason (S8). In an
    /// `IstioGateway`'s `serviceAnnotations` the value would also reach the
    /// rendered Service (S1, S6), and ASM's Go types declare the map as
    /// `map[string]string` (S4).
    ///
    /// A null value (`key:` with nothing after it, `~`, `null`) is a
    /// **warning**, not an error: the API server stores it as the empty
    /// string, but `kubectl apply` before kubernetes PR #129257 (December
    /// 2024) dropped every annotation of the object when one was null, and an
    /// empty value is often a forgotten one. A mapping or a list is an error
    /// without a fix.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   annotations:
    ///     service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: on
    /// ```
    ///
    /// ## Fix
    /// `quote-annotation-value` (safe): quote the value exactly as written —
    /// `on` becomes `"on"`, `0x1F` becomes `"0x1F"` (not `"31"`), `8080`
    /// becomes `"8080"` — which is what the author meant and what any consumer
    /// of the annotation parses. A null becomes `""`: the YAML meaning changes
    /// from null to the empty string, but that is what the API server stores
    /// anyway, so the object behaves the same; if a value was forgotten, fill
    /// it in instead.
    pub struct AnnotationValueNotString {
        code: "ASM-ANN-034",
        name: "annotation-value-not-string",
        title: "annotation value that YAML reads as a non-string",
        title_zh: "注解值被 YAML 解析为非字符串",
        severity: Error,
        fix: Sometimes,
        sources: ["S1", "S4", "S6", "S8"],
    }
}

/// Quotes an annotation value so it is a string.
const QUOTE_ANNOTATION_VALUE: FixId = FixId::new("quote-annotation-value");

impl Rule for AnnotationValueNotString {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for (index, resource) in cx.resources.iter().enumerate() {
            for map_path in string_maps(resource) {
                let Some(map) = resource.get(&map_path) else { continue };
                // Each key of this map once (a duplicate key is one entry to Kubernetes).
                let mut seen = HashSet::new();
                for (key, _) in map.string_map() {
                    if !seen.insert(key) {
                        continue;
                    }
                    // The last of duplicate keys is what Kubernetes keeps.
                    let Some(value) = map.get(key) else { continue };
                    let path = pointer::push(&map_path, key);
                    if let Some(draft) = check_value(cx, index, resource, &map_path, key, &path, value) {
                        out.push(draft);
                    }
                }
            }
        }
    }
}

fn check_value(
    cx: &RuleContext<'_>,
    index: usize,
    resource: &Resource<'_>,
    map_path: &str,
    key: &str,
    path: &str,
    value: &Node,
) -> Option<Draft> {
    let map = dotted(map_path);
    let what = resource_label(resource);
    let scalar = match &value.value {
        Value::Scalar(s) => s,
        Value::Mapping(_) | Value::Sequence(_) => {
            let kind = if value.as_mapping().is_some() { "mapping" } else { "list" };
            let kind_zh = if value.as_mapping().is_some() { "映射" } else { "列表" };
            let message = cx.t(
                format_args!("{map} `{key}` of {what} is a {kind}, not a string; the object is rejected"),
                format_args!("{what} 的 {map} `{key}` 是{kind_zh}而不是字符串；该对象会被拒绝"),
            );
            return Some(Draft::new(&AnnotationValueNotString::META, index, path, message));
        }
    };
    let resolved = scalar.resolve();
    let text = scalar.text.as_str();
    let draft = match resolved {
        Resolved::Str => return None,
        Resolved::Null => Draft::new(
            &AnnotationValueNotString::META,
            index,
            path,
            cx.t(
                format_args!("{map} `{key}` of {what} is null in YAML, not a string; Kubernetes stores an empty string"),
                format_args!("{what} 的 {map} `{key}` 在 YAML 中为 null 而不是字符串；Kubernetes 会存为空字符串"),
            ),
        )
        .severity(Severity::Warning)
        .note(cx.t(
            "kubectl apply before kubernetes PR #129257 (December 2024) drops every annotation of an object that has a null one",
            "kubernetes PR #129257（2024 年 12 月）之前的 kubectl apply 遇到 null 注解值时会丢弃该对象的全部注解",
        )),
        other => {
            let kind = other.type_name();
            let note = if map_path.ends_with("/metadata/annotations") {
                Note::from(cx.t(
                    "the API server decodes annotations as strings and rejects any other type",
                    "API server 按字符串解码注解，其他类型会被拒绝",
                ))
            } else {
                Note::assumed(cx.t(
                    "the IstioGateway CRD schema or ASM's Go decoder (map[string]string, S4) refuses non-strings; no public CRD schema was found",
                    "IstioGateway 的 CRD 校验或 ASM 的 Go 解码（map[string]string，S4）会拒绝非字符串；未找到公开的 CRD 定义",
                ))
            };
            Draft::new(
                &AnnotationValueNotString::META,
                index,
                path,
                cx.t(
                    format_args!("{map} `{key}` of {what} is the YAML {kind} `{text}`, not a string; the object is rejected"),
                    format_args!("{what} 的 {map} `{key}` 是 YAML {kind} `{text}` 而不是字符串；该对象会被拒绝"),
                ),
            )
            .note(note)
        }
    };
    let quoted = if resolved == Resolved::Null { String::new() } else { text.to_owned() };
    let shown = format!("\"{quoted}\"");
    let mut fix = Fix::new(
        QUOTE_ANNOTATION_VALUE,
        Applicability::Safe,
        cx.t(format_args!("quote the value: {shown}"), format_args!("给值加引号：{shown}")),
    )
    .reveals()
    .op(Op::replace(path, quoted).quoted());
    fix = if resolved == Resolved::Null {
        fix.tradeoff(cx.t(
            "none for the cluster, which stores an empty string already; if a value was forgotten, write it instead",
            "对集群无影响，集群本来就存为空字符串；如果是漏写了值，请改为填写该值",
        ))
    } else {
        fix.tradeoff(cx.t("none: the text stays exactly as written", "无：文本与原写法完全一致"))
    };
    fix.recommended = true;
    Some(draft.label(cx.t("quote it to keep it a string", "加引号使其保持为字符串")).fix(fix))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::Lang;
    use crate::rules::test_support::*;

    const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: istio-ingressgateway
  namespace: istio-system
  annotations:
    service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol: on   # PROXY v2
    example.com/port: 8080
    example.com/mask: 0x1F
    example.com/ratio: 1.0
    example.com/quoted: \"yes\"
    example.com/empty:
spec:
  type: LoadBalancer
";

    #[test]
    fn booleans_numbers_and_nulls_are_found() {
        let report = check_with(SERVICE, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-ANN-034").collect();
        let sev: Vec<_> = found.iter().map(|f| f.severity.as_str()).collect();
        assert_eq!(sev, ["error", "error", "error", "error", "warning"]);
        assert_eq!(
            found[0].message,
            "metadata.annotations `service.beta.kubernetes.io/alibaba-cloud-loadbalancer-proxy-protocol` of Service istio-system/istio-ingressgateway is the YAML boolean `on`, not a string; the object is rejected"
        );
        let zh = check_lang(SERVICE, &[], Lang::Zh);
        assert!(zh.findings.iter().any(|f| f.message.contains("是 YAML integer `0x1F` 而不是字符串")));
    }

    #[test]
    fn strings_pass() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    a: \"on\"\n    b: '8080'\n    c: !!str yes\n    d: |\n      true\n    e: 1.2.3\n";
        assert!(!codes(&check_with(text, &[])).contains(&"ASM-ANN-034"));
    }

    #[test]
    fn gateway_maps_in_a_later_document() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, annotations: {a: b}}\n---\napiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: g, namespace: istio-system}\nspec:\n  podAnnotations: {sidecar.istio.io/inject: \"false\"}\n  overrides:\n    c1:\n      serviceAnnotations:\n        service.beta.kubernetes.io/alibaba-cloud-loadbalancer-http2-enabled: off\n";
        let f = only(&check_with(text, &[]), "ASM-ANN-034").clone();
        assert_eq!(f.location.document, 1);
        assert_eq!(
            f.location.path,
            "/spec/overrides/c1/serviceAnnotations/service.beta.kubernetes.io~1alibaba-cloud-loadbalancer-http2-enabled"
        );
        assert_eq!(apply_fix(text, "quote-annotation-value", &[]), text.replace("enabled: off", "enabled: \"off\""));
    }

    #[test]
    fn safe_fix_quotes_the_exact_text() {
        let outcome = crate::engine::fix(SERVICE, &crate::engine::FixRequest::default(), &options(&[]));
        let expected = SERVICE
            .replace("protocol: on   #", "protocol: \"on\"   #")
            .replace("port: 8080", "port: \"8080\"")
            .replace("mask: 0x1F", "mask: \"0x1F\"")
            .replace("ratio: 1.0", "ratio: \"1.0\"")
            .replace("empty:\n", "empty: \"\"\n");
        assert_eq!(outcome.text, expected);
        assert!(!codes(&outcome.report).contains(&"ASM-ANN-034"));
    }

    #[test]
    fn json_documents_get_json_strings() {
        let text = "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\", \"metadata\": {\"name\": \"c\", \"annotations\": {\"a\": true, \"b\": null}}}\n";
        let outcome = crate::engine::fix(text, &crate::engine::FixRequest::default(), &options(&[]));
        assert_eq!(outcome.text, text.replace("true", "\"true\"").replace("null", "\"\""));
    }

    #[test]
    fn anchored_values_keep_their_anchor() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  annotations:\n    a: &x on\n    b: *x\n";
        let outcome = crate::engine::fix(text, &crate::engine::FixRequest::default(), &options(&[]));
        assert_eq!(outcome.text, text.replace("&x on", "&x \"on\""));
        assert!(!codes(&outcome.report).contains(&"ASM-ANN-034"));
    }
}
