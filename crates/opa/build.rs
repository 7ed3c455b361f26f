//! Link flags of the OPA module: the host supplies the memory (`env.memory`,
//! 5 pages by default in `@open-policy-agent/opa-wasm`), so the stack and
//! static data must fit in it.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("wasm32") {
        for arg in ["--import-memory", "--export-memory", "-zstack-size=65536"] {
            println!("cargo:rustc-cdylib-link-arg={arg}");
        }
    }
}
