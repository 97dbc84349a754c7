#!/usr/bin/env bash
# test_rotation.sh -- rotation as logrotate does it, with a writer that
# appends all the time and so keeps writing to the renamed file until it
# reopens its log:
#   1. `create` (rename, new empty file, the writer told to reopen 10 ms
#      and 500 ms later): every line archived exactly once;
#   2. `copytruncate` (copy, then truncate; the writer goes on at the
#      start): the rest of the file is read from the copy, nothing lost;
#   3. a file rotated and gzip-compressed while vigil was stopped, before
#      it was read to its end: its lines are read from the .gz;
#   4. a starved writer: it goes on appending to the renamed file 7 s after
#      the rename, longer than rotate_wait (5 s), then reopens its log and
#      writes to the new file: the late lines are read all the same (the
#      renamed file is still watched), none is lost, none counted unread.
# Afterwards `vigil status` shows, per source, as many lines in as written.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" rotation

CREATE=$T/create.log
COPY=$T/copy.log
GZ=$T/gz.log
LATE=$T/late.log
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
  - name: create
    type: file
    paths: [$CREATE]
    format: raw
    rotate_wait: 5s # longer than a starved writer pauses on a loaded machine
  - name: copy
    type: file
    paths: [$COPY]
    format: raw
  - name: gz
    type: file
    paths: [$GZ]
    format: raw
  - name: late
    type: file
    paths: [$LATE]
    format: raw
    rotate_wait: 5s
YML

