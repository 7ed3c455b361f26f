#!/usr/bin/env bash
# Stage 50: the pre-commit hook (.pre-commit-hooks.yaml) run by the real `pre-commit` from PyPI
# (tests/pre-commit/try-repo.sh). Last, because the hook builds the CLI from a clone of this
# repository into the shared CARGO_TARGET_DIR (only the two workspace crates are compiled: the
# dependencies come from the earlier stages' builds), which later stages would rebuild.
# pre-commit lives in a virtualenv under ~/.cache, made once and kept across runs.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

version=4.7.0
venv="$HOME/.cache/gateway-doctor/pre-commit-$version"
if [ ! -x "$venv/bin/pre-commit" ]; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c 'import ensurepip' 2>/dev/null; then
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    fi
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "pre-commit==$version"
fi
echo "$("$venv/bin/pre-commit" --version)"

tests/pre-commit/try-repo.sh "$venv/bin/pre-commit"
