#!/usr/bin/env bash
# Builds every function's deployable bootstrap as `sam build` does — cargo-lambda, arm64
# (aarch64-unknown-linux-gnu, linked by zig), the release profile and the deploy target's
# flags in .cargo/config.toml — in one cargo invocation for all of them, and reports each
# one's size. Fails when one exceeds the 8 MB goal, so what was trimmed (SDK default features,
# providers, clients, regex, unwinding) cannot creep back unnoticed (docs/performance.md).
# The bootstraps land where `sam build`'s cargo-lambda puts them:
# target/lambda/<function>/bootstrap.
#   scripts/build-functions.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
command -v cargo-lambda >/dev/null || source scripts/setup.sh

target="${CARGO_TARGET_DIR:-target}"
goal_bytes=$((8 * 1024 * 1024))

started=$SECONDS
# cargo-lambda 1.9's --target-dir is broken: it follows CARGO_TARGET_DIR instead.
CARGO_TARGET_DIR="$target" cargo lambda build --release --arm64 -p tandem-functions
echo "arm64 release build of every function (cargo-lambda): $((SECONDS - started)) s"

over_goal=()
largest=0
total=0
count=0
printf '%-32s %9s\n' "function" "bootstrap"
for main in functions/src/bin/*.rs; do
  name="$(basename "$main" .rs)"
  bootstrap="$target/lambda/$name/bootstrap"
  [ -f "$bootstrap" ] || { echo "missing: $bootstrap"; exit 1; }
  machine="$(od -An -tx1 -j18 -N2 "$bootstrap" | tr -d ' ')"
  [ "$machine" = "b700" ] || { echo "$bootstrap is not an arm64 (aarch64) executable"; exit 1; }
  size=$(stat -c %s "$bootstrap")
  printf '%-32s %6.2f MB\n' "$name" "$(awk "BEGIN{print $size/1048576}")"
  total=$((total + size))
  count=$((count + 1))
  [ "$size" -gt "$largest" ] && largest=$size
  if [ "$size" -gt "$goal_bytes" ]; then over_goal+=("$name"); fi
done
printf '%d arm64 bootstraps, largest %.2f MB, mean %.2f MB; %d over the 8 MB goal\n' "$count" \
  "$(awk "BEGIN{print $largest/1048576}")" "$(awk "BEGIN{print $total/$count/1048576}")" "${#over_goal[@]}"
if [ "${#over_goal[@]}" -gt 0 ]; then
  echo "over the 8 MB goal: ${over_goal[*]}"
  exit 1
fi
