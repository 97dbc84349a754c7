#!/usr/bin/env bash
# test_corr_state.sh -- correlation state survives what an attacker (or an
# operator) does to the daemon (issue 9, items 2 and 5):
#  1. a brute force whose first half is read, then kill -9, then the second
#     half appended and the daemon restarted: exactly one alert (the groups
#     are stored with the checkpoint of the lines that built them);
#  2. the same across a SIGHUP (the groups are handed to the new rules);
#  3. 70,000 failed logins from 70,000 spoofed addresses (more than the
#     65,536 groups a correlation holds), then a real 30-attempt brute force:
#     still alerted, and the groups dropped are warned about (1502) and
#     counted in `vigil status`, a count a restart does not reset.
# Each part fails on a daemon that keeps correlation groups in memory only
# or refuses new groups once its table is full.
set -euo pipefail

BRUTE=c2e3974e-7702-4e98-80e8-b063a70dd225 # SSH brute force from one address

. "$(dirname "$0")/daemon_lib.sh" corrstate
fail() {
    echo "FAIL: $*"
    tail -20 "$T/daemon.log" || true
    "$VIGIL_BIN" alerts --state-dir "$T/state" --limit 0 || true
    exit 1
}
stamp() { date '+%b %e %H:%M:%S'; }
status_json() { "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null; }
counter() { # counter SOURCE FIELD
    status_json | grep -o "{\"name\":\"$1\"[^}]*" | grep -o "\"$2\":[0-9]*" |
        cut -d: -f2
}
wait_decoded() { # value
    local deadline=$((SECONDS + 300)) # ASan on a loaded machine
    until [ "$(counter auth decoded)" = "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] ||
            fail "decoded is '$(counter auth decoded)', expected $1"
        sleep 0.05
    done
}
# A window is raised once its burst went quiet (a tick later): wait for
# the alert, then a little more so a second one would show.
wait_alerts() { # rule substring n
    local deadline=$((SECONDS + 20))
    until [ "$(count_alerts "$1" "$2")" -ge "$3" ]; do
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.1
    done
    sleep 1
}
count_alerts() { # rule [substring]
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep -F "\"rule_id\":\"$1\"" | grep -cF -- "${2:-\"}" || true
}
start() {
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
}
failures() { # N ADDRESS FIRST_PORT
    local st
    st=$(stamp)
    for i in $(seq 0 $(($1 - 1))); do
        echo "$st web1 sshd[$((3000 + i))]: Failed password for root from $2 port $(($3 + i)) ssh2"
    done >>"$T/auth.log"
    lines=$((lines + $1))
}

cat >"$T/vigil.yml" <<YML
state_dir: $T/state
ingest: {poll_interval: 50ms}
sources:
  - {name: auth, type: file, paths: [$T/auth.log]}
YML
echo "$(stamp) web1 sshd[812]: Server listening on 0.0.0.0 port 22." >"$T/auth.log"
lines=1
start
wait_decoded $lines

# 1. kill -9 in the middle of a brute force (10 attempts fire the rule).
failures 6 203.0.113.9 41000
wait_decoded $lines
kill -KILL "$PID"
wait "$PID" 2>/dev/null || true
PID=""
failures 6 203.0.113.9 42000
start
wait_decoded $lines
wait_alerts $BRUTE 203.0.113.9 1
n=$(count_alerts $BRUTE 203.0.113.9)
echo "kill -9 between 6 and 6 failed logins: $n brute-force alert(s)"
[ "$n" = 1 ] || fail "$n brute-force alerts across kill -9, expected 1"
grep -q '\[1504\] correlation: [1-9][0-9]* groups restored' "$T/daemon.log" ||
    fail "no 'groups restored' message (1504)"

# 2. SIGHUP in the middle of a brute force.
failures 6 203.0.113.10 43000
wait_decoded $lines
reloads=$(grep -c '\[1142\]' "$T/daemon.log" || true)
# The rules change (one more, unrelated), so the reload builds a new
# engine and the running one must hand its groups over: unchanged rules
# would simply be kept running (message 1163).
mkdir -p "$T/extra"
cat >"$T/extra/other.yml" <<'RULE'
title: Unrelated canary
id: 7b0e4f52-3c43-4c57-9a39-2f1f5b1f0c11
logsource: {product: linux, service: sshd}
detection:
  selection: {message|contains: canary-never-seen}
  condition: selection
level: low
RULE
cat >>"$T/vigil.yml" <<YML
rules: [$T/extra]
YML
kill -HUP "$PID"
deadline=$((SECONDS + 60))
until [ "$(grep -c '\[1142\]' "$T/daemon.log" || true)" -gt "$reloads" ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "no reload after SIGHUP"
    sleep 0.05
done
failures 6 203.0.113.10 44000
wait_decoded $lines
wait_alerts $BRUTE 203.0.113.10 1
n=$(count_alerts $BRUTE 203.0.113.10)
echo "SIGHUP between 6 and 6 failed logins: $n brute-force alert(s)"
[ "$n" = 1 ] || fail "$n brute-force alerts across SIGHUP, expected 1"
grep -q '\[1505\] correlation: [1-9][0-9]* groups handed' "$T/daemon.log" ||
    fail "no 'groups handed' message (1505)"
# the first brute force was not counted again by the reload
[ "$(count_alerts $BRUTE 203.0.113.9)" = 1 ] || fail "203.0.113.9 alerted again"

# 3. The flood: 70,000 one-off addresses (each a group of its own), then
# a real brute force of 30 attempts (one alert counting 30).
python3 - "$T/auth.log" "$(stamp)" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    for i in range(70000):
        ip = "10.%d.%d.%d" % (i >> 16, (i >> 8) & 255, i & 255)
        f.write("%s web1 sshd[9%05d]: Failed password for invalid user u%d from %s port 22 ssh2\n"
                % (sys.argv[2], i % 100000, i, ip))
PY
lines=$((lines + 70000))
wait_decoded $lines
failures 30 198.51.100.66 45000
wait_decoded $lines
wait_alerts $BRUTE 198.51.100.66 1
n=$(count_alerts $BRUTE 198.51.100.66)
echo "after a flood of 70,000 one-off groups: $n brute-force alert(s) for 30 attempts"
[ "$n" = 1 ] || fail "$n brute-force alerts after the flood, expected 1"
# live, the alert goes out as the threshold (gte 10) is crossed
[ "$("$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
    grep -F 'source.ip=198.51.100.66' | grep -cF '"correlation.count":10,')" = 1 ] ||
    fail "the brute-force alert does not count the 10 attempts that crossed its threshold"
grep -q '\[1502\] correlation .*: a source reached its budget' "$T/daemon.log" ||
    fail "no warning (1502) about dropped groups"
# the counter reaches the store with the next tick
deadline=$((SECONDS + 30))
until [ "$(counter correlation dropped)" -gt 0 ] 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "vigil status shows no dropped correlation groups"
    sleep 0.2
done
echo "vigil status: $(counter correlation dropped) correlation groups dropped"
warnings=$(grep -c '\[1502\]' "$T/daemon.log")
[ "$warnings" -le 4 ] || fail "$warnings warnings 1502: not rate-limited"

# The counter goes on from where it was after a restart (the new process
# counts from 0): 10 more one-off addresses, 10 more groups dropped each
# for the two correlations fed by failed logins.
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM exit status $rc"
dropped=$(counter correlation dropped)
start
wait_decoded $lines
python3 - "$T/auth.log" "$(stamp)" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    for i in range(10):
        f.write("%s web1 sshd[777]: Failed password for invalid user late%d from 172.16.0.%d port 22 ssh2\n"
                % (sys.argv[2], i, i))
PY
lines=$((lines + 10))
wait_decoded $lines
deadline=$((SECONDS + 30))
until [ "$(counter correlation dropped)" -ge $((dropped + 20)) ]; do
    [ "$SECONDS" -lt "$deadline" ] ||
        fail "dropped groups after a restart: $(counter correlation dropped), expected at least $((dropped + 20))"
    sleep 0.2
done

# 4. Suppression survives a restart: the same address again, after a
# restart, within correlation.suppress (1 h): no second alert, counted.
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM exit status $rc"
start
wait_decoded $lines
failures 12 198.51.100.66 46000
wait_decoded $lines
deadline=$((SECONDS + 30))
until [ "$(counter suppressed alerts)" -ge 1 ] 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "vigil status shows no suppressed alert"
    sleep 0.2
done
n=$(count_alerts $BRUTE 198.51.100.66)
[ "$n" = 1 ] || fail "$n brute-force alerts for 198.51.100.66 after a restart, expected 1 (suppressed)"
echo "vigil status: $(counter suppressed alerts) correlation alert(s) suppressed"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM exit status $rc"
echo "PASS: correlation state across kill -9 and SIGHUP, and under a flood; suppression across a restart"
