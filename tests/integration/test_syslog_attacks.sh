#!/usr/bin/env bash
# test_syslog_attacks.sh -- issue 9's attacks on the syslog receiver, each
# on real loopback sockets (senders bound to distinct 127.0.0.x addresses):
#   - 64 idle TCP connections from one address, then a real sender: it
#     gets through (the attacker holds max_per_address, the rest are
#     refused and counted as dropped);
#   - a full source (max_connections) admits a new sender by closing the
#     longest idle connection; an idle connection is closed after
#     idle_timeout;
#   - an octet count longer than its frame, followed by 10 lines: 10
#     events and 1 failure (the lines used to be swallowed);
#   - senders outside `allow:` are refused over UDP and TCP, counted and
#     logged;
#   - RFC 5425 TLS with certificates made by `openssl req`, without and
#     with a required client certificate;
#   - every event carries its sender in log.source.address/port.
set -euo pipefail

command -v python3 >/dev/null || { echo "SKIP: python3 not installed"; exit 77; }
command -v openssl >/dev/null || { echo "SKIP: openssl(1) not installed"; exit 77; }

. "$(dirname "$0")/daemon_lib.sh" syslog-attacks
PEER="python3 $(dirname "$0")/syslog_peer.py"

# Certificates: a CA, a server certificate for 127.0.0.1 and a client's.
cert() { # name, subject, extra req options...
    local name=$1 subj=$2
    shift 2
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
        -nodes -days 2 -subj "$subj" -keyout "$T/$name.key" \
        -out "$T/$name.pem" "$@" 2>/dev/null
}
cert ca /CN=vigil-test-ca
cert srv /CN=localhost -CA "$T/ca.pem" -CAkey "$T/ca.key" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"
cert cli /CN=sender -CA "$T/ca.pem" -CAkey "$T/ca.key"
cert rogue /CN=rogue # self-signed: not from the CA

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
  - name: tcp
    type: syslog
    listen: 127.0.0.1:$P
    protocol: tcp
  - name: small
    type: syslog
    listen: 127.0.0.1:$((P + 1))
    protocol: tcp
    max_connections: 4
    max_per_address: 64
    idle_timeout: 2s
  - name: udp-allow
    type: syslog
    listen: 127.0.0.1:$((P + 2))
    protocol: udp
    allow: [127.0.0.7/32, "10.0.0.0/8"]
  - name: tcp-allow
    type: syslog
    listen: 127.0.0.1:$((P + 3))
    protocol: tcp
    allow: [127.0.0.7]
  - name: tls
    type: syslog
    listen: 127.0.0.1:$((P + 4))
    protocol: tls
    tls:
      cert: $T/srv.pem
      key: $T/srv.key
  - name: mtls
    type: syslog
    listen: 127.0.0.1:$((P + 5))
    protocol: tls
    tls:
      cert: $T/srv.pem
      key: $T/srv.key
      ca: $T/ca.pem
      require_client_cert: true
      handshake_timeout: 1s
YML
        daemon_listening "127.0.0.1:$((P + 5))/tls" && return 0
    done
    fail "daemon did not start listening"
}

wait_counter() { # source, counter, value
    local deadline=$((SECONDS + 30))
    until [ "$(counter "$1" "$2")" = "$3" ]; do
        [ "$SECONDS" -lt "$deadline" ] ||
            fail "source $1: $2 is $(counter "$1" "$2"), expected $3"
        sleep 0.1
    done
}
# Archived events whose JSON holds every given text.
q() {
    local out
    out=$("$VIGIL_BIN" status --state-dir "$T/state" --events --grep "$1")
    shift
    for t in "$@"; do out=$(printf '%s\n' "$out" | grep -F -- "$t" || true); done
    printf '%s' "$out" | grep -c . || true
}

start

# 1. 64 idle connections from one address, then a real sender.
out=$($PEER flood "$P" 127.0.0.2 64 127.0.0.3 "real sender after the flood")
wait_counter tcp decoded 1
[ "$(q 'real sender after the flood' '"log.source.address":"127.0.0.3"' \
    '"log.source.port":')" = 1 ] || fail "real sender's event or address missing"
[ "$out" = "held=8" ] || fail "attacker held: $out (expected 8, max_per_address)"
wait_counter tcp dropped 56
grep -q '1121.*127.0.0.2 has 8 connections open already' "$T/daemon.log" ||
    fail "no message 1121 for the refused connections"

