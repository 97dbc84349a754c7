#!/usr/bin/env bash
# test_reload.sh -- SIGHUP reloads the configuration: a refused one is
# logged ("file:line: message") and the daemon goes on with the old one; a
# good one adds a source, and the old source resumes from its checkpoint
# (no line read twice). Also: a bad configuration at start exits 78.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" reload
counter() { # source, counter
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o "{\"name\":\"$1\"[^}]*" | grep -o "\"$2\":[0-9]*" | cut -d: -f2
}
wait_counter() { # source, counter, value
    local deadline=$((SECONDS + 60))
    until [ "$(counter "$1" "$2")" = "$3" ]; do
        [ "$SECONDS" -lt "$deadline" ] ||
            fail "$1 $2 is '$(counter "$1" "$2")', expected $3"
        sleep 0.1
    done
}

base() {
    cat <<YML
state_dir: $T/state
store: {archive_events: true}
ingest: {poll_interval: 50ms, batch_time: 50ms}
sources:
  - {name: one, type: file, paths: [$T/one.log], format: raw}
YML
}

# A refused configuration at start: exit 78 and file:line on stderr.
{ base; echo "  - {name: bad, type: file, paths: [/x], format: xml}"; } >"$T/bad.yml"
rc=0
"$VIGIL_BIN" run -c "$T/bad.yml" 2>"$T/err" || rc=$?
[ "$rc" -eq 78 ] || fail "bad config exited $rc, expected 78"
grep -q "bad.yml:6: unknown format 'xml'" "$T/err" || fail "message: $(cat "$T/err")"

base >"$T/vigil.yml"
echo one-a >"$T/one.log"
echo two-a >"$T/two.log"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
wait_counter one decoded 1

echo "bogus: 1" >>"$T/vigil.yml"
kill -HUP "$PID"
deadline=$((SECONDS + 30))
until grep -q "reload refused.*vigil.yml:6: unknown key 'bogus'" "$T/daemon.log"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "refused reload not logged"
    sleep 0.1
done
echo one-b >>"$T/one.log"
wait_counter one decoded 2 # still running on the old configuration

{ base; echo "  - {name: two, type: file, paths: [$T/two.log], format: raw}"; } >"$T/vigil.yml"
kill -HUP "$PID"
wait_counter two decoded 1
echo one-c >>"$T/one.log"
wait_counter one decoded 3
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM"
n=$("$VIGIL_BIN" status --state-dir "$T/state" --events --grep '"message":"one-' | wc -l)
[ "$n" = 3 ] || fail "source one has $n archived events, expected 3"
echo "PASS: reload refused then applied, no line read twice"
