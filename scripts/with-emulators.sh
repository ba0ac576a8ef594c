#!/usr/bin/env bash
# Runs a command with DynamoDB Local and moto started on free ports (and stopped after),
# their endpoints exported through the standard AWS_ENDPOINT_URL_* variables.
#   scripts/with-emulators.sh cargo test -p tandem-tests --test e2e chat::
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
[ "$#" -gt 0 ] || { echo "usage: scripts/with-emulators.sh COMMAND [ARGS...]"; exit 2; }

# Progress shows: the first build compiles the AWS SDK for minutes.
cargo build -p tandem-local
env_file="$(mktemp "${TMPDIR:-/tmp}/tandem-emulators.XXXXXX")"
rm -f "$env_file"
"${CARGO_TARGET_DIR:-target}/debug/tandem-local" emulators --env-file "$env_file" &
emulators_pid=$!
trap 'kill "$emulators_pid" 2>/dev/null || true; wait "$emulators_pid" 2>/dev/null || true; rm -f "$env_file"' EXIT
for _ in $(seq 1 600); do
  [ -s "$env_file" ] && break
  kill -0 "$emulators_pid" 2>/dev/null || { echo "the emulators failed to start (see $TANDEM_LOCAL_DIR/stacks/emulators-*/logs)"; exit 1; }
  sleep 0.1
done
[ -s "$env_file" ] || { echo "the emulators did not start in 60 s"; exit 1; }
set -a
# shellcheck disable=SC1090
source "$env_file"
set +a
"$@"
