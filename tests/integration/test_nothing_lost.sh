#!/usr/bin/env bash
# test_nothing_lost.sh -- "no event lost": 100,000 numbered lines appended
# while `vigil run` tails the file, rotated by rename (while running and
# while stopped) and by copytruncate, with a `kill -9` of the daemon in
# between. Afterwards every line is in the event archive exactly once.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" nothing-lost

LOG=$T/app.log
TOTAL=100000
CHUNK=5000
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
stats_interval: 0
store:
  archive_events: true
ingest:
  batch_lines: 1000
  batch_time: 50ms
  poll_interval: 50ms
  rescan_interval: 1s
sources:
  - name: app
    type: file
    paths: [$LOG]
    format: raw
YML

start() {
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
}

decoded() {
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o '"decoded":[0-9]*' | head -1 | cut -d: -f2 || true
}

# Waits until the store holds n decoded lines (the counters are committed
# in the same transaction as the events and the checkpoint).
wait_for() {
    local n=$1 deadline=$((SECONDS + 120))
    while [ "$SECONDS" -lt "$deadline" ]; do
        [ "$(decoded)" = "$n" ] && return 0
        sleep 0.1
    done
    echo "FAIL: store holds $(decoded) decoded lines, expected $n"
    tail -20 "$T/daemon.log"
    exit 1
}

next=1
write_chunk() { # appends the next CHUNK numbered lines
    seq -f 'line %06.0f' "$next" $((next + CHUNK - 1)) >>"$LOG"
    next=$((next + CHUNK))
    sleep 0.05
}

start
write_chunk
# A file rotated before vigil first saw it cannot be known: wait until the
# daemon follows the file (something is stored), then go on at full speed.
deadline=$((SECONDS + 60))
until [ -n "$(decoded)" ] && [ "$(decoded)" -gt 0 ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "FAIL: daemon stores nothing"; tail "$T/daemon.log"; exit 1; }
    sleep 0.1
done
for _ in 2 3 4; do write_chunk; done

# 1. Rotation by rename while the daemon runs: the old file is finished,
#    then the new one is read from its start.
mv "$LOG" "$LOG.1"
for _ in 5 6 7; do write_chunk; done

# 2. kill -9 while it is reading; more lines and a rename rotation happen
#    while it is down. On restart it resumes from the committed checkpoint
#    and finds the rotated file by its inode.
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=""
write_chunk
mv "$LOG" "$LOG.2"
write_chunk
start
for _ in 10 11 12; do write_chunk; done

# 3. copytruncate, done as logrotate does it: the writer pauses, the file
#    is copied and truncated, without waiting for vigil to have read it
#    (only for it to follow the file again: it has finished $LOG.2): what
#    vigil had not read yet is read from the copy.
deadline=$((SECONDS + 120))
until [ -n "$(decoded)" ] && [ "$(decoded)" -ge $((CHUNK * 8)) ]; do
    [ "$SECONDS" -lt "$deadline" ] || { echo "FAIL: $LOG.2 not read"; tail "$T/daemon.log"; exit 1; }
    sleep 0.1
done
cp "$LOG" "$LOG.3"
truncate -s 0 "$LOG"
while [ "$next" -le "$TOTAL" ]; do write_chunk; done

wait_for "$TOTAL"
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
if [ "$rc" -ne 0 ]; then
    echo "FAIL: vigil run exited $rc after SIGTERM"
    tail -20 "$T/daemon.log"
    exit 1
fi

"$VIGIL_BIN" status --state-dir "$T/state" --events |
    grep -o '"message":"line [0-9]*"' | grep -o '[0-9]*' | sort >"$T/got"
count=$(wc -l <"$T/got")
dups=$(uniq -d "$T/got" | wc -l)
seq -f '%06.0f' 1 "$TOTAL" >"$T/want"
missing=$(comm -23 "$T/want" "$T/got" | wc -l)
echo "archived: $count lines, $dups repeated, $missing missing"
echo "rotation messages: $(grep -c 'was rotated' "$T/daemon.log" || true)"
echo "truncation messages: $(grep -c 'truncated' "$T/daemon.log" || true)"
if [ "$count" -ne "$TOTAL" ] || [ "$dups" -ne 0 ] || [ "$missing" -ne 0 ]; then
    echo "FAIL: expected each of $TOTAL lines exactly once"
    uniq -d "$T/got" | head -5
    comm -23 "$T/want" "$T/got" | head -5
    exit 1
fi
echo "PASS: $TOTAL lines, each archived exactly once"
