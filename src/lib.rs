//! gateway-doctor: checks and fixes Kubernetes manifests of ingress gateways
//! (Alibaba Cloud Service Mesh `IstioGateway`, `v1 Service` and the objects
//! around them) without cluster access.

pub mod diagnostic;
pub mod source;
pub mod yaml;
