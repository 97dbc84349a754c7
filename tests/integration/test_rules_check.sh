#!/usr/bin/env bash
# test_rules_check.sh -- `vigil rules check|list` over SigmaHQ's rules and
# over small rule files: counts, refusal lines, exit codes, JSON output.
set -euo pipefail
: "${VIGIL_BIN:?}" "${VIGIL_CORPUS:?}"
SIGMA="$VIGIL_CORPUS/sigmahq-sigma"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# small files: one good, one refused with file:line
cat > "$tmp/good.yml" <<'Y'
title: Good
id: g-1
logsource: {product: windows, category: process_creation}
detection:
  sel:
    Image|endswith: '\cmd.exe'
  condition: sel
Y
cat > "$tmp/bad.yml" <<'Y'
title: Bad
logsource: {product: windows}
detection:
  sel:
    Image|nosuch: x
  condition: sel
Y
set +e
out=$("$VIGIL_BIN" rules check "$tmp")
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "check with a refused rule exits $rc, want 1"
grep -qxF "refused  $tmp/bad.yml:5: unknown modifier 'nosuch'" <<<"$out" ||
    fail "no refusal line: $out"
grep -qF "ok       $tmp/good.yml:1: Good" <<<"$out" || fail "no ok line"
"$VIGIL_BIN" rules check "$tmp/good.yml" >/dev/null || fail "good file"
list=$("$VIGIL_BIN" rules list "$tmp" 2>/dev/null)
[ "$(printf '%s\n' "$list" | wc -l)" -eq 1 ] || fail "list: $list"
want=$(printf 'g-1\tmedium\tdetection\twindows/process_creation/\t%s\tGood' \
    "$tmp/good.yml:1")
[ "$list" = "$want" ] || fail "list line: $list"
set +e
"$VIGIL_BIN" rules check "$tmp/missing" >/dev/null 2>&1
rc=$?
set -e
[ "$rc" -eq 66 ] || fail "missing path exits $rc, want 66"

if [ ! -d "$SIGMA/rules" ]; then
    echo "SKIP: $SIGMA is absent (set VIGIL_CORPUS)"
    exit 0
fi
set +e
"$VIGIL_BIN" rules check --json "$SIGMA"/rules* > "$tmp/all.json"
set -e
python3 - "$tmp/all.json" <<'P'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["files"] == 3780, d["files"]
assert d["loaded"] == 3755, d["loaded"]
assert d["refused"] == 25, d["refused"]
assert d["compiled"] is True
refused = [r for r in d["rules"] if r["status"] == "refused"]
assert len(refused) == 25
assert all("unresolved placeholder" in r["message"] for r in refused)
print("rules check: %d loaded, %d refused" % (d["loaded"], d["refused"]))
P
# with its placeholder value the rule loads
"$VIGIL_BIN" rules check --placeholder 'dc_machine_accounts=DC01$' \
    --placeholder 'dc_ip_addresses=10.0.0.10' \
    "$SIGMA/rules-placeholder/windows/builtin/security/win_security_dc_machine_account_logon_non_dc_ip.yml" \
    >/dev/null || fail "placeholder did not resolve"
echo "ok"
