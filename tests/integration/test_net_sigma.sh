#!/usr/bin/env bash
# test_net_sigma.sh -- flows reach Sigma: `vigil net read --json` turns
# corpus captures into flow events, and `vigil hunt` runs the two rules of
# tests/fixtures/net/sigma over them: category network_connection
# (Initiated, DestinationPort: the RAT's check-ins to 4433 in
# ratinfected.pcapng) and category dns (record_type TXT, answer holding
# PowerShell: the DNS-TXT C2 in evtx-attack-samples). The benign DNS and
# HTTP captures match neither. The same events also carry their ECS
# fields. Skips when the corpus is absent.
set -u
: "${VIGIL_BIN:?}"
: "${VIGIL_SOURCE_DIR:?}"
CORPUS=${VIGIL_CORPUS:-$VIGIL_SOURCE_DIR/../shared/data}
CS=$CORPUS/chrissanders-packets
TXT="$CORPUS/evtx-attack-samples/Command and Control/cmds over dns txt queries and reponses.pcap"
if [ ! -d "$CS" ] || [ ! -f "$TXT" ]; then
    echo "SKIP: the corpus is absent (set VIGIL_CORPUS)"
    exit 77
fi
RULES=$VIGIL_SOURCE_DIR/tests/fixtures/net/sigma
CONN=3f4b6c1e-8a2d-4e57-9b0c-71d2e5a9f401
DNS=9c0d2e7a-4b1f-4f6a-8e3d-25a7c9b1d602
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
fail=0

# hunt_count NAME RULE FILE...: matches of RULE on the flows of FILEs
hunt_count() {
    local name=$1 rule=$2
    shift 2
    "$VIGIL_BIN" net read --json "$@" >"$tmpd/$name.json" 2>/dev/null
    "$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --json \
        "$tmpd/$name.json" 2>/dev/null | grep -cF "$rule"
}

n=$(hunt_count rat "$CONN" "$CS/ratinfected.pcapng")
# the RAT calls 172.16.0.111:4433 ten times, each connection one flow
[ "$n" -ge 5 ] || { echo "FAIL: network_connection rule: $n matches on the RAT"; fail=1; }
grep -q '"DestinationIp":"172.16.0.111".*"DestinationPort":4433' "$tmpd/rat.json" ||
    { echo "FAIL: flows lack DestinationIp/DestinationPort"; fail=1; }
grep -q '"destination.ip":"172.16.0.111"' "$tmpd/rat.json" ||
    { echo "FAIL: flows lack their ECS fields"; fail=1; }

n=$(hunt_count txt "$DNS" "$TXT")
[ "$n" -ge 1 ] || { echo "FAIL: dns rule: no match on the DNS-TXT C2"; fail=1; }
grep -q '"query":"l.ns.ostrykebs.pl".*"record_type":"TXT","answer":"@\$str' "$tmpd/txt.json" ||
    { echo "FAIL: DNS flows lack query, record_type or answer"; fail=1; }

for f in dns_query_response.pcapng tcp_handshake.pcapng pull-2/ppa2e/http_google.pcap; do
    "$VIGIL_BIN" net read --json "$CS/$f" >"$tmpd/benign.json" 2>/dev/null
    n=$("$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --json \
        "$tmpd/benign.json" 2>/dev/null | wc -l)
    [ "$n" -eq 0 ] || { echo "FAIL: $f: $n matches, want none"; fail=1; }
done
# an A answer is kept too
"$VIGIL_BIN" net read --json "$CS/dns_query_response.pcapng" |
    grep -q '"record_type":"A","answer":"128.121.50.122"' ||
    { echo "FAIL: the A answer is missing"; fail=1; }
# SigmaHQ's own category dns rules (WannaCry's kill-switch domain, Cobalt
# Strike's DNS beacon names) on flows of queries for them
dr=$CORPUS/sigmahq-sigma/rules/network/dns
if [ -d "$dr" ]; then
    "$VIGIL_BIN" net read --json "$VIGIL_SOURCE_DIR/tests/fixtures/net/dns_wannacry.pcap" \
        >"$tmpd/wc.json" 2>/dev/null
    n=$("$VIGIL_BIN" hunt --no-builtin --rules "$dr" --json "$tmpd/wc.json" 2>/dev/null | wc -l)
    [ "$n" -ge 2 ] || { echo "FAIL: SigmaHQ dns rules: $n matches, want 2"; fail=1; }
fi
[ $fail -eq 0 ] && echo PASS
exit $fail
