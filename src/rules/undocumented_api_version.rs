use crate::model::is_istio_gateway;
use crate::patch::Op;
use crate::rule::{declare_rule, Applicability, Draft, Fix, Rule, RuleContext, RuleMeta};

/// The apiVersion ASM documents for `IstioGateway`.
const DOCUMENTED: &str = "istio.alibabacloud.com/v1beta1";
/// The version the public Go package registers.
const GO_PACKAGE: &str = "istio.alibabacloud.com/v1";

declare_rule! {
    /// ## What it does
    /// Flags an `IstioGateway` written with `apiVersion: istio.alibabacloud.com/v1`.
    ///
    /// ## Why is this bad?
    /// Every ASM document uses `istio.alibabacloud.com/v1beta1` (S1, S2). The
    /// public Go package `aliyun/alibabacloud-servicemesh-api` registers the
    /// kind under version `v1` although its package comment says `v1beta1`
    /// (S4). Whether the cluster's CRD serves `v1` is not documented, so a
    /// manifest written against the Go package may be rejected with "no matches
    /// for kind IstioGateway in version istio.alibabacloud.com/v1". No schema
    /// difference between the two is known (domain.md 1.1, [M]), which is why
    /// this is only an info.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: istio.alibabacloud.com/v1
    /// kind: IstioGateway
    /// metadata:
    ///   name: ingressgateway
    ///   namespace: istio-system
    /// ```
    ///
    /// ## Fix
    /// `use-v1beta1` (safe): `apiVersion: istio.alibabacloud.com/v1beta1`; the
    /// spec is read the same way.
    pub struct UndocumentedApiVersion {
        code: "ASM-API-033",
        name: "undocumented-api-version",
        title: "IstioGateway uses the undocumented apiVersion istio.alibabacloud.com/v1",
        title_zh: "IstioGateway 使用了未在文档中说明的 apiVersion istio.alibabacloud.com/v1",
        severity: Info,
        fix: Always,
        sources: ["S1", "S2", "S4"],
    }
}

impl Rule for UndocumentedApiVersion {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, cx: &RuleContext<'_>, out: &mut Vec<Draft>) {
        for (index, resource) in cx.resources.iter().enumerate() {
            if !is_istio_gateway(resource) || resource.api_version != GO_PACKAGE {
                continue;
            }
            let name = resource.display_name();
            let message = cx.t(
                format_args!("IstioGateway {name} uses apiVersion {GO_PACKAGE}, registered in the Go API but not documented by ASM"),
                format_args!("IstioGateway {name} 的 apiVersion 为 {GO_PACKAGE}：Go API 中注册了该版本，但 ASM 文档未说明"),
            );
            let fix = Fix::new(
                "use-v1beta1",
                Applicability::Safe,
                cx.t(format_args!("set apiVersion: {DOCUMENTED}"), format_args!("将 apiVersion 设为 {DOCUMENTED}")),
            )
            .op(Op::replace("/apiVersion", DOCUMENTED))
            .tradeoff(cx.t(
                "none known: the spec schema is assumed to be the same in both versions",
                "未知影响：假定两个版本的 spec 结构相同",
            ));
            out.push(
                Draft::new(&Self::META, index, "/apiVersion", message)
                    .note(cx.t(
                        "assumed: the CRD in the cluster serves v1beta1 as ASM documents; whether it also serves v1 is unknown",
                        "假定：集群中的 CRD 按 ASM 文档提供 v1beta1；是否也提供 v1 未知",
                    ))
                    .fix(fix),
            );
        }
    }
}

#[cfg(all(test, feature = "yaml"))]
mod tests {
    use crate::rules::test_support::*;

    const CLEAN: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata: {name: a, namespace: istio-system}
";
    const BAD: &str = "apiVersion: istio.alibabacloud.com/v1 # from the Go types
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
";

    #[test]
    fn passes_the_documented_version() {
        assert!(!codes(&check_with(CLEAN, &[])).contains(&"ASM-API-033"));
    }

    #[test]
    fn flags_v1_after_a_clean_document() {
        let text = format!("{CLEAN}---\n{BAD}");
        let report = check_with(&text, &[]);
        let f = only(&report, "ASM-API-033");
        assert_eq!(f.location.document, 1);
        assert_eq!(f.severity.as_str(), "info");
        assert!(f.message.starts_with("IstioGateway istio-system/ingressgateway uses apiVersion"), "{}", f.message);
        assert_eq!(f.fixes[0].applicability, crate::rule::Applicability::Safe);
    }

    #[test]
    fn fix_rewrites_only_the_version() {
        let fixed = apply_fix(BAD, "use-v1beta1", &[]);
        assert_eq!(fixed, BAD.replace("/v1 #", "/v1beta1 #"));
        assert!(!codes(&check_with(&fixed, &[])).contains(&"ASM-API-033"));
    }
}
