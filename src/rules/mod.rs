//! The rules, one per file, registered in one explicit list.

mod annotation_value_not_string;
mod cluster_policy_loses_source_ip;
mod common;
mod decimal_memory_unit;
mod eni_backend_named_target_port;
mod eni_backend_with_local_policy;
mod eni_backend_without_terway;
mod hpa_bounds_inverted;
mod invalid_enum_value;
mod invalid_quantity;
mod local_policy_in_cluster_lb_access;
mod replicas_outside_hpa_bounds;
mod request_exceeds_limit;

pub use annotation_value_not_string::AnnotationValueNotString;
pub use cluster_policy_loses_source_ip::ClusterPolicyLosesSourceIp;
pub use decimal_memory_unit::DecimalMemoryUnit;
pub use eni_backend_named_target_port::EniBackendNamedTargetPort;
pub use eni_backend_with_local_policy::EniBackendWithLocalPolicy;
pub use eni_backend_without_terway::EniBackendWithoutTerway;
pub use hpa_bounds_inverted::HpaBoundsInverted;
pub use invalid_enum_value::InvalidEnumValue;
pub use invalid_quantity::InvalidQuantity;
pub use local_policy_in_cluster_lb_access::LocalPolicyInClusterLbAccess;
pub use replicas_outside_hpa_bounds::ReplicasOutsideHpaBounds;
pub use request_exceeds_limit::RequestExceedsLimit;

use crate::rule::Rule;

/// Every rule, in catalogue order.
pub static ALL: &[&dyn Rule] = &[
    &LocalPolicyInClusterLbAccess,
    &EniBackendWithoutTerway,
    &EniBackendWithLocalPolicy,
    &EniBackendNamedTargetPort,
    &ClusterPolicyLosesSourceIp,
    &HpaBoundsInverted,
    &ReplicasOutsideHpaBounds,
    &RequestExceedsLimit,
    &DecimalMemoryUnit,
    &InvalidQuantity,
    &InvalidEnumValue,
    &AnnotationValueNotString,
];

#[cfg(test)]
pub(crate) mod test_support {
    //! Small helpers for the pass/fail/fix vectors inside each rule file.

    use crate::engine::{check, fix, FixRequest, Options};
    use crate::report::{Finding, Report};
    use crate::rule::Lang;

    pub fn options(context: &[(&str, &str)]) -> Options {
        let mut options = Options::default();
        for (k, v) in context {
            options.context.set(k, v).unwrap();
        }
        options
    }

    pub fn check_with(text: &str, context: &[(&str, &str)]) -> Report {
        check(text, &options(context))
    }

    /// Checks with messages in `lang`.
    pub fn check_lang(text: &str, context: &[(&str, &str)], lang: Lang) -> Report {
        check(text, &Options { lang, ..options(context) })
    }

    pub fn codes(report: &Report) -> Vec<&'static str> {
        report.findings.iter().map(|f| f.code).collect()
    }

    /// The one finding of `code`; fails if there are none or several.
    pub fn only<'r>(report: &'r Report, code: &str) -> &'r Finding {
        let found: Vec<_> = report.findings.iter().filter(|f| f.code == code).collect();
        assert_eq!(found.len(), 1, "expected one {code}, got {:#?}", report.findings);
        found[0]
    }

    /// Applies one fix by id (unsafe allowed) and returns the new text.
    pub fn apply_fix(text: &str, id: &str, context: &[(&str, &str)]) -> String {
        let outcome = fix(text, &FixRequest { ids: vec![id.into()], allow_unsafe: true }, &options(context));
        assert!(!outcome.applied.is_empty(), "{id} was not applied: {:?}", outcome.skipped);
        outcome.text
    }
}
