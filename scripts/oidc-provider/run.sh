#!/usr/bin/env bash
# The seed walkthrough against a REAL third-party OpenID provider on loopback: panva's
# `oidc-provider` (provider.mjs, pinned in package-lock.json) issues RFC 9068 JWT access
# tokens by the client credentials grant, and `agent_os`, configured by its environment
# alone, discovers the provider's keys and verifies them (not part of CI):
#
#   bash scripts/oidc-provider/run.sh                  # RS256, PS256, ES256, EdDSA
#   ALGS=RS256 bash scripts/oidc-provider/run.sh       # one signing algorithm
#
# For each access-token algorithm in ALGS:
# 1. starts the provider on 127.0.0.1 (a free port; issuer `http://127.0.0.1:<port>`, no
#    trailing slash) and prints its discovery `issuer` and its JWKS as published;
# 2. starts agent_os on 127.0.0.1 (PORT=0) with only
#      JWT_OIDC_ISSUER=<issuer> JWT_AUDIENCE=<resource> JWT_REQUIRE_AT_JWT=true
#    (the other JWT_* variables are unset for it);
# 3. gets the four seed tokens with curl (client_credentials, scope, resource) and
#    prints one token's decoded header and payload;
# 4. replays the README walkthrough, each request printed with its status and body,
#    every status checked: basic reads /agents (200) but cannot run (403), power runs
#    (200), basic is refused /sessions (403), admin lists it (200), superadmin reads
#    /config (200); no token (401), a token whose payload was altered to
#    `app:superadmin` (401), an opaque token (no resource asked for; 401); and the
#    provider refuses basic a scope it is not allowed (400 invalid_scope).
# Both processes are stopped on exit. Exit status: 0 when every status matched.
#
# Environment: ALGS (above), KEYS_FROM (`discovery`, the default, as above; or
# `jwks_url`: JWT_JWKS_URL=<the discovered jwks_uri> JWT_ISSUER=<issuer> instead of
# JWT_OIDC_ISSUER), RESOURCE (the resource indicator and `aud`, default
# urn:agent-os), ISSUER_PATH (a path for the issuer: `/` for a trailing slash,
# `/tenant-a` for a path; default none), AGENT_OS_BIN (skip the build and run this
# binary), JWT_REQUIRE_AT_JWT (default true), PYJWT=1 (also verify the tokens with
# PyJWT, verify_pyjwt.py, in a virtual environment made from requirements.txt).
# Needs node, npm (first run: `npm ci`), curl; python3 for PYJWT=1.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/scripts/oidc-provider"
ALGS="${ALGS:-RS256 PS256 ES256 EdDSA}"
RESOURCE="${RESOURCE:-urn:agent-os}"
REQUIRE_AT_JWT="${JWT_REQUIRE_AT_JWT:-true}"
KEYS_FROM="${KEYS_FROM:-discovery}"
case "$KEYS_FROM" in discovery | jwks_url) ;; *) echo "KEYS_FROM: discovery or jwks_url" >&2; exit 2 ;; esac
cd "$ROOT"

if [[ ! -d "$HERE/node_modules/oidc-provider" ]]; then
    echo "== npm ci (scripts/oidc-provider)"
    npm ci --prefix "$HERE" --no-audit --no-fund
fi
PYJWT="${PYJWT:-0}"
PYTHON="$HERE/.venv/bin/python"
if [[ "$PYJWT" == 1 && ! -x "$PYTHON" ]]; then
    echo "== python venv with PyJWT (scripts/oidc-provider/.venv)"
    python3 -m venv "$HERE/.venv"
    "$PYTHON" -m pip install -q -r "$HERE/requirements.txt"
fi
if [[ -z "${AGENT_OS_BIN:-}" ]]; then
    echo "== building agent_os"
    cargo build -q -p scope-policy-examples --bin agent_os
    AGENT_OS_BIN="$ROOT/target/debug/agent_os"
fi

WORK="$(mktemp -d)"
PROVIDER_PID=""
SERVER_PID=""
stop() { # $1 = pid
    [[ -n "$1" ]] && kill -0 "$1" 2>/dev/null || return 0
    kill -TERM "$1" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
    kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
    stop "$SERVER_PID"
    stop "$PROVIDER_PID"
    rm -rf "$WORK"
}
trap cleanup EXIT

FAILURES=0
fail() { echo "FAIL: $*"; FAILURES=$((FAILURES + 1)); }

# Decodes a JWT's header and payload (base64url JSON) and prints them, one line each.
decode_jwt() {
    node -e '
        const [h, p] = process.argv[1].split(".");
        const d = (s) => JSON.parse(Buffer.from(s, "base64url").toString());
        console.log("   header:  " + JSON.stringify(d(h)));
        console.log("   payload: " + JSON.stringify(d(p)));
    ' "$1"
}

