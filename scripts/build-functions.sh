#!/usr/bin/env bash
# Builds every function's deployable bootstrap in release — one cargo invocation for all of
# them, the profile `sam build` (cargo-lambda) uses — and reports each one's size. Fails when
# one exceeds the 8 MB goal, so what was trimmed (SDK default features, providers, clients,
# regex, unwinding) cannot creep back unnoticed (docs/performance.md). On these machines it
# builds for the host with the deploy target's flags (.cargo/config.toml); `sam build`
# builds arm64. The bootstraps land where cargo-lambda puts
# them: target/lambda/<function>/bootstrap.
#   scripts/build-functions.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target="${CARGO_TARGET_DIR:-target}"
goal_bytes=$((8 * 1024 * 1024))

host="$(rustc -vV | sed -n 's/^host: //p')"
deploy_flags="$(sed -n '/^\[target.aarch64-unknown-linux-gnu\]/,/^\[/s/^rustflags = //p' .cargo/config.toml)"
[ -n "$deploy_flags" ] || { echo "no rustflags for the deploy target in .cargo/config.toml"; exit 1; }

started=$SECONDS
cargo build --release -p tandem-functions --bins --target "$host" --config "target.$host.rustflags = $deploy_flags"
echo "release build of every function: $((SECONDS - started)) s"

over_goal=()
largest=0
total=0
count=0
printf '%-32s %9s\n' "function" "bootstrap"
for main in functions/src/bin/*.rs; do
  name="$(basename "$main" .rs)"
  mkdir -p "$target/lambda/$name"
  ln -f "$target/$host/release/$name" "$target/lambda/$name/bootstrap"
  size=$(stat -c %s "$target/lambda/$name/bootstrap")
  printf '%-32s %6.2f MB\n' "$name" "$(awk "BEGIN{print $size/1048576}")"
  total=$((total + size))
  count=$((count + 1))
  [ "$size" -gt "$largest" ] && largest=$size
  if [ "$size" -gt "$goal_bytes" ]; then over_goal+=("$name"); fi
done
printf '%d bootstraps, largest %.2f MB, mean %.2f MB; %d over the 8 MB goal\n' "$count" \
  "$(awk "BEGIN{print $largest/1048576}")" "$(awk "BEGIN{print $total/$count/1048576}")" "${#over_goal[@]}"
if [ "${#over_goal[@]}" -gt 0 ]; then
  echo "over the 8 MB goal: ${over_goal[*]}"
  exit 1
fi
