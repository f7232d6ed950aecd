#!/usr/bin/env bash
# Bounded load test of the agent_os example on loopback (not part of CI):
#
#   scripts/load-test.sh                 # 60 s, 64 connections
#   DURATION=30 CONNECTIONS=128 scripts/load-test.sh
#
# 1. builds `agent_os` in release and the load generator (scripts/load/, a crate outside
#    the workspace, built into target/load);
# 2. starts agent_os on 127.0.0.1 with an ephemeral port (PORT=0) and a fresh secret;
# 3. runs the generator: DURATION seconds, CONNECTIONS keep-alive connections, a mix of
#    valid, expired, forged, oversized and `alg: none` tokens, malformed headers and
#    hostile paths, every answer checked against its one expected status; before and
#    after, the superadmin reads the newest session and memory ids, so a denied run or
#    memory post that reached a handler shows up;
# 4. samples the server's resident memory (VmRSS, /proc/PID/status) at start, every 10 s
#    and at the end; stops the server (SIGTERM) and prints the summary.
#
# Only 127.0.0.1 is ever contacted; everything stops by itself (the generator has a
# deadline, and `timeout` bounds it again). Exit status: the generator's (0 = PASS).
set -euo pipefail

DURATION="${DURATION:-60}"
CONNECTIONS="${CONNECTIONS:-64}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

echo "== building (release)"
cargo build --release -p scope-policy-examples --bin agent_os
cargo build --release --manifest-path scripts/load/Cargo.toml --target-dir target/load

WORK="$(mktemp -d)"
SECRET="load-test-$(date +%s)-$RANDOM-secret-at-least-256-bits-long"
SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

echo "== starting agent_os on 127.0.0.1 (ephemeral port)"
# Decisions are logged at info by the layer: keep the log quiet under load, except the
# line that says where the server listens.
HOST=127.0.0.1 PORT=0 JWT_VERIFICATION_KEY="$SECRET" NO_COLOR=1 RUST_LOG="warn,agent_os=info" \
    "$ROOT/target/release/agent_os" >"$WORK/stdout" 2>"$WORK/stderr" &
SERVER_PID=$!
ADDR=""
for _ in $(seq 100); do
    ADDR="$(grep -a 'listening' "$WORK/stderr" | grep -aoE '127\.0\.0\.1:[0-9]+' | head -n1 || true)"
    [[ -n "$ADDR" ]] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/stderr"; echo "agent_os exited"; exit 1; }
    sleep 0.1
done
[[ -n "$ADDR" ]] || { cat "$WORK/stderr"; echo "agent_os did not report its address"; exit 1; }
RSS_START="$(rss_kib "$SERVER_PID")"
echo "   pid $SERVER_PID, http://$ADDR, VmRSS at start: ${RSS_START} KiB"

echo "== load: ${DURATION} s, ${CONNECTIONS} connections"
(
    for i in $(seq 10 10 "$DURATION"); do
        sleep 10
        kill -0 "$SERVER_PID" 2>/dev/null || exit 0
        echo "   t=${i}s VmRSS $(rss_kib "$SERVER_PID") KiB"
    done
) &
SAMPLER=$!
STATUS=0
timeout $((DURATION + 60)) "$ROOT/target/load/release/scope-policy-load" \
    --addr "$ADDR" --secret "$SECRET" --duration "$DURATION" --connections "$CONNECTIONS" \
    || STATUS=$?
wait "$SAMPLER" 2>/dev/null || true

if kill -0 "$SERVER_PID" 2>/dev/null; then
    RSS_END="$(rss_kib "$SERVER_PID")"
    PEAK="$(awk '/^VmHWM:/ { print $2 }' "/proc/$SERVER_PID/status")"
else
    echo "agent_os is no longer running"
    RSS_END="?"
    PEAK="?"
    STATUS=1
fi
echo
echo "== server memory: VmRSS start ${RSS_START} KiB, end ${RSS_END} KiB, peak (VmHWM) ${PEAK} KiB"
ERRORS="$(grep -caE ' (ERROR|WARN) ' "$WORK/stderr" || true)"
echo "== server log: ${ERRORS} warning/error lines"
grep -aE ' (ERROR|WARN) ' "$WORK/stderr" | head -n 5 || true
exit "$STATUS"
