#!/usr/bin/env bash
# Starts the whole backend locally: DynamoDB Local, moto (SQS/SNS) and the gateway
# serving every route of template.yaml on http://127.0.0.1:3000. Ctrl-C stops it all.
# Options go to tandem-local: --port N, --dynamodb-port N, --moto-port N, --persist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
# Progress shows: the first build compiles the AWS SDK for minutes.
cargo build -p tandem-local
exec "${CARGO_TARGET_DIR:-target}/debug/tandem-local" up "$@"
