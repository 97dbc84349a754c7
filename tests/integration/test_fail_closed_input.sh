#!/usr/bin/env bash
# test_fail_closed_input.sh -- issue 10, the rule loader and the decoders,
# end to end: a correlation with a non-scalar condition key and overflowing
# timespan and count is refused with file:line (it crashed `vigil rules
# check`); a JSON event with a repeated key raises on the copy jq shows,
# and `process.args` rules match an array's elements; `timezone:` on a
# source and `--timezone` for hunt read RFC 3164 stamps in that zone (they
# were all UTC).
set -euo pipefail

: "${VIGIL_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# ---- the rule loader ----
cat >"$tmp/corr.yml" <<'YML'
title: Failed logon
id: fail-1
name: failed_logon
logsource:
  product: linux
detection:
  sel:
    event.outcome: failure
  condition: sel
---
title: Key is a list
id: bf-1
correlation:
  type: event_count
  rules: [failed_logon]
  timespan: 5m
  condition:
    ? [gte, lt]
    : 3
---
title: Ten thousand centuries
id: bf-2
correlation:
  type: event_count
  rules: [failed_logon]
  timespan: 100000y
  condition:
    gte: 3
---
title: Count past int64
id: bf-3
correlation:
  type: event_count
  rules: [failed_logon]
  timespan: 5m
  condition:
    gte: 9223372036854775807
YML
rc=0
"$VIGIL_BIN" rules check "$tmp/corr.yml" >"$tmp/out" 2>&1 || rc=$?
[ "$rc" -eq 1 ] || fail "rules check exited $rc: $(cat "$tmp/out")"
grep -q "corr.yml:18: correlation condition keys must be text" "$tmp/out" ||
    fail "non-scalar key: $(cat "$tmp/out")"
grep -q "corr.yml:26: correlation needs a timespan like 5m, at most 10 years" \
    "$tmp/out" || fail "timespan: $(cat "$tmp/out")"
grep -q "corr.yml:37: correlation count 9223372036854775807 outside" \
    "$tmp/out" || fail "count: $(cat "$tmp/out")"

# ---- JSON: the last copy of a key, any element of an array ----
cat >"$tmp/rules.yml" <<'YML'
title: Mimikatz on the command line
id: mimi-1
logsource:
  category: process_creation
detection:
  sel:
    CommandLine|contains: mimikatz
  condition: sel
---
title: Encoded PowerShell
id: enc-1
logsource:
  category: process_creation
detection:
  sel:
    process.args: '-enc'
  condition: sel
YML
printf '%s\n' \
    '{"CommandLine":"notepad.exe","CommandLine":"mimikatz sekurlsa::logonpasswords"}' \
    '{"CommandLine":"mimikatz","CommandLine":"notepad.exe"}' \
    '{"process":{"args":["powershell.exe","-enc","SQBFAFgA"]}}' \
    '{"process":{"args":["powershell.exe","-nop"]}}' >"$tmp/events.jsonl"
rc=0
"$VIGIL_BIN" hunt --state-dir "$tmp/st" --no-builtin --no-cache \
    --rules "$tmp/rules.yml" --json "$tmp/events.jsonl" >"$tmp/hits" \
    2>"$tmp/err" || rc=$?
[ "$rc" -eq 1 ] || fail "hunt exited $rc: $(cat "$tmp/err")"
[ "$(wc -l <"$tmp/hits")" -eq 2 ] || fail "2 matches expected: $(cat "$tmp/hits")"
grep -q '"record":1,"matched":{"CommandLine":"mimikatz sekurlsa::logonpasswords"}' \
    "$tmp/hits" || fail "repeated key: $(cat "$tmp/hits")"
grep -q '"record":3,"matched":{"process.args":"-enc"},"event":{"process.args":\["powershell.exe","-enc","SQBFAFgA"\]}' \
    "$tmp/hits" || fail "array: $(cat "$tmp/hits")"

# ---- RFC 3164 stamps in the source's zone ----
if [ -f /usr/share/zoneinfo/Europe/Berlin ]; then
    printf 'Jul 10 12:00:00 srv sshd[1]: Failed password for root from 192.0.2.7 port 22 ssh2\n' \
        >"$tmp/auth.log"
    cat >"$tmp/ssh.yml" <<'YML'
title: Failed password
id: ssh-1
logsource:
  product: linux
detection:
  sel:
    message|contains: Failed password
  condition: sel
YML
    hunt_at() { # extra hunt options...; prints the event time
        "$VIGIL_BIN" hunt --state-dir "$tmp/st" --no-builtin --no-cache \
            --rules "$tmp/ssh.yml" --json --year 2024 "$@" "$tmp/auth.log" \
            2>/dev/null | grep -o '^{"@timestamp":"[^"]*"' || true
    }
    [ "$(hunt_at)" = '{"@timestamp":"2024-07-10T12:00:00.000000Z"' ] ||
        fail "no zone: $(hunt_at)"
    [ "$(hunt_at --timezone Europe/Berlin)" = '{"@timestamp":"2024-07-10T10:00:00.000000Z"' ] ||
        fail "--timezone Europe/Berlin: $(hunt_at --timezone Europe/Berlin)"
    [ "$(hunt_at --timezone -05:00)" = '{"@timestamp":"2024-07-10T17:00:00.000000Z"' ] ||
        fail "--timezone -05:00: $(hunt_at --timezone -05:00)"
    rc=0
    "$VIGIL_BIN" hunt --timezone ../../etc/passwd "$tmp/auth.log" \
        >/dev/null 2>&1 || rc=$?
    [ "$rc" -eq 64 ] || fail "--timezone with a path exited $rc"

    # the daemon: a source's timezone
    cat >"$tmp/vigil.yml" <<YML
state_dir: $tmp/state
store:
  archive_events: true
builtin_rules: false
rules: [$tmp/ssh.yml]
sources:
  - name: berlin
    type: file
    paths: [$tmp/auth.log]
    format: syslog
    year: 2024
    timezone: Europe/Berlin
YML
    rc=0
    "$VIGIL_BIN" run -c "$tmp/vigil.yml" --once 2>"$tmp/daemon.log" || rc=$?
    [ "$rc" -eq 0 ] || fail "vigil run --once exited $rc: $(tail -5 "$tmp/daemon.log")"
    "$VIGIL_BIN" alerts --state-dir "$tmp/state" --json >"$tmp/alerts"
    grep -q '"time":"2024-07-10T10:00:00' "$tmp/alerts" ||
        fail "daemon alert time: $(cat "$tmp/alerts")"
    sed -i 's/timezone: Europe\/Berlin/timezone: Mars\/Olympus/' "$tmp/vigil.yml"
    rc=0
    "$VIGIL_BIN" run -c "$tmp/vigil.yml" --once 2>"$tmp/daemon.log" || rc=$?
    [ "$rc" -eq 78 ] || fail "unknown zone: exit $rc"
    grep -q "vigil.yml:12: time zone .Mars/Olympus." "$tmp/daemon.log" || fail "no file:line: $(cat "$tmp/daemon.log")"
else
    echo "no tzdata: timezone cases skipped"
fi
echo PASS
