#!/usr/bin/env bash
# Builds every function's deployable bootstrap in release — one cargo invocation for all of
# them, the profile `sam build` (cargo-lambda) uses — and reports each one's size against
# the 8 MB goal. On these machines it builds for the host; `sam build` builds arm64.
#   scripts/build-functions.sh            # sizes table; fails if a bootstrap is over 8 MB
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target="${CARGO_TARGET_DIR:-target}"
limit_bytes=$((8 * 1024 * 1024))

started=$SECONDS
cargo build --release -p tandem-functions --bins
echo "release build of every function: $((SECONDS - started)) s"

over=()
largest=0
total=0
count=0
printf '%-32s %9s\n' "function" "bootstrap"
for main in functions/src/bin/*.rs; do
  name="$(basename "$main" .rs)"
  size=$(stat -c %s "$target/release/$name")
  printf '%-32s %6.2f MB\n' "$name" "$(awk "BEGIN{print $size/1048576}")"
  total=$((total + size))
  count=$((count + 1))
  [ "$size" -gt "$largest" ] && largest=$size
  [ "$size" -gt "$limit_bytes" ] && over+=("$name")
done
printf '%d bootstraps, largest %.2f MB, mean %.2f MB (goal ≤ 8 MB each)\n' "$count" \
  "$(awk "BEGIN{print $largest/1048576}")" "$(awk "BEGIN{print $total/$count/1048576}")"
if [ "${#over[@]}" -gt 0 ]; then
  echo "over 8 MB: ${over[*]}"
  exit 1
fi
