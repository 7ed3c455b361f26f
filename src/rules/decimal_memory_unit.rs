use crate::model::{quantity, resources_blocks, Field};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, NoteKind, Rule, RuleContext};
use crate::yaml::Resolved;
use super::support::{quantities, quantity_text, resource_label};

declare_rule! {
    /// ## What it does
    /// Flags a memory request or limit written with a decimal suffix (`k`,
    /// `M`, `G`, `T`, `P`, `E`) in an `IstioGateway`'s `spec.resources` (and
    /// each `overrides` entry's) and in the containers of a gateway
    /// `Deployment`.
    ///
    /// ## Why is this bad?
    /// Decimal suffixes are powers of 1000: `2G` is 2,000,000,000 bytes, about
    /// 1.86Gi (S35). It is valid, and sometimes meant, but memory is usually
    /// sized in binary units and the gap grows with the unit (2.4% for `k`,
    /// 7.4% for `G`). ASM's own field table shows `memory: 2G` next to
    /// `256Mi` (S3), which is how such values spread. That the binary unit was
    /// meant is this rule's guess, not a documented fact. Hence **info**.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   resources:
    ///     limits: {cpu: '2', memory: 2G}
    /// ```
    ///
    /// ## Fix
    /// `binary-memory-unit` (unsafe): `2G` becomes `2Gi`. This changes the
    /// amount (`2Gi` is 7.4% more than `2G`), so it is never applied without
    /// asking. It is not offered for a request that would then exceed its
    /// limit.
    pub struct DecimalMemoryUnit {
        code: "ASM-RES-016",
        name: "decimal-memory-unit",
        title: "memory quantity with a decimal unit",
        title_zh: "内存数量使用了十进制单位",
        severity: Info,
        fix: Sometimes,
        sources: ["S3", "S35"],
    }
}

/// Writes a decimal memory quantity with the binary unit (`2G` to `2Gi`).
const BINARY_MEMORY_UNIT: FixId = FixId::new("binary-memory-unit");

/// The decimal suffixes of byte quantities and the binary ones they are mistaken for.
const DECIMAL_TO_BINARY: &[(&str, &str, i32)] =
    &[("k", "Ki", 1), ("M", "Mi", 2), ("G", "Gi", 3), ("T", "Ti", 4), ("P", "Pi", 5), ("E", "Ei", 6)];

impl Rule for DecimalMemoryUnit {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for block in resources_blocks(cx.resources) {
            let limit = quantities(&block.field, "limits").into_iter().rev().find(|(n, _)| *n == "memory");
            for group in ["requests", "limits"] {
                for (name, field) in quantities(&block.field, group) {
                    if name != "memory" {
                        continue;
                    }
                    let Some((text, binary, power)) = decimal(&field) else { continue };
                    let Some(amount) = quantity::parse(&text).map(|q| q.value) else { continue };
                    let converted = binary_text(&text, binary);
                    let approx = format_amount(amount / 1024f64.powi(power));
                    let gain = (1.024f64.powi(power) - 1.0) * 100.0;
                    let what = resource_label(&cx.resources[block.resource]);
                    let owner = &block.owner;
                    let message = cx.t(
                        format_args!("{group}.memory {text} in {owner} of {what} is {} bytes (about {approx}{binary}), not {converted}", format_amount(amount)),
                        format_args!("{what} 的 {owner} 中 {group}.memory {text} 是 {} 字节（约 {approx}{binary}），不是 {converted}", format_amount(amount)),
                    );
                    let mut draft = Draft::new(&Self::META, block.resource, field.path.clone(), message)
                        .label(cx.t("decimal unit: powers of 1000, not 1024", "十进制单位：1000 的幂，而不是 1024"))
                        .note(Note::new(
                            NoteKind::Info,
                            cx.t("a decimal unit is valid and may be intended", "十进制单位是合法的，也可能是有意为之"),
                        ));
                    let exceeds_limit = group == "requests"
                        && limit.as_ref().is_some_and(|(_, lim)| {
                            let lim_after = decimal(lim).map_or_else(|| quantity_text(lim.node), |(t, b, _)| Some(binary_text(&t, b)));
                            let new = quantity::nano_units(&converted);
                            matches!((new, lim_after.as_deref().and_then(quantity::nano_units)), (Some(n), Some(l)) if n > l)
                        });
                    if exceeds_limit {
                        draft = draft.note(cx.t(
                            format_args!("{converted} would exceed the memory limit, so no fix is offered"),
                            format_args!("{converted} 会超过内存限制，因此不提供修复"),
                        ));
                    } else {
                        draft = draft.fix(
                            Fix::new(
                                BINARY_MEMORY_UNIT,
                                Applicability::Unsafe,
                                cx.t(
                                    format_args!("write {converted} instead of {text}"),
                                    format_args!("将 {text} 改为 {converted}"),
                                ),
                            )
                            .op(Op::replace(field.path.clone(), converted.clone()))
                            .tradeoff(cx.t(
                                format_args!(
                                    "a semantic change: {converted} is {}% more memory than {text}",
                                    fixed(gain, 1)
                                ),
                                format_args!("语义变化：{converted} 比 {text} 多 {}% 内存", fixed(gain, 1)),
                            )),
                        );
                    }
                    out.push(draft);
                }
            }
        }
    }
}

