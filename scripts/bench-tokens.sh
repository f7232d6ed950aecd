#!/usr/bin/env bash
# What a token costs per algorithm (HS256, RS256, PS256, ES256, ES384, EdDSA): the
# floors (each crypto library's own check), the layer cold and warm, a peer; criterion,
# then a paired measurement of the ratios. How to read it: BENCHMARKS.md, "Cold tokens".
#
#   bash scripts/bench-tokens.sh [criterion args...]     # e.g. --warm-up-time 1 --measurement-time 3
#
# BENCH_TOKENS_ALGS=rs256,es256 limits the algorithms; BENCH_TOKENS_DISTINCT (10,000)
# sets the number of distinct tokens per algorithm; BENCH_TOKENS_BACKEND=rust-crypto
# measures scope-runtime built with its pure-Rust backend instead of aws-lc-rs. The crate lives in
# scripts/bench-tokens (outside the workspace: CI never builds ring, RustCrypto or
# jsonwebtoken 9). About 12 minutes on the project's 2-core machine, most of it
# measuring; the first build adds about 3.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root/scripts/bench-tokens"
backend=()
if [ -n "${BENCH_TOKENS_BACKEND:-}" ]; then
    backend=(--no-default-features --features "$BENCH_TOKENS_BACKEND")
fi
CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target/bench-tokens}" \
    cargo bench "${backend[@]}" --bench tokens -- "$@"
