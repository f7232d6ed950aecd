#!/usr/bin/env bash
# End-to-end throughput of the agent_os example over loopback: the public `GET /health`
# against `GET /config` with the admin token (verified JWT + policy lookup + handler),
# measured with wrk, one after the other, same settings. Prints both and their ratio.
#
#   bash scripts/e2e-throughput.sh [seconds=10] [connections=64]
#
# Installs wrk from Debian's packages when it is missing (needs root, as on these
# machines). Only 127.0.0.1 is targeted; the server is stopped at the end.
set -euo pipefail
seconds=${1:-10}
connections=${2:-64}
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

if ! command -v wrk >/dev/null; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
cargo build -q --release -p scope-policy-examples --bin agent_os

port=$((20000 + RANDOM % 20000))
log=$(mktemp)
PORT=$port RUST_LOG=warn ./target/release/agent_os >"$log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 1 100); do
  grep -q "^Super Admin" "$log" && curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  sleep 0.1
done
# The admin token is the line after the seed's "Admin (...)" heading.
admin=$(awk '/^Admin \(/ { getline; print; exit }' "$log")
[ -n "$admin" ] || { echo "no admin token in the banner" >&2; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $admin" "http://127.0.0.1:$port/config")" = 200 ]

run() { # $1 = path, $2.. = extra wrk args; prints requests/s
  local path=$1
  shift
  wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "http://127.0.0.1:$port$path" \
    | awk '{ print > "/dev/stderr" } /^Requests\/sec/ { rps = $2 } END { print rps }'
}
echo "== GET /health (public)" >&2
health=$(run /health)
echo "== GET /config (admin token)" >&2
config=$(run /config -H "Authorization: Bearer $admin")
rss=$(awk '/^VmRSS/ { print $2, $3 }' "/proc/$server/status")
echo "health_rps=$health config_rps=$config ratio=$(awk -v a="$config" -v b="$health" 'BEGIN { printf "%.3f", a / b }') server_rss=\"$rss\""
