#!/usr/bin/env bash
# test_red910_sym.sh -- hostile rotated siblings found while catching up
# after a stop: one is a symlink to a file the daemon must not read (its
# target would land in the store: the daemon keeps CAP_DAC_READ_SEARCH),
# one a FIFO (must not hang), one named with a newline (must not forge a
# line of the daemon's log). The real rotated file is still read.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" r910sym
cat >"$T/vigil.yml" <<Y
state_dir: $T/state
stats_interval: 0
store: {archive_events: true}
ingest: {batch_lines: 500, batch_time: 50ms, poll_interval: 50ms}
sources:
  - {name: app, type: file, paths: [$T/app.log], format: raw, rotate_wait: 1s}
Y
seq -f "app %06.0f" 1 1000 >"$T/app.log"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" & PID=$!
for _ in $(seq 1 300); do [ "$(counter app events_in || true)" = 1000 ] && break; sleep 0.2; done
kill -TERM $PID; wait $PID || true; PID=""
sleep 0.05
mv "$T/app.log" "$T/app.log.1"
seq -f "app %06.0f" 1001 1500 >"$T/app.log"
echo "root:SECRETHASH:19000:0:99999:7:::" >"$T/secret"
ln -s "$T/secret" "$T/app.log.2"
mkfifo "$T/app.log.3"
seq -f "new %06.0f" 1 10 >"$T/app.log.4
vigil: error [9999] FORGED"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" & PID=$!
for _ in $(seq 1 100); do [ "$(counter app events_in || true)" = 1510 ] && break; sleep 0.2; done
sleep 1
kill -TERM $PID; wait $PID || true; PID=""
"$VIGIL_BIN" status --state-dir "$T/state" --events >"$T/events"
if grep -q SECRETHASH "$T/events"; then
    fail "the symlinked sibling's target was ingested"
fi
if grep -q '^vigil: error \[9999\] FORGED' "$T/daemon.log"; then
    fail "a file name forged a line of the daemon's log"
fi
got=$(grep -c '"message":"app \|"message":"new ' "$T/events" || true)
[ "$got" = 1510 ] || fail "$got lines archived, want 1510"

# The live path swapped for a link someone other than root or the
# target's owner made: not followed. A link root made (an operator's
# configured symlink) still is.
if id nobody >/dev/null 2>&1; then
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" & PID=$!
    sleep 1
    echo "root:SWAPPEDHASH:19000:0:99999:7:::" >"$T/secret2"
    mv "$T/app.log" "$T/app.log.5"
    ln -s "$T/secret2" "$T/planted"
    chown -h nobody "$T/planted"
    mv "$T/planted" "$T/app.log"
    sleep 3
    rm "$T/app.log"
    seq -f "good %06.0f" 1 20 >"$T/real.log"
    ln -s "$T/real.log" "$T/app.log"
    for _ in $(seq 1 100); do [ "$(counter app events_in || true)" = 1530 ] && break; sleep 0.2; done
    kill -TERM $PID; wait $PID || true; PID=""
    "$VIGIL_BIN" status --state-dir "$T/state" --events >"$T/events"
    grep -q SWAPPEDHASH "$T/events" && fail "a link planted by another user was followed"
    got=$(grep -c '"message":"good ' "$T/events" || true)
    [ "$got" = 20 ] || fail "$got lines of root's link read, want 20"
fi
echo "PASS: symlinked, FIFO and newline-named siblings handled; planted links refused"
