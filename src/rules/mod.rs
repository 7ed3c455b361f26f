//! The rules, one per file, each registered by one line of `rules!` below.
//!
//! A rule file declares its rule with `declare_rule!` (metadata and docs)
//! and implements `Rule::check`. What rules share lives in `support`, reached
//! by one path; a rule never imports from another rule. Rules are plain,
//! idiomatic Rust: iterators, `collect` and `join` wherever they read best.
//! Size budgets are met at the host edges and in the build settings
//! (docs/architecture.md); `scripts/build-policies` and `scripts/build-wasm`
//! fail when a module goes over.

use crate::rule::Rule;

/// Declares each rule module and lists its rule in [`ALL`]: one line per rule.
macro_rules! rules {
    ($($module:ident::$rule:ident,)*) => {
        $(mod $module;)*
        $(pub use $module::$rule;)*

        /// Every rule, in catalogue order: it orders the docs, SARIF's rule
        /// list and findings that tie on location and code.
        pub static ALL: &[&dyn Rule] = &[$(&$rule),*];
    };
}

rules! {
    local_policy_in_cluster_lb_access::LocalPolicyInClusterLbAccess,
    eni_backend_without_terway::EniBackendWithoutTerway,
    eni_backend_with_local_policy::EniBackendWithLocalPolicy,
    eni_backend_named_target_port::EniBackendNamedTargetPort,
    cluster_policy_loses_source_ip::ClusterPolicyLosesSourceIp,
    ip_authorization_policy_behind_snat::IpAuthorizationPolicyBehindSnat,
    proxy_protocol_without_istio_parser::ProxyProtocolWithoutIstioParser,
    proxy_protocol_in_cluster_lb_access::ProxyProtocolInClusterLbAccess,
    l7_listener_in_cluster_lb_access::L7ListenerInClusterLbAccess,
    local_policy_without_wrr::LocalPolicyWithoutWrr,
    local_policy_single_node_exposure::LocalPolicySingleNodeExposure,
    hpa_bounds_inverted::HpaBoundsInverted,
    replicas_outside_hpa_bounds::ReplicasOutsideHpaBounds,
    external_hpa_fights_asm_replica_sync::ExternalHpaFightsAsmReplicaSync,
    request_exceeds_limit::RequestExceedsLimit,
    decimal_memory_unit::DecimalMemoryUnit,
    invalid_quantity::InvalidQuantity,
    port_name_without_protocol::PortNameWithoutProtocol,
    missing_status_port::MissingStatusPort,
    gateway_outside_istio_system::GatewayOutsideIstioSystem,
    invalid_enum_value::InvalidEnumValue,
    traffic_policy_on_cluster_ip::TrafficPolicyOnClusterIp,
    node_port_out_of_range::NodePortOutOfRange,
    source_ranges_not_enforced_on_clb::SourceRangesNotEnforcedOnClb,
    mixed_protocol_load_balancer::MixedProtocolLoadBalancer,
    health_check_node_port_not_allowed::HealthCheckNodePortNotAllowed,
    rolling_update_cannot_progress::RollingUpdateCannotProgress,
    incomplete_lb_annotations::IncompleteLbAnnotations,
    invalid_lb_hostname::InvalidLbHostname,
    annotation_needs_newer_ccm::AnnotationNeedsNewerCcm,
    internal_traffic_policy_local::InternalTrafficPolicyLocal,
    privileged_gateway::PrivilegedGateway,
    annotation_value_not_string::AnnotationValueNotString,
    istio_gateway_selector_port_mismatch::IstioGatewaySelectorPortMismatch,
    unknown_lb_annotation::UnknownLbAnnotation,
    invalid_lb_annotation_value::InvalidLbAnnotationValue,
    tls_terminated_twice::TlsTerminatedTwice,
    reused_clb_listeners_not_managed::ReusedClbListenersNotManaged,
    nlb_without_zone_maps::NlbWithoutZoneMaps,
    pay_by_spec_on_new_clb::PayBySpecOnNewClb,
    gateway_rollout_drops_connections::GatewayRolloutDropsConnections,
    client_ip_from_spoofable_xff::ClientIpFromSpoofableXff,
    non_root_gateway_low_port::NonRootGatewayLowPort,
    tls_secret_outside_gateway_namespace::TlsSecretOutsideGatewayNamespace,
    unknown_field::UnknownField,
    mistyped_value::MistypedValue,
}

mod support;

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
