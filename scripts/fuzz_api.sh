#!/usr/bin/env bash
# Fuzzes the whole REST API with schemathesis against a real server on loopback, over the
# demo workspaces, as an owner: every operation of the OpenAPI document, examples and
# generated inputs, must never answer 5xx. Run by .ci/run; by hand: scripts/fuzz_api.sh
set -euo pipefail
cd "$(dirname "$0")/.."

PORT="${FUZZ_PORT:-8765}"
MAX_TIME="${FUZZ_MAX_TIME:-150}"
work="$(mktemp -d)"
export COMPTOIR_DATA_DIR="$work"
export DJANGO_SETTINGS_MODULE=comptoir.settings
unset DATABASE_URL REDIS_URL
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

.venv/bin/comptoir migrate --no-input -v 0
.venv/bin/comptoir demo >/dev/null
token="$(.venv/bin/comptoir token create --workspace maison-lumiere \
    --user camille@comptoir.demo --name fuzz | grep -Eo 'cpt_[A-Za-z0-9_-]+' | head -1)"
[ -n "$token" ] || { echo "no token was issued" >&2; exit 1; }

.venv/bin/comptoir serve --host 127.0.0.1 --port "$PORT" --threads 8 >"$work/server.log" 2>&1 &
server=$!
for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/api/v1/openapi.json" >/dev/null 2>&1 && break
    sleep 0.5
done

status=0
.venv/bin/schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks not_a_server_error \
    --phases examples,coverage,fuzzing \
    --max-time "$MAX_TIME" \
    --request-timeout 20 \
    --workers 2 \
    --suppress-health-check all \
    --max-examples 25 || status=$?
if [ "$status" -ne 0 ]; then
    echo "== server log (tracebacks of the 5xx above)" >&2
    grep -A30 "Traceback" "$work/server.log" | tail -120 >&2 || true
fi
exit "$status"
