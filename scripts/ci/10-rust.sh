#!/usr/bin/env bash
# Stage 10: formatting, lints and tests of the default workspace members
# (the core library `gateway-doctor`, the CLI and its language server), and
# the language server driven by Neovim. Wasm and host crates are
# not default members; their own stages build and test them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Snapshot mismatches fail instead of writing .snap.new files.
export INSTA_UPDATE=no
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { echo; echo "-- $*"; }

# rustfmt and clippy come with most toolchains; add them when missing.
for tool in fmt:rustfmt clippy:clippy; do
    if ! cargo "${tool%%:*}" --version >/dev/null 2>&1; then
        step "rustup component add ${tool#*:}"
        rustup component add "${tool#*:}"
    fi
done

step "cargo fmt --all -- --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings (default members)"
cargo clippy --all-targets --locked -- -D warnings

step "cargo test (default members)"
cargo test --locked --no-fail-fast

# A real editor drives the language server over stdio: Neovim's built-in LSP
# client (Debian's neovim package) runs tests/editor/neovim.lua against the
# binary the tests above built. It takes well under a second.
if ! command -v nvim >/dev/null 2>&1; then
    step "apt-get install neovim"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq neovim
fi
step "Neovim drives gateway-doctor server (tests/editor/neovim.lua)"
GATEWAY_DOCTOR="${CARGO_TARGET_DIR:-target}/debug/gateway-doctor" \
    timeout 120 nvim --headless -u NONE -c 'luafile tests/editor/neovim.lua'

# The core without the `yaml` feature, as the policy hosts build it: JSON only.
step "cargo clippy --no-default-features -- -D warnings (core library, JSON only)"
cargo clippy --locked -p gateway-doctor --no-default-features --lib -- -D warnings

# The rule and report modules' vectors are written in YAML: they run in the
# run above (`cfg(feature = "yaml")`); everything else runs without YAML too,
# with the field tables embedded as the policy hosts build it.
step "cargo test --no-default-features --features embedded-schema --lib (core library, JSON only)"
cargo test --locked -p gateway-doctor --no-default-features --features embedded-schema --lib
