#!/usr/bin/env bash
# test_red9.sh -- strict_modes cannot be walked around (issue 9, red team):
# a rules folder that links to another folder is judged by what the loader
# will read through the link, so a group-writable rule file reached through
# a linked sub-folder is refused (exit 78) like one placed directly; and a
# symlinked vigil.db-wal is refused like a symlinked vigil.db.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" red9

: >"$T/auth.log"
write_config() { # $1: extra YAML
    cat >"$T/vigil.yml" <<YML
state_dir: $T/state
stats_interval: 0
sources:
  - {name: auth, type: file, paths: [$T/auth.log], format: syslog}
$1
YML
    chmod 600 "$T/vigil.yml"
}
refused() { # $1: what, $2: expected message part
    local rc=0
    "$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/refused.log" || rc=$?
    [ "$rc" = 78 ] || fail "$1: exit $rc, want 78: $(tail -3 "$T/refused.log")"
    grep -q "$2" "$T/refused.log" || fail "$1: message: $(cat "$T/refused.log")"
}

# a trusted folder (owner-only, mode 755) holding a rule anyone in its
# group can rewrite, reached through a link in the rules folder
mkdir -m 755 "$T/pack" "$T/rules"
cat >"$T/pack/quiet.yml" <<'YML'
title: Planted filter
logsource: {product: linux, service: sshd}
filter:
  rules: []
  selection: {message|contains: Failed}
  condition: selection
YML
chmod 664 "$T/pack/quiet.yml"
ln -s "$T/pack" "$T/rules/linked"
write_config "rules: [$T/rules]"
refused "a group-writable rule behind a linked folder" "can be written by its group"
# the same file placed directly is refused too (the control)
rm "$T/rules/linked"
cp -p "$T/pack/quiet.yml" "$T/rules/quiet.yml"
refused "a group-writable rule file" "can be written by its group"
rm "$T/rules/quiet.yml"
chmod 644 "$T/pack/quiet.yml"
ln -s "$T/pack" "$T/rules/linked"
"$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/ok.log" ||
    fail "a trusted linked rules folder refused: $(tail -3 "$T/ok.log")"

# vigil.db-wal as a link (the store exists from the run above)
write_config ""
[ -f "$T/state/vigil.db" ] || fail "no store after --once"
rm -f "$T/state/vigil.db-wal"
: >"$T/elsewhere"
ln -s "$T/elsewhere" "$T/state/vigil.db-wal"
rc=0
"$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/wal.log" || rc=$?
[ "$rc" != 0 ] || fail "a symlinked vigil.db-wal accepted"
[ ! -s "$T/elsewhere" ] || fail "the store wrote through a symlinked vigil.db-wal"
echo "PASS"