# writer.py LOG PREFIX FIRST LAST MODE: appends "PREFIX NNNNNN" lines at
# about 60,000 a second and rotates the log at the 1st, 2nd and 3rd
# quarter. MODE create: rename, create the new file at once (logrotate
# `create`), go on writing to the renamed one for 10, 500 and 500 ms, then
# reopen. MODE copytruncate: copy to LOG.N, truncate (logrotate
# `copytruncate`); the writer (O_APPEND) goes on at the start.
cat >"$T/writer.py" <<'PY'
import os, shutil, sys, time
log, prefix, first, last, mode = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
n = last - first + 1
rot = {first + n * k // 4: k for k in (1, 2, 3)}
delays = {1: 0.010, 2: 0.500, 3: 0.500}
fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
reopen_at = None
t0 = time.monotonic()
for i in range(first, last + 1):
    if i in rot:
        k = rot[i]
        if mode == "create":
            os.rename(log, "%s.%d" % (log, k))
            os.close(os.open(log, os.O_WRONLY | os.O_CREAT, 0o600))
            reopen_at = time.monotonic() + delays[k]
        else:
            shutil.copyfile(log, "%s.%d" % (log, k))
            os.truncate(log, 0)
    if reopen_at is not None and time.monotonic() >= reopen_at:
        os.close(fd)
        fd = os.open(log, os.O_WRONLY | os.O_APPEND)
        reopen_at = None
    os.write(fd, b"%s %06d\n" % (prefix.encode(), i))
    if i % 600 == 0:
        ahead = (i - first) / 60000.0 - (time.monotonic() - t0)
        if ahead > 0:
            time.sleep(ahead)
if reopen_at is not None:
    time.sleep(max(0, reopen_at - time.monotonic()))
os.close(fd)
PY

# starved.py LOG GO: 1000 lines; the log renamed to LOG.1 and a new one
# created; 1000 more lines to the renamed file, a 7 s pause (a writer
# starved of CPU, or slow to reopen), then, once the file GO exists, 1000
# more to the renamed file; then it reopens the log: 500 more there.
cat >"$T/starved.py" <<'PY'
import os, sys, time
log, go = sys.argv[1], sys.argv[2]
fd = os.open(log, os.O_WRONLY | os.O_APPEND)
def w(a, b):
    for i in range(a, b + 1):
        os.write(fd, b"s %06d\n" % i)
w(1, 1000)
time.sleep(1)
os.rename(log, log + ".1")
os.close(os.open(log, os.O_WRONLY | os.O_CREAT, 0o600))
w(1001, 2000)
time.sleep(7)
while not os.path.exists(go):
    time.sleep(0.05)
w(2001, 3000)
os.close(fd)
fd = os.open(log, os.O_WRONLY | os.O_APPEND)
w(3001, 3500)
os.close(fd)
PY

start() {
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
}

# The source's counter (events_in, truncated_bytes) from `vigil status`.
counter() {
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o "{\"name\":\"$1\"[^}]*" | grep -o "\"$2\":[0-9]*" |
        cut -d: -f2 || true
}

# A slow machine (ASan under load) may take minutes: give up only when
# the count stopped moving for 60 s.
wait_in() { # SOURCE N: until the store holds N lines of SOURCE
    local deadline=$((SECONDS + 60)) last="" got
    while [ "$SECONDS" -lt "$deadline" ]; do
        got=$(counter "$1" events_in)
        [ "$got" = "$2" ] && return 0
        if [ "$got" != "$last" ]; then
            last=$got
            deadline=$((SECONDS + 60))
        fi
        sleep 0.2
    done
    echo "source $1: $(counter "$1" events_in) lines in, expected $2"
}

# check PREFIX N: each of "PREFIX 000001".."PREFIX N" archived exactly once.
check() {
    "$VIGIL_BIN" status --state-dir "$T/state" --events |
        grep -o "\"message\":\"$1 [0-9]*\"" | grep -o '[0-9]*"$' |
        tr -d '"' | sort >"$T/got.$1"
    local count dups missing
    count=$(wc -l <"$T/got.$1")
    dups=$(uniq -d "$T/got.$1" | wc -l)
    seq -f '%06.0f' 1 "$2" >"$T/want.$1"
    missing=$(comm -23 "$T/want.$1" "$T/got.$1" | wc -l)
    echo "$1: $count archived of $2, $dups repeated, $missing missing," \
        "counted in: $(counter "$3" events_in)," \
        "bytes lost to truncation: $(counter "$3" truncated_bytes)"
    [ "$count" -eq "$2" ] && [ "$dups" -eq 0 ] && [ "$missing" -eq 0 ] &&
        [ "$(counter "$3" events_in)" = "$2" ]
}

TOTAL=200000
: >"$CREATE"
: >"$COPY"
: >"$LATE"
seq -f 'g %06.0f' 1 1000 >"$GZ"
start
# Rotation before vigil first saw a file cannot be known: wait for it.
wait_in gz 1000
python3 "$T/writer.py" "$CREATE" c 1 "$TOTAL" create &
W1=$!
python3 "$T/writer.py" "$COPY" t 1 "$TOTAL" copytruncate &
W2=$!
python3 "$T/starved.py" "$LATE" "$T/go" &
W3=$!
wait "$W1" "$W2"
wait_in create "$TOTAL"
wait_in copy "$TOTAL"
# 4. The starved writer's late lines are read while the daemon runs.
touch "$T/go"
wait "$W3"
wait_in late 3500

# 3. Stopped while the file grows; then it is rotated and compressed, a new
#    file is started, and vigil started again.
kill -TERM "$PID"
wait "$PID" || fail "vigil run exited $? after SIGTERM"
PID=""
seq -f 'g %06.0f' 1001 5000 >>"$GZ"
mv "$GZ" "$GZ.1"
gzip "$GZ.1"
seq -f 'g %06.0f' 5001 6000 >>"$GZ"
start
wait_in gz 6000
kill -TERM "$PID"
wait "$PID" || fail "vigil run exited $? after SIGTERM"
PID=""

ok=1
check c "$TOTAL" create || ok=0
check t "$TOTAL" copy || ok=0
check g 6000 gz || ok=0
check s 3500 late || ok=0
for src in create copy gz late; do
    [ "$(counter "$src" unread_bytes)" = 0 ] || {
        echo "$src: $(counter "$src" unread_bytes) bytes counted unread"
        ok=0
    }
done
[ "$ok" -eq 1 ] || fail "lines lost or repeated"
echo "PASS: every line archived exactly once"
