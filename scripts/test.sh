#!/usr/bin/env bash
# Runs every check and test: formatting, lints, template lint, unit and end-to-end tests
# (against Amazon DynamoDB Local and moto, started here on free ports, stopped on exit).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all -- --check

step "cfn-lint template.yaml"
"$TANDEM_LOCAL_DIR/venv/bin/cfn-lint" template.yaml

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "starting DynamoDB Local and moto"
cargo build --quiet -p tandem-local
env_file="$TANDEM_LOCAL_DIR/test-emulators.env"
rm -f "$env_file"
target/debug/tandem-local emulators --env-file "$env_file" &
emulators_pid=$!
trap 'kill "$emulators_pid" 2>/dev/null || true; wait "$emulators_pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do
  [ -s "$env_file" ] && break
  kill -0 "$emulators_pid" 2>/dev/null || { echo "the emulators failed to start (see $TANDEM_LOCAL_DIR/logs)"; exit 1; }
  sleep 0.1
done
[ -s "$env_file" ] || { echo "the emulators did not start in 60 s"; exit 1; }
# shellcheck disable=SC1090
source "$env_file"

step "cargo test (unit and end-to-end)"
cargo test --workspace

printf '\nall checks passed in %d s\n' "$((SECONDS - started))"
