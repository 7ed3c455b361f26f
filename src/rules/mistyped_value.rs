use crate::model::Resource;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Rule, RuleContext};
use crate::schema::{self, FieldKind, Problem};
use crate::yaml::{Node, Resolved, ScalarStyle};
use super::support::{dotted, is_within, resource_label};

declare_rule! {
    /// ## What it does
    /// Checks the type of every value in the kinds ASM-CR-046 reads, against
    /// the same field tables (S202, S203, S204): a string where an integer
    /// belongs (`port: "80"`), a number or boolean where a string belongs
    /// (a label value `version: 1.0`), a map where a list belongs, a scalar
    /// where an object belongs, and so on. `intOrString` fields
    /// (`targetPort`, `maxUnavailable`) take both; YAML `80.0` is the JSON
    /// number 80 and passes as an integer; an explicit `null` is unset.
    ///
    /// Values other rules own are left to them: quantities (`cpu`,
    /// `memory`: ASM-RES-015..017), the enum fields of ASM-CR-021 and
    /// annotation values (ASM-ANN-034).
    ///
    /// The native CLI and the policy modules embed the tables; the browser
    /// module is handed them by the page (`loadSchema`), and until then a
    /// report carries one `schema-unavailable` diagnostic instead of passing
    /// silently.
    ///
    /// ## Why is this bad?
    /// "Kubernetes always validates the type of fields": the API server
    /// refuses the object whatever the field validation level (S200); a CRD
    /// refuses a value of the wrong type for its structural schema (S201).
    /// ASM decodes an `IstioGateway` with Go's JSON decoder, which fails on a
    /// value of the wrong type (S205).
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   ports:
    ///     - port: "80"
    ///       targetPort: 8080
    ///   selector:
    ///     - app: istio-ingressgateway
    /// ```
    ///
    /// ## Fix
    /// `unquote-value` (safe) only where the intent is plain: a quoted
    /// decimal integer for an integer or number field (`"80"` → `80`) and a
    /// quoted `true`/`false` for a boolean field. No fix otherwise.
    pub struct MistypedValue {
        code: "ASM-CR-047",
        name: "mistyped-value",
        title: "value of the wrong type",
        title_zh: "取值类型错误",
        severity: Error,
        fix: Sometimes,
        sources: ["S200", "S201", "S202", "S203", "S204", "S205"],
    }
}

/// Writes a quoted number or boolean unquoted.
const UNQUOTE_VALUE: FixId = FixId::new("unquote-value");

impl Rule for MistypedValue {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for (index, resource) in cx.resources.iter().enumerate() {
            let Some(checked) = cx.schema_of(index) else { continue };
            let owned = owned_elsewhere(resource);
            for problem in &checked.problems {
                let Problem::Mistyped { path, node, expected } = problem else { continue };
                if owned.iter().any(|o| is_within(path, o)) {
                    continue;
                }
                out.push(mistyped_draft(cx, index, resource, path, node, expected));
            }
        }
    }
}

/// Fields whose values other rules judge: the enum fields of ASM-CR-021 and
/// the annotation maps of ASM-ANN-034 (quantities the walk never reports).
fn owned_elsewhere(resource: &Resource<'_>) -> Vec<String> {
    let mut owned: Vec<String> = super::support::enum_fields(resource).into_iter().map(|(p, _)| p).collect();
    owned.extend(super::support::string_maps(resource));
    owned
}

fn mistyped_draft(
    cx: &RuleContext<'_>,
    index: usize,
    resource: &Resource<'_>,
    path: &str,
    node: &Node,
    expected: &FieldKind,
) -> Draft {
    let field = dotted(path);
    let what = resource_label(resource);
    let want = schema::expected_text(expected);
    let found = schema::found_text(node);
    let message = if crate::model::is_istio_gateway(resource) {
        cx.t(
            format_args!("{field} of {what} takes {}, not {}; ASM cannot decode the gateway", want.0, found.0),
            format_args!("{what} 的 {field} 应为{}，而不是{}；ASM 无法解码该网关", want.1, found.1),
        )
    } else {
        cx.t(
            format_args!("{field} of {what} takes {}, not {}; the API server refuses the object", want.0, found.0),
            format_args!("{what} 的 {field} 应为{}，而不是{}；API server 会拒绝该对象", want.1, found.1),
        )
    };
    let note = if crate::model::is_istio_gateway(resource) {
        cx.t(
            "ASM reads IstioGateway into its Go types (S204), and Go's JSON decoder fails on a value of another type (S205); a structural CRD refuses it already (S201)",
            "ASM 将 IstioGateway 解码为其 Go 类型（S204），Go 的 JSON 解码器遇到其他类型的值会失败（S205）；结构化 CRD 会直接拒绝它（S201）",
        )
    } else {
        cx.t(
            "Kubernetes always validates the type of fields, whatever the field validation level (S200, S201)",
            "无论字段校验级别如何，Kubernetes 都会校验字段类型（S200、S201）",
        )
    };
    let mut draft = Draft::new(&MistypedValue::META, index, path, message).note(note);
    if let Some(value) = unquoted(node, expected) {
        let mut fix = Fix::new(
            UNQUOTE_VALUE,
            Applicability::Safe,
            cx.t(format_args!("write {value} unquoted"), format_args!("去掉引号，写为 {value}")),
        )
        .op(Op::replace(path, value))
        .tradeoff(
            cx.t("none: the value the quotes hid, in the type the field takes", "无：引号中的取值，改为字段要求的类型"),
        );
        fix.recommended = true;
        draft = draft.fix(fix);
    }
    draft
}

