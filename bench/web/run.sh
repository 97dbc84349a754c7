#!/usr/bin/env bash
# Web benchmark: the alert list of the REST API with 1,000,000 alerts in
# the store, measured on loopback with wrk (a real HTTP load client,
# keep-alive, authenticated with an API token). Prints p50/p95/p99 per
# query; the target is p95 < 50 ms for the alert list.
#
# usage: bench/web/run.sh [ALERTS]  (env: BUILD_DIR, DURATION, CONNS)
set -euo pipefail
cd "$(dirname "$0")/../.."
ALERTS=${1:-1000000}
BUILD_DIR=${BUILD_DIR:-build}
DURATION=${DURATION:-15s}
CONNS=${CONNS:-8}
V="$BUILD_DIR/vigil"
command -v wrk >/dev/null || { echo "SKIP: wrk missing"; exit 0; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 CLI missing"; exit 0; }
[ -x "$V" ] || { echo "build first: $V"; exit 1; }

W=$(mktemp -d /tmp/vigil-bench-web.XXXXXX)
PID=""
trap '[ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$W"' EXIT
S="$W/state"

# The store with its schemas, a user and a token.
printf 'bench password 12\n' | "$V" user add bench --role viewer --password-stdin --state-dir "$S" >/dev/null
TOKEN=$("$V" user token bench --state-dir "$S")

# ALERTS alerts over the last 30 days, five levels, 40 rules, 1 in 10
# with a uid-less row as from before uids (as an upgraded store has).
echo "filling $ALERTS alerts..."
t0=$(date +%s)
sqlite3 "$S/vigil.db" <<SQL
PRAGMA journal_mode=WAL;
BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $ALERTS)
INSERT INTO alerts (time_ns, rule_id, title, level, tags_json, event_json,
                    matched_json, source, created_ns, uid)
SELECT (strftime('%s','now') - 30 * 86400) * 1000000000 + i * (30 * 86400000000000 / $ALERTS),
       'rule-' || (i % 40), 'Bench alert ' || (i % 40),
       CASE i % 5 WHEN 0 THEN 'critical' WHEN 1 THEN 'high' WHEN 2 THEN 'medium'
                  WHEN 3 THEN 'low' ELSE 'informational' END,
       '["attack.t1110"]',
       '{"@timestamp":"2026-01-01T00:00:00Z","host.name":"web' || (i % 7) ||
       '","message":"Failed password for invalid user admin from 203.0.113.' ||
       (i % 250) || ' port 22 ssh2","source.ip":"203.0.113.' || (i % 250) || '"}',
       '{"source.ip":"203.0.113.' || (i % 250) || '"}',
       'auth', 0, lower(hex(randomblob(16)))
FROM n;
COMMIT;
SQL
echo "filled in $(( $(date +%s) - t0 )) s; $(sqlite3 "$S/vigil.db" 'SELECT COUNT(*) FROM alerts') alerts"

: >"$W/auth.log"
for _ in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    cat >"$W/vigil.yml" <<YML
state_dir: $S
web: {listen: 127.0.0.1:$PORT}
sources:
  - {name: auth, type: file, paths: [$W/auth.log]}
YML
    "$V" run -c "$W/vigil.yml" 2>"$W/daemon.log" &
    PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on http://127.0.0.1:$PORT/" "$W/daemon.log" && break 2
        sleep 0.1
    done
    kill "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; PID=""
done
[ -n "$PID" ] || { cat "$W/daemon.log"; exit 1; }
BASE="http://127.0.0.1:$PORT"

cat >"$W/p.lua" <<'LUA'
done = function(summary, latency, requests)
  io.write(string.format("RESULT p50_ms=%.2f p95_ms=%.2f p99_ms=%.2f req_s=%.0f errors=%d\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, summary.requests / (summary.duration / 1e6),
    summary.errors.status + summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout))
end
LUA
# A cursor half way down: keyset paging costs the same at any depth.
MID=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/alerts?limit=1&since=0&until=$(( ($(date +%s) - 15 * 86400) * 1000000000 ))" |
      python3 -c 'import json,sys; a=json.load(sys.stdin)["items"][0]; print("%d.%d" % (a["time_ns"], a["id"]))')
status=$(curl -s -o /dev/null -w '%{http_code}' "$BASE/api/alerts")
[ "$status" = 401 ] || { echo "the API answered without a token: $status"; exit 1; }

bench() { # name path
    local out
    out=$(wrk -t2 -c"$CONNS" -d"$DURATION" -s "$W/p.lua" \
          -H "Authorization: Bearer $TOKEN" "$BASE$2" | grep RESULT)
    printf '%-34s %s\n' "$1" "${out#RESULT }"
}
echo "wrk -t2 -c$CONNS -d$DURATION on loopback, $ALERTS alerts:"
bench "alerts, first page (50)"         "/api/alerts?limit=50"
bench "alerts, level=critical"          "/api/alerts?limit=50&level=critical"
bench "alerts, page at mid-depth"       "/api/alerts?limit=50&cursor=$MID"
bench "alerts, oldest first"            "/api/alerts?limit=50&sort=time"
bench "alerts, rule filter"             "/api/alerts?limit=50&rule=rule-7"
bench "alerts, rule filter, mid-depth"  "/api/alerts?limit=50&rule=rule-7&cursor=$MID"
bench "file changes view (none of 1M)"  "/api/files?limit=50"
bench "incidents list"                  "/api/incidents?limit=50"
bench "alerts, state=acknowledged"      "/api/alerts?limit=50&state=acknowledged"
bench "rules with counts"               "/api/rules"
bench "alerts by level per hour (24 h)" "/api/alerts/stats?hours=24"
bench "alert detail"                    "/api/alerts/$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/alerts?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["uid"])')"
