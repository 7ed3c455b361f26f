//! The rules, one per file, registered in one explicit list.
//!
//! Rules are plain, idiomatic Rust: iterators, `collect` and `join` wherever
//! they read best. Helpers two rules share live in `common` and `lb_support`.
//! Size budgets are met at the host edges and in the build settings
//! (docs/architecture.md); `scripts/build-policies` and `scripts/build-wasm`
//! fail when a module goes over.

mod annotation_needs_newer_ccm;
mod annotation_value_not_string;
mod client_ip_from_spoofable_xff;
mod cluster_policy_loses_source_ip;
mod common;
mod decimal_memory_unit;
mod eni_backend_named_target_port;
mod eni_backend_with_local_policy;
mod eni_backend_without_terway;
mod external_hpa_fights_asm_replica_sync;
pub mod fix_ids;
mod gateway_outside_istio_system;
mod gateway_rollout_drops_connections;
mod health_check_node_port_not_allowed;
mod hpa_bounds_inverted;
mod incomplete_lb_annotations;
mod internal_traffic_policy_local;
mod invalid_enum_value;
mod invalid_lb_annotation_value;
mod invalid_lb_hostname;
mod invalid_quantity;
mod ip_authorization_policy_behind_snat;
mod istio_gateway_selector_port_mismatch;
mod l7_listener_in_cluster_lb_access;
mod lb_support;
mod local_policy_in_cluster_lb_access;
mod local_policy_single_node_exposure;
mod local_policy_without_wrr;
mod missing_status_port;
mod mistyped_value;
mod mixed_protocol_load_balancer;
mod nlb_without_zone_maps;
mod node_port_out_of_range;
mod non_root_gateway_low_port;
mod pay_by_spec_on_new_clb;
mod port_name_without_protocol;
mod privileged_gateway;
mod proxy_protocol_in_cluster_lb_access;
mod proxy_protocol_without_istio_parser;
mod replicas_outside_hpa_bounds;
mod request_exceeds_limit;
mod reused_clb_listeners_not_managed;
mod rolling_update_cannot_progress;
mod source_ranges_not_enforced_on_clb;
mod tls_secret_outside_gateway_namespace;
mod tls_terminated_twice;
mod traffic_policy_on_cluster_ip;
mod unknown_field;
mod unknown_lb_annotation;

pub use annotation_needs_newer_ccm::AnnotationNeedsNewerCcm;
pub use annotation_value_not_string::AnnotationValueNotString;
pub use client_ip_from_spoofable_xff::ClientIpFromSpoofableXff;
pub use cluster_policy_loses_source_ip::ClusterPolicyLosesSourceIp;
pub use decimal_memory_unit::DecimalMemoryUnit;
pub use eni_backend_named_target_port::EniBackendNamedTargetPort;
pub use eni_backend_with_local_policy::EniBackendWithLocalPolicy;
pub use eni_backend_without_terway::EniBackendWithoutTerway;
pub use external_hpa_fights_asm_replica_sync::ExternalHpaFightsAsmReplicaSync;
pub use gateway_outside_istio_system::GatewayOutsideIstioSystem;
pub use gateway_rollout_drops_connections::GatewayRolloutDropsConnections;
pub use health_check_node_port_not_allowed::HealthCheckNodePortNotAllowed;
pub use hpa_bounds_inverted::HpaBoundsInverted;
pub use incomplete_lb_annotations::IncompleteLbAnnotations;
pub use internal_traffic_policy_local::InternalTrafficPolicyLocal;
pub use invalid_enum_value::InvalidEnumValue;
pub use invalid_lb_annotation_value::InvalidLbAnnotationValue;
pub use invalid_lb_hostname::InvalidLbHostname;
pub use invalid_quantity::InvalidQuantity;
pub use ip_authorization_policy_behind_snat::IpAuthorizationPolicyBehindSnat;
pub use istio_gateway_selector_port_mismatch::IstioGatewaySelectorPortMismatch;
pub use l7_listener_in_cluster_lb_access::L7ListenerInClusterLbAccess;
pub use local_policy_in_cluster_lb_access::LocalPolicyInClusterLbAccess;
pub use local_policy_single_node_exposure::LocalPolicySingleNodeExposure;
pub use local_policy_without_wrr::LocalPolicyWithoutWrr;
pub use missing_status_port::MissingStatusPort;
pub use mistyped_value::MistypedValue;
pub use mixed_protocol_load_balancer::MixedProtocolLoadBalancer;
pub use nlb_without_zone_maps::NlbWithoutZoneMaps;
pub use node_port_out_of_range::NodePortOutOfRange;
pub use non_root_gateway_low_port::NonRootGatewayLowPort;
pub use pay_by_spec_on_new_clb::PayBySpecOnNewClb;
pub use port_name_without_protocol::PortNameWithoutProtocol;
pub use privileged_gateway::PrivilegedGateway;
pub use proxy_protocol_in_cluster_lb_access::ProxyProtocolInClusterLbAccess;
pub use proxy_protocol_without_istio_parser::ProxyProtocolWithoutIstioParser;
pub use replicas_outside_hpa_bounds::ReplicasOutsideHpaBounds;
pub use request_exceeds_limit::RequestExceedsLimit;
pub use reused_clb_listeners_not_managed::ReusedClbListenersNotManaged;
pub use rolling_update_cannot_progress::RollingUpdateCannotProgress;
pub use source_ranges_not_enforced_on_clb::SourceRangesNotEnforcedOnClb;
pub use tls_secret_outside_gateway_namespace::TlsSecretOutsideGatewayNamespace;
pub use tls_terminated_twice::TlsTerminatedTwice;
pub use traffic_policy_on_cluster_ip::TrafficPolicyOnClusterIp;
pub use unknown_field::UnknownField;
pub use unknown_lb_annotation::UnknownLbAnnotation;

