#!/usr/bin/env bash
# Rewrites the "## Schema" section of every Registry page in docs/ from the
# provider's schemas (the prose above it is kept), then runs the docs tests
# (the `docs` module of the in-process test binary).
set -euo pipefail
cd "$(dirname "$0")/.."
# The write runs alone, so no other test reads a page while it is rewritten.
DOCS_WRITE=1 cargo test --locked --test in_process -- --exact docs::docs_match_the_schema
cargo test --locked --test in_process -- docs::
