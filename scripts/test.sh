#!/usr/bin/env bash
# Runs every check and test: formatting, lints, template lint, supply chain, the release
# build of every function (sizes), unit and end-to-end tests (against Amazon DynamoDB Local
# and moto, started on free ports and stopped after).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh

step() { printf '\n== %s\n' "$*"; }
# A clean CI build gains nothing from incremental caches: they only double target/'s size.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all -- --check

step "cfn-lint template.yaml"
"$TANDEM_LOCAL_DIR/venv/bin/cfn-lint" template.yaml

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo deny check"
deny="$TANDEM_LOCAL_DIR/cargo-deny/bin/cargo-deny"
if [ ! -x "$deny" ]; then
  echo "installing cargo-deny 0.20.2 into .local/cargo-deny (once)"
  cargo install --locked --quiet cargo-deny@0.20.2 --root "$TANDEM_LOCAL_DIR/cargo-deny"
fi
# The advisory database comes from GitHub: checked where reachable, said so where not.
if timeout 10 git ls-remote --exit-code https://github.com/rustsec/advisory-db HEAD >/dev/null 2>&1; then
  "$deny" check --hide-inclusion-graph
else
  echo "advisories: SKIPPED (advisory database unreachable); checking licenses, bans and sources"
  "$deny" check --hide-inclusion-graph licenses bans sources
fi

step "release build of every function (one cargo invocation) and bootstrap sizes"
scripts/build-functions.sh

step "cargo test (unit, and end-to-end against DynamoDB Local and moto, every function under its own IAM policy)"
# Each function's calls are checked against its policy in template.yaml; the grants they
# used are recorded here for the report below.
export TANDEM_IAM_USAGE_DIR="${CARGO_TARGET_DIR:-target}/iam-usage"
rm -rf "$TANDEM_IAM_USAGE_DIR"
scripts/with-emulators.sh cargo test --workspace

step "IAM grants the tests never used (untested paths or grants to drop)"
"${CARGO_TARGET_DIR:-target}/debug/tandem-local" iam-report --usage-dir "$TANDEM_IAM_USAGE_DIR"

printf '\nall checks passed in %d s (target/ holds %s)\n' "$((SECONDS - started))" \
  "$(du -sh "${CARGO_TARGET_DIR:-target}" | cut -f1)"
