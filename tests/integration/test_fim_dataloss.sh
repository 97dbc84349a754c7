#!/usr/bin/env bash
# test_fim_dataloss.sh -- a data-loss store (a folder of 100 records)
# watched by `vigil run` with `alert_drop: 10%`: deleting 5 % raises
# nothing, deleting 40 % raises one critical fim.data_loss alert naming
# the store, the share lost, how many files went and the largest of them;
# the measurements are kept in fim_store_history.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" fimloss
S="$T/records"
mkdir -p "$S/2025" "$S/2026"
for i in $(seq 1 100); do
    head -c $((1000 + i * 100)) /dev/zero >"$S/$([ $((i % 2)) = 0 ] && echo 2025 || echo 2026)/case-$i.pdf"
done
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
fim:
  stores:
    - name: records
      path: $S
      alert_drop: 10%
      within: 1h
      interval: 1s
YML
chmod 600 "$T/vigil.yml"
chmod 755 "$T"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
measured() { # at least N measurements
    local n
    n=$(sqlite3 "file:$T/state/vigil.db?mode=ro" \
        "SELECT count(*) FROM fim_store_history WHERE store = 'records'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge "$1" ]
}
wait_measured() {
    for _ in $(seq 1 100); do
        measured "$1" && return 0
        kill -0 "$PID" 2>/dev/null || fail "the daemon died"
        sleep 0.1
    done
    fail "fewer than $1 measurements"
}
alerts() {
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep '"rule_id":"fim.data_loss"' || true
}
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
wait_measured 2
rm "$S"/2025/case-{2,4,6,8,10}.pdf
wait_measured 4
[ -z "$(alerts)" ] || fail "5 % lost raised an alert"
# 35 more: 40 % of the store in all, the largest files among them
for i in $(seq 62 2 100) $(seq 71 2 99); do rm -f "$S"/*/case-$i.pdf; done
left=$(find "$S" -type f | wc -l)
echo "files left: $left"
for _ in $(seq 1 50); do
    [ -n "$(alerts)" ] && break
    sleep 0.1
done
a=$(alerts)
[ -n "$a" ] || fail "no data-loss alert after deleting 40 %"
[ "$(printf '%s\n' "$a" | wc -l)" = 1 ] || fail "more than one alert"
printf '%s\n' "$a" | python3 -c '
import json, sys
a = json.loads(sys.stdin.readline())
assert a["level"] == "critical", a["level"]
d = a["event"]["finding.detail"]
assert d["store"] == "records"
assert d["removed_count"] == 40, d["removed_count"]
assert d["items"] == 60, d["items"]
assert d["items_lost_pct"] >= 40, d
top = [x["path"].rsplit("/", 1)[1] for x in d["largest_removed"]]
assert "case-100.pdf" in top and "case-99.pdf" in top, top
assert "records" in a["title"], a["title"]
print("alert:", a["title"])
' || fail "the alert does not name what went"
kill -TERM "$PID"
wait "$PID" || true
PID=""
echo "PASS: data loss of 40 % alerted"
