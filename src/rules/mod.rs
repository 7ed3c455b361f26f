//! The rules, one per file, registered in one explicit list.

mod annotation_value_not_string;
mod cluster_policy_loses_source_ip;
mod common;
mod decimal_memory_unit;
mod eni_backend_named_target_port;
mod eni_backend_with_local_policy;
mod eni_backend_without_terway;
mod external_hpa_fights_asm_replica_sync;
mod gateway_outside_istio_system;
mod hpa_bounds_inverted;
mod internal_traffic_policy_local;
mod invalid_enum_value;
mod invalid_quantity;
mod ip_authorization_policy_behind_snat;
mod istio_gateway_selector_port_mismatch;
mod local_policy_in_cluster_lb_access;
mod local_policy_single_node_exposure;
mod missing_status_port;
mod port_name_without_protocol;
mod privileged_gateway;
mod replicas_outside_hpa_bounds;
mod request_exceeds_limit;
mod rolling_update_cannot_progress;
mod traffic_policy_on_cluster_ip;
mod undocumented_api_version;

pub use annotation_value_not_string::AnnotationValueNotString;
pub use cluster_policy_loses_source_ip::ClusterPolicyLosesSourceIp;
pub use decimal_memory_unit::DecimalMemoryUnit;
pub use eni_backend_named_target_port::EniBackendNamedTargetPort;
pub use eni_backend_with_local_policy::EniBackendWithLocalPolicy;
pub use eni_backend_without_terway::EniBackendWithoutTerway;
pub use external_hpa_fights_asm_replica_sync::ExternalHpaFightsAsmReplicaSync;
pub use gateway_outside_istio_system::GatewayOutsideIstioSystem;
pub use hpa_bounds_inverted::HpaBoundsInverted;
pub use internal_traffic_policy_local::InternalTrafficPolicyLocal;
pub use invalid_enum_value::InvalidEnumValue;
pub use invalid_quantity::InvalidQuantity;
pub use ip_authorization_policy_behind_snat::IpAuthorizationPolicyBehindSnat;
pub use istio_gateway_selector_port_mismatch::IstioGatewaySelectorPortMismatch;
pub use local_policy_in_cluster_lb_access::LocalPolicyInClusterLbAccess;
pub use local_policy_single_node_exposure::LocalPolicySingleNodeExposure;
pub use missing_status_port::MissingStatusPort;
pub use port_name_without_protocol::PortNameWithoutProtocol;
pub use privileged_gateway::PrivilegedGateway;
pub use replicas_outside_hpa_bounds::ReplicasOutsideHpaBounds;
pub use request_exceeds_limit::RequestExceedsLimit;
pub use rolling_update_cannot_progress::RollingUpdateCannotProgress;
pub use traffic_policy_on_cluster_ip::TrafficPolicyOnClusterIp;
pub use undocumented_api_version::UndocumentedApiVersion;

use crate::rule::Rule;

/// Every rule, in catalogue order.
pub static ALL: &[&dyn Rule] = &[
    &LocalPolicyInClusterLbAccess,
    &EniBackendWithoutTerway,
    &EniBackendWithLocalPolicy,
    &EniBackendNamedTargetPort,
    &ClusterPolicyLosesSourceIp,
    &IpAuthorizationPolicyBehindSnat,
    &LocalPolicySingleNodeExposure,
    &HpaBoundsInverted,
    &ReplicasOutsideHpaBounds,
    &ExternalHpaFightsAsmReplicaSync,
    &RequestExceedsLimit,
    &DecimalMemoryUnit,
    &InvalidQuantity,
    &PortNameWithoutProtocol,
    &MissingStatusPort,
    &GatewayOutsideIstioSystem,
    &InvalidEnumValue,
    &TrafficPolicyOnClusterIp,
    &RollingUpdateCannotProgress,
    &InternalTrafficPolicyLocal,
    &PrivilegedGateway,
    &UndocumentedApiVersion,
    &AnnotationValueNotString,
    &IstioGatewaySelectorPortMismatch,
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
