#!/usr/bin/env bash
# test_syslog_reload.sh -- every syslog datagram is either stored or
# counted as dropped, exactly once, across bursts the kernel cannot hold
# and reloads (issue 9, "Honest counters"):
#   burst   the daemon paused (SIGSTOP) while 30,000 datagrams arrive: the
#           kernel drops what its queue cannot hold and no datagram comes
#           after, so only the socket's own count can tell the drops
#   storm   ~20,000 datagrams a second for 3 s, the daemon paused for 1 s,
#           then SIGHUP x3 while sending: stored + dropped == sent
#   steady  ~3,000 a second across SIGHUP x3: every one stored, none
#           dropped (the port never closes)
#   tcp     one connection across SIGHUP x3: it stays open and every line
#           is stored
#   tls     the same over TLS
set -euo pipefail

command -v openssl >/dev/null || { echo "SKIP: openssl(1) not installed"; exit 77; }

. "$(dirname "$0")/daemon_lib.sh" syslog-reload
SEND="python3 $(dirname "$0")/syslog_sender.py"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 2 -subj /CN=localhost -keyout "$T/srv.key" -out "$T/srv.pem" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" 2>/dev/null

start() {
    local try
    for try in 1 2 3 4 5; do
        P=$((20000 + (RANDOM % 20000)))
        cat >"$T/vigil.yml" <<YML
state_dir: $T/state
store:
  archive_events: true
ingest:
  batch_time: 50ms
sources:
  - {name: burst, type: syslog, protocol: udp, listen: "127.0.0.1:$P"}
  - {name: storm, type: syslog, protocol: udp, listen: "127.0.0.1:$((P + 1))"}
  - {name: steady, type: syslog, protocol: udp, listen: "127.0.0.1:$((P + 2))"}
  - {name: tcp, type: syslog, protocol: tcp, listen: "127.0.0.1:$((P + 3))"}
  - name: tls
    type: syslog
    protocol: tls
    listen: "127.0.0.1:$((P + 4))"
    tls: {cert: $T/srv.pem, key: $T/srv.key}
YML
        daemon_listening "127.0.0.1:$((P + 4))/tls" && return 0
    done
    fail "daemon did not start listening"
}

# Waits until the source's events_in + dropped reach n (or 30 s pass).
wait_total() { # source, n
    local deadline=$((SECONDS + 30)) i d
    while :; do
        i=$(counter "$1" events_in) d=$(counter "$1" dropped)
        [ "$((${i:-0} + ${d:-0}))" -ge "$2" ] && return 0
        [ "$SECONDS" -lt "$deadline" ] || return 0
        sleep 0.2
    done
}
reloads() { grep -c "configuration reloaded" "$T/daemon.log" || true; }
# Waits for the reloads asked for so far; two SIGHUPs that come during one
# reload make one, so fewer is only noted.
wait_reloads() { # count
    local deadline=$((SECONDS + 15))
    until [ "$(reloads)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || { echo "note: $(reloads) reloads, $1 asked for"; return 0; }
        sleep 0.1
    done
}

start

out=$($SEND burst "$P" "$PID" 30000)
burst=${out#sent=}
wait_total burst "$burst"

out=$($SEND storm $((P + 1)) "$PID")
storm=${out#sent=}
wait_reloads 3
wait_total storm "$storm"

out=$($SEND steady $((P + 2)) "$PID")
steady=${out#sent=}
wait_reloads 6
wait_total steady "$steady"

out=$($SEND tcp $((P + 3)) "$PID")
tcp=$(echo "$out" | sed -n 's/^sent=\([0-9]*\).*/\1/p')
tcp_out=$out
wait_reloads 9
wait_total tcp "$tcp"

out=$($SEND tls $((P + 4)) "$PID" "$T/srv.pem")
tls=$(echo "$out" | sed -n 's/^sent=\([0-9]*\).*/\1/p')
tls_out=$out
wait_reloads 12
wait_total tls "$tls"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "vigil run exited $rc after SIGTERM"
# Every part is checked and reported before the test fails.
bad=""
check() { # source, sent, what dropped must be ("some" or 0)
    local i d f
    i=$(counter "$1" events_in) d=$(counter "$1" dropped) f=$(counter "$1" failed)
    echo "$1: sent $2, in $i, dropped $d, failed $f"
    if [ "$((i + d))" -ne "$2" ]; then
        bad="$bad; $1: $2 sent, $i in + $d dropped = $((i + d)) (lost or counted twice)"
    elif [ "$f" -ne 0 ]; then
        bad="$bad; $1: $f failed"
    elif [ "$3" = some ] && [ "$d" -eq 0 ]; then
        bad="$bad; $1: the kernel dropped nothing; the test proves nothing"
    elif [ "$3" != some ] && [ "$d" -ne "$3" ]; then
        bad="$bad; $1: $d dropped, expected $3"
    fi
}
for s in tcp tls; do
    o=${s}_out
    [ "${!o}" = "sent=${!s} broken=0" ] || bad="$bad; $s sender: ${!o}"
    grep -q "kept listening on 127.0.0.1:.*/$s across the reload (1 connections)" \
        "$T/daemon.log" || bad="$bad; the $s connection was not handed over"
done
check burst "$burst" some
check storm "$storm" some
check steady "$steady" 0
check tcp "$tcp" 0
check tls "$tls" 0

# What came in is archived, once.
sum=0
for s in burst storm steady tcp tls; do sum=$((sum + $(counter "$s" decoded))); done
events=$("$VIGIL_BIN" status --state-dir "$T/state" --json | grep -o '"events":[0-9]*' | cut -d: -f2)
[ "$events" -eq "$sum" ] || bad="$bad; $events events archived, $sum decoded"
[ -z "$bad" ] || fail "${bad#; }"
echo "PASS: syslog datagrams stored or counted as dropped, exactly, across bursts and reloads"
