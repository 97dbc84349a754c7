#!/usr/bin/env bash
# test_bad_input.sh -- hostile lines never crash `vigil run` and are
# counted: malformed and truncated syslog lines, binary bytes, NUL bytes,
# lines over the 1 MiB limit (whole, and growing across writes while the
# daemon tails), a last line without newline. Checked through
# `vigil status --json`, once offline (--once) and once tailing.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" bad-input

config() { # state dir, log file
    cat <<YML
state_dir: $1
store:
  archive_events: true
ingest:
  poll_interval: 50ms
  batch_time: 50ms
sources:
  - name: bad
    type: file
    paths: [$2]
    format: syslog
YML
}

counter() { # state dir, counter name
    "$VIGIL_BIN" status --state-dir "$1" --json |
        grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2
}

# No store yet: status says so with exit 66.
rc=0
"$VIGIL_BIN" status --state-dir "$T/none" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 66 ] || fail "status without a store exited $rc, expected 66"

write_bad() { # appends 9 failing and 3 good records (11 lines + 1 partial)
    local f=$1
    {
        printf '<34>Oct 11 22:14:15 host sshd[42]: good one\n'
        printf 'hello world garbage\n'
        printf '<999>bad priority\n'
        printf '<34>Oct 11 22:1\n'                      # truncated stamp
        printf '<13>1 2024-01-\n'                       # truncated 5424
        printf '\x01\x02\xff\xfe\x80 binary \x7f\n'     # binary
        printf '<34>Oct 11 22:14:15 host su: a\0b\n'    # NUL inside
        head -c 1000 /dev/zero; printf '\n'             # NUL-filled
        printf '<34>Oct 11 22:14:15 host su: '; head -c 1100000 /dev/zero |
            tr '\0' 'A'; printf '\n'                    # 1 MiB + long
        printf '<34>Oct 11 22:14:15 host su: caf\xe9 \xff\n' # bad UTF-8: ok
        printf '<13>1 2024-01-01T00:00:00Z h app 7 - - good 5424\n'
        printf '<34>Oct 11 22:1'                        # no newline
    } >>"$f"
}

# ---- 1. offline: --once reads to the end, last partial line included.
mkdir -p "$T/once"
write_bad "$T/once/bad.log"
config "$T/once/state" "$T/once/bad.log" >"$T/once.yml"
rc=0
"$VIGIL_BIN" run -c "$T/once.yml" --once 2>>"$T/daemon.log" || rc=$?
[ "$rc" -eq 0 ] || fail "vigil run --once exited $rc"
in=$(counter "$T/once/state" events_in)
ok=$(counter "$T/once/state" decoded)
bad=$(counter "$T/once/state" failed)
echo "once: in=$in decoded=$ok failed=$bad"
[ "$in" = 12 ] && [ "$ok" = 3 ] && [ "$bad" = 9 ] ||
    fail "expected in=12 decoded=3 failed=9"
ev=$("$VIGIL_BIN" status --state-dir "$T/once/state" --json |
    grep -o '"events":[0-9]*' | cut -d: -f2)
[ "$ev" = 3 ] || fail "expected 3 archived events, got $ev"

# ---- 2. tailing: the same, plus a 3 MiB line written in pieces and a
# random-bytes burst; the daemon must survive and count it all.
mkdir -p "$T/tail"
config "$T/tail/state" "$T/tail/bad.log" >"$T/tail.yml"
: >"$T/tail/bad.log"
"$VIGIL_BIN" run -c "$T/tail.yml" 2>>"$T/daemon.log" &
PID=$!
write_bad "$T/tail/bad.log"
printf '\n' >>"$T/tail/bad.log" # completes the partial line
for _ in 1 2 3; do
    head -c 1048576 /dev/zero | tr '\0' 'B' >>"$T/tail/bad.log"
    sleep 0.2
done
printf 'end of the long one\n' >>"$T/tail/bad.log"
# 64 KiB of random bytes with their newlines and NULs: decodable or not,
# every record is counted as one of the two.
head -c 65536 /dev/urandom >>"$T/tail/bad.log"
printf '\n<34>Oct 11 22:14:15 host sshd[1]: last good\n' >>"$T/tail/bad.log"
for _ in $(seq 1 200); do
    kill -0 "$PID" 2>/dev/null || fail "the daemon died"
    if "$VIGIL_BIN" status --state-dir "$T/tail/state" --json 2>/dev/null |
        grep -q '"events_in"'; then
        last=$("$VIGIL_BIN" status --state-dir "$T/tail/state" --events \
            --grep 'last good' 2>/dev/null | wc -l)
        [ "$last" = 1 ] && break
    fi
    sleep 0.1
done
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "vigil run exited $rc after SIGTERM"
in=$(counter "$T/tail/state" events_in)
ok=$(counter "$T/tail/state" decoded)
bad=$(counter "$T/tail/state" failed)
echo "tail: in=$in decoded=$ok failed=$bad"
[ $((ok + bad)) -eq "$in" ] || fail "decoded + failed != in"
# 9 bad records of write_bad, the 3 MiB line and "end of the long one"
# (not syslog); the random bytes add more.
[ "$bad" -ge 11 ] || fail "expected at least 11 failed records"
[ "$ok" -ge 4 ] || fail "expected at least 4 decoded records"
echo "PASS: bad input counted, daemon survived"
