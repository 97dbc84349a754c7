#!/usr/bin/env bash
# test_net_captures.sh -- acceptance: `vigil net read` on the public
# captures raises the alert of the technique each one records (SYN scan,
# RAT beaconing, iodine and DNS-TXT tunnels; CryptoWall's C2 through an
# IOC list naming its domain), and none on the benign ones. The same
# capture as pcap and pcapng gives the same flows. --json lines are JSON
# with "type". Skips when the corpus is absent.
set -u
: "${VIGIL_BIN:?}"
CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
CS=$CORPUS/chrissanders-packets
if [ ! -d "$CS" ]; then
    echo "SKIP: $CS is absent (set VIGIL_CORPUS)"
    exit 77
fi
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
fail=0

# expect FILE KIND N [extra args]: exactly N alerts of KIND (rule.name
# net.KIND) and no alert of another kind.
expect() {
    local file=$1 kind=$2 want=$3
    shift 3
    "$VIGIL_BIN" net read --json --alerts-only "$@" "$file" >"$tmpd/out" 2>"$tmpd/err"
    local rc=$? got other
    got=$(grep -c "\"rule.name\":\"net.$kind\"" "$tmpd/out")
    other=$(grep '"type":"alert"' "$tmpd/out" | grep -vc "\"rule.name\":\"net.$kind\"")
    if [ "$got" -ne "$want" ] || [ "$other" -ne 0 ]; then
        echo "FAIL: $file: $got $kind alerts (want $want), $other others"
        cat "$tmpd/out" "$tmpd/err"
        fail=1
    fi
    if [ "$want" -gt 0 ] && [ "$rc" -ne 1 ]; then
        echo "FAIL: $file: exit $rc with alerts, want 1"
        fail=1
    fi
}

expect "$CS/synscan.pcapng" port_scan 1
expect "$CS/pull-2/ppa2e/synscan.pcap" port_scan 1
expect "$CS/ratinfected.pcapng" beacon 1
expect "$CORPUS/elastic-examples/Security Analytics/dns_tunnel_detection/dns-tunnel-iodine.pcap" dns_tunnel 2
expect "$CORPUS/evtx-attack-samples/Command and Control/cmds over dns txt queries and reponses.pcap" dns_tunnel 1
# CryptoWall's check-ins are three irregular HTTP POSTs: not a beacon by
# timing; an IOC list with its C2 domain (as a CSV with a header) finds it.
printf 'indicator,type\nhomealldaylong.com,domain\n' >"$tmpd/ioc.csv"
expect "$CS/cryptowall4_c2.pcapng" ioc 1 --ioc "$tmpd/ioc.csv"
expect "$CS/cryptowall4_c2.pcapng" none 0
printf '# address list\n184.170.149.44\n' >"$tmpd/ioc.txt"
expect "$CS/cryptowall4_c2.pcapng" ioc 1 --ioc "$tmpd/ioc.txt"

# Benign and other captures: no alert.
for f in tcp_handshake.pcapng dns_query_response.pcapng \
    pull-2/ppa2e/http_google.pcap http_dvwa_sqlinjection.pcapng \
    http_dvwa_directorytraversal.pcapng sessionhijacking.pcapng \
    pull-2/ppa1e/telnet.pcap pull-2/ppa1e/ftp-crack.pcap dns_axfr.pcapng \
    arppoison.pcapng; do
    expect "$CS/$f" none 0
done

# Both formats of one capture: the same flows.
"$VIGIL_BIN" net read --json "$CS/synscan.pcapng" | grep '"type":"flow"' | sort >"$tmpd/a"
"$VIGIL_BIN" net read --json "$CS/pull-2/ppa2e/synscan.pcap" | grep '"type":"flow"' | sort >"$tmpd/b"
if [ "$(wc -l <"$tmpd/a")" -lt 1990 ] || ! cmp -s "$tmpd/a" "$tmpd/b"; then
    echo "FAIL: synscan pcap and pcapng flows differ ($(wc -l <"$tmpd/a") flows)"
    fail=1
fi
# Every line is JSON; flows carry ECS fields and the HTTP host.
"$VIGIL_BIN" net read --json "$CS/cryptowall4_c2.pcapng" >"$tmpd/j"
if ! python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
flows = [r for r in rows if r["type"] == "flow"]
assert len(flows) == 3, len(flows)
for f in flows:
    assert f["source.ip"] == "192.168.122.145" and f["destination.port"] == 80
    assert f["network.transport"] == "tcp" and f["network.protocol"] == "http"
    assert f["url.domain"] == "homealldaylong.com" and f["http.request.method"] == "POST"
assert sum(f["network.packets"] for f in flows) == 162
' "$tmpd/j"; then
    echo "FAIL: JSON flows of cryptowall4_c2"
    fail=1
fi
# A DNS flow names its question.
"$VIGIL_BIN" net read --json "$CS/dns_query_response.pcapng" >"$tmpd/d"
grep -q '"dns.question.name":"wireshark.org"' "$tmpd/d" ||
    { echo "FAIL: DNS question missing"; cat "$tmpd/d"; fail=1; }

# Not a capture, missing file, truncated capture: refused, no crash.
echo "not a capture" >"$tmpd/bad.pcap"
"$VIGIL_BIN" net read "$tmpd/bad.pcap" >/dev/null 2>&1
[ $? -eq 65 ] || { echo "FAIL: bad capture not refused with 65"; fail=1; }
"$VIGIL_BIN" net read "$tmpd/missing.pcap" >/dev/null 2>&1
[ $? -eq 66 ] || { echo "FAIL: missing capture not 66"; fail=1; }
for cut in 100 5000 77777 100001; do
    head -c $cut "$CS/pull-2/ppa2e/synscan.pcap" >"$tmpd/cut.pcap"
    "$VIGIL_BIN" net read "$tmpd/cut.pcap" >/dev/null 2>&1
    rc=$?
    if [ $rc -gt 65 ]; then
        echo "FAIL: truncated capture ($cut bytes) exit $rc"
        fail=1
    fi
done
[ $fail -eq 0 ] && echo "PASS"
exit $fail
