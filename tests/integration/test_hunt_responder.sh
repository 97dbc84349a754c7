#!/usr/bin/env bash
# test_hunt_responder.sh -- what Windows responders use from Hayabusa, on
# the corpus's EVTX files (issue 11, item 5): `vigil hunt --eid-metrics`,
# `--logon-summary` and `--timeline`, in JSON, CSV and table form. Every
# number below was counted independently with evtxexport (libevtx) and
# grep, not with vigil:
#   evtxexport -f xml password-spray.evtx | grep -c '<EventID>4648<'  -> 294
#   ... | grep -c '<EventID>1102<'                                     -> 1
#   4648 rows by (TargetDomainName, TargetUserName, IpAddress): 41 keys,
#     DOMAIN\smisenar from 172.16.144.128 14 times
#   CA_4624_4625_LogonType2_LogonProc_chrome.evtx: 4624 x3 (IEUser type 2
#     from workstation MSEDGEWIN10 twice, SYSTEM type 5 once), 4625 x1
#     (IEUser type 2 from MSEDGEWIN10)
#   new-user-security.evtx: 4720 x1, 4728 x1, 4732 x2
#   grep -c 'Failed password for root from 183.62.140.253 ' OpenSSH_2k.log
#     -> 276
# Skipped (77) without the corpus.
set -euo pipefail
: "${VIGIL_BIN:?}"
CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
DB=$CORPUS/deepbluecli/evtx
CA="$CORPUS/evtx-attack-samples/Credential Access/CA_4624_4625_LogonType2_LogonProc_chrome.evtx"
SSH=$CORPUS/loghub/OpenSSH/OpenSSH_2k.log
SIGMA=$CORPUS/sigmahq-sigma/rules/windows
for f in "$DB/password-spray.evtx" "$DB/new-user-security.evtx" "$CA" "$SSH"; do
    [ -f "$f" ] || { echo "SKIP: $f is absent"; exit 77; }
done
[ -d "$SIGMA" ] || { echo "SKIP: $SIGMA is absent"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
hunt() { "$VIGIL_BIN" hunt --no-cache "$@" 2>>"$T/err" || [ $? -le 1 ]; }

"$VIGIL_BIN" hunt --help >"$T/help"
for o in --timeline --logon-summary --eid-metrics --format --suppress; do
    grep -q -- "$o" "$T/help" || fail "--help does not mention $o"
done

# --eid-metrics
hunt --eid-metrics --format json "$DB/password-spray.evtx" >"$T/eid.json"
[ "$(jq -r 'select(.channel=="Security" and .event_id=="4648") | .count' "$T/eid.json")" = 294 ] ||
    fail "4648 count: $(cat "$T/eid.json")"
[ "$(jq -r 'select(.channel=="Security" and .event_id=="1102") | .count' "$T/eid.json")" = 1 ] ||
    fail "1102 count: $(cat "$T/eid.json")"
[ "$(wc -l <"$T/eid.json")" = 2 ] || fail "eid rows: $(cat "$T/eid.json")"
hunt --eid-metrics "$DB/password-spray.evtx" >"$T/eid.txt"
grep -Eq '^ +294 +99\.66% +Security +4648$' "$T/eid.txt" || fail "eid table: $(cat "$T/eid.txt")"
hunt --eid-metrics --format csv "$DB/new-user-security.evtx" >"$T/eid.csv"
grep -qx '"Security","4732",2,50.00' "$T/eid.csv" || fail "eid csv: $(cat "$T/eid.csv")"
head -1 "$T/eid.csv" | grep -qx 'channel,event_id,count,percent' || fail "eid csv header"
echo "ok: --eid-metrics"

# --logon-summary: 4648 (explicit credentials)
hunt --logon-summary --format json "$DB/password-spray.evtx" >"$T/logon.json"
[ "$(wc -l <"$T/logon.json")" = 41 ] || fail "$(wc -l <"$T/logon.json") logon rows, expected 41"
row=$(jq -c 'select(.user=="DOMAIN\\smisenar")' "$T/logon.json")
[ "$row" = '{"user":"DOMAIN\\smisenar","source":"172.16.144.128","logon_type":"explicit","successful":0,"failed":0,"logoff":0,"explicit":14}' ] ||
    fail "smisenar: $row"
# 4624 / 4625 with their logon types; "-" addresses fall back to the workstation
hunt --logon-summary --format json "$CA" >"$T/ca.json"
row=$(jq -c 'select(.user=="MSEDGEWIN10\\IEUser")' "$T/ca.json")
[ "$row" = '{"user":"MSEDGEWIN10\\IEUser","source":"MSEDGEWIN10","logon_type":"2","successful":2,"failed":1,"logoff":0,"explicit":0}' ] ||
    fail "IEUser: $row"
[ "$(jq -r 'select(.logon_type=="5") | .successful' "$T/ca.json")" = 1 ] || fail "SYSTEM: $(cat "$T/ca.json")"
# sshd
hunt --logon-summary --format json "$SSH" >"$T/ssh.json"
[ "$(jq -r 'select(.user=="root" and .source=="183.62.140.253") | .failed' "$T/ssh.json")" = 276 ] ||
    fail "ssh root from 183.62.140.253: $(head -3 "$T/ssh.json")"
[ "$(head -1 "$T/ssh.json" | jq -r .source)" = 183.62.140.253 ] || fail "most failures first"
echo "ok: --logon-summary (4648, 4624/4625, sshd)"

# --timeline: matched events in time order with their key fields
hunt --timeline --format json --rules "$SIGMA" "$DB/new-user-security.evtx" >"$T/tl.json"
row=$(jq -c 'select(.rule=="Local User Creation") | [.channel, .event_id, .computer, .user]' "$T/tl.json")
[ "$row" = '["Security","4720","IE8Win7","IEUser"]' ] || fail "timeline row: $row"
hunt --timeline --format json --rules "$SIGMA" "$DB" >"$T/all.json"
n=$(wc -l <"$T/all.json")
[ "$n" -gt 20 ] || fail "timeline of $DB has $n rows"
jq -s -e '[.[].time] | . == sort' "$T/all.json" >/dev/null || fail "timeline not in time order"
# a correlation's window may span files: it names its count instead
jq -s -e 'all(.[]; .level and .rule and .rule_id and
    (.file or (.details | test("count=[0-9]+"))))' "$T/all.json" >/dev/null ||
    fail "timeline rows miss level, rule or file"
[ "$(jq -r 'select(.command_line != null) | .command_line' "$T/all.json" | wc -l)" -gt 0 ] ||
    fail "no timeline row carries a command line"
hunt --timeline --format csv --rules "$SIGMA" "$DB" >"$T/all.csv"
head -1 "$T/all.csv" |
    grep -qx 'time,level,rule_title,computer,channel,event_id,user,source,command_line,details,rule_id,file,record' ||
    fail "timeline csv header: $(head -1 "$T/all.csv")"
[ "$(($(wc -l <"$T/all.csv") - 1))" = "$n" ] || fail "csv and json timelines differ in rows"
hunt --timeline --rules "$SIGMA" "$DB/new-user-security.evtx" >"$T/tl.txt"
grep -q '^TIME .*CHANNEL .*EID .*USER' "$T/tl.txt" || fail "timeline table header"
grep -q 'Local User Creation .* Security .* 4720 .* IEUser' "$T/tl.txt" || fail "timeline table row"
echo "ok: --timeline ($n rows over $DB)"
echo "PASS: eid metrics, logon summary and timeline"
