#!/usr/bin/env bash
# test_rotation_behind.sh -- a reader that falls behind a copytruncate
# writer (a loaded machine; here the daemon is frozen with SIGSTOP) may
# miss more than one truncation: the file is copied to copy.log.1 and
# truncated, written to, copied to copy.log.2 and truncated again, all
# before vigil looks. The rest of the first copy, the whole second copy
# and the new file are each read once; nothing is lost or repeated.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" rotbehind

L=$T/copy.log
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
stats_interval: 0
store: {archive_events: true}
ingest: {batch_lines: 500, batch_time: 50ms, poll_interval: 50ms}
sources:
  - {name: copy, type: file, paths: [$L], format: raw, rotate_wait: 1s}
YML

lines() { seq -f "t %06.0f" "$1" "$2"; }
wait_in() { # N
    local deadline=$((SECONDS + 60)) got
    while [ "$SECONDS" -lt "$deadline" ]; do
        got=$(counter copy events_in || true)
        [ "$got" = "$1" ] && return 0
        sleep 0.2
    done
    fail "${got:-no} lines in, expected $1"
}

lines 1 1000 >"$L"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
wait_in 1000
kill -STOP "$PID"
lines 1001 2000 >>"$L"
cp "$L" "$L.1"
: >"$L"
lines 2001 3000 >>"$L"
sleep 0.05 # the copies' times order them
cp "$L" "$L.2"
: >"$L"
lines 3001 4500 >>"$L" # longer than it was: no shrink to notice
kill -CONT "$PID"
wait_in 4500
kill -TERM "$PID"
wait "$PID" || fail "vigil run exited $? after SIGTERM"
PID=""

"$VIGIL_BIN" status --state-dir "$T/state" --events >"$T/events"
grep -o '"message":"t [0-9]*"' "$T/events" | grep -o '[0-9]*"$' | tr -d '"' |
    sort >"$T/got"
lines 1 4500 | cut -d' ' -f2 | sort >"$T/want"
dups=$(uniq -d "$T/got" | wc -l)
missing=$(comm -23 "$T/want" "$T/got" | wc -l)
echo "archived $(wc -l <"$T/got") of 4500, $dups repeated, $missing missing"
[ "$dups" -eq 0 ] && [ "$missing" -eq 0 ] || fail "lines lost or repeated"
grep -q "\[1108\] $L: reading $L.2, rotated while vigil was behind" \
    "$T/daemon.log" || fail "the second copy was not named (1108)"
echo "PASS: two truncations while behind, every line read once"
