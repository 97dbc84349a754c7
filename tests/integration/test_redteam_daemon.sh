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
#  4. a SIGHUP storm while lines are appended: every line stored once, one
#     alert per line, memory and threads bounded, clean exit.
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
agree lt-windows syslog "$T/auth.log" "$T/corr" false
want1='7e55a0de-0000-4000-8000-000000000002|2024-05-01T10:01:00.000000Z|{"correlation.count":2,"correlation.group":"source.ip=198.51.100.7","correlation.events":[{"time":"2024-05-01T10:00:00.000000Z","message":"Failed password for bob from 198.51.100.7 port 4000 ssh2"},{"time":"2024-05-01T10:01:00.000000Z","message":"Failed password for bob from 198.51.100.7 port 4001 ssh2"}]}'
want2='7e55a0de-0000-4000-8000-000000000002|2024-05-01T10:30:00.000000Z|{"correlation.count":1,"correlation.group":"source.ip=198.51.100.7","correlation.events":[{"time":"2024-05-01T10:30:00.000000Z","message":"Failed password for bob from 198.51.100.7 port 4002 ssh2"}]}'
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

echo "PASS: redteam regressions"
