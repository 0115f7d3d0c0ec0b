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
# actionlint checks .github/workflows/ (tests/in_process/release_workflow.rs):
# installed into target/tools on first use; without it the suite stops here,
# saying why.
ACTIONLINT=$(scripts/actionlint.sh) || {
  echo "error: the test suite needs actionlint (see above)" >&2
  exit 1
}
export ACTIONLINT
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
# `--tests`: every target whose manifest says it holds tests (the libraries,
# the test binaries), across the workspace's crates; benches and examples are
# built by clippy in CI, not run.
cargo test --locked --workspace --tests --no-fail-fast "$@" 2>&1 | tee "$log" || status=$?
# One closing line over every test binary.
awk '/^test result:/ { p += $4; f += $6 } END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
