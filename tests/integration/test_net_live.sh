#!/usr/bin/env bash
# test_net_live.sh -- `vigil net watch` on a live interface: two network
# namespaces joined by a veth pair; from one, nmap SYN-scans the other
# and a loop connects to a listener there every 2 s; vigil captures on
# the scanned side and must report the vertical port scan and the beacon.
# Needs root (namespaces, raw capture) and nmap: skips (77) otherwise.
set -u
: "${VIGIL_BIN:?}"
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root for network namespaces and capture"
    exit 77
fi
for t in ip nmap python3; do
    command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
ns1=vgnet-a-$$
ns2=vgnet-b-$$
tmpd=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    wait 2>/dev/null
    ip netns del "$ns1" 2>/dev/null
    ip netns del "$ns2" 2>/dev/null
    rm -rf "$tmpd"
}
trap cleanup EXIT
ip netns add "$ns1" && ip netns add "$ns2" || { echo "SKIP: no netns"; exit 77; }
ip link add va$$ type veth peer name vb$$ || { echo "SKIP: no veth"; exit 77; }
ip link set va$$ netns "$ns1"
ip link set vb$$ netns "$ns2"
ip -n "$ns1" addr add 10.77.0.1/24 dev va$$
ip -n "$ns2" addr add 10.77.0.2/24 dev vb$$
ip -n "$ns1" link set va$$ up
ip -n "$ns2" link set vb$$ up
ip -n "$ns1" link set lo up
ip -n "$ns2" link set lo up

# The listener the beacon calls, in ns2.
ip netns exec "$ns2" python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 8443)); s.listen(16)
while True:
    c, _ = s.accept(); c.recv(100); c.sendall(b"ok"); c.close()
' &
pids+=($!)
ip netns exec "$ns2" "$VIGIL_BIN" net watch --json --alerts-only --seconds 25 \
    --stats "vb$$" >"$tmpd/out" 2>"$tmpd/err" &
vpid=$!
sleep 2
# The beacon: a check-in every 2 s.
ip netns exec "$ns1" python3 -c '
import socket, time
for i in range(9):
    try:
        c = socket.create_connection(("10.77.0.2", 8443), timeout=2)
        c.sendall(b"hello %d" % i); c.recv(10); c.close()
    except OSError:
        pass
    time.sleep(2)
' &
pids+=($!)
ip netns exec "$ns1" nmap -n -sS -Pn -p 1-300 -T4 10.77.0.2 >/dev/null 2>&1
wait "$vpid"
fail=0
grep -q '"rule.name":"net.port_scan"' "$tmpd/out" || { echo "FAIL: no port scan alert"; fail=1; }
grep -q '"rule.name":"net.beacon".*"destination.port":8443' "$tmpd/out" ||
    { echo "FAIL: no beacon alert"; fail=1; }
grep -q 'dropped by the kernel' "$tmpd/err" || { echo "FAIL: no stats"; fail=1; }
[ $fail -eq 0 ] && echo PASS || { cat "$tmpd/out" "$tmpd/err"; }
exit $fail
