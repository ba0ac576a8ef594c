#!/usr/bin/env bash
# Runs every check and test: formatting, lints, the template (cfn-lint, sam validate, the
# expanded stack's size), supply chain, the arm64 release build of every function as
# `sam build` makes it (sizes), unit and end-to-end tests (against Amazon DynamoDB Local and
# moto, started on free ports and stopped after, every function under its own IAM policy),
# and the IAM grants the tests never used. Each step prints what it cost.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
printf -- '-- set-up (installs, or checks what is installed): %d s\n' "$SECONDS"

# Each step says what it cost when the next one starts (and the last at the end).
step_started=$SECONDS
step_name=""
step() {
  if [ -n "$step_name" ]; then printf -- '-- %s: %d s\n' "$step_name" "$((SECONDS - step_started))"; fi
  step_name="$*"
  step_started=$SECONDS
  if [ -n "$step_name" ]; then printf '\n== %s\n' "$step_name"; fi
}
# A clean CI build gains nothing from incremental caches: they only double target/'s size.
if [ -n "${CI:-}" ]; then export CARGO_INCREMENTAL=0; fi
started=$SECONDS

step "cargo fmt --check"
cargo fmt --all -- --check

step "cfn-lint template.yaml"
"$TANDEM_LOCAL_DIR/venv/bin/cfn-lint" template.yaml

step "sam validate --lint"
SAM_CLI_TELEMETRY=0 sam validate --lint

step "SAM's transform, offline: the expanded stack against its resource budget"
"$TANDEM_LOCAL_DIR/deploy-tools/bin/python" scripts/stack-budget.py template.yaml

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo deny check"
deny="$TANDEM_LOCAL_DIR/cargo-deny/bin/cargo-deny"
if [ ! -x "$deny" ]; then
  echo "installing cargo-deny 0.20.2 into .local/cargo-deny (once)"
  cargo install --locked --quiet cargo-deny@0.20.2 --root "$TANDEM_LOCAL_DIR/cargo-deny"
fi
# The advisory database (deny.toml's db-path, .local/advisory-db): fetched live from GitHub
# where reachable, else the team's offline snapshot (a git bundle beside the checkout).
advisory_db=".local/advisory-db/advisory-db-3157b0e258782691"   # cargo-deny's folder for the default URL
snapshot="${TANDEM_ADVISORY_SNAPSHOT:-../shared/supply-chain/rustsec-advisory-db.bundle}"
if timeout 10 git ls-remote --exit-code https://github.com/rustsec/advisory-db HEAD >/dev/null 2>&1; then
  "$deny" check --hide-inclusion-graph
  echo "advisories: checked against the live RustSec database"
elif [ -f "$snapshot" ]; then
  bundled="$(git bundle list-heads "$snapshot" | awk 'NR==1{print $1}')"
  if [ "$(git -C "$advisory_db" rev-parse HEAD 2>/dev/null)" != "$bundled" ]; then
    rm -rf "$advisory_db"
    git -c init.defaultBranch=master clone -q "$snapshot" "$advisory_db"
  fi
  # Offline keeps cargo-deny from fetching the database; the crates it reads are fetched first.
  cargo fetch --locked --quiet
  "$deny" --offline check --hide-inclusion-graph
  echo "advisories: checked offline against the RustSec snapshot of $(git -C "$advisory_db" log -1 --format=%cs) (commit ${bundled:0:12}; GitHub unreachable)"
else
  echo "advisories: SKIPPED (GitHub unreachable and no snapshot at $snapshot); checking licenses, bans and sources"
  "$deny" check --hide-inclusion-graph licenses bans sources
fi

step "arm64 release build of every function as sam build makes it (cargo-lambda, one cargo invocation) and bootstrap sizes"
scripts/build-functions.sh

step "cargo test (unit, and end-to-end against DynamoDB Local and moto, every function under its own IAM policy)"
# Each function's calls are checked against its policy in template.yaml; the grants they
# used are recorded here for the report below.
export TANDEM_IAM_USAGE_DIR="$(realpath -m "${CARGO_TARGET_DIR:-target}")/iam-usage"   # absolute: tests run in their package folder
rm -rf "$TANDEM_IAM_USAGE_DIR"
scripts/with-emulators.sh cargo test --workspace

step "IAM grants the tests never used (untested paths or grants to drop)"
"${CARGO_TARGET_DIR:-target}/debug/tandem-local" iam-report --usage-dir "$TANDEM_IAM_USAGE_DIR"

step ""
printf '\nall checks passed in %d s (target/ holds %s)\n' "$((SECONDS - started))" \
  "$(du -sh "${CARGO_TARGET_DIR:-target}" | cut -f1)"
