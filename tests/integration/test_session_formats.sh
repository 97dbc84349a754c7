#!/usr/bin/env bash
# test_session_formats.sh -- the daemon and `vigil hunt` raise identical
# alerts (rule id, time, matched-fields JSON) on every log format: each
# file is read by `vigil run --once` (one file source) and hunted, and the
# two sorted lists must be equal. Formats: syslog/auth, auditd and web
# access (the pack's test logs, correlations included), JSON lines and CEF
# (made here), and from $VIGIL_CORPUS (SKIP lines when absent): loghub
# OpenSSH and Linux, elastic's Apache access log, and EVTX events (as JSON
# lines from `vigil parse`, the daemon reads no EVTX) under SigmaHQ's
# Windows process-creation rules.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" session-formats
. "$(dirname "$0")/session_lib.sh"
: "${VIGIL_SOURCE_DIR:?}"
CORPUS=${VIGIL_CORPUS:-../shared/data}
TR=$VIGIL_SOURCE_DIR/tests/rules

total=0
for d in "$TR"/*/; do
    name=$(basename "$d")
    case $name in
    *auditd*) fmt=auditd ;;
    *web*) fmt=access ;;
    vigil_win_*) fmt=json ;; # EVTX records as `vigil parse` prints them
    vigil_sensor_*) fmt=suricata ;; # EVE JSON
    *) fmt=syslog ;;
    esac
    for f in "$d"pos.log "$d"neg.log; do
        [ -r "$f" ] || continue
        agree "$name-$(basename "$f" .log)" "$fmt" "$f"
        total=$((total + $(wc -l <"$T/$name-$(basename "$f" .log).run")))
    done
done
[ "$total" -gt 20 ] || fail "only $total alerts over the pack's test logs"

# JSON lines and CEF, with rules of the test's own: a keyword rule with no
# logsource fires on both; a Windows rule only on the event with a Channel.
mkdir -p "$T/rules"
cat >"$T/rules/kw.yml" <<'YML'
title: Test keyword anywhere
id: 5e55a0de-0000-4000-8000-000000000001
logsource: {product: testapp}
detection:
  keywords: ['evil-tool']
  condition: keywords
level: high
---
title: Test Windows process
id: 5e55a0de-0000-4000-8000-000000000002
logsource: {product: windows, category: process_creation}
detection:
  sel: {Image|endswith: '\evil-tool.exe'}
  condition: sel
level: high
YML
cat >"$T/events.jsonl" <<'EOF2'
{"@timestamp":"2024-05-01T10:00:00Z","message":"ran evil-tool on host a","user":"bob"}
{"@timestamp":"2024-05-01T10:00:01Z","Channel":"Microsoft-Windows-Sysmon/Operational","EventID":1,"Image":"C:\\t\\evil-tool.exe"}
{"@timestamp":"2024-05-01T10:00:02Z","message":"nothing here"}
EOF2
cat >"$T/events.cef" <<'EOF2'
CEF:0|Acme|Gate|1.0|100|evil-tool seen|5|src=10.0.0.1 suser=bob rt=1714557603000
CEF:0|Acme|Gate|1.0|101|all quiet|1|src=10.0.0.2 rt=1714557604000
EOF2
agree jsonl json "$T/events.jsonl" "$T/rules" false
[ "$(wc -l <"$T/jsonl.run")" = 2 ] || fail "JSON lines: want 2 alerts"
agree cef cef "$T/events.cef" "$T/rules" false
[ "$(wc -l <"$T/cef.run")" = 1 ] || fail "CEF: want 1 alert"

if [ -r "$CORPUS/loghub/OpenSSH/OpenSSH_2k.log" ]; then
    agree openssh syslog "$(cd "$CORPUS/loghub/OpenSSH" && pwd)/OpenSSH_2k.log"
else
    echo "SKIP: loghub OpenSSH not in \$VIGIL_CORPUS"
fi
if [ -r "$CORPUS/loghub/Linux/Linux_2k.log" ]; then
    agree linux syslog "$(cd "$CORPUS/loghub/Linux" && pwd)/Linux_2k.log"
else
    echo "SKIP: loghub Linux not in \$VIGIL_CORPUS"
fi
A="$CORPUS/elastic-examples/Common Data Formats/apache_logs/apache_logs"
if [ -r "$A" ]; then
    cp "$A" "$T/apache_access.log"
    agree apache access "$T/apache_access.log"
else
    echo "SKIP: elastic apache_logs not in \$VIGIL_CORPUS"
fi
W=$CORPUS/sigmahq-sigma/rules/windows/process_creation
if [ -d "$W" ] && [ -d "$CORPUS/evtx-attack-samples" ]; then
    mapfile -t ev < <(find "$CORPUS/evtx-attack-samples" -name '*.evtx' | sort | head -40)
    "$VIGIL_BIN" parse "${ev[@]}" >"$T/evtx.jsonl" 2>/dev/null || true
    agree evtx json "$T/evtx.jsonl" "$W" false
    [ "$(wc -l <"$T/evtx.run")" -gt 0 ] || fail "no alert on the EVTX events"
else
    echo "SKIP: SigmaHQ rules or EVTX samples not in \$VIGIL_CORPUS"
fi
echo "PASS: vigil run --once and vigil hunt raise the same alerts on every format"
