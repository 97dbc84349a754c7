#!/usr/bin/env bash
# test_fim_dataloss.sh -- a data-loss store (a folder of 100 records)
# watched by `vigil run` with `alert_drop: 10%`: deleting 5 % raises
# nothing, deleting 40 % raises one critical fim.data_loss alert naming
# the store, the share lost, how many files went and the largest of them;
# the measurements are kept in fim_store_history. Then, when PostgreSQL's
# server is installed and the test runs as root, the same with a table's
# row count through libpq (a temporary cluster on a Unix socket), whose
# queries run read-only, one statement, cut after 5 s. (SQLite stores:
# test_fim_dataloss_sqlite.sh.)
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" fimloss
S="$T/records"
mkdir -p "$S/2025" "$S/2026"
for i in $(seq 1 100); do
    head -c $((1000 + i * 100)) /dev/zero >"$S/$([ $((i % 2)) = 0 ] && echo 2025 || echo 2026)/case-$i.pdf"
done
V="$T/vanish"
mkdir -p "$V" "$T/mnt"
for i in $(seq 1 10); do echo "minutes $i" >"$V/m-$i.txt"; done
MNT=""
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4m vigiltest "$T/mnt" 2>/dev/null; then
    MNT="$T/mnt"
    trap 'umount "$MNT" 2>/dev/null || true; daemon_cleanup' EXIT
    for i in $(seq 1 10); do echo "on tmpfs $i" >"$MNT/t-$i.txt"; done
fi
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
fim:
  stores:
    - name: records
      path: $S
      alert_drop: 10%
      within: 1h
      interval: 1s
    - name: vanish
      path: $V
      interval: 1s
    - name: mounted
      path: $T/mnt
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

# the whole folder removed: the worst loss, alerted as such
rm -rf "$V"
for _ in $(seq 1 200); do
    alerts | grep -q '"store":"vanish"' && break
    sleep 0.1
done
alerts | grep '"store":"vanish"' | grep -q 'store vanish is gone' ||
    fail "a store folder removed whole raised no alert"
alerts | grep '"store":"vanish"' | grep -q '"removed_count":10' ||
    fail "the removed folder's files are not counted"
# unmounted: the folder below is another file system's, not a loss
if [ -n "$MNT" ]; then
    umount "$MNT"
    for _ in $(seq 1 200); do
        grep -q "store mounted: .*another file system" "$T/daemon.log" && break
        sleep 0.1
    done
    grep -q "store mounted: .*another file system" "$T/daemon.log" ||
        fail "an unmounted store was not reported as such"
    sleep 1.5
    alerts | grep -q '"store":"mounted"' && fail "an unmounted store raised a data-loss alert"
fi
kill -TERM "$PID"
wait "$PID" || true
PID=""
echo "PASS: data loss of 40 % of a folder alerted; a removed folder alerted; an unmounted one not"

# --- PostgreSQL: a table's row count ---
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ "$(id -u)" != 0 ] || [ -z "$PGBIN" ] || ! id postgres >/dev/null 2>&1; then
    echo "PostgreSQL part skipped (needs root and the server)"
    exit 0
fi
PG="$T/pg"
mkdir -p "$PG/data" "$PG/sock"
chown -R postgres "$PG"
pgrun() { runuser -u postgres -- "$@"; }
pgrun "$PGBIN/initdb" -D "$PG/data" --auth=trust -U postgres >"$T/pg.log" 2>&1 ||
    fail "initdb: $(tail -5 "$T/pg.log")"
pgrun "$PGBIN/pg_ctl" -D "$PG/data" -l "$PG/pg.log" -w \
    -o "-k $PG/sock -c listen_addresses='' -p 54329" start >/dev/null ||
    fail "postgres did not start: $(tail -5 "$PG/pg.log")"
pgstop() { pgrun "$PGBIN/pg_ctl" -D "$PG/data" -m fast stop >/dev/null 2>&1 || true; }
trap 'pgstop; daemon_cleanup' EXIT
psql() { runuser -u postgres -- "$PGBIN/psql" -h "$PG/sock" -p 54329 -qAt -d postgres "$@"; }
psql -c "CREATE TABLE cases (id int PRIMARY KEY, body text)" ||
    fail "cannot create the table"
psql -c "INSERT INTO cases SELECT g, 'case ' || g FROM generate_series(1, 1000) g"
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
fim:
  stores:
    - name: cases
      postgres: host=$PG/sock port=54329 dbname=postgres user=postgres
      query: SELECT count(*) FROM cases
      alert_drop: 25%
      within: 1h
      interval: 1s
    - name: deleter
      postgres: host=$PG/sock port=54329 dbname=postgres user=postgres
      query: DELETE FROM cases WHERE id > 900 RETURNING 1
      interval: 1s
    - name: two
      postgres: host=$PG/sock port=54329 dbname=postgres user=postgres
      query: SELECT count(*) FROM cases; DELETE FROM cases
      interval: 1s
    - name: slow
      postgres: host=$PG/sock port=54329 dbname=postgres user=postgres
      query: SELECT 5 + pg_sleep(30)::text::int
      interval: 1h
YML
rm -rf "$T/state"
: >"$T/daemon.log"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
pg_measured() {
    for _ in $(seq 1 100); do
        n=$(sqlite3 "file:$T/state/vigil.db?mode=ro" \
            "SELECT count(*) FROM fim_store_history WHERE store = 'cases' AND items = $1" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge 1 ] && return 0
        kill -0 "$PID" 2>/dev/null || fail "the daemon died"
        sleep 0.1
    done
    fail "the count $1 was never measured"
}
pg_measured 1000
# the queries are run read-only, one statement, at most 5 s: nothing of
# the monitored table is deleted by its monitor, and a slow one is cut
sleep 2
[ "$(psql -c 'SELECT count(*) FROM cases')" = 1000 ] ||
    fail "a store's query deleted rows of the table it watches"
grep -q "\[2008\] fim: store deleter: .*read-only transaction" "$T/daemon.log" ||
    fail "a writing query was not refused"
grep -q "\[2008\] fim: store two: .*multiple commands" "$T/daemon.log" ||
    fail "a second statement was not refused"
for _ in $(seq 1 80); do
    grep -q "\[2008\] fim: store slow: " "$T/daemon.log" && break
    sleep 0.1
done
grep -q "\[2008\] fim: store slow: .*statement timeout" "$T/daemon.log" ||
    fail "a slow query was not cut at 5 s"
psql -c "DELETE FROM cases WHERE id % 5 IN (1, 2)"
pg_measured 600
for _ in $(seq 1 30); do
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep -q '"rule_id":"fim.data_loss".*cases' && break
    sleep 0.1
done
"$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
    grep '"rule_id":"fim.data_loss"' | grep -q '"items_lost_pct":40.0' ||
    fail "no data-loss alert for the table"
kill -TERM "$PID"
wait "$PID" || true
PID=""
echo "PASS: data loss of 40 % of a PostgreSQL table alerted"
