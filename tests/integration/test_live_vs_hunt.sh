#!/usr/bin/env bash
# test_live_vs_hunt.sh -- the daemon's live detection and `vigil hunt`
# agree: `vigil run --once` over loghub's OpenSSH_2k.log stores exactly the
# alerts hunt reports on it (45 SSH brute-force and 19 password-spraying
# correlations from vigil's pack), and each alert once.
set -euo pipefail

: "${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}"
CORPUS=${VIGIL_CORPUS:-../shared/data}
LOG=$CORPUS/loghub/OpenSSH/OpenSSH_2k.log
if [ ! -r "$LOG" ]; then
    echo "SKIP: $LOG not found (set VIGIL_CORPUS)"
    exit 77
fi
LOG=$(cd "$(dirname "$LOG")" && pwd)/$(basename "$LOG")

T=$(mktemp -d /tmp/vigil-livehunt-XXXXXX)
trap 'rm -rf "$T"' EXIT
fail() {
    echo "FAIL: $*"
    exit 1
}
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
sources:
  - {name: ssh, type: file, paths: [$LOG], format: syslog}
YML
"$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/daemon.log" || fail "vigil run --once: $(tail -3 "$T/daemon.log")"
"$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
    grep -o '"title":"[^"]*"' | sort | uniq -c >"$T/live"
"$VIGIL_BIN" hunt --json "$LOG" 2>/dev/null |
    grep -o '"title":"[^"]*"' | sort | uniq -c >"$T/hunt" || true
cat "$T/live"
diff "$T/hunt" "$T/live" || fail "live detection and hunt differ"
# one alert per address and window, repeats within an hour suppressed
grep -q '^ *7 "title":"SSH brute force from one address"$' "$T/live" || fail "brute-force count"
grep -q '^ *5 "title":"SSH password spraying from one address"$' "$T/live" || fail "spraying count"
# A second run reads nothing new (checkpoint) and stores nothing twice.
"$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>>"$T/daemon.log" || fail "second run"
n=$("$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 | wc -l)
[ "$n" = 12 ] || fail "$n alerts after a second run, expected 12"
echo "PASS: live detection stores what hunt reports (12 alerts)"
