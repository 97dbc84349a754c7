# session_lib.sh -- sourced by the tests that hold `vigil run --once` and
# `vigil hunt` to the same alerts on the same input: run_once and
# hunt_alerts print one line per alert, "rule-id|time|matched-json",
# sorted, so two outputs compare with diff. The ids of a correlation's
# events say where each was read ("SOURCE@OFFSET" live, "FILE#RECORD" in
# hunt) and are left out of the comparison. Needs jq.
# usage: . "$(dirname "$0")/session_lib.sh"   (after daemon_lib.sh)
# SESSION_SUPPRESS, when set, is correlation.suppress for both.

command -v jq >/dev/null || { echo "SKIP: jq not installed"; exit 77; }
NOIDS='if .matched["correlation.events"] then .matched["correlation.events"] |= map(del(.id)) else . end | '

# run_once NAME FORMAT FILE [RULES_DIR [BUILTIN]]: a fresh state folder,
# one file source, then the stored alerts.
run_once() {
    local name=$1 fmt=$2 file=$3 rules=${4:-} builtin=${5:-true}
    local dir=$T/run-$name
    mkdir -p "$dir"
    {
        echo "state_dir: $dir/state"
        echo "builtin_rules: $builtin"
        [ -n "${SESSION_SUPPRESS:-}" ] && echo "correlation: {suppress: $SESSION_SUPPRESS}"
        [ -n "$rules" ] && echo "rules: [$rules]"
        echo "sources:"
        echo "  - {name: $name, type: file, paths: [$file], format: $fmt}"
    } >"$dir/vigil.yml"
    "$VIGIL_BIN" run --once -c "$dir/vigil.yml" 2>>"$T/daemon.log" ||
        fail "vigil run --once on $file"
    "$VIGIL_BIN" alerts --state-dir "$dir/state" --json --limit 0 |
        jq -c -r "$NOIDS"'"\(.rule_id)|\(.time)|\(.matched | tojson)"' | sort
}

# hunt_alerts FILE [RULES_DIR [BUILTIN]]
hunt_alerts() {
    local file=$1 rules=${2:-} builtin=${3:-true} args=()
    [ -n "$rules" ] && args+=(--rules "$rules")
    [ "$builtin" = true ] || args+=(--no-builtin)
    [ -n "${SESSION_SUPPRESS:-}" ] && args+=(--suppress "$SESSION_SUPPRESS")
    local rc=0
    "$VIGIL_BIN" hunt --json --state-dir "$T/hunt-state" "${args[@]}" "$file" \
        >"$T/hunt.out" 2>>"$T/daemon.log" || rc=$?
    [ "$rc" -le 1 ] || fail "vigil hunt on $file exited $rc"
    jq -c -r "$NOIDS"'"\(if .rule.id == "" then .rule.title else .rule.id end)|\(."@timestamp")|\(.matched | tojson)"' \
        <"$T/hunt.out" | sort
}

# agree NAME FORMAT FILE [RULES_DIR [BUILTIN]]: run and hunt store the
# same alerts; prints their count.
agree() {
    local name=$1 fmt=$2 file=$3 rules=${4:-} builtin=${5:-true}
    run_once "$name" "$fmt" "$file" "$rules" "$builtin" >"$T/$name.run"
    hunt_alerts "$file" "$rules" "$builtin" >"$T/$name.hunt"
    if ! diff "$T/$name.hunt" "$T/$name.run" >"$T/$name.diff"; then
        head -20 "$T/$name.diff"
        fail "$name: vigil run --once and vigil hunt disagree (< hunt, > run)"
    fi
    echo "ok: $name ($fmt): $(wc -l <"$T/$name.run") alerts, run and hunt agree"
}
