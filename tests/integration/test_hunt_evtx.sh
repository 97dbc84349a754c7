#!/usr/bin/env bash
# test_hunt_evtx.sh -- acceptance: `vigil hunt` with SigmaHQ's rules over
# the public EVTX attack samples reports the attacks they record. Each line
# below names a sample, a SigmaHQ rule title that must fire on it and how
# many times. Also checks that rules for other products (Zeek, Cisco,
# Linux, ...) never fire on Windows events. Skips when the corpus is absent.
set -u
: "${VIGIL_BIN:?}"
CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
RULES=$CORPUS/sigmahq-sigma/rules
for d in "$RULES" "$CORPUS/evtx-attack-samples"; do
    if [ ! -d "$d" ]; then
        echo "SKIP: $d is absent (set VIGIL_CORPUS)"
        exit 77
    fi
done
out=$(mktemp)
tmpd=$(mktemp -d)
trap 'rm -f "$out"; rm -rf "$tmpd"' EXIT
"$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --csv \
    "$CORPUS/evtx-attack-samples" "$CORPUS/deepbluecli" \
    "$CORPUS/evtx-to-mitre-attack" >"$out" 2>/dev/null
rc=$?
fail=0
# 1 (matches found); 65 as well when this build's EVTX reader decodes no
# record of some file (libevtx and evtx-to-mitre-attack's ID131/ID1149)
want_rc=1
for f in "$CORPUS"/evtx-to-mitre-attack/*/*/ID131*.evtx; do
    if [ -f "$f" ] && "$VIGIL_BIN" parse --count "$f" 2>/dev/null |
        grep -q '^0 events'; then
        want_rc=65
    fi
done
if [ "$rc" -ne "$want_rc" ]; then
    echo "FAIL: vigil hunt exited $rc, want $want_rc"
    fail=1
fi

# count FILE TITLE : matches of the rule titled TITLE on FILE (CSV columns
# rule_title and file are quoted)
count() {
    grep -F ",\"$2\"," "$out" | grep -c -F "\"$CORPUS/$1\"" || true
}
while IFS='|' read -r want file title; do
    [ -z "$want" ] && continue
    got=$(count "$file" "$title")
    if [ "$got" != "$want" ]; then
        echo "FAIL: $file: '$title' fired $got times, want $want"
        fail=1
    else
        echo "ok: $file: $title ($got)"
    fi
done <<'LIST'
1|evtx-attack-samples/Defense Evasion/DE_1102_security_log_cleared.evtx|Security Eventlog Cleared
1|evtx-attack-samples/Credential Access/sysmon_10_lsass_mimikatz_sekurlsa_logonpasswords.evtx|HackTool - Generic Process Access
1|evtx-attack-samples/Lateral Movement/LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx|Successful Overpass the Hash Attempt
1|evtx-attack-samples/Lateral Movement/LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx|Pass the Hash Activity 2
3|evtx-attack-samples/Lateral Movement/LM_renamed_psexecsvc_5145.evtx|Suspicious PsExec Execution
3|evtx-attack-samples/Credential Access/CA_DCSync_4662.evtx|Active Directory Replication from Non Machine Account - DcSync Indicator
1|evtx-attack-samples/Privilege Escalation/System_7045_namedpipe_privesc.evtx|Meterpreter or Cobalt Strike Getsystem Service Installation - System
1|deepbluecli/evtx/disablestop-eventlog.evtx|Important Windows Eventlog Cleared
1|deepbluecli/evtx/metasploit-psexec-native-target-system.evtx|Meterpreter or Cobalt Strike Getsystem Service Installation - System
1|evtx-to-mitre-attack/TA0008-Lateral Movement/T1021.002-SMB Windows Admin Shares/ID4688,4697,5140-5145 PSexec remote execution + admin share.evtx|PsExec Service Execution
3|evtx-to-mitre-attack/TA0006-Credential Access/T1003-Credential dumping/ID4662-DCsync attack using Mimikatz.evtx|Active Directory Replication from Non Machine Account - DcSync Indicator
1|evtx-to-mitre-attack/TA0008-Lateral Movement/T1550-Use Alternate Authentication Material/ID4624-Mimikatz Pass the hash.evtx|Successful Overpass the Hash Attempt
LIST

# Rules for other products must not fire on Windows events.
for title in "Publicly Accessible RDP Service" "Cisco Discovery" "Suspicious SQL Query"; do
    n=$(grep -c -F ",\"$title\"," "$out" || true)
    if [ "$n" != "0" ]; then
        echo "FAIL: '$title' (not a Windows rule) fired $n times on EVTX"
        fail=1
    else
        echo "ok: '$title' does not fire on EVTX"
    fi
done
# Text files inside the corpus folders (licences, readmes) are skipped.
n=$(grep -c -E '(LICENSE[^"]*|readme.md)"$' "$out" || true)
if [ "$n" != "0" ]; then
    echo "FAIL: $n matches on licence/readme files found while recursing"
    fail=1
fi

# The same events as JSON lines (`vigil parse` of the EVTX files) must give
# the same matches: Windows rules reach JSON events through their Channel.
"$VIGIL_BIN" parse "$CORPUS/evtx-attack-samples/Lateral Movement/"*.evtx \
    >"$tmpd/lm.jsonl" 2>/dev/null
"$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --json \
    "$CORPUS/evtx-attack-samples/Lateral Movement/"*.evtx 2>/dev/null |
    grep -o '^{"@timestamp":[^,]*,"rule":{"id":"[^"]*"' | sort >"$tmpd/a"
"$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --json "$tmpd/lm.jsonl" \
    2>/dev/null |
    grep -o '^{"@timestamp":[^,]*,"rule":{"id":"[^"]*"' | sort >"$tmpd/b"
if [ ! -s "$tmpd/a" ] || ! cmp -s "$tmpd/a" "$tmpd/b"; then
    echo "FAIL: EVTX and its JSON-lines rendering give different matches" \
        "($(wc -l <"$tmpd/a") vs $(wc -l <"$tmpd/b"))"
    fail=1
else
    echo "ok: EVTX and JSON lines agree ($(wc -l <"$tmpd/a") matches)"
fi
exit $fail
