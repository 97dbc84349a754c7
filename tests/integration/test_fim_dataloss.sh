#!/usr/bin/env bash
# test_fim_dataloss.sh -- a data-loss store (a folder of 100 records)
# watched by `vigil run` with `alert_drop: 10%`: deleting 5 % raises
# nothing, deleting 40 % raises one critical fim.data_loss alert naming
# the store, the share lost, how many files went and the largest of them
# (largest first); a second wave within the period raises another, said
# to be one; the measurements are kept in fim_store_history. A store whose
# files are replaced by junk of the same total size alerts (files it held
# were removed); one whose files are only moved within it does not.
# `vigil status` (table and --json) shows the monitor's events and
# detections and each store's measurements. Then, when PostgreSQL's
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
P="$T/padded"
M="$T/moved"
W="$T/tree"
mkdir -p "$P" "$M" "$W"
for i in $(seq 1 40); do head -c $((1000 + i)) /dev/zero >"$P/case$i.pdf"; done
for i in $(seq 1 20); do echo "note $i" >"$M/n-$i.txt"; done
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
  # inotify: fanotify's mount mark hands the daemon descriptors of its
  # own store's files, and closing one drops SQLite's POSIX locks (a
  # reader such as sqlite3 below may then reset the WAL index: SIGBUS)
  monitor: inotify
  watch:
    - path: $W
  ransomware:
    canaries: false
  stores:
    - name: padded
      path: $P
      alert_drop: 10%
      within: 1h
      interval: 3s
    - name: moved
      path: $M
      alert_drop: 10%
      within: 1h
      interval: 1s
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
measured() { # at least N measurements [of STORE]
    local n
    n=$(sqlite3 "file:$T/state/vigil.db?mode=ro" \
        "SELECT count(*) FROM fim_store_history WHERE store = '${2:-records}'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge "$1" ]
}
wait_measured() {
    for _ in $(seq 1 100); do
        measured "$1" "${2:-records}" && return 0
        kill -0 "$PID" 2>/dev/null || fail "the daemon died"
        sleep 0.1
    done
    fail "fewer than $1 measurements of ${2:-records}"
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
for i in 1 2 3; do echo "change $i" >"$W/doc-$i.txt"; done
# 35 more: 40 % of the store in all, the largest files among them, by
# one rm (35 of them straddled a measurement on a loaded machine: the
# alert then counted part of the loss)
gone=()
for i in $(seq 62 2 100) $(seq 71 2 99); do gone+=("$S"/*/case-$i.pdf); done
rm -f "${gone[@]}"
left=$(find "$S" -type f | wc -l)
echo "files left: $left"
for _ in $(seq 1 50); do
    [ -n "$(alerts)" ] && break
    sleep 0.1
done
a=$(alerts)
[ -n "$a" ] || fail "no data-loss alert after deleting 40 %"
[ "$(printf '%s\n' "$a" | wc -l)" = 1 ] || fail "more than one alert"
[ "$(printf '%s\n' "$a" | grep -c '"store":"records"')" = 1 ] ||
    fail "the alert is not the records store's"
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
sizes = [x["size"] for x in d["largest_removed"]]
assert len(sizes) == 10 and sizes == sorted(sizes, reverse=True), top
assert top[0] == "case-100.pdf" and top[1] == "case-99.pdf", top
assert d["wave"] is False, d
assert "records" in a["title"], a["title"]
print("alert:", a["title"])
' || fail "the alert does not name what went"

# a second, larger wave within the period: 30 of the 60 left
for f in $(find "$S" -type f | sort | head -30); do rm "$f"; done
for _ in $(seq 1 50); do
    [ "$(alerts | grep -c '"store":"records"')" -ge 2 ] && break
    sleep 0.1
done
a=$(alerts | grep '"store":"records"' | grep '"wave":true' || true)
[ -n "$a" ] || fail "a second wave within the period raised no alert"
printf '%s\n' "$a" | grep -Eq 'another wave \(55% lost at the previous alert\)' ||
    fail "the second alert does not say it is another wave: $a"
echo "second wave alerted"

# padding: 30 of the 40 files removed, 30 of junk of the same sizes added,
# right after a measurement (interval 3s): the next sees all of it
wait_measured 2 padded
n=$(sqlite3 "file:$T/state/vigil.db?mode=ro" \
    "SELECT count(*) FROM fim_store_history WHERE store = 'padded'")
wait_measured $((n + 1)) padded
for i in $(seq 1 30); do
    rm "$P/case$i.pdf"
    head -c $((1000 + i)) /dev/urandom >"$P/junk$i.pdf"
done
# moving files within a store loses nothing
mkdir "$M/archive"
mv "$M"/n-*.txt "$M/archive/"
for _ in $(seq 1 80); do
    alerts | grep -q '"store":"padded"' && break
    sleep 0.1
done
a=$(alerts | grep '"store":"padded"' || true)
[ -n "$a" ] || fail "files replaced by padding of the same size raised no alert"
printf '%s\n' "$a" | python3 -c '
import json, sys
a = json.loads(sys.stdin.readline())
d = a["event"]["finding.detail"]
assert d["removed_count"] == 30, d
assert d["items"] == 40 and d["bytes_lost_pct"] == 0, d
top = [x["path"].rsplit("/", 1)[1] for x in d["largest_removed"]]
assert top[:3] == ["case30.pdf", "case29.pdf", "case28.pdf"], top
assert "30 of its files (75%) removed" in a["title"], a["title"]
print("alert:", a["title"])
' || fail "the padding alert does not say what went: $a"
n=$(sqlite3 "file:$T/state/vigil.db?mode=ro" \
    "SELECT count(*) FROM fim_store_history WHERE store = 'moved'")
wait_measured $((n + 2)) moved
alerts | grep -q '"store":"moved"' && fail "files moved within a store raised an alert"
echo "padding alerted; files moved within a store not"

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
# what `vigil status` shows of the monitor (reported every second)
for _ in $(seq 1 50); do
    "$VIGIL_BIN" status --state-dir "$T/state" --json >"$T/status.json"
    python3 - "$T/status.json" <<'PY' && break
import json, sys
f = json.load(open(sys.argv[1]))["fim"]
sys.exit(0 if f and f["data_loss"] >= 4 and f["events_emitted"] >= 3 else 1)
PY
    sleep 0.2
done
python3 - "$T/status.json" <<'PY' || fail "vigil status --json: $(cat "$T/status.json")"
import json, sys
j = json.load(open(sys.argv[1]))
f = j["fim"]
assert f["monitor"] == "inotify", f
assert f["trees"] == 1, f
assert f["events_seen"] >= 3 and f["events_emitted"] >= 3, f
assert f["overflows"] == 0 and f["ransomware"] == 0 and f["stopped"] == 0, f
assert f["data_loss"] >= 4, f  # records twice, padded, vanish
st = {s["store"]: s for s in f["stores"]}
assert set(st) >= {"records", "padded", "moved", "vanish"}, st
r = st["records"]
assert r["measured"] >= 6 and r["failed"] == 0 and r["alerts"] == 2, r
assert r["items"] == 30 and r["last_measured"].endswith("Z"), r
assert st["padded"]["alerts"] == 1 and st["moved"]["alerts"] == 0, st
src = {s["name"]: s for s in j["sources"]}
assert src["fim"]["events_in"] == f["events_seen"], src
assert src["fim"]["alerts"] == f["data_loss"], src
PY
"$VIGIL_BIN" status --state-dir "$T/state" >"$T/status.txt"
grep -Eq '^inotify +[0-9]+ +[0-9]+ +0 +0 +0 +0 +[4-9]' "$T/status.txt" ||
    fail "the status table has no monitor line: $(cat "$T/status.txt")"
grep -Eq '^records +[0-9]+ +0 +2 +[0-9]+ +30 ' "$T/status.txt" ||
    fail "the status table has no line for the store: $(cat "$T/status.txt")"
echo "vigil status shows the monitor and its stores"
kill -TERM "$PID"
wait "$PID" || true
PID=""
echo "PASS: data loss of 40 % of a folder alerted, a second wave too, padding too; a removed folder alerted; an unmounted one not; vigil status shows them"

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
