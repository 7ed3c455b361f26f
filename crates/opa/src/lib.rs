//! gateway-doctor as an OPA Wasm ABI module: load `policy-opa.wasm` into any
//! OPA Wasm host (`@open-policy-agent/opa-wasm`, Kubewarden's burrego) and
//! evaluate `gateway_doctor/findings` or `gateway_doctor/violations`.
//!
//! [`policy`] is the evaluation, testable natively; the ABI exports and the
//! heap exist only in the wasm32 build.

pub mod policy;

#[cfg(target_arch = "wasm32")]
mod abi;
#[cfg(target_arch = "wasm32")]
mod heap;
