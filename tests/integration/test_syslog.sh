#!/usr/bin/env bash
# test_syslog.sh -- the syslog receiver on loopback: RFC 5424 and RFC 3164
# messages over UDP (logger -d) and TCP (logger -T with RFC 6587 octet
# counting, and newline framing through bash's /dev/tcp), an oversize TCP
# message counted as failed, then the archive holds the decoded events.
set -euo pipefail

command -v logger >/dev/null || { echo "SKIP: logger(1) not installed"; exit 77; }

. "$(dirname "$0")/daemon_lib.sh" syslog

# Ports picked from the PID so parallel runs rarely collide; the daemon
# refuses to start (exit 74) when one is taken, and we try others.
start() {
    local try
    for try in 1 2 3 4 5; do
        UDP=$((20000 + (RANDOM % 20000)))
        TCP=$((UDP + 1))
        cat >"$T/vigil.yml" <<YML
state_dir: $T/state
store:
  archive_events: true
ingest:
  batch_time: 50ms
sources:
  - name: udp
    type: syslog
    listen: 127.0.0.1:$UDP
    protocol: udp
  - name: tcp
    type: syslog
    listen: 127.0.0.1:$TCP
    protocol: tcp
    max_message: 4KiB
YML
        daemon_listening "127.0.0.1:$TCP/tcp" && return 0
    done
    fail "daemon did not start listening"
}


start

# UDP: one RFC 5424 and one RFC 3164 message, sent by logger(1).
logger -d -n 127.0.0.1 -P "$UDP" --rfc5424 -t sshd --id=4242 \
    "Failed password for invalid user admin from 192.0.2.7 port 50000 ssh2"
logger -d -n 127.0.0.1 -P "$UDP" --rfc3164 -t sudo \
    "alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/bin/true"

# TCP with RFC 6587 octet counting (logger --octet-count), two messages
# on one connection each.
logger -T -n 127.0.0.1 -P "$TCP" --rfc5424 --octet-count -t app \
    "octet counted five four two four"
logger -T -n 127.0.0.1 -P "$TCP" --rfc3164 --octet-count -t app \
    "octet counted three one six four"

# TCP with newline framing, several messages and an oversize one (5 KiB
# over a 4 KiB limit) on one connection.
{
    printf '<38>Oct 11 22:14:15 web01 sshd[77]: Accepted publickey for bob from 198.51.100.9 port 40000 ssh2\n'
    printf '<13>1 2024-03-01T10:00:00.000Z web01 cron 99 - - newline framed 5424\n'
    printf '<13>Oct 11 22:14:16 web01 app: '
    head -c 5120 /dev/zero | tr '\0' 'x'
    printf '\n<13>Oct 11 22:14:17 web01 app: after the oversize one\n'
} >"/dev/tcp/127.0.0.1/$TCP"

deadline=$((SECONDS + 60))
until [ "$(counter udp events_in)" = 2 ] && [ "$(counter tcp events_in)" = 6 ]; do
    [ "$SECONDS" -lt "$deadline" ] ||
        fail "counters: udp $(counter udp events_in), tcp $(counter tcp events_in)"
    sleep 0.1
done
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "vigil run exited $rc after SIGTERM"

[ "$(counter udp decoded)" = 2 ] || fail "udp decoded $(counter udp decoded)"
[ "$(counter tcp decoded)" = 5 ] || fail "tcp decoded $(counter tcp decoded)"
[ "$(counter tcp failed)" = 1 ] || fail "tcp failed $(counter tcp failed)"

# Archived events whose JSON holds every given text.
q() {
    local out
    out=$("$VIGIL_BIN" status --state-dir "$T/state" --events --grep "$1")
    shift
    for t in "$@"; do out=$(printf '%s\n' "$out" | grep -F -- "$t" || true); done
    printf '%s' "$out" | grep -c . || true
}
[ "$(q '"source.ip":"192.0.2.7"' '"process.pid":4242' '"process.name":"sshd"')" = 1 ] ||
    fail "RFC 5424 sshd message over UDP not decoded as expected"
[ "$(q '"process.name":"sudo"' 'COMMAND=/bin/true')" = 1 ] ||
    fail "RFC 3164 sudo message over UDP missing"
[ "$(q 'octet counted')" = 2 ] || fail "octet-counted TCP messages missing"
[ "$(q '"source.ip":"198.51.100.9"' '"user.name":"bob"')" = 1 ] ||
    fail "newline-framed sshd message over TCP not decoded as expected"
[ "$(q 'after the oversize one')" = 1 ] || fail "message after the oversize one missing"
[ "$(q 'xxxxxxxx')" = 0 ] || fail "oversize message was stored"
echo "PASS: syslog over UDP and TCP (octet counting and newline framing)"