use crate::rule::Rule;

/// Every rule, in catalogue order.
pub static ALL: &[&dyn Rule] = &[
    &LocalPolicyInClusterLbAccess,
    &EniBackendWithoutTerway,
    &EniBackendWithLocalPolicy,
    &EniBackendNamedTargetPort,
    &ClusterPolicyLosesSourceIp,
    &IpAuthorizationPolicyBehindSnat,
    &ProxyProtocolWithoutIstioParser,
    &ProxyProtocolInClusterLbAccess,
    &L7ListenerInClusterLbAccess,
    &LocalPolicyWithoutWrr,
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
    &NodePortOutOfRange,
    &SourceRangesNotEnforcedOnClb,
    &MixedProtocolLoadBalancer,
    &HealthCheckNodePortNotAllowed,
    &RollingUpdateCannotProgress,
    &IncompleteLbAnnotations,
    &InvalidLbHostname,
    &AnnotationNeedsNewerCcm,
    &InternalTrafficPolicyLocal,
    &PrivilegedGateway,
    &AnnotationValueNotString,
    &IstioGatewaySelectorPortMismatch,
    &UnknownLbAnnotation,
    &InvalidLbAnnotationValue,
    &TlsTerminatedTwice,
    &ReusedClbListenersNotManaged,
    &NlbWithoutZoneMaps,
    &PayBySpecOnNewClb,
    &GatewayRolloutDropsConnections,
    &ClientIpFromSpoofableXff,
    &NonRootGatewayLowPort,
    &TlsSecretOutsideGatewayNamespace,
    &UnknownField,
    &MistypedValue,
];

#[cfg(all(test, feature = "yaml"))]
pub(crate) mod test_support {
    //! Small helpers for the pass/fail/fix vectors inside each rule file.

    use crate::engine::{check, fix, FixRequest, Options};
    use crate::report::{Finding, Report};
    use crate::rule::Lang;

    /// The gateway of the founding document (the ASM FAQ, S6), cut down to
    /// the fields that matter, with a comment on the value that text output
    /// and fixes must keep.
    pub const FOUNDING: &str = "apiVersion: istio.alibabacloud.com/v1beta1
kind: IstioGateway
metadata:
  name: ingressgateway
  namespace: istio-system
spec:
  externalTrafficPolicy: Local   # keep client IPs
  serviceType: LoadBalancer
";

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
