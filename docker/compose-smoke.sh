#!/usr/bin/env bash
# Smoke test of docker-compose.yml: brings the stack up under its own project name, places a trade through the
# app's published port with a token signed by the stack's own JWT secret, waits until the simulated exchange
# has filled its order and the query API shows the trade OPEN, then tears the stack down with its volumes.
# Needs the jar (./mvnw -q -DskipTests package), curl and openssl. The compose command is PAPER_COMPOSE, else
# `docker compose`, else `docker-compose`, else `podman-compose`. PAPER_HTTP_PORT (18080) is the published port.
set -euo pipefail
cd "$(dirname "$0")/.."

project=${PAPER_SMOKE_PROJECT:-paper-smoke}
export PAPER_HTTP_BIND=127.0.0.1 PAPER_HTTP_PORT=${PAPER_HTTP_PORT:-18080}
base="http://127.0.0.1:$PAPER_HTTP_PORT"

if [ -n "${PAPER_COMPOSE:-}" ]; then
  read -r -a compose <<<"$PAPER_COMPOSE"
elif docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
elif command -v podman-compose >/dev/null 2>&1; then
  compose=(podman-compose)
else
  echo "compose-smoke: no compose command (docker compose, docker-compose or podman-compose)" >&2
  exit 1
fi
dc() { "${compose[@]}" -p "$project" "$@"; }

[ -f app/target/paper-trading.jar ] || { echo "compose-smoke: build the jar first: ./mvnw -q -DskipTests package" >&2; exit 1; }

# Polls "$@" every second until it succeeds or $1 seconds pass.
within() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@"; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 1
  done
}

finish() {
  local status=$?
  if [ $status -ne 0 ]; then
    echo "compose-smoke FAILED; the stack's last words:" >&2
    dc ps >&2 || true
    dc logs --tail=60 >&2 || true
  fi
  dc down -v >/dev/null 2>&1 || true
  exit $status
}
trap finish EXIT

dc down -v >/dev/null 2>&1 || true # what an interrupted run left
start=$SECONDS
dc up -d --build
ready() { curl -sf "$base/actuator/health/readiness" | grep -q '"status":"UP"'; }
within 240 ready || { echo "compose-smoke: the app never became ready on $base" >&2; exit 1; }
echo "compose-smoke: stack up and ready in $((SECONDS - start)) s"

# An HS256 token as an identity provider sharing the stack's secret would sign it (the app checks sub and exp).
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }
secret=$(dc exec -T app cat /run/paper-secrets/paper.auth.jwt-secret)
[ ${#secret} -ge 32 ] || { echo "compose-smoke: no JWT secret in the stack's secrets volume" >&2; exit 1; }
now=$(date +%s)
header=$(printf '{"alg":"HS256","typ":"JWT"}' | b64url)
claims=$(printf '{"sub":"smoke-user","roles":["user"],"iat":%d,"exp":%d}' "$now" $((now + 600)) | b64url)
signature=$(printf '%s.%s' "$header" "$claims" | openssl dgst -sha256 -mac HMAC -macopt "key:$secret" -binary | b64url)
auth="Authorization: Bearer $header.$claims.$signature"

placed=$(curl -s -w '\n%{http_code}' -X POST "$base/api/trades" -H "$auth" -H 'Content-Type: application/json' \
  -H "Idempotency-Key: smoke-$now" -d '{"symbol":"AAPL","side":"BUY","quantity":1,"orderType":"MARKET"}')
code=$(tail -n 1 <<<"$placed")
body=$(head -n 1 <<<"$placed")
[ "$code" = 202 ] || { echo "compose-smoke: POST /api/trades answered $code: $body" >&2; exit 1; }
trade=$(sed -n 's/.*"tradeId":"\([^"]*\)".*/\1/p' <<<"$body")
echo "compose-smoke: placed trade $trade"

# The simulated exchange keeps its books in the stack's PostgreSQL; its entry order carries the trade id as tag.
filled() {
  [ "$(dc exec -T postgres psql -U paper_owner -d paper -Atc "select state from sim_orders where tag = '$trade'")" = FILLED ]
}
within 60 filled || { echo "compose-smoke: the simulated exchange never filled $trade" >&2; exit 1; }
echo "compose-smoke: its order is FILLED at the simulated exchange"

shows_open() { curl -sf "$base/api/trades/$trade" -H "$auth" | grep -q '"status":"OPEN"'; }
within 60 shows_open || { echo "compose-smoke: the query API never showed $trade OPEN: $(curl -s "$base/api/trades/$trade" -H "$auth")" >&2; exit 1; }
echo "compose-smoke: the query API shows it OPEN"
echo "compose-smoke: passed in $((SECONDS - start)) s"
