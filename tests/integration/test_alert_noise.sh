#!/usr/bin/env bash
# test_alert_noise.sh -- one alert per group and window, repeats
# suppressed (issue 11, item 4): 30 failed SSH logins from one address
# in a minute are exactly one brute-force alert counting 30, with the
# first and last failure's times and the failures' ids; a second burst
# 30 minutes later (within correlation.suppress, 1 h) raises nothing but
# is counted; a third two hours later raises a new alert that carries that
# count. The same from `vigil hunt` and `vigil run --once`; `--suppress 0`
# gives every window its alert. Fails on an engine that alerts per event
# (or per ten events), or that forgets its suppression.
set -euo pipefail

BRUTE=c2e3974e-7702-4e98-80e8-b063a70dd225 # SSH brute force from one address

. "$(dirname "$0")/daemon_lib.sh" noise
command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
fail() {
    echo "FAIL: $*"
    exit 1
}

burst() { # HH:MM N FIRST_PORT
    for i in $(seq 0 $(($2 - 1))); do
        printf 'May  4 %s:%02d web1 sshd[%d]: Failed password for root from 203.0.113.77 port %d ssh2\n' \
            "$1" "$((i * 2))" "$((4000 + i))" "$(($3 + i))"
    done
}
{
    echo "May  4 09:59:00 web1 sshd[812]: Server listening on 0.0.0.0 port 22."
    burst 10:00 30 50000 # 10:00:00 .. 10:00:58
    burst 10:30 12 51000 # suppressed
    burst 12:30 12 52000 # raised, carrying 1 suppressed
} >"$T/auth.log"

# vigil hunt
rc=0
"$VIGIL_BIN" hunt --json --year 2024 --no-cache "$T/auth.log" >"$T/hunt.json" \
    2>"$T/hunt.err" || rc=$?
[ "$rc" = 1 ] || fail "vigil hunt exited $rc"
jq -c "select(.rule.id == \"$BRUTE\") | .matched" "$T/hunt.json" >"$T/hunt.brute"
n=$(wc -l <"$T/hunt.brute")
[ "$n" = 2 ] || fail "hunt: $n brute-force alerts, expected 2"
first=$(head -1 "$T/hunt.brute")
[ "$(jq '."correlation.count"' <<<"$first")" = 30 ] || fail "hunt: first alert $first"
[ "$(jq -r '."correlation.first"' <<<"$first")" = 2024-05-04T10:00:00.000000Z ] ||
    fail "hunt: first time in $first"
[ "$(jq -r '."correlation.last"' <<<"$first")" = 2024-05-04T10:00:58.000000Z ] ||
    fail "hunt: last time in $first"
[ "$(jq '."correlation.suppressed"' <<<"$first")" = 0 ] || fail "hunt: $first"
[ "$(jq '."correlation.events" | length' <<<"$first")" = 20 ] ||
    fail "hunt: the alert lists $(jq '."correlation.events" | length' <<<"$first") events, expected the first 20"
[ "$(jq -r '."correlation.events"[0].id' <<<"$first")" = "$T/auth.log#2" ] ||
    fail "hunt: first event id $(jq -r '."correlation.events"[0].id' <<<"$first")"
second=$(tail -1 "$T/hunt.brute")
[ "$(jq '."correlation.count"' <<<"$second")" = 12 ] || fail "hunt: second alert $second"
[ "$(jq '."correlation.suppressed"' <<<"$second")" = 1 ] ||
    fail "hunt: the second alert does not carry the suppressed one: $second"
grep -q "hunt: 1 correlation alert suppressed" "$T/hunt.err" ||
    fail "hunt's summary does not count the suppressed alert"
echo "ok: hunt: 54 failures in 3 bursts, 2 alerts (30 and 12), 1 suppressed"

# --suppress 0: every window alerts
"$VIGIL_BIN" hunt --json --year 2024 --no-cache --suppress 0 "$T/auth.log" \
    2>/dev/null | jq -c "select(.rule.id == \"$BRUTE\")" >"$T/all.json" || true
n=$(wc -l <"$T/all.json")
[ "$n" = 3 ] || fail "hunt --suppress 0: $n brute-force alerts, expected 3"
echo "ok: hunt --suppress 0: 3 alerts"

# vigil run --once: the same alerts, and the suppressed one in vigil status
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
sources:
  - {name: auth, type: file, paths: [$T/auth.log], format: syslog, year: 2024}
YML
"$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/run.err" || fail "vigil run --once"
"$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
    jq -c "select(.rule_id == \"$BRUTE\") | .matched" | sort >"$T/run.brute"
n=$(wc -l <"$T/run.brute")
[ "$n" = 2 ] || fail "run --once: $n brute-force alerts, expected 2"
counts=$(jq -c '[."correlation.count", ."correlation.suppressed"]' "$T/run.brute" | sort | tr '\n' ' ')
[ "$counts" = "[12,1] [30,0] " ] || fail "run --once: count and suppressed $counts"
sup=$("$VIGIL_BIN" status --state-dir "$T/state" --json |
    grep -o '{"name":"suppressed"[^}]*' | grep -o '"alerts":[0-9]*' | cut -d: -f2)
[ "$sup" = 1 ] || fail "vigil status: suppressed '$sup', expected 1"
echo "ok: run --once: the same 2 alerts; vigil status counts 1 suppressed"

# correlation.suppress: 0 turns it off; a value past 30 days is refused
cat >"$T/off.yml" <<YML
state_dir: $T/off
correlation: {suppress: 0}
sources:
  - {name: auth, type: file, paths: [$T/auth.log], format: syslog, year: 2024}
YML
"$VIGIL_BIN" run --once -c "$T/off.yml" 2>>"$T/run.err" || fail "run --once, suppress 0"
n=$("$VIGIL_BIN" alerts --state-dir "$T/off" --json --limit 0 | grep -cF "\"rule_id\":\"$BRUTE\"" || true)
[ "$n" = 3 ] || fail "correlation.suppress 0: $n brute-force alerts, expected 3"
sed -i 's/suppress: 0/suppress: 31d/' "$T/off.yml"
rc=0
"$VIGIL_BIN" run --once -c "$T/off.yml" 2>"$T/bad.err" || rc=$?
[ "$rc" = 78 ] || fail "correlation.suppress 31d: exit $rc, expected 78"
grep -q "suppress" "$T/bad.err" || fail "the refusal does not name the key: $(cat "$T/bad.err")"
echo "ok: correlation.suppress 0 gives 3 alerts; 31d is refused"
echo "PASS: one alert per group and window, repeats suppressed and counted"
