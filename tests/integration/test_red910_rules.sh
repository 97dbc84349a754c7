#!/usr/bin/env bash
# test_red910_rules.sh -- a correlation's group-by that is not a list of
# field names (a map, a list inside the list, an empty name) is refused:
# it used to load as an ungrouped correlation, counting every address
# together. A plain group-by still loads.
set -euo pipefail
: "${VIGIL_BIN:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

rule() { # GROUPBY-YAML
    cat <<Y
title: base
name: b1
id: 11111111-1111-4111-8111-111111111111
logsource: {product: linux}
detection:
    selection: {event.action: x}
    condition: selection
level: low
---
title: corr
id: 22222222-2222-4222-8222-222222222222
correlation:
    type: event_count
    rules: [b1]
    group-by: $1
    timespan: 1m
    condition: {gte: 2}
level: high
Y
}
n=0
for g in '[{source.ip: x}]' '{source.ip: x}' '[source.ip, [user.name]]' \
    '[source.ip, ""]'; do
    n=$((n + 1))
    rule "$g" >"$tmp/bad$n.yml"
    if "$VIGIL_BIN" rules check "$tmp/bad$n.yml" >"$tmp/out" 2>&1; then
        cat "$tmp/out"
        fail "group-by: $g loaded"
    fi
    grep -q "refused .*bad$n.yml:.*group-by" "$tmp/out" ||
        { cat "$tmp/out"; fail "group-by: $g not refused for its group-by"; }
done
rule '[source.ip, user.name]' >"$tmp/good.yml"
"$VIGIL_BIN" rules check "$tmp/good.yml" >"$tmp/out" 2>&1 ||
    { cat "$tmp/out"; fail "a plain group-by was refused"; }
rule 'source.ip' >"$tmp/good1.yml"
"$VIGIL_BIN" rules check "$tmp/good1.yml" >"$tmp/out" 2>&1 ||
    { cat "$tmp/out"; fail "a one-field group-by was refused"; }
echo "PASS: a group-by that is not a list of field names is refused"