/// `(text, binary suffix, power of 1024)` of a string quantity with a decimal byte suffix.
fn decimal(field: &Field<'_>) -> Option<(String, &'static str, i32)> {
    let scalar = field.node.as_scalar()?;
    if scalar.resolve() != Resolved::Str {
        return None;
    }
    let suffix = quantity::suffix_of(&scalar.text);
    let (_, binary, power) = DECIMAL_TO_BINARY.iter().find(|(d, _, _)| *d == suffix)?;
    quantity::parse(&scalar.text)?;
    Some((scalar.text.clone(), binary, *power))
}

/// `2G` with its suffix replaced: `2Gi`.
fn binary_text(text: &str, binary: &str) -> String {
    format!("{}{binary}", &text[..text.len() - quantity::suffix_of(text).len()])
}

/// `2000000000`, `1.86`: whole numbers without a fraction, others to two places.
fn format_amount(value: f64) -> String {
    if value.fract() == 0.0 && value.abs() < 1e18 {
        format!("{}", value as i64)
    } else {
        fixed(value, 2)
    }
}

/// `value` rounded to `places` decimals through integers: float formatting
/// costs the browser build ~11 KB of code.
fn fixed(value: f64, places: u32) -> String {
    let scale = 10i64.pow(places);
    let n = (value * scale as f64).round() as i64;
    let sign = if n < 0 { "-" } else { "" };
    let n = n.unsigned_abs();
    let scale = scale.unsigned_abs();
    format!("{sign}{}.{:0width$}", n / scale, n % scale, width = places as usize)
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const GATEWAY: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: ingressgateway, namespace: istio-system}
spec:
  resources:
    limits:
      cpu: '2'
      memory: 2G   # from the ASM doc
    requests:
      cpu: 200m
      memory: 256Mi
";

    #[test]
    fn decimal_gigabytes_are_info() {
        let report = check_with(GATEWAY, &[]);
        let f = only(&report, "ASM-RES-016");
        assert_eq!(f.severity.as_str(), "info");
        assert_eq!(f.location.path, "/spec/resources/limits/memory");
        assert_eq!(
            f.message,
            "limits.memory 2G in spec.resources of IstioGateway istio-system/ingressgateway is 2000000000 bytes (about 1.86Gi), not 2Gi"
        );
        assert!(f.fixes[0].tradeoffs[0].contains("7.4%"), "{:?}", f.fixes[0].tradeoffs);
    }

    #[test]
    fn binary_units_plain_bytes_and_cpu_pass() {
        let text = GATEWAY.replace("memory: 2G", "memory: 2Gi").replace("256Mi", "268435456");
        assert!(!codes(&check_with(&text, &[])).contains(&"ASM-RES-016"));
    }

    #[test]
    fn second_document_and_request_guard() {
        let text = format!(
            "apiVersion: v1\nkind: Namespace\nmetadata: {{name: istio-system}}\n---\n{}",
            GATEWAY.replace("memory: 256Mi", "memory: 2G")
        );
        let report = check_with(&text, &[]);
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == "ASM-RES-016").collect();
        assert_eq!(found.len(), 2);
        assert!(found.iter().all(|f| f.location.document == 1 && f.fixes.len() == 1));
        // The request alone may not outgrow a limit that stays decimal.
        let text = GATEWAY.replace("memory: 2G", "memory: 2000000000").replace("memory: 256Mi", "memory: 2G");
        let f = only(&check_with(&text, &[]), "ASM-RES-016").clone();
        assert!(f.fixes.is_empty() && f.notes.iter().any(|n| n.text.contains("exceed")));
    }

    #[test]
    fn fix_appends_the_binary_marker() {
        assert_eq!(apply_fix(GATEWAY, "binary-memory-unit", &[]), GATEWAY.replace("2G   #", "2Gi   #"));
    }
}
