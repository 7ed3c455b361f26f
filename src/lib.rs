//! gateway-doctor: checks and fixes Kubernetes manifests of ingress gateways
//! (Alibaba Cloud Service Mesh `IstioGateway`, `v1 Service` and the objects
//! around them) without cluster access.
//!
//! The whole API is [`check`], [`fix`] and [`rules`]; the core does no I/O.

pub mod context;
pub mod diagnostic;
mod engine;
mod format;
#[cfg(feature = "yaml")]
mod gateways;
pub mod host;
mod indentation;
#[cfg(feature = "yaml")]
pub mod markdown;
pub mod model;
mod order;
pub mod patch;
pub mod report;
mod reveal;
pub mod rule;
pub mod rules;
pub mod schema;
pub mod source;
pub mod sources;
mod template;
pub mod yaml;

pub use context::ClusterContext;
pub use diagnostic::Severity;
pub use engine::{check, fix, FixOutcome, FixRecord, FixRequest, Options, IGNORE_ANNOTATION};
pub use format::InputFormat;
#[cfg(feature = "yaml")]
pub use gateways::{gateways, GatewayInfo, Replicas};
pub use report::Report;
pub use rule::{Applicability, FixAvailability, FixParams, Lang, Rule, RuleMeta};
pub use schema::load as load_schema;
pub use source::ColumnUnit;
pub use sources::SOURCES;

/// Every rule, in catalogue order.
pub fn rules() -> &'static [&'static dyn Rule] {
    rules::ALL
}

/// Looks a rule up by code (`ASM-LB-001`) or name (`local-policy-in-cluster-lb-access`).
pub fn find_rule(code_or_name: &str) -> Option<&'static dyn Rule> {
    rules::ALL.iter().copied().find(|r| {
        let meta = r.meta();
        meta.code.eq_ignore_ascii_case(code_or_name) || meta.name == code_or_name
    })
}
