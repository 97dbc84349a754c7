#!/usr/bin/env bash
# test_live_reload.sh -- live detection and SIGHUP: rules from the
# configuration's `rules:` folder (with builtin_rules: false) raise alerts;
# a broken rule on reload is logged as FILE:LINE and the running rules are
# kept; a fixed rule set replaces them; a rule's |expand placeholders take
# their values from the configuration's `placeholders:`. Temp files only.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" livereload
counter() {
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o '{"name":"app"[^}]*' | grep -o "\"$1\":[0-9]*" | cut -d: -f2
}
wait_decoded() {
    local deadline=$((SECONDS + 60))
    until [ "$(counter decoded)" = "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "decoded '$(counter decoded)', expected $1"
        sleep 0.05
    done
}
wait_log() { # count pattern
    local deadline=$((SECONDS + 60))
    until [ "$(grep -c -- "$2" "$T/daemon.log" || true)" -ge "$1" ]; do
        [ "$SECONDS" -lt "$deadline" ] || fail "log has no $1 × '$2'"
        sleep 0.05
    done
}
alerts_for() { # title
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep -cF "\"title\":\"$1\"" || true
}
rule() { # title word
    cat <<YML
title: $1
id: 0b7f4d8e-6a53-4c1e-9e1a-5d0c2b8f7a1$2
status: test
logsource:
    product: linux
detection:
    selection:
        message|contains: CANARY-$2
    condition: selection
level: medium
YML
}
line() { echo "$(date '+%b %e %H:%M:%S') app1 backup[77]: $1" >>"$T/app.log"; }

mkdir "$T/rules"
rule "Canary one" 1 >"$T/rules/local.yml"
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
builtin_rules: false
rules: [$T/rules]
ingest: {poll_interval: 50ms}
sources:
  - {name: app, type: file, paths: [$T/app.log]}
YML
line "nightly backup started"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
wait_decoded 1
grep -q "detection: 1 rules, 0 correlations, 0 filters from 1 files; 0 refused" "$T/daemon.log" ||
    fail "rule count not logged"
[ "$(alerts_for "Canary one")" = 0 ] || fail "alert on a benign line"
line "marker CANARY-1 seen"
wait_decoded 2
[ "$(alerts_for "Canary one")" = 1 ] || fail "rule from rules: did not alert"

# A broken rule: the reload keeps the running rules and says where.
printf 'title: Canary two\nlogsource: {product: linux}\ndetection:\n    selection:\n        message|nosuchmodifier: x\n    condition: selection\n' >"$T/rules/local.yml"
kill -HUP "$PID"
wait_log 1 "rules not reloaded, keeping the running ones: .*local.yml:[0-9]*:"
line "marker CANARY-1 again"
wait_decoded 3
[ "$(alerts_for "Canary one")" = 2 ] || fail "running rules not kept after a broken reload"

# A good rule set replaces the running one.
rule "Canary two" 2 >"$T/rules/local.yml"
kill -HUP "$PID"
wait_log 2 "detection: 1 rules, 0 correlations"
line "marker CANARY-2 seen"
line "marker CANARY-1 once more"
wait_decoded 5
[ "$(alerts_for "Canary two")" = 1 ] || fail "reloaded rule did not alert"
[ "$(alerts_for "Canary one")" = 2 ] || fail "old rule still alerts after the reload"

# A rule using |expand: refused (and logged) until the configuration gives
# the placeholder's values, then it alerts on each of them.
cat >"$T/rules/expand.yml" <<'YML'
title: Canary expand
id: 0b7f4d8e-6a53-4c1e-9e1a-5d0c2b8f7a20
logsource:
    product: linux
detection:
    selection:
        message|expand|contains: '%canary_words%'
    condition: selection
level: medium
YML
kill -HUP "$PID"
wait_log 1 "rules not reloaded, keeping the running ones: .*expand.yml:[0-9]*: unresolved placeholder %canary_words%"
cat >>"$T/vigil.yml" <<YML
placeholders:
  canary_words: [CANARY-RED, CANARY-BLUE]
YML
kill -HUP "$PID"
wait_log 1 "detection: 2 rules, 0 correlations"
line "marker CANARY-RED seen"
line "marker CANARY-BLUE seen"
line "marker CANARY-GREEN seen"
wait_decoded 8
[ "$(alerts_for "Canary expand")" = 2 ] || fail "placeholders from the configuration: $(alerts_for "Canary expand") alerts, want 2"

kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" -eq 0 ] || fail "SIGTERM exit status $rc"
echo "PASS: rules from the configuration, kept on a broken reload, replaced on a good one, placeholders expanded"
