#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) as its users run it, with the real `pre-commit`
# from PyPI: `pre-commit try-repo` clones this repository at HEAD (commit first: it does not see
# new files that are not committed or staged) and runs the hook in a scratch git repository.
# It must fail on the founding manifest with ASM-LB-001 in its output, and pass on a clean one.
#
#   tests/pre-commit/try-repo.sh [PRE_COMMIT]    # default: pre-commit on PATH
#
# The hook builds the CLI from the clone with cargo; with CARGO_TARGET_DIR set (CI sets it) the
# dependencies come from that cache, and only the two workspace crates are compiled again.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pre_commit="${1:-pre-commit}"
work="$(mktemp -d "${TMPDIR:-/tmp}/gateway-doctor-pre-commit.XXXXXX")"
trap 'rm -rf "$work"' EXIT

git init -q "$work/project"
cp "$repo/examples/founding-istio-gateway.yaml" "$work/project/gateway.yaml"
# A clean Service: a LoadBalancer with the Cluster policy and no other findings.
cat > "$work/project/clean.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: default
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
      targetPort: 8080
YAML
git -C "$work/project" add .

cd "$work/project"
status=0
"$pre_commit" try-repo "$repo" gateway-doctor --files clean.yaml >"$work/clean.log" 2>&1 || status=$?
if [ "$status" -ne 0 ] || ! grep -q "^gateway-doctor\.*Passed" "$work/clean.log"; then
    cat "$work/clean.log"
    echo "pre-commit: the hook did not pass on a clean manifest (status $status)" >&2
    exit 1
fi
echo "pre-commit: passed on clean.yaml"

status=0
"$pre_commit" try-repo "$repo" gateway-doctor --files gateway.yaml >"$work/bad.log" 2>&1 || status=$?
if [ "$status" -eq 0 ] || ! grep -q "^gateway-doctor\.*Failed" "$work/bad.log" || ! grep -q "warning\[ASM-LB-001\]" "$work/bad.log"; then
    cat "$work/bad.log"
    echo "pre-commit: the hook did not fail with ASM-LB-001 on the founding manifest (status $status)" >&2
    exit 1
fi
echo "pre-commit: failed on gateway.yaml with ASM-LB-001:"
grep "ASM-LB-001" "$work/bad.log" | head -3
