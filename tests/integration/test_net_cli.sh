#!/usr/bin/env bash
# test_net_cli.sh -- `vigil net` command-line edges (FIND15 18, 39):
# --filter/--seconds/--snaplen/--buffer with `read` are refused (64)
# rather than silently ignored; "-" reads the capture from standard input;
# a BPF syntax error in `watch` is a bad command line (64, needs root to
# get that far); IPv6 endpoints print as [addr]:port; alert JSON lines
# carry event.kind, event.category and network.transport. Skips when the
# corpus is absent.
set -u
: "${VIGIL_BIN:?}"
CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
CS=$CORPUS/chrissanders-packets
TXT="$CORPUS/evtx-attack-samples/Command and Control/cmds over dns txt queries and reponses.pcap"
if [ ! -d "$CS" ] || [ ! -f "$TXT" ]; then
    echo "SKIP: the corpus is absent (set VIGIL_CORPUS)"
    exit 77
fi
fail=0
for o in "--filter port 80" "--seconds 5" "--snaplen 1500" "--buffer 4MiB"; do
    # shellcheck disable=SC2086
    "$VIGIL_BIN" net read $o "$CS/synscan.pcapng" >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 64 ] || { echo "FAIL: read $o: exit $rc, want 64"; fail=1; }
done
out=$("$VIGIL_BIN" net read --json --alerts-only - <"$CS/ratinfected.pcapng")
rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: read - : exit $rc, want 1 (alerts)"; fail=1; }
grep -q '"rule.name":"net.beacon"' <<<"$out" || { echo "FAIL: read - : no beacon"; fail=1; }
grep -q '^{"type":"alert","@timestamp":"[^"]*","event.kind":"alert","event.category":"network".*"network.transport":"tcp"' <<<"$out" ||
    { echo "FAIL: alert JSON lacks event.kind/category/transport: $out"; fail=1; }
"$VIGIL_BIN" net read "$TXT" 2>/dev/null | grep -q '^[^ ]* *17 *\[fe80::[0-9a-f:]*\]:[0-9]* -> \[ff02::1:3\]:5355 ' ||
    { echo "FAIL: IPv6 endpoints are not [addr]:port"; fail=1; }
if [ "$(id -u)" -eq 0 ]; then
    "$VIGIL_BIN" net watch --filter "not port" --seconds 1 lo >/dev/null 2>&1
    rc=$?
    [ "$rc" -eq 64 ] || { echo "FAIL: watch with a bad filter: exit $rc, want 64"; fail=1; }
fi
[ $fail -eq 0 ] && echo PASS
exit $fail