# Reads one JSON field (a top-level key) from stdin.
json_field() {
    node -e '
        let s = ""; process.stdin.on("data", (c) => s += c).on("end", () => {
            const v = JSON.parse(s)[process.argv[1]];
            console.log(v === undefined ? "" : typeof v === "string" ? v : JSON.stringify(v));
        });
    ' "$1"
}

# The token endpoint, as a client: $1 = client id, $2 = scope, $3 = resource ("" for
# none). Prints the response body; the status goes to $WORK/token-status.
token_request() {
    local args=(-s -o "$WORK/token-body" -w '%{http_code}' -u "$1:$1-secret"
        -d grant_type=client_credentials --data-urlencode "scope=$2")
    if [[ -n "$3" ]]; then args+=(--data-urlencode "resource=$3"); fi
    curl "${args[@]}" "$TOKEN_ENDPOINT" >"$WORK/token-status"
    cat "$WORK/token-body"
}

# Gets an access token for client $1 with scope $2 (for RESOURCE), or fails the run.
access_token() {
    local body status
    body="$(token_request "$1" "$2" "$RESOURCE")"
    status="$(cat "$WORK/token-status")"
    if [[ "$status" != 200 ]]; then
        echo "token request for $1 failed ($status): $body" >&2
        exit 1
    fi
    json_field access_token <<<"$body"
}

# One walkthrough request: $1 = expected status, $2 = label, $3 = token ("" for none),
# $4.. = curl arguments after the headers (method, form fields, URL).
check() {
    local expected="$1" label="$2" token="$3"
    shift 3
    local auth=() shown=()
    if [[ -n "$token" ]]; then
        auth=(-H "Authorization: Bearer $token")
        shown=(-H "\"Authorization: Bearer \$${label^^}\"")
    fi
    echo "-- $label: curl ${shown[*]} $(printf '%q ' "$@")"
    local status
    status="$(curl -s -o "$WORK/body" -w '%{http_code}' "${auth[@]}" "$@")"
    local body
    body="$(head -c 400 "$WORK/body")"
    if [[ "$(wc -c <"$WORK/body")" -gt 400 ]]; then body="$body..."; fi
    echo "   $status $body"
    if [[ "$status" != "$expected" ]]; then
        fail "$label: expected $expected, got $status"
    fi
}

# A copy of token $1 whose payload says `scope: app:superadmin`, signature unchanged.
tamper() {
    node -e '
        const [h, p, s] = process.argv[1].split(".");
        const claims = JSON.parse(Buffer.from(p, "base64url").toString());
        claims.scope = "app:superadmin";
        console.log([h, Buffer.from(JSON.stringify(claims)).toString("base64url"), s].join("."));
    ' "$1"
}

