#!/usr/bin/env bash
# Runs every check and test: formatting, lints, template lint, unit and end-to-end tests
# (against Amazon DynamoDB Local and moto, started on free ports and stopped after).
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
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test (unit, and end-to-end against DynamoDB Local and moto)"
scripts/with-emulators.sh cargo test --workspace

printf '\nall checks passed in %d s\n' "$((SECONDS - started))"
