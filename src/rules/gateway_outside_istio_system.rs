use crate::diagnostic::Severity;
use crate::model::{is_istio_gateway, Resource};
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, FixId, Note, Rule, RuleContext};

const ISTIO_SYSTEM: &str = "istio-system";

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` whose `metadata.namespace` is not `istio-system`,
    /// and, as an info, one without a namespace.
    ///
    /// ## Why is this bad?
    /// ASM: the namespace "must be istio-system" (S3); "In Istio 1.6 and
    /// later, gateways deployed to other namespaces fail to start because they
    /// cannot retrieve the gateway configuration" (S2; the zh page says the
    /// same, S1). Without a namespace
    /// the object lands wherever `kubectl` points, which works only with
    /// `-n istio-system`.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1beta1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: default
    /// ```
    ///
    /// ## Fix
    /// - `move-to-istio-system` (unsafe): `metadata.namespace: istio-system`;
    ///   applying it creates a new gateway there, the old object stays until
    ///   deleted.
    /// - `set-namespace` (safe, when the namespace is missing): adds
    ///   `namespace: istio-system`, the only namespace the gateway works in.
    ///   Not offered when `metadata` holds a misspelling of `namespace`
    ///   (ASM-CR-046 names it and renames it): the finding names the
    ///   misspelt key instead of adding a second one.
    pub struct GatewayOutsideIstioSystem {
        code: "ASM-CR-020",
        name: "gateway-outside-istio-system",
        title: "IstioGateway is not in the istio-system namespace",
        title_zh: "IstioGateway 不在 istio-system 命名空间中",
        severity: Error,
        fix: Sometimes,
        sources: ["S1", "S2", "S3"],
    }
}

/// Sets the IstioGateway's `metadata.namespace` to `istio-system`.
const MOVE_TO_ISTIO_SYSTEM: FixId = FixId::new("move-to-istio-system");
/// Adds `metadata.namespace: istio-system` to the IstioGateway.
const SET_NAMESPACE: FixId = FixId::new("set-namespace");

impl Rule for GatewayOutsideIstioSystem {
    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for (index, resource) in cx.resources.iter().enumerate() {
            if !is_istio_gateway(resource) {
                continue;
            }
            let name = resource.name.unwrap_or("<unnamed>");
            let draft = match resource.namespace {
                Some(ISTIO_SYSTEM) => continue,
                Some(namespace) => Draft::new(
                    &Self::META,
                    index,
                    "/metadata/namespace",
                    cx.t(
                        format_args!("IstioGateway {namespace}/{name} is in metadata.namespace {namespace}; ASM gateways only start in istio-system"),
                        format_args!("IstioGateway {namespace}/{name} 的 metadata.namespace 为 {namespace}；ASM 网关只能在 istio-system 中启动"),
                    ),
                )
                .fix(
                    Fix::new(
                        MOVE_TO_ISTIO_SYSTEM,
                        Applicability::Unsafe,
                        cx.t("set metadata.namespace: istio-system", "将 metadata.namespace 设为 istio-system"),
                    )
                    // Outside istio-system the gateway never started: what it means there is new.
                    .reveals()
                    .op(Op::replace("/metadata/namespace", ISTIO_SYSTEM))
                    .tradeoff(cx.t(
                        format_args!("applying creates a new gateway in istio-system; delete the one in {namespace} yourself"),
                        format_args!("应用后会在 istio-system 中新建网关；{namespace} 中的旧对象需自行删除"),
                    ))
                    .tradeoff(cx.t(
                        "the name must not clash with a gateway already in istio-system",
                        "名称不能与 istio-system 中已有的网关冲突",
                    )),
                ),
                None => Draft::new(
                    &Self::META,
                    index,
                    "/metadata/namespace",
                    cx.t(
                        format_args!("IstioGateway {name} has no metadata.namespace; it works only when applied to istio-system"),
                        format_args!("IstioGateway {name} 没有 metadata.namespace；只有应用到 istio-system 时才能工作"),
                    ),
                )
                .severity(Severity::Info)
                .note(Note::assumed(cx.t(
                    "the manifest may be applied with -n istio-system, so this is only an info",
                    "清单可能通过 -n istio-system 应用，因此仅为提示",
                )))
                .fix(
                    Fix::new(
                        SET_NAMESPACE,
                        Applicability::Safe,
                        cx.t("add metadata.namespace: istio-system", "添加 metadata.namespace: istio-system"),
                    )
                    // The gateway's namespace was unknown: objects that match it there now apply.
                    .reveals()
                    .op(Op::add("/metadata/namespace", ISTIO_SYSTEM))
                    .tradeoff(cx.t(
                        "none: istio-system is the only namespace an ASM gateway works in",
                        "无：istio-system 是 ASM 网关唯一可用的命名空间",
                    )),
                ),
            };
            out.push(misspelt_namespace(cx, index, resource, draft));
        }
    }
}

