//! gateway-doctor: checks and fixes Kubernetes manifests of ingress gateways
//! (Alibaba Cloud Service Mesh `IstioGateway`, `v1 Service` and the objects
//! around them) without cluster access. The core does no I/O.
//!
//! The API is what the hosts (the CLI, the browser module, the Kubewarden and
//! OPA policies) use:
//!
//! - [`check`] and [`fix`] with [`Options`] and a [`FixRequest`], returning a
//!   [`Report`] and a [`FixOutcome`];
//! - the rules' metadata: [`rules`], [`find_rule`], [`SOURCES`];
//! - [`context`]: what the user knows about the cluster, and the table of its
//!   keys every host's flags, options and settings are made from;
//! - [`host`]: the settings and requests the policy hosts share;
//! - [`report`]: the report's types and its renderers (text, SARIF,
//!   PolicyReport, the rules reference);
//! - [`text`]: spans, positions and edits of the input text;
//! - [`yaml`]: the byte-span YAML and JSON reader the checks use.
//!
//! Everything else (the engine, the rules, the model of the objects, the
//! patches) is private: docs/architecture.md says where each lives.

pub mod context;
mod diagnostic;
mod engine;
mod format;
#[cfg(feature = "yaml")]
mod gateways;
pub mod host;
mod indentation;
#[cfg(feature = "yaml")]
mod markdown;
mod model;
mod patch;
pub mod report;
mod reveal;
mod rule;
mod rules;
mod schema;
mod source;
mod sources;
mod template;
pub mod yaml;

pub use context::ClusterContext;
pub use diagnostic::{DiagnosticKind, Severity};
pub use engine::{check, fix, FixOutcome, FixRecord, FixRequest, Options, IGNORE_ANNOTATION};
pub use format::InputFormat;
#[cfg(feature = "yaml")]
pub use gateways::{gateways, GatewayInfo, Replicas};
/// RFC 6902 operations: a fix's `patch`.
pub use patch::Op;
pub use report::Report;
pub use rule::{Applicability, FixAvailability, FixParams, Lang, Rule, RuleMeta};
pub use schema::load as load_schema;
pub use sources::{describe as describe_source, SOURCES};

/// Spans, positions and edits of the input text: what a report's locations
/// and fixes are made of, and how a host applies a fix's edits itself.
pub mod text {
    #[cfg(feature = "yaml")]
    pub use crate::markdown::yaml_stream;
    pub use crate::patch::{apply_groups, splice, TextEdit};
    pub use crate::source::{ColumnUnit, LineIndex, Position, Span};
}

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
