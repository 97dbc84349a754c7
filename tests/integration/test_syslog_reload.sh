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
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" syslog-reload
SEND="python3 $(dirname "$0")/udp_sender.py"

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
YML
        "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
        PID=$!
        for _ in $(seq 1 100); do
            grep -q "listening on 127.0.0.1:$((P + 3))/tcp" "$T/daemon.log" && return 0
            kill -0 "$PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
        PID=""
    done
    fail "daemon did not start listening"
}

counter() { # source name, counter
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o "{\"name\":\"$1\"[^}]*" | grep -o "\"$2\":[0-9]*" | cut -d: -f2
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
wait_reloads() { # count
    local deadline=$((SECONDS + 30))
    until [ "$(reloads)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "only $(reloads) reloads done, expected $1"
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
[ "$out" = "sent=$tcp broken=0" ] || fail "tcp sender: $out"
wait_reloads 9
wait_total tcp "$tcp"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "vigil run exited $rc after SIGTERM"
grep -q "kept listening on 127.0.0.1:$((P + 3))/tcp across the reload (1 connections)" \
    "$T/daemon.log" || fail "the tcp connection was not handed over"

check() { # source, sent, what dropped must be ("some" or 0)
    local i d f
    i=$(counter "$1" events_in) d=$(counter "$1" dropped) f=$(counter "$1" failed)
    echo "$1: sent $2, in $i, dropped $d, failed $f"
    [ "$((i + d))" -eq "$2" ] ||
        fail "$1: $2 sent, $i in + $d dropped = $((i + d)) (lost or counted twice)"
    [ "$f" -eq 0 ] || fail "$1: $f failed"
    if [ "$3" = some ]; then
        [ "$d" -gt 0 ] || fail "$1: the kernel dropped nothing; the test proves nothing"
    else
        [ "$d" -eq "$3" ] || fail "$1: $d dropped, expected $3"
    fi
}
check burst "$burst" some
check storm "$storm" some
check steady "$steady" 0
check tcp "$tcp" 0

# What came in is archived, once.
sum=0
for s in burst storm steady tcp; do sum=$((sum + $(counter "$s" decoded))); done
events=$("$VIGIL_BIN" status --state-dir "$T/state" --json | grep -o '"events":[0-9]*' | cut -d: -f2)
[ "$events" -eq "$sum" ] || fail "$events events archived, $sum decoded"
echo "PASS: syslog datagrams stored or counted as dropped, exactly, across bursts and reloads"
