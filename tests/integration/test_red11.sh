#!/usr/bin/env bash
# test_red11.sh -- red-team findings on issue 11 (Windows hunting): the
# `vigil hunt --timeline --format csv` cells carry log fields an attacker
# chose (a user name in a failed or accepted login), so a cell that starts
# = + - @ must not reach a spreadsheet as a formula; a bare "-" (no value)
# stays as it is. Fails on a timeline that writes "@SUM(1+1)" as is.
# And: the NTLM workstation name (4776) is chosen by the client, so a
# guessing tool sending a new one per attempt must still raise an alert.
# And: an EVTX file cut off inside a chunk says its last chunk was left
# (--carve reads it); cut inside its first chunk, nothing was read: exit 65.
set -u
: "${VIGIL_BIN:?}"
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
fail=0
check() { # NAME WANT GOT
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: want [$2] got [$3]"
        fail=1
    else
        echo "ok: $1"
    fi
}

{
    for i in $(seq 0 11); do
        printf 'May  4 10:00:%02d web1 sshd[%d]: Failed password for root from 203.0.113.2 port %d ssh2\n' \
            "$i" "$((4000 + i))" "$((50000 + i))"
    done
    printf 'May  4 10:01:01 web1 sshd[78]: Accepted password for @SUM(1+1) from 203.0.113.2 port 2 ssh2\n'
} >"$tmpd/auth.log"

"$VIGIL_BIN" hunt --timeline --format csv --year 2024 --no-cache \
    "$tmpd/auth.log" >"$tmpd/out.csv" 2>/dev/null
row=$(grep -F 'SUM(1+1)' "$tmpd/out.csv" | head -1)
[ -n "$row" ] || { echo "FAIL: no timeline row for the accepted login"; fail=1; }
check "user cell is text, not a formula" 1 "$(grep -cF ",\"'@SUM(1+1)\"," <<<"$row")"
check "no cell starts a formula" 0 "$(grep -cE '(^|,)"?[=+@]' "$tmpd/out.csv")"

CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
SRC="$CORPUS/evtx-attack-samples/Lateral Movement/LM_5145_Remote_FileCopy.evtx"
if [ -f "$SRC" ]; then
    head -c $((4096 + 65536 + 32781)) "$SRC" >"$tmpd/cut1.evtx"
    "$VIGIL_BIN" parse --count "$tmpd/cut1.evtx" >"$tmpd/out" 2>"$tmpd/err"
    check "cut file: first chunk read" "98 events, 0 failed" "$(cat "$tmpd/out")"
    check "cut file: the partial chunk is reported" 1 \
        "$(grep -c 'chunk 1 is damaged (truncated' "$tmpd/err")"
    head -c $((4096 + 32781)) "$SRC" >"$tmpd/cut0.evtx"
    rc=0
    "$VIGIL_BIN" hunt --quiet "$tmpd/cut0.evtx" >/dev/null 2>&1 || rc=$?
    check "cut inside the only chunk: hunt exits 65" 65 "$rc"
else
    echo "skip: $SRC is absent (set VIGIL_CORPUS)"
fi

# 20 failed NTLM validations of Administrator on a DC, each with another
# workstation name: no "one source" group reaches ten.
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
for i in $(seq 0 19); do
    printf '{"@timestamp": "2024-03-04T10:00:%02d.000000Z", "Provider_Name": "Microsoft-Windows-Security-Auditing", "EventID": 4776, "Level": 0, "Channel": "Security", "Computer": "DC01.example.corp", "PackageName": "MICROSOFT_AUTHENTICATION_PACKAGE_V1_0", "TargetUserName": "Administrator", "Workstation": "WS%04d", "Status": "0xc000006a"}\n' "$i" "$i"
done >"$tmpd/ntlm.json"
"$VIGIL_BIN" hunt --json --no-cache "$tmpd/ntlm.json" >"$tmpd/ntlm.out" 2>/dev/null
check "random workstation names still alert" 1 \
    "$(jq -r '.rule.id' "$tmpd/ntlm.out" | grep -c 5d0c7a4e-7f1b-4b53-9a43-2c8e61d0b7a9)"
# One workstation: the brute-force rule's case, not this one's.
sed 's/"WS[0-9]*"/"WS0001"/' "$tmpd/ntlm.json" >"$tmpd/same.json"
"$VIGIL_BIN" hunt --json --no-cache "$tmpd/same.json" >"$tmpd/same.out" 2>/dev/null
check "one workstation: brute force only" "ce624d00-6d75-4d09-adfd-9360d9b4f3f2" \
    "$(jq -r 'select(.rule.level != "informational") | .rule.id' "$tmpd/same.out" | sort -u | tr '\n' ' ' | sed 's/ $//')"

exit $fail
