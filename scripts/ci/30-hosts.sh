#!/usr/bin/env bash
# Stage 30: the policy-host builds, proven in their real host runtimes.
#  - builds dist/policy-kubewarden.wasm and dist/policy-opa.wasm (scripts/build-policies,
#    which also enforces the 512 KB size budget);
#  - the Kubewarden policy's SDK Testcase tests (native) and, on the built module, the
#    waPC host runtime Kubewarden uses (wapc + wasmtime-provider): crates/host-tests;
#  - the OPA module in the real npm @open-policy-agent/opa-wasm loader: crates/opa/test.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { echo; echo "-- $*"; }

for target in wasm32-wasip1 wasm32-unknown-unknown; do
    if ! rustup target list --installed | grep -qx "$target"; then
        step "rustup target add $target"
        rustup target add "$target"
    fi
done

if ! command -v npm >/dev/null 2>&1; then
    step "apt-get install nodejs npm"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
echo "node: $(node --version)"

step "npm ci (policy build tools, OPA host test)"
npm ci --prefix scripts/policy-tools --no-audit --no-fund
npm ci --prefix crates/opa/test --no-audit --no-fund

step "scripts/build-policies"
scripts/build-policies

packages=(-p gateway-doctor-kubewarden -p gateway-doctor-opa -p gateway-doctor-opa-abi-globals)

step "cargo clippy (policy crates; the OPA ABI layer on its wasm target)"
cargo clippy --locked --all-targets "${packages[@]}" -- -D warnings
cargo clippy --locked --target wasm32-unknown-unknown -p gateway-doctor-opa -- -D warnings

step "cargo test: Kubewarden SDK Testcase tests and the OPA evaluation (native)"
cargo test --locked "${packages[@]}"

step "cargo test: the built policy in wapc + wasmtime-provider"
cargo test --locked -p gateway-doctor-host-tests -- --nocapture

step "node --test: the built OPA module in @open-policy-agent/opa-wasm"
(cd crates/opa/test && node --test ./*.test.mjs)