# 2. A full source closes its longest idle connection for a new sender;
# an idle connection is closed after idle_timeout.
out=$($PEER evict $((P + 1)) 127.0.0.5 4 127.0.0.6 "admitted by eviction")
wait_counter small decoded 1
[ "$out" = "held=3" ] || fail "small source kept $out of 4 idle (expected 3)"
grep -q '1123.*4 connections open; closing the longest idle one' "$T/daemon.log" ||
    fail "no message 1123"
[ "$($PEER idle $((P + 1)) 127.0.0.5 4)" = "closed=1" ] ||
    fail "an idle connection was not closed after idle_timeout (2s)"

# 3. A bogus octet count followed by 10 lines.
{
    printf '500 <13>Oct 11 22:14:15 host app: bogus count\\n'
    for i in 0 1 2 3 4 5 6 7 8 9; do
        printf '<13>Oct 11 22:14:15 host app: after bogus %d\\n' "$i"
    done
} >"$T/bogus"
$PEER send "$P" 127.0.0.4 "$(cat "$T/bogus")"
wait_counter tcp decoded 11
wait_counter tcp failed 1
[ "$(q 'after bogus' '"log.source.address":"127.0.0.4"')" = 10 ] ||
    fail "the 10 lines after the bogus count are not 10 events"

# 4. Senders outside allow: refused and counted, over UDP and TCP.
$PEER udp $((P + 2)) 127.0.0.7 "udp from inside"
$PEER udp $((P + 2)) 127.0.0.8 "udp from outside"
wait_counter udp-allow decoded 1
wait_counter udp-allow dropped 1
[ "$(q 'udp from inside' '"log.source.address":"127.0.0.7"')" = 1 ] ||
    fail "allowed datagram missing"
[ "$(q 'udp from outside')" = 0 ] || fail "a datagram from outside 'allow' was stored"
grep -q '1122.*refused a datagram from 127.0.0.8' "$T/daemon.log" ||
    fail "no message 1122 for the datagram"
[ "$($PEER refused $((P + 3)) 127.0.0.8)" = "closed=1" ] ||
    fail "a connection from outside 'allow' was kept open"
$PEER send $((P + 3)) 127.0.0.8 '<13>Oct 11 22:14:15 host app: tcp from outside\n'
$PEER send $((P + 3)) 127.0.0.7 '<13>Oct 11 22:14:15 host app: tcp from inside\n'
wait_counter tcp-allow decoded 1
wait_counter tcp-allow dropped 2
[ "$(q 'tcp from outside')" = 0 ] || fail "a message from outside 'allow' was stored"

# 5. TLS: server authentication only, then a required client certificate.
$PEER tls $((P + 4)) 127.0.0.9 "$T/ca.pem" "over tls" >/dev/null
wait_counter tls decoded 2
[ "$(q 'over tls' '"log.source.address":"127.0.0.9"' '"process.name":"sshd"')" = 2 ] ||
    fail "TLS messages missing"
$PEER tls $((P + 5)) 127.0.0.10 "$T/ca.pem" "$T/cli.pem" "$T/cli.key" "mtls with cert" >/dev/null
wait_counter mtls decoded 2
$PEER tls $((P + 5)) 127.0.0.11 "$T/ca.pem" "mtls without cert" >/dev/null
$PEER tls $((P + 5)) 127.0.0.12 "$T/ca.pem" "$T/rogue.pem" "$T/rogue.key" "mtls rogue cert" >/dev/null
deadline=$((SECONDS + 30))
until [ "$(grep -c '1124.*TLS handshake with 127.0.0.1[12] failed' "$T/daemon.log")" -ge 1 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "no message 1124 for refused client certificates"
    sleep 0.1
done
# A client that connects and never says hello is dropped after 1s.
[ "$($PEER idle $((P + 5)) 127.0.0.13 3)" = "closed=1" ] ||
    fail "a stalled TLS handshake was not dropped after handshake_timeout"
sleep 0.5
[ "$(q 'mtls with cert' '"log.source.address":"127.0.0.10"')" = 2 ] ||
    fail "messages over TLS with a client certificate missing"
[ "$(q 'mtls without cert')" = 0 ] || fail "a client without certificate was accepted"
[ "$(q 'mtls rogue cert')" = 0 ] || fail "a client certificate from another CA was accepted"
[ "$(counter mtls decoded)" = 2 ] || fail "mtls decoded $(counter mtls decoded)"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "vigil run exited $rc after SIGTERM"
echo "PASS: syslog attacks (idle flood, eviction, idle timeout, bogus octet count, allow, TLS, sender address)"