run_alg() {
    local alg="$1"
    echo
    echo "==================== access tokens signed with $alg ===================="
    rm -f "$WORK/issuer"
    ACCESS_TOKEN_ALG="$alg" RESOURCE="$RESOURCE" ISSUER_FILE="$WORK/issuer" PORT=0 \
        node "$HERE/provider.mjs" >"$WORK/provider.log" 2>&1 &
    PROVIDER_PID=$!
    for _ in $(seq 100); do
        [[ -s "$WORK/issuer" ]] && break
        kill -0 "$PROVIDER_PID" 2>/dev/null || { cat "$WORK/provider.log"; echo "provider exited"; exit 1; }
        sleep 0.1
    done
    [[ -s "$WORK/issuer" ]] || { cat "$WORK/provider.log"; echo "provider did not start"; exit 1; }
    ISSUER="$(cat "$WORK/issuer")"
    echo "== provider: $(grep -a 'ready' "$WORK/provider.log")"
    local discovery
    # OpenID Connect Discovery 1.0 section 4: a terminating `/` of the issuer is
    # removed before `/.well-known/openid-configuration` is appended.
    echo "   GET ${ISSUER%/}/.well-known/openid-configuration"
    discovery="$(curl -fsS "${ISSUER%/}/.well-known/openid-configuration")"
    echo "   discovery issuer:         $(json_field issuer <<<"$discovery")"
    echo "   discovery jwks_uri:       $(json_field jwks_uri <<<"$discovery")"
    TOKEN_ENDPOINT="$(json_field token_endpoint <<<"$discovery")"
    echo "   discovery token_endpoint: $TOKEN_ENDPOINT"
    [[ "$(json_field issuer <<<"$discovery")" == "$ISSUER" ]] || fail "discovery issuer is not $ISSUER"
    echo "   JWKS as published (kty alg use kid [crv]):"
    curl -fsS "$(json_field jwks_uri <<<"$discovery")" | node -e '
        let s = ""; process.stdin.on("data", (c) => s += c).on("end", () => {
            for (const k of JSON.parse(s).keys) {
                console.log(`     ${k.kty} alg=${k.alg ?? "(none)"} use=${k.use} kid=${k.kid}${k.crv ? " crv=" + k.crv : ""}`);
            }
        });
    '

    local keys=(JWT_OIDC_ISSUER="$ISSUER")
    if [[ "$KEYS_FROM" == jwks_url ]]; then
        keys=(JWT_JWKS_URL="$(json_field jwks_uri <<<"$discovery")" JWT_ISSUER="$ISSUER")
    fi
    local settings=("${keys[@]}" JWT_AUDIENCE="$RESOURCE" JWT_REQUIRE_AT_JWT="$REQUIRE_AT_JWT"
        HOST=127.0.0.1 PORT=0)
    echo "== starting agent_os: ${settings[*]}"
    env -u JWT_VERIFICATION_KEY -u JWT_JWKS_URL -u JWT_JWKS_FILE -u JWT_ISSUER -u JWT_OIDC_ISSUER \
        "${settings[@]}" NO_COLOR=1 RUST_LOG="${RUST_LOG:-info}" \
        "$AGENT_OS_BIN" >"$WORK/agent_os.stdout" 2>"$WORK/agent_os.stderr" &
    SERVER_PID=$!
    local addr=""
    for _ in $(seq 100); do
        addr="$(grep -a 'listening' "$WORK/agent_os.stderr" | grep -aoE '127\.0\.0\.1:[0-9]+' | head -n1 || true)"
        [[ -n "$addr" ]] && break
        kill -0 "$SERVER_PID" 2>/dev/null || {
            cat "$WORK/agent_os.stderr"
            echo "agent_os exited"
            exit 1
        }
        sleep 0.1
    done
    [[ -n "$addr" ]] || { cat "$WORK/agent_os.stderr"; echo "agent_os did not report its address"; exit 1; }
    local url="http://$addr"
    echo "   listening on $url"

    echo "== tokens (client_credentials, resource=$RESOURCE)"
    local basic power admin superadmin
    basic="$(access_token basic 'app:read')"
    power="$(access_token power 'app:read app:run app:execute')"
    admin="$(access_token admin 'app:admin app:read app:run app:execute')"
    superadmin="$(access_token superadmin 'app:superadmin')"
    echo "   the power token, decoded:"
    decode_jwt "$power"
    if [[ "$PYJWT" == 1 ]]; then
        echo "== PyJWT (verify_pyjwt.py), a reference verifier: the four tokens, then the tampered one"
        "$PYTHON" "$HERE/verify_pyjwt.py" "$ISSUER" "$RESOURCE" "$basic" "$power" "$admin" "$superadmin" |
            sed 's/^/   /' || fail "PyJWT refused a token"
        if "$PYTHON" "$HERE/verify_pyjwt.py" "$ISSUER" "$RESOURCE" "$(tamper "$basic")" | sed 's/^/   /'; then
            fail "PyJWT accepted the tampered token"
        fi
    fi

    echo "== walkthrough"
    check 200 public "" "$url/health"
    check 401 "no token" "" "$url/agents"
    check 200 basic_token "$basic" "$url/agents"
    check 403 basic_token "$basic" -X POST -F "message=test" "$url/agents/research-agent/runs"
    check 200 power_token "$power" -X POST -F "message=Search for news" "$url/agents/research-agent/runs"
    check 403 basic_token "$basic" "$url/sessions"
    check 200 admin_token "$admin" "$url/sessions"
    check 200 superadmin_token "$superadmin" "$url/config"
    check 401 tampered_token "$(tamper "$basic")" "$url/config"
    local opaque
    opaque="$(token_request basic 'app:read' '' | json_field access_token)"
    check 401 opaque_token "$opaque" "$url/agents"
    echo "-- the provider refuses basic a scope it is not allowed:"
    local refused
    refused="$(token_request basic 'app:read app:admin' "$RESOURCE")"
    echo "   $(cat "$WORK/token-status") $refused"
    [[ "$(cat "$WORK/token-status")" == 400 ]] || fail "basic asking for app:admin: expected 400"

    if ((FAILURES > before)); then
        echo "== agent_os log (stderr)"
        cat "$WORK/agent_os.stderr"
    fi
    stop "$SERVER_PID"
    SERVER_PID=""
    stop "$PROVIDER_PID"
    PROVIDER_PID=""
}

SUMMARY=()
for alg in $ALGS; do
    before=$FAILURES
    run_alg "$alg"
    SUMMARY+=("$alg: $((FAILURES - before)) mismatch(es)")
done
echo
printf '%s\n' "${SUMMARY[@]}"
if ((FAILURES)); then
    echo "FAIL: $FAILURES mismatch(es)"
    exit 1
fi
echo "PASS: every status as expected (${ALGS})"
