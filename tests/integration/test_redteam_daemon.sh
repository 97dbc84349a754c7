#!/usr/bin/env bash
# test_redteam_daemon.sh -- regressions for defects found by attacking the
# daemon after issue 8 (components, bus, per-domain configuration, one
# detection session). Each block failed before its fix:
#  1. an lt/eq correlation window closed by a later event was reported with
#     that later event (its time, its message) instead of the window's own
#     last event, so two windows of one group gave two identical alerts;
#  2. every configuration refusal says FILE:LINE and exits 78: a listen
#     address that is not host:port (was refused at start without a line,
#     and not at all with --once), an unknown store.backend (same), a
#     missing `rules:` path (exited 74), too many YAML nodes (no line);
#  3. status and alerts exit 66, as run does, when -c names a missing file;
#  4. a SIGHUP with unchanged rules dropped every open correlation window
#     (two failures before it and one after never made "three failures");
#  5. a SIGHUP storm while lines are appended (and rules change): every
#     line stored once, one alert per line, memory and threads bounded.
#  Also: a second stdin source is refused.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" redteam
. "$(dirname "$0")/session_lib.sh"

# ---- 1. a closed window's alert is the window's ----
mkdir -p "$T/corr"
cat >"$T/corr/c.yml" <<'YML'
title: RT failed login
id: 7e55a0de-0000-4000-8000-000000000001
name: rt_failed
logsource: {product: linux, service: auth}
detection:
  sel: {event.action: ssh_login, event.outcome: failure}
  condition: sel
level: low
---
{title: RT few failures, id: 7e55a0de-0000-4000-8000-000000000002, correlation: {type: event_count, rules: [rt_failed], group-by: [source.ip], timespan: 10m, condition: {lt: 3}}, level: medium}
YML
cat >"$T/auth.log" <<'LOG'
<38>1 2024-05-01T10:00:00Z h sshd 1 - - Failed password for bob from 198.51.100.7 port 4000 ssh2
<38>1 2024-05-01T10:01:00Z h sshd 1 - - Failed password for bob from 198.51.100.7 port 4001 ssh2
<38>1 2024-05-01T10:30:00Z h sshd 1 - - Failed password for bob from 198.51.100.7 port 4002 ssh2
LOG
# every window alerts (no suppression: the second is 30 minutes later)
SESSION_SUPPRESS=0 agree lt-windows syslog "$T/auth.log" "$T/corr" false
want1='7e55a0de-0000-4000-8000-000000000002|2024-05-01T10:01:00.000000Z|{"correlation.count":2,"correlation.group":"source.ip=198.51.100.7","correlation.first":"2024-05-01T10:00:00.000000Z","correlation.last":"2024-05-01T10:01:00.000000Z","correlation.suppressed":0,"correlation.events":[{"time":"2024-05-01T10:00:00.000000Z","message":"Failed password for bob from 198.51.100.7 port 4000 ssh2"},{"time":"2024-05-01T10:01:00.000000Z","message":"Failed password for bob from 198.51.100.7 port 4001 ssh2"}]}'
want2='7e55a0de-0000-4000-8000-000000000002|2024-05-01T10:30:00.000000Z|{"correlation.count":1,"correlation.group":"source.ip=198.51.100.7","correlation.first":"2024-05-01T10:30:00.000000Z","correlation.last":"2024-05-01T10:30:00.000000Z","correlation.suppressed":0,"correlation.events":[{"time":"2024-05-01T10:30:00.000000Z","message":"Failed password for bob from 198.51.100.7 port 4002 ssh2"}]}'
printf '%s\n%s\n' "$want1" "$want2" >"$T/lt.want"
diff "$T/lt.want" "$T/lt-windows.run" || fail "lt windows: alerts differ from the two windows"
echo "ok: 1. a window closed by a later event alerts as itself, in run and hunt"

# ---- 2. every refusal: FILE:LINE and exit 78, with or without --once ----
refused() { # name want-line want-text [--once]; the YAML on stdin
    local f=$T/$1.yml rc=0
    cat >"$f"
    "$VIGIL_BIN" run ${4:-} -c "$f" --state-dir "$T/st-$1" 2>"$T/$1.err" >/dev/null || rc=$?
    [ "$rc" -eq 78 ] || fail "$1: exit $rc, want 78: $(cat "$T/$1.err")"
    grep -F "$f:$2: " "$T/$1.err" | grep -qF "$3" ||
        fail "$1: message $(cat "$T/$1.err")"
    grep -qi "sanitizer\|leak" "$T/$1.err" && fail "$1: sanitizer: $(cat "$T/$1.err")"
    echo "ok: $1 refused at line $2"
}
for once in "" --once; do
    for addr in localhost:5514 1.2.3.4:99999 '127.0.0.1:' '[::1:5514'; do
        refused "listen${once}" 3 "'listen' must be a numeric host:port" "$once" <<YML
