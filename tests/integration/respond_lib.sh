# respond_lib.sh -- sourced by the containment tests (after daemon_lib.sh):
# two network namespaces joined by a veth pair, the protected host $NSH
# (10.88.0.1) and the outside $NSA (10.88.0.2 an attacker, 10.88.0.3 in
# the management network, 10.88.0.4 allow-listed), a TCP listener on the
# host at 10.88.0.1:8080 and one outside at 10.88.0.2/.3:8081, all removed
# at exit even on failure. Skips (77) unless root with ip and nft.
# usage: . respond_lib.sh
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: the containment tests need root (network namespaces, nftables)"
    exit 77
fi
for tool in ip nft; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "SKIP: $tool is not installed (Debian: iproute2, nftables)"
        exit 77
    fi
done
# Debian's python3 (with python3-aiosmtpd), not one first on PATH
PY=python3
[ -x /usr/bin/python3 ] && PY=/usr/bin/python3
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NSH="vgh$$"
NSA="vga$$"
BG_PIDS=""
respond_cleanup() {
    for p in $BG_PIDS; do kill "$p" 2>/dev/null || true; done
    ip netns del "$NSH" 2>/dev/null || true
    ip netns del "$NSA" 2>/dev/null || true
    daemon_cleanup
}
trap respond_cleanup EXIT
inh() { ip netns exec "$NSH" "$@"; }
ina() { ip netns exec "$NSA" "$@"; }
bg() { # NS CMD...: run in namespace NS in the background, killed at exit
    ip netns exec "$@" >/dev/null 2>&1 &
    BG_PIDS="$BG_PIDS $!"
}

ip netns add "$NSH"
ip netns add "$NSA"
ip link add "h$$" netns "$NSH" type veth peer name "a$$" netns "$NSA"
inh ip addr add 10.88.0.1/24 dev "h$$"
for a in 2 3 4; do ina ip addr add "10.88.0.$a/24" dev "a$$"; done
inh ip link set "h$$" up
ina ip link set "a$$" up
inh ip link set lo up
ina ip link set lo up

LISTEN='import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(64)
while True:
    c,_=s.accept(); c.close()'
bg "$NSH" "$PY" -c "$LISTEN" 10.88.0.1 8080
bg "$NSA" "$PY" -c "$LISTEN" 0.0.0.0 8081

# reach NS SRC DST PORT: 0 when a TCP connection from SRC to DST:PORT,
# made in namespace NS, is accepted within a second.
reach() {
    ip netns exec "$1" "$PY" -c 'import socket,sys
try:
    socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=1,
                             source_address=(sys.argv[1], 0)).close()
except OSError:
    sys.exit(1)' "$2" "$3" "$4"
}
# the host's listener from the outside
reach_host() { reach "$NSA" "$1" 10.88.0.1 8080; }
for _ in $(seq 1 50); do reach_host 10.88.0.2 && break; sleep 0.1; done
reach_host 10.88.0.2 || fail "the namespaces do not connect"

# in_set ADDR: is ADDR in the host's set inet vigil blocked4?
in_set() { inh nft get element inet vigil blocked4 "{ $1 }" >/dev/null 2>&1; }