/// `metadata.namspace: istio-system` is dropped by the API server: the finding
/// names it, and adding `namespace` beside it is left to ASM-CR-046's rename.
fn misspelt_namespace(cx: &RuleContext<'_>, index: usize, resource: &Resource<'_>, draft: Draft) -> Draft {
    if resource.namespace.is_some() {
        return draft;
    }
    let Some(key) =
        cx.schema_of(index).and_then(|checked| crate::schema::misspelling_of(checked, "/metadata", "namespace"))
    else {
        return draft;
    };
    let name = resource.name.unwrap_or("<unnamed>");
    let mut draft = Draft {
        message: cx.t(
            format_args!("IstioGateway {name} has no metadata.namespace (`{key}` is a misspelling the API drops, ASM-CR-046); it works only when applied to istio-system"),
            format_args!("IstioGateway {name} 没有 metadata.namespace（`{key}` 是拼写错误，API 会丢弃它，见 ASM-CR-046）；只有应用到 istio-system 时才能工作"),
        ),
        ..draft
    };
    draft.remedies.clear();
    draft.note(cx.t(
        format_args!("correct `{key}` (ASM-CR-046's rename-key) rather than add metadata.namespace beside it"),
        format_args!("请修正 `{key}`（ASM-CR-046 的 rename-key），而不是在旁边再添加 metadata.namespace"),
    ))
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const CLEAN: &str =
        "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: a, namespace: istio-system}\n";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: default   # wrong
spec:
  replicaCount: 2
";

    #[test]
    fn a_misspelt_namespace_is_named_and_not_added_twice() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata: {name: a, namspace: istio-system}\n";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-CR-020");
        assert!(f.message.contains("(`namspace` is a misspelling the API drops, ASM-CR-046)"), "{}", f.message);
        assert!(f.fixes.is_empty());
        assert!(codes(&report).contains(&"ASM-CR-046"));
    }

    #[test]
    fn passes_istio_system() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-CR-020"));
    }

    #[test]
    fn flags_other_namespaces_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-CR-020");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.severity.as_str(), "error");
        assert_eq!(&text[f.location.span.start..f.location.span.end], "default");
    }

    #[test]
    fn moves_the_gateway() {
        assert_eq!(apply_fix(BAD, "move-to-istio-system", &[]), BAD.replace("default   #", "istio-system   #"));
    }

    #[test]
    fn missing_namespace_is_an_info_with_a_safe_fix() {
        let text = "apiVersion: istio.alibabacloud.com/v1beta1\nkind: IstioGateway\nmetadata:\n  name: gw # custom\nspec: {}\n";
        let report = check_with(text, &[]);
        let f = only(&report, "ASM-CR-020");
        assert_eq!(f.severity.as_str(), "info");
        let fixed = apply_fix(text, "set-namespace", &[]);
        assert_eq!(fixed, text.replace("  name: gw # custom\n", "  name: gw # custom\n  namespace: istio-system\n"));
    }
}
