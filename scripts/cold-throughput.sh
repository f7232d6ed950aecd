#!/usr/bin/env bash
# Cold-token throughput of the agent_os example over loopback: `GET /config` (app:admin)
# when nearly every request carries a token the server has not verified yet, against one
# token that is always in its verified-token cache (4,096 entries). A measurement, not a
# test: on a shared machine the numbers are indicative.
#
#   bash scripts/cold-throughput.sh [seconds=10] [connections=64] [tokens=60000]
#
# 1. builds the release `agent_os` and the load tool (scripts/load/, a crate outside the
#    workspace, into target/load: `scope-policy-cold`, src/bin/cold.rs);
# 2. for RS256 then ES256, with the test-only key pairs of scope-runtime/tests/fixtures/
#    (rsa_private.pem, ec_p256_private.pem): writes a JWKS of the public key (`kid`,
#    `alg`), starts agent_os on 127.0.0.1 and a free port with JWT_JWKS_FILE set and
#    waits for /health; mints `tokens` distinct tokens (distinct `jti`, scope app:admin;
#    the minting time is printed, not measured); sends load over `connections`
#    keep-alive HTTP/1.1 connections, once with every token sent once, in order (cold:
#    every request a token the server has never seen; the phase ends when they run out,
#    or after `seconds`), and once with a single token for `seconds` (warm); every
#    answer must be 200; stops the server;
# 3. prints a table (alg, tokens, req/s, p50, p99, non-200, connection errors) and the
#    cold/warm ratio of req/s for each algorithm.
#
# Only 127.0.0.1 is contacted; each run is bounded (the tool's deadline, and `timeout`).
# Exit status: 0 when every answer was 200 and no connection failed, 1 otherwise.
set -euo pipefail
seconds=${1:-10}
connections=${2:-64}
tokens=${3:-60000}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

echo "== building (release)"
cargo build -q --release -p scope-policy-examples --bin agent_os
cargo build -q --release --manifest-path scripts/load/Cargo.toml --target-dir target/load --bin scope-policy-cold
cold="$root/target/load/release/scope-policy-cold"
fixtures="$root/scope-runtime/tests/fixtures"

work=$(mktemp -d)
server=""
stop_server() {
  if [[ -n "$server" ]] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server" 2>/dev/null || true
  fi
  server=""
}
trap 'stop_server; rm -rf "$work"' EXIT

status=0
for alg in RS256 ES256; do
  case $alg in
    RS256) key="$fixtures/rsa_private.pem" kid=cold-rsa ;;
    ES256) key="$fixtures/ec_p256_private.pem" kid=cold-ec ;;
  esac
  jwks="$work/$alg.jwks.json"
  "$cold" jwks --alg "$alg" --key "$key" --kid "$kid" --out "$jwks"
  port=$("$cold" free-port)
  echo "== $alg: agent_os on 127.0.0.1:$port, JWT_JWKS_FILE with kid $kid"
  JWT_JWKS_FILE="$jwks" HOST=127.0.0.1 PORT="$port" RUST_LOG=warn NO_COLOR=1 \
    "$root/target/release/agent_os" >"$work/$alg.stdout" 2>"$work/$alg.stderr" &
  server=$!
  up=""
  for _ in $(seq 100); do
    kill -0 "$server" 2>/dev/null || break
    if curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
  done
  if [[ -z "$up" ]]; then
    cat "$work/$alg.stderr" >&2
    echo "agent_os did not answer /health on 127.0.0.1:$port" >&2
    exit 1
  fi
  timeout $((2 * seconds + 120)) "$cold" run --addr "127.0.0.1:$port" --alg "$alg" \
    --key "$key" --kid "$kid" --tokens "$tokens" --duration "$seconds" \
    --connections "$connections" | tee -a "$work/results" || status=1
  if ! kill -0 "$server" 2>/dev/null; then
    echo "agent_os ($alg) is no longer running" >&2
    status=1
  fi
  warnings=$(grep -caE ' (ERROR|WARN) ' "$work/$alg.stderr" || true)
  [[ "$warnings" == 0 ]] || { echo "agent_os ($alg): $warnings warning/error lines:" >&2; grep -aE ' (ERROR|WARN) ' "$work/$alg.stderr" | head -n 5 >&2; }
  stop_server
done

echo
echo "== GET /config, ${seconds} s, ${connections} connections, 127.0.0.1 (2 shared cores: indicative)"
awk '
  function field(name,   i, kv) {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] }
    return "?"
  }
  BEGIN { printf "%-6s %-5s %7s %10s %9s %9s %8s %7s\n", "alg", "mode", "tokens", "req/s", "p50 ms", "p99 ms", "non-200", "errors" }
  $1 == "result" && $2 ~ /^alg=/ {
    printf "%-6s %-5s %7s %10s %9s %9s %8s %7s\n", field("alg"), field("mode"), field("tokens"), field("rps"), field("p50_ms"), field("p99_ms"), field("non200"), field("errors")
  }
  $1 == "ratio" { ratios = ratios sprintf("%s cold/warm req/s: %s\n", field("alg"), field("cold/warm")) }
  END { printf "\n%s", ratios }
' "$work/results"
[[ "$status" == 0 ]] && echo "result: PASS (every answer 200)" || echo "result: FAIL"
exit "$status"
