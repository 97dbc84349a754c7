#!/usr/bin/env bash
# test_disk_full.sh -- a store that refuses commits for a while (as on a
# full disk: a trigger makes every checkpoint write fail) while a file is
# being read. The file source reads again from the committed checkpoint
# each time; afterwards every line is archived exactly once, and the
# counters `vigil status` shows equal the file's lines (lines read again
# are not counted again).
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" disk-full

command -v sqlite3 >/dev/null || { echo "SKIP: needs the sqlite3 CLI"; exit 77; }
LOG=$T/app.log
TOTAL=100000
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
stats_interval: 0
store:
  archive_events: true
ingest:
  batch_lines: 1000
  batch_time: 50ms
  poll_interval: 50ms
sources:
  - name: app
    type: file
    paths: [$LOG]
    format: raw
YML

counter() {
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o "\"$1\":[0-9]*" | head -1 | cut -d: -f2 || true
}
sql() { sqlite3 -cmd ".timeout 10000" "$T/state/vigil.db" "$1" >/dev/null; }

seq -f 'line %06.0f' 1 50000 >"$LOG"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
deadline=$((SECONDS + 60))
until [ "$(counter decoded)" = 50000 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "the first half was not stored"
    sleep 0.1
done

# The disk is full: nothing commits for three seconds while the second
# half is written.
sql "CREATE TRIGGER disk_full BEFORE INSERT ON checkpoints BEGIN
     SELECT RAISE(ABORT, 'database or disk is full'); END"
seq -f 'line %06.0f' 50001 "$TOTAL" >>"$LOG"
sleep 3
grep -q 'the store refused a batch' "$T/daemon.log" ||
    fail "no commit was refused"
sql "DROP TRIGGER disk_full"

deadline=$((SECONDS + 60))
until [ "$(counter decoded)" = "$TOTAL" ]; do
    [ "$SECONDS" -lt "$deadline" ] ||
        fail "store holds $(counter decoded) decoded lines, expected $TOTAL"
    sleep 0.2
done
kill -TERM "$PID"
wait "$PID" || fail "vigil run exited $? after SIGTERM"
PID=""

"$VIGIL_BIN" status --state-dir "$T/state" --events |
    grep -o '"message":"line [0-9]*"' | grep -o '[0-9]*' | sort >"$T/got"
count=$(wc -l <"$T/got")
dups=$(uniq -d "$T/got" | wc -l)
echo "archived $count lines ($dups repeated); counters: in $(counter events_in)," \
    "decoded $(counter decoded), failed $(counter failed)"
[ "$count" -eq "$TOTAL" ] && [ "$dups" -eq 0 ] || fail "lines lost or repeated"
[ "$(counter events_in)" = "$TOTAL" ] ||
    fail "$(counter events_in) lines counted in for a $TOTAL-line file"
echo "PASS: $TOTAL lines stored and counted once across a full disk"