builtin_rules: false
sources:
  - {name: net, type: syslog, listen: "$addr"}
YML
    done
    refused "backend${once}" 2 "back end 'postgres' is not built into this vigil" "$once" <<YML
builtin_rules: false
store: {backend: postgres}
YML
    refused "backend-unknown${once}" 3 "unknown back end 'oracle'" "$once" <<YML
builtin_rules: false
store:
  backend: oracle
YML
done
refused two-stdin 4 "only one source may read stdin" <<YML
builtin_rules: false
sources:
  - {name: a, type: stdin}
  - {name: b, type: stdin}
YML
rc=0
printf 'builtin_rules: false\nrules: [%s/no-such-rules]\n' "$T" >"$T/norules.yml"
"$VIGIL_BIN" run --once -c "$T/norules.yml" --state-dir "$T/st-norules" 2>"$T/norules.err" || rc=$?
[ "$rc" -eq 78 ] || fail "missing rules path: exit $rc, want 78"
grep -qF "rules: $T/no-such-rules: No such file or directory" "$T/norules.err" ||
    fail "missing rules path: $(cat "$T/norules.err")"
echo "ok: a missing rules path exits 78"
{
    echo 'a: &a [x, x, x, x, x, x, x, x, x, x]'
    prev=a
    for n in b c d e f g; do
        echo "$n: &$n [*$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev, *$prev]"
        prev=$n
    done
} >"$T/laughs.in"
refused laughs 1 "more than 100000 YAML nodes" <"$T/laughs.in"
echo "ok: 2. configuration refusals carry FILE:LINE and exit 78"

# ---- 3. -c naming a missing file: 66 for every command ----
for cmd in run status alerts rules; do
    rc=0
    "$VIGIL_BIN" $cmd -c "$T/no-such.yml" >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 66 ] || fail "vigil $cmd -c MISSING: exit $rc, want 66"
done
rc=0
"$VIGIL_BIN" status -c "$T" 2>"$T/dir.err" >/dev/null || rc=$?
[ "$rc" -eq 66 ] || fail "vigil status -c DIR: exit $rc, want 66"
grep -q "Is a directory" "$T/dir.err" || fail "vigil status -c DIR: $(cat "$T/dir.err")"
echo "ok: 3. -c MISSING exits 66 in run, status, alerts and rules"

