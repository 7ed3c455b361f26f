//! Typed views of the objects the rules read. Views borrow the YAML tree and
//! know the route of every value, so a finding can point at it.

// Core code returns errors as values: no panics, and every index is checked
// or proven in range where it is taken.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic))]
#![cfg_attr(not(test), warn(clippy::indexing_slicing))]

pub mod anti_affinity;
mod ccm_annotations;
pub mod clb_annotations;
mod gateway_spec;
mod labels;
pub mod proxy_config;
pub mod quantity;
mod resource;
mod service;
pub mod topology;
mod workload;

pub use gateway_spec::{istio_spec_field, selected_deployments};
pub use labels::Labels;
pub use resource::{collect, Resource};
pub use service::{
    is_istio_gateway, service_views, Field, GatewayReason, Origin, Provider, ServiceView, ALIBABA_PREFIX, BACKEND_TYPE,
    NLB_CLASS,
};
pub use workload::{is_gateway_deployment, replica_bounds, resources_blocks, ReplicaBounds};
