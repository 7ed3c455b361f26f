#!/usr/bin/env bash
# CI stage: the browser build. Installs what it needs (idempotently), runs the
# wasm-bindgen API tests in Node, builds pkg/ and the page bundle, checks the
# gzipped wasm against its 250 KB budget, tests the npm package made from pkg/
# (tests/npm/), runs the page's end-to-end tests in headless Chromium, builds the
# MkDocs Material and Hugo sample sites and tests the docs embed on them and on the
# committed Docusaurus output (tests/docsites/), and prints the browser timings
# (tests/e2e/bench.mjs).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

rustup target add wasm32-unknown-unknown
# wasm-bindgen-cli must be exactly the version Cargo.lock pins for wasm-bindgen.
pinned=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $pinned" ]; then
  cargo install wasm-bindgen-cli --version "$pinned"
fi
command -v wasm-pack >/dev/null || cargo install wasm-pack
# Debian's packages: the browser, Hugo and python3-venv for the docs-site tests (tests/docsites/).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v hugo >/dev/null || missing+=(hugo)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
if [ "${#missing[@]}" -gt 0 ]; then
  apt-get update
  apt-get install -y "${missing[@]}"
fi
npm ci --no-audit --no-fund

echo "--- wasm-bindgen API tests (Node)"
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
  cargo test --target wasm32-unknown-unknown -p gateway-doctor-wasm --test wasm --test wasm_schema

echo "--- pkg/ and the page bundle"
scripts/build-wasm
npm run --silent build:www

gzipped=$(gzip -9 -c pkg/gateway_doctor_bg.wasm | wc -c)
budget=${GD_WASM_BUDGET_BYTES:-$((250 * 1024))}
echo "gzipped pkg/gateway_doctor_bg.wasm: $gzipped bytes (budget $budget)"
if [ "$gzipped" -gt "$budget" ]; then
  echo "the gzipped wasm is over its 250 KB budget" >&2
  exit 1
fi

echo "--- the npm package: npm pack, installed into a fresh project, from Node, esbuild and a page"
node --test tests/npm/

echo "--- end-to-end tests in headless Chromium"
npm run --silent test:e2e

echo "--- the docs embed on MkDocs Material, Hugo and Docusaurus pages (tests/docsites/)"
tests/docsites/build.sh
npm run --silent test:docsites

echo "--- browser timings"
node tests/e2e/bench.mjs