# ---- 4. a SIGHUP with unchanged rules keeps open correlation windows ----
wait_log() { # count pattern
    local deadline=$((SECONDS + 60))
    until [ "$(grep -c -- "$2" "$T/daemon.log" || true)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "log has no $1 x '$2'"
        sleep 0.05
    done
}
decoded() {
    "$VIGIL_BIN" status --state-dir "$T/live" --json 2>/dev/null |
        grep -o '"decoded":[0-9]*' | head -1 | cut -d: -f2
}
wait_decoded() {
    local deadline=$((SECONDS + 60))
    until [ "$(decoded)" = "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "decoded '$(decoded)', want $1"
        sleep 0.05
    done
}
mkdir -p "$T/hup"
sed 's/condition: {lt: 3}/condition: {gte: 3}/; s/RT few failures/RT three failures/' "$T/corr/c.yml" >"$T/hup/c.yml"
cat >"$T/live.yml" <<YML
state_dir: $T/live
builtin_rules: false
rules: [$T/hup]
ingest: {poll_interval: 20ms, batch_time: 20ms}
sources:
  - {name: auth, type: file, paths: [$T/live.log], format: syslog}
YML
fl() { echo "<38>1 $(date -u +%Y-%m-%dT%H:%M:%SZ) h sshd 1 - - Failed password for bob from 198.51.100.7 port $1 ssh2" >>"$T/live.log"; }
: >"$T/live.log"
: >"$T/daemon.log"
"$VIGIL_BIN" run -c "$T/live.yml" 2>>"$T/daemon.log" &
PID=$!
wait_log 1 '\[1161\]'
fl 4001
fl 4002
wait_decoded 2
kill -HUP "$PID"
wait_log 1 '\[1142\] configuration reloaded'
grep -q '\[1163\] rules unchanged' "$T/daemon.log" || fail "unchanged rules were rebuilt"
fl 4003
wait_decoded 3
n=0
deadline=$((SECONDS + 30))
until [ "$n" -ge 1 ]; do
    n=$("$VIGIL_BIN" alerts --state-dir "$T/live" --json --limit 0 | grep -c 'RT three failures' || true)
    [ "$SECONDS" -lt "$deadline" ] || fail "two failures before a SIGHUP and one after raised no correlation alert"
    sleep 0.1
done
# A changed rule file is still taken on reload.
echo "# changed" >>"$T/hup/c.yml"
kill -HUP "$PID"
wait_log 2 '\[1142\] configuration reloaded'
wait_log 2 '\[1161\]'
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM"
echo "ok: 4. correlation windows survive a SIGHUP that leaves the rules unchanged"

# ---- 5. a SIGHUP storm while lines are appended ----
mkdir -p "$T/storm-rules"
cat >"$T/storm-rules/r.yml" <<'YML'
title: RT canary
id: 7e55a0de-0000-4000-8000-000000000010
logsource: {product: linux}
detection: {sel: {message|contains: CANARY}, condition: sel}
level: medium
YML
cat >"$T/storm.yml" <<YML
state_dir: $T/storm
builtin_rules: false
rules: [$T/storm-rules]
store: {archive_events: true}
ingest: {poll_interval: 20ms, batch_time: 20ms, batch_lines: 7}
sources:
  - {name: app, type: file, paths: [$T/storm.log], format: raw}
YML
: >"$T/storm.log"
: >"$T/daemon.log"
# ASan keeps freed memory in quarantine (256 MB by default), which would
# look like growth: a small quarantine lets RSS show what is really held.
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4" \
    "$VIGIL_BIN" run -c "$T/storm.yml" 2>>"$T/daemon.log" &
PID=$!
wait_log 1 '\[1161\]'
N=1500
(for i in $(seq 1 $N); do echo "line $i CANARY" >>"$T/storm.log"; done) &
W=$!
rss0=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
for i in $(seq 1 150); do
    kill -HUP "$PID"
    # a rule change every 25 signals: the engine is rebuilt too
    [ $((i % 25)) -ne 0 ] || echo "# $i" >>"$T/storm-rules/r.yml"
    sleep 0.01
done
wait "$W"
for i in $(seq 1 150); do kill -HUP "$PID"; sleep 0.005; done
rss1=$(awk '/VmRSS/ {print $2}' "/proc/$PID/status")
threads=$(ls "/proc/$PID/task" | wc -l)
deadline=$((SECONDS + 60))
until [ "$("$VIGIL_BIN" status --state-dir "$T/storm" --events --grep CANARY | wc -l)" -ge $N ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "storm: lines lost"
    sleep 0.2
done
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "storm: exit $rc after SIGTERM"
grep -qi "sanitizer" "$T/daemon.log" && fail "storm: sanitizer report"
ev=$("$VIGIL_BIN" status --state-dir "$T/storm" --events --grep CANARY | grep -o 'line [0-9]*' | sort | uniq -c | awk '$1 != 1' | wc -l)
[ "$ev" -eq 0 ] || fail "storm: $ev lines archived more than once"
n=$("$VIGIL_BIN" status --state-dir "$T/storm" --events --grep CANARY | wc -l)
[ "$n" -eq $N ] || fail "storm: $n lines archived, want $N"
a=$("$VIGIL_BIN" alerts --state-dir "$T/storm" --json --limit 0 | grep -c 'RT canary' || true)
[ "$a" -eq $N ] || fail "storm: $a alerts, want $N"
[ "$threads" -le 8 ] || fail "storm: $threads threads"
# memory bounded: not growing with the number of reloads (generous for ASan)
[ "$rss1" -le $((rss0 * 2 + 65536)) ] || fail "storm: RSS grew from $rss0 to $rss1 kB"
echo "ok: 5. $(grep -c 'configuration reloaded' "$T/daemon.log") reloads during $N lines: each stored and alerted once, RSS $rss0 -> $rss1 kB"

echo "PASS: redteam regressions"
