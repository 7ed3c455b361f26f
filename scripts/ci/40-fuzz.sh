#!/usr/bin/env bash
# Stage 40: a short cargo-fuzz run of every fuzz target (fuzz/fuzz_targets),
# seeded from the test corpus and the examples (both in the repository). A crash
# fails the stage and prints its reproducer (path, base64, and the command
# that replays it).
#
#   FUZZ_SECONDS=60 scripts/ci/40-fuzz.sh      # seconds per target
set -euo pipefail

cd "$(dirname "$0")/../.."
root=$PWD
seconds="${FUZZ_SECONDS:-60}"
export PATH="$HOME/.cargo/bin:$PATH"

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "40-fuzz: installing cargo-fuzz"
  cargo install cargo-fuzz
fi

# cargo-fuzz needs nightly flags (-Z sanitizer); the stable toolchain allows them with this.
export RUSTC_BOOTSTRAP=1
echo "40-fuzz: building the fuzz targets"
cargo fuzz build -O

seeds=()
for dir in tests/corpus/files examples; do
  [ -d "$dir" ] && seeds+=("$root/$dir")
done
[ -d tests/fuzz_regressions ] && seeds+=("$root/tests/fuzz_regressions")
echo "40-fuzz: seeds from ${seeds[*]:-(none)}"

work="$(mktemp -d "${TMPDIR:-/tmp}/gateway-doctor-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
status=0
for target in $(cargo fuzz list); do
  corpus="$work/corpus/$target"
  artifacts="$work/artifacts/$target/"
  mkdir -p "$corpus" "$artifacts"
  echo "40-fuzz: running $target for ${seconds}s"
  # The first corpus directory collects new inputs; the seed directories are only read.
  if cargo fuzz run -O "$target" "$corpus" "${seeds[@]}" -- \
      -max_total_time="$seconds" -max_len=32768 -timeout=20 -rss_limit_mb=2048 \
      -artifact_prefix="$artifacts" -print_final_stats=1; then
    echo "40-fuzz: $target: no crash in ${seconds}s"
    continue
  fi
  status=1
  kept="$root/fuzz/artifacts/$target"
  mkdir -p "$kept"
  for crash in "$artifacts"*; do
    [ -f "$crash" ] || continue
    cp "$crash" "$kept/"
    echo "40-fuzz: $target CRASHED; reproducer: fuzz/artifacts/$target/$(basename "$crash")"
    echo "40-fuzz: replay with: RUSTC_BOOTSTRAP=1 cargo fuzz run -O $target fuzz/artifacts/$target/$(basename "$crash")"
    if [ "$(wc -c <"$crash")" -le 65536 ]; then
      echo "40-fuzz: reproducer (base64): $(base64 -w0 "$crash")"
    fi
  done
done
exit "$status"
