#!/usr/bin/env bash
# The whole test suite: unit, property, emulator, client and end-to-end tests
# (the end-to-end tests drive the real Terraform CLI: $TERRAFORM or PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
export CHECKPOINT_DISABLE=1
if ! command -v "${TERRAFORM:-terraform}" >/dev/null 2>&1; then
  echo "error: the end-to-end tests need the Terraform CLI 1.5+ on PATH (or TERRAFORM=/path/to/terraform)" >&2
  exit 1
fi
cargo test --locked --all-targets "$@"
