#!/usr/bin/env bash
# test_net_evasion.sh -- the red team's evasions and false positives of
# issue 15 (FIND15), each on a small synthetic capture in
# tests/fixtures/net (made by the generator scripts of that review and by
# gen_tls_split.py; no third-party data): the technique is seen (or, for
# routine traffic, not alerted on) whatever the way it is dressed up.
set -u
: "${VIGIL_BIN:?}"
F=${VIGIL_SOURCE_DIR:-.}/tests/fixtures/net
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
fail=0

# expect WHAT FILE KIND N [extra args]: exactly N alerts of KIND and no
# other alert (KIND none: no alert at all).
expect() {
    local what=$1 file=$2 kind=$3 want=$4
    shift 4
    "$VIGIL_BIN" net read --json --alerts-only "$@" "$F/$file" >"$tmpd/out" 2>"$tmpd/err"
    local got other
    got=$(grep -c "\"rule.name\":\"net.$kind\"" "$tmpd/out")
    other=$(grep '"type":"alert"' "$tmpd/out" | grep -vc "\"rule.name\":\"net.$kind\"")
    if [ "$got" -ne "$want" ] || [ "$other" -ne 0 ]; then
        echo "FAIL: $what ($file): $got $kind alerts (want $want), $other others"
        cat "$tmpd/out" "$tmpd/err"
        fail=1
    fi
}
# flows FILE: the flow lines of --json
flows() { "$VIGIL_BIN" net read --json "$F/$1" 2>"$tmpd/err" | grep '"type":"flow"'; }

# 1: raw IP (LINKTYPE_RAW 101 is DLT_RAW 12 to libpcap); 2: SLL2; an
# unknown link type is refused, named, not read as "clean".
flows raw101_udp.pcap | grep -q '"source.port":5000' ||
    { echo "FAIL: raw IP capture gives no flow"; fail=1; }
flows sll2.pcap | grep -q '"source.port":5000' ||
    { echo "FAIL: SLL2 capture gives no flow"; fail=1; }
"$VIGIL_BIN" net read "$F/linktype.pcap" >/dev/null 2>"$tmpd/err"
rc=$?
if [ $rc -ne 65 ] || ! grep -q 'link type 147' "$tmpd/err"; then
    echo "FAIL: unknown link type: exit $rc"; cat "$tmpd/err"; fail=1
fi

# 4: a FIN scan (no SYN) of 1000 ports.
expect "FIN scan" scan_fin.pcap port_scan 1
# 5: 1000 ports, each probe from another address of one IPv6 /64.
expect "IPv6 /64-rotating scan" scan_v6_rotate.pcap port_scan 1
# 31: echo requests to 254 hosts.
expect "ping sweep" ping_sweep.pcap port_scan 1
# 36: a traceroute answered by time-exceeded is not a scan.
expect "traceroute" traceroute.pcap none 0

# 9: Host with :port, a trailing dot, a trailing blank, an absolute URI
# naming another host than Host, SNI with a trailing dot, the second
# request of a keep-alive connection, a proxy's CONNECT; 38: a decoy
# request before the real one.
for p in 45001 45002 45003 45004 45006 46000; do
    expect "IOC name variant (port $p)" ioc_ev_$p.pcap ioc 1 --ioc "$F/ioc_dom.txt"
done
expect "IOC through CONNECT" proxy_connect.pcap ioc 1 --ioc "$F/ioc_dom.txt"
expect "IOC after a decoy request" decoy_badsum.pcap ioc 1 --ioc "$F/ioc_dom.txt"
# 13: a ClientHello over two segments: its SNI, and a fingerprint of all.
flows tls_split.pcap >"$tmpd/tls"
grep -q '"tls.client.server_name":"evil.example"' "$tmpd/tls" &&
    grep -q '"tls.client.ja4":"t13d0305h2_' "$tmpd/tls" ||
    { echo "FAIL: split ClientHello"; cat "$tmpd/tls"; fail=1; }
expect "IOC in a split ClientHello" tls_split.pcap ioc 1 --ioc "$F/ioc_dom.txt"

# 10: IOC lists: a BOM, CIDR and quoted CSV, a Feodo-style CSV (the
# indicator column named in the header), *.domain and URLs.
expect "IOC after a BOM" ioc_addrs.pcap ioc 2 --ioc "$F/ioc_bom.txt"
expect "IOC CSV with CIDR, IPv6 and a domain" ioc_addrs.pcap ioc 4 --ioc "$F/ioc_mixed.csv"
expect "IOC Feodo CSV" ioc_addrs.pcap ioc 1 --ioc "$F/ioc_feodo.csv"
expect "IOC *.domain" ioc_ev_45001.pcap ioc 1 --ioc "$F/ioc_wild.txt"
expect "IOC URL" ioc_ev_45001.pcap ioc 1 --ioc "$F/ioc_url.txt"
"$VIGIL_BIN" net read --ioc "$F/ioc_mixed.csv" "$F/raw101_udp.pcap" >/dev/null 2>"$tmpd/err"
grep -q 'ioc_mixed.csv: 4 indicators loaded, 0 lines refused' "$tmpd/err" ||
    { echo "FAIL: IOC load count not said"; cat "$tmpd/err"; fail=1; }
printf 'first_seen,comment\n2024-01-01,nothing here\n' >"$tmpd/none.csv"
"$VIGIL_BIN" net read --ioc "$tmpd/none.csv" "$F/raw101_udp.pcap" >/dev/null 2>&1
[ $? -eq 65 ] || { echo "FAIL: an IOC file with no indicator is not refused"; fail=1; }

# 27: a heartbeat every 300 s on one persistent connection; 30: a C2 on
# TCP port 53.
expect "persistent heartbeat" beacon_persistent300.pcap beacon 1
expect "beacon on TCP/53" beacon_port53.pcap beacon 1
# 8c: random browsing through a proxy; 7: SPF TXT lookups over hours;
# 22: websites visited are not new services of ours.
expect "random connections" random_conns_5.pcap none 0
expect "MTA TXT lookups" mail_txt.pcap none 0
expect "websites visited" browse.pcap none 0 -n 5

# 6: 39-character hex labels and decimal labels; 19: two tunnels under
# co.uk from two clients.
expect "hex labels of 39" dns_hex39.pcap dns_tunnel 1
expect "decimal labels" dns_dec63.pcap dns_tunnel 1
expect "tunnels under co.uk" dns_psl.pcap dns_tunnel 2

# 25: nine IPv6 destination-options headers do not hide the transport.
flows hide_exthdr_frag.pcap | grep '"destination.port":80' |
    grep -q '"url.domain":"evil.example"' ||
    { echo "FAIL: IPv6 extension chain hides the request"; fail=1; }

# 33: 64-bit pcapng timestamps saturate (no 1969, no overflow).
for f in ng_hugets.pcapng ng_edge_ts.pcapng; do
    "$VIGIL_BIN" net read --json "$F/$f" >"$tmpd/ts" 2>/dev/null
    if [ $? -gt 1 ] || grep -q '"@timestamp":"1969' "$tmpd/ts"; then
        echo "FAIL: $f timestamps"; head -3 "$tmpd/ts"; fail=1
    fi
done
[ $fail -eq 0 ] && echo "PASS"
exit $fail
