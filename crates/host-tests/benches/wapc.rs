//! Time per admission request of the built Kubewarden policy
//! (`dist/policy-kubewarden.wasm`) in the waPC host runtime Kubewarden's
//! policy evaluator uses (`wapc` + `wasmtime-provider`, WASI): 10,000 mixed
//! `validate` calls on one instance, each timed, reported as p50/p99.
//!
//! `cargo bench -p gateway-doctor-host-tests --bench wapc` (after
//! `scripts/build-policies`; `GATEWAY_DOCTOR_KUBEWARDEN_WASM` picks another build).

use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use wapc::WapcHost;
use wasmtime_provider::WasmtimeEngineProviderBuilder;

const REQUESTS: usize = 10_000;
const WARM_UP: usize = 100;

fn wasm_path() -> PathBuf {
    match std::env::var_os("GATEWAY_DOCTOR_KUBEWARDEN_WASM") {
        Some(path) => PathBuf::from(path),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist/policy-kubewarden.wasm"),
    }
}

fn fixture_request(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../kubewarden/test_data").join(name);
    let review: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    review.get("request").cloned().unwrap_or(review)
}

/// The mix, in turn: a warning, a mutation, a rejection by context, a clean
/// Service and another kind (accepted untouched).
fn payloads() -> Vec<(&'static str, String)> {
    let mix = [
        ("founding gateway, defaults (warnings)", "istiogateway-local-create.json", json!({})),
        (
            "founding gateway, mutate safe + set-cluster-policy",
            "istiogateway-local-create.json",
            json!({"mutate": ["safe", "set-cluster-policy"]}),
        ),
        (
            "Local Service, ipvs + host-network (rejected)",
            "service-local-update.json",
            json!({"kubeProxyMode": "ipvs", "inClusterClients": "host-network"}),
        ),
        ("clean Service", "service-clean-create.json", json!({"rejectOn": "warning"})),
        ("Pod (other kind)", "pod-create.json", json!({})),
    ];
    mix.into_iter()
        .map(|(name, fixture, settings)| {
            (name, json!({"request": fixture_request(fixture), "settings": settings}).to_string())
        })
        .collect()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() {
    let path = wasm_path();
    let bytes = std::fs::read(&path)
        .unwrap_or_else(|e| panic!("cannot read {} ({e}); run scripts/build-policies first", path.display()));
    let engine = WasmtimeEngineProviderBuilder::new().module_bytes(&bytes).build().expect("wasmtime loads the module");
    let host = WapcHost::new(Box::new(engine), None).expect("the waPC host initialises the guest");
    let payloads = payloads();

    for i in 0..WARM_UP {
        host.call("validate", payloads[i % payloads.len()].1.as_bytes()).unwrap();
    }
    let mut all = Vec::with_capacity(REQUESTS);
    let mut by_kind: Vec<Vec<Duration>> = vec![Vec::new(); payloads.len()];
    for i in 0..REQUESTS {
        let kind = i % payloads.len();
        let start = Instant::now();
        host.call("validate", payloads[kind].1.as_bytes()).unwrap();
        let took = start.elapsed();
        all.push(took);
        by_kind[kind].push(took);
    }

    let line = |name: &str, times: &mut Vec<Duration>| {
        times.sort();
        let mean = times.iter().sum::<Duration>() / times.len() as u32;
        println!(
            "{name:<52} n={:>5}  p50 {:>9.3?}  p99 {:>9.3?}  mean {:>9.3?}  max {:>9.3?}",
            times.len(),
            percentile(times, 50.0),
            percentile(times, 99.0),
            mean,
            times[times.len() - 1]
        );
    };
    println!(
        "kubewarden waPC (wapc + wasmtime-provider), {}: {REQUESTS} validate calls after {WARM_UP} warm-up",
        path.display()
    );
    line("all requests", &mut all);
    for ((name, _), times) in payloads.iter().zip(by_kind.iter_mut()) {
        line(name, times);
    }
}
