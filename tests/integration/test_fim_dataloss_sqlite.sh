#!/usr/bin/env bash
# test_fim_dataloss_sqlite.sh -- data-loss stores on another system's
# SQLite file (`sqlite: FILE`, `query: SELECT count(*) ...`) under `vigil
# run`: the file is read and never written (its checksum and its folder's
# listing are the same after many measurements, no journal or WAL file
# appears, a query that would write is refused and changes nothing);
# deleting 40 % of the table's rows raises one critical fim.data_loss alert
# naming the store and the count; a missing, a damaged and a locked file
# each give a clear message (2008), are never created, and the daemon
# goes on measuring the others.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" fimsqlite
command -v python3 >/dev/null || { echo "SKIP: no python3"; exit 77; }
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
D="$T/app"
mkdir -p "$D"
python3 - "$D/cases.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE cases (id INTEGER PRIMARY KEY, body TEXT)")
db.executemany("INSERT INTO cases VALUES (?, ?)",
               [(i, "case %d" % i) for i in range(1, 1001)])
db.commit()
db.close()
PY
cp "$D/cases.db" "$D/guarded.db"
head -c 8192 /dev/urandom >"$D/damaged.db"
python3 - "$D/locked.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("CREATE TABLE t (x)")
db.execute("INSERT INTO t VALUES (1)")
db.commit()
PY
chmod 755 "$T" "$D"
chmod 644 "$D"/*.db
sums() { (cd "$D" && sha256sum guarded.db cases.db && ls -a); }
sums >"$T/before"

# the locked file: another process holds an exclusive lock for 4 s
python3 - "$D/locked.db" "$T/locked.ready" <<'PY' &
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
db.execute("INSERT INTO t VALUES (2)")
open(sys.argv[2], "w").close()
time.sleep(4)
db.execute("COMMIT")
PY
LOCKER=$!
for _ in $(seq 1 50); do [ -f "$T/locked.ready" ] && break; sleep 0.1; done
[ -f "$T/locked.ready" ] || fail "the lock was not taken"

cat >"$T/vigil.yml" <<YML
state_dir: $T/state
fim:
  stores:
    - name: cases
      sqlite: $D/cases.db
      query: SELECT count(*) FROM cases
      alert_drop: 25%
      within: 1h
      interval: 1s
    - name: guarded
      sqlite: $D/guarded.db
      query: SELECT count(*) FROM cases
      interval: 1s
    - name: writer
      sqlite: $D/guarded.db
      query: DELETE FROM cases
      interval: 1s
    - name: sneaky
      sqlite: $D/guarded.db
      query: SELECT count(*) FROM cases; DELETE FROM cases
      interval: 1s
    - name: missing
      sqlite: $D/missing.db
      query: SELECT count(*) FROM cases
      interval: 1s
    - name: damaged
      sqlite: $D/damaged.db
      query: SELECT count(*) FROM cases
      interval: 1s
    - name: locked
      sqlite: $D/locked.db
      query: SELECT count(*) FROM t
      interval: 1s
YML
chmod 600 "$T/vigil.yml"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
count_of() { # store items: how many measurements of that count
    sqlite3 "file:$T/state/vigil.db?mode=ro" \
        "SELECT count(*) FROM fim_store_history WHERE store = '$1' AND items = $2" \
        2>/dev/null || echo 0
}
wait_count() { # store items [times]
    for _ in $(seq 1 150); do
        [ "$(count_of "$1" "$2")" -ge "${3:-1}" ] && return 0
        kill -0 "$PID" 2>/dev/null || fail "the daemon died"
        sleep 0.1
    done
    fail "store $1: the count $2 was never measured ${3:-1} times"
}
wait_count cases 1000 3
wait_count guarded 1000 3

# every failure said clearly, none of them fatal
grep -q "\[2008\] fim: store missing: sqlite $D/missing.db: No such file" "$T/daemon.log" ||
    fail "no clear message for the missing file"
[ ! -e "$D/missing.db" ] || fail "the missing file was created"
grep -q "\[2008\] fim: store damaged: .*not a database" "$T/daemon.log" ||
    fail "no clear message for the damaged file"
grep -q "\[2008\] fim: store writer: .*only reads" "$T/daemon.log" ||
    fail "a writing query was not refused"
grep -q "\[2008\] fim: store sneaky: .*one statement" "$T/daemon.log" ||
    fail "a second statement was not refused"
wait "$LOCKER"
grep -q "\[2008\] fim: store locked: .*locked" "$T/daemon.log" ||
    fail "no clear message for the locked file"
wait_count locked 2 # measured once the lock was released

sums >"$T/after"
diff "$T/before" "$T/after" >&2 || fail "the foreign files or their folder changed"

# 40 % of the rows deleted by the application
python3 - "$D/cases.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.execute("DELETE FROM cases WHERE id % 5 IN (1, 2)")
db.commit()
PY
wait_count cases 600
alerts() {
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep '"rule_id":"fim.data_loss"' || true
}
for _ in $(seq 1 30); do [ -n "$(alerts)" ] && break; sleep 0.1; done
a=$(alerts)
[ "$(printf '%s\n' "$a" | grep -c .)" = 1 ] || fail "expected one data-loss alert: $a"
printf '%s\n' "$a" | python3 -c '
import json, sys
a = json.loads(sys.stdin.readline())
assert a["level"] == "critical", a["level"]
d = a["event"]["finding.detail"]
assert d["store"] == "cases", d
assert d["items"] == 600 and d["max_items"] == 1000, d
assert d["items_lost_pct"] == 40.0, d
assert "store cases" in a["title"] and "400 of 1000 rows" in a["title"], a["title"]
print("alert:", a["title"])
' || fail "the alert does not name the store and the count"
kill -0 "$PID" 2>/dev/null || fail "the daemon died"
kill -TERM "$PID"
wait "$PID" || true
PID=""
(cd "$D" && sha256sum guarded.db) | diff - <(grep '  guarded.db$' "$T/before") ||
    fail "the guarded file changed"
echo "PASS: SQLite store read-only, 40 % of its rows lost alerted, bad files reported"