/// The JSON value a quoted scalar plainly meant: `"80"` for an integer or
/// number field, `"true"` for a boolean one. Only decimal digits count, so
/// `"0x50"` or `"080"` get no fix.
fn unquoted(node: &Node, expected: &FieldKind) -> Option<serde_json::Value> {
    let scalar = node.as_scalar()?;
    if !matches!(scalar.style, ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted)
        || !matches!(scalar.resolve(), Resolved::Str)
    {
        return None;
    }
    let text = scalar.text.as_str();
    match expected {
        FieldKind::Int | FieldKind::Num => {
            let digits = text.strip_prefix('-').unwrap_or(text);
            let plain = !digits.is_empty()
                && digits.bytes().all(|b| b.is_ascii_digit())
                && (digits == "0" || !digits.starts_with('0'));
            plain.then(|| text.parse::<i64>().ok().map(serde_json::Value::from)).flatten()
        }
        FieldKind::Bool => match text {
            "true" => Some(serde_json::Value::Bool(true)),
            "false" => Some(serde_json::Value::Bool(false)),
            _ => None,
        },
        _ => None,
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rule::{Applicability, Lang};
    use crate::rules::test_support::*;

    const SERVICE: &str = "apiVersion: v1
kind: Service
metadata:
  name: gw
  namespace: istio-system
  labels: {version: 1.0}
spec:
  type: ClusterIP
  selector:
    - app: gw
  ports:
    - port: \"80\"   # quoted
      targetPort: http
      nodePort: 30080.0
";

    fn found(report: &crate::report::Report) -> Vec<&crate::report::Finding> {
        report.findings.iter().filter(|f| f.code == "ASM-CR-047").collect()
    }

    #[test]
    fn wrong_types_are_reported_with_what_the_field_takes() {
        let report = check_with(SERVICE, &[]);
        let found = found(&report);
        let paths: Vec<&str> = found.iter().map(|f| f.location.path.as_str()).collect();
        assert_eq!(paths, ["/metadata/labels/version", "/spec/selector", "/spec/ports/0/port"]);
        assert_eq!(
            found[1].message,
            "spec.selector of Service istio-system/gw takes a map, not a list; the API server refuses the object"
        );
        assert_eq!(found[2].fixes[0].applicability, Applicability::Safe);
        assert!(found[0].fixes.is_empty() && found[1].fixes.is_empty());
        let zh = check_lang(SERVICE, &[], Lang::Zh);
        assert!(zh.findings.iter().any(|f| f.message.contains("应为整数，而不是字符串")));
    }

    #[test]
    fn unquote_keeps_the_comment() {
        let fixed = apply_fix(SERVICE, "unquote-value", &[]);
        assert!(fixed.contains("    - port: 80   # quoted\n"), "{fixed}");
    }

    #[test]
    fn int_or_string_quantities_enums_and_annotations_belong_elsewhere() {
        let text = "apiVersion: apps/v1
kind: Deployment
metadata: {name: d, annotations: {a: 1}}
spec:
  strategy: {type: RollingUpdate, rollingUpdate: {maxUnavailable: 25%, maxSurge: 1}}
  template:
    spec:
      containers:
        - name: c
          resources: {limits: {cpu: 1, memory: 1x}}
---
apiVersion: v1
kind: Service
metadata: {name: s}
spec: {type: 1}
";
        assert!(found(&check_with(text, &[])).is_empty());
    }

    #[test]
    fn no_fix_for_what_is_not_plainly_a_number() {
        for value in ["\"0x50\"", "\"080\"", "\"eighty\""] {
            let text = SERVICE.replace("\"80\"", value);
            let report = check_with(&text, &[]);
            let port = found(&report).into_iter().find(|f| f.location.path == "/spec/ports/0/port").unwrap();
            assert!(port.fixes.is_empty(), "{value}");
        }
    }
}
