#!/usr/bin/env bash
# test_zeek_tsv_live.sh -- a site that runs Zeek with its default ASCII
# logs gets their findings in vigil's alerts: the daemon follows a Zeek
# log folder (format auto), reads each file with the header it carries
# (#fields, #types, #separator: per file, so conn.log and notice.log
# interleave freely), counts no header line as a failed line, and the
# notice becomes an alert through the pack's sensor-alert rules.
# The logs are the hand-written fixtures of tests/fixtures/net/zeek_tsv
# (Zeek is not installable here).
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" zeektsv

fx=$VIGIL_SOURCE_DIR/tests/fixtures/net/zeek_tsv
mkdir -p "$T/zeek"
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
stats_interval: 0
web: {enabled: false}
ingest: {batch_lines: 100, batch_time: 50ms, poll_interval: 50ms}
sources:
  - {name: zeek, type: file, paths: ["$T/zeek/*.log"]}
YML
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
sleep 1
for f in conn dns http ssl notice; do cp "$fx/$f.log" "$T/zeek/$f.log"; done

data=$(cat "$fx"/*.log | grep -vc '^#' || true)
for _ in $(seq 1 150); do
    [ "$(counter zeek decoded)" = "$data" ] && break
    sleep 0.2
done
[ "$(counter zeek decoded)" = "$data" ] ||
    fail "decoded $(counter zeek decoded) of $data data lines"
[ "$(counter zeek failed)" = 0 ] ||
    fail "$(counter zeek failed) lines failed: header lines taken for data?"
for _ in $(seq 1 50); do
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 2>/dev/null |
        grep -q 'Scan::Port_Scan' && break
    sleep 0.2
done
"$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 >"$T/alerts"
grep -q 'Scan::Port_Scan' "$T/alerts" || fail "the Zeek notice raised no alert"
# the dns record kept its fields (the decoder's ECS names beside Zeek's)
"$VIGIL_BIN" status --state-dir "$T/state" --events >"$T/events" 2>/dev/null || true
kill -TERM "$PID"
wait "$PID" || fail "vigil run exited $?"
PID=""
echo "PASS: Zeek TSV logs followed by the daemon, the notice alerted"
