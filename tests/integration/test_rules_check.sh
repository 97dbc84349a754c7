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

# Without paths: the daemon's set, from the configuration (-c) or the
# built-in one (vigil's pack), with where each part came from.
cat > "$tmp/vigil.yml" <<Y
builtin_rules: false
rules: [$tmp/good.yml]
Y
"$VIGIL_BIN" rules -c "$tmp/vigil.yml" >"$tmp/daemon.out" 2>"$tmp/daemon.err" ||
    fail "rules -c exits $?"
[ "$(cat "$tmp/daemon.out")" = "$want" ] || fail "daemon list: $(cat "$tmp/daemon.out")"
grep -qxF "from $tmp/good.yml (configuration): 1 rules, 0 refused" "$tmp/daemon.err" ||
    fail "no source line: $(cat "$tmp/daemon.err")"
out=$("$VIGIL_BIN" rules check)
grep -q "^from .*rules (vigil's pack): [1-9][0-9]* rules, 0 refused$" <<<"$out" ||
    fail "built-in set: $out"
printf 'rules: [%s]\nbogus: 1\n' "$tmp" >"$tmp/bad-config.yml"
set +e
err=$("$VIGIL_BIN" rules -c "$tmp/bad-config.yml" 2>&1 >/dev/null)
rc=$?
set -e
[ "$rc" -eq 78 ] || fail "refused configuration exits $rc, want 78"
grep -qF "$tmp/bad-config.yml:2: unknown key 'bogus'" <<<"$err" || fail "config error: $err"

# |expand placeholders: repeated --placeholder values add up, the
# configuration's placeholders: key gives the same, and hunt expands them.
cat > "$tmp/expand.yml" <<'Y'
title: Expand
id: e-1
logsource: {product: linux}
detection:
  sel:
    user.name|expand: '%service_accounts%'
  condition: sel
level: high
Y
set +e
err=$("$VIGIL_BIN" rules check "$tmp/expand.yml")
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "unresolved placeholder exits $rc, want 1"
grep -qF "refused  $tmp/expand.yml:6: unresolved placeholder %service_accounts%" <<<"$err" ||
    fail "unresolved placeholder line: $err"
"$VIGIL_BIN" rules check --placeholder service_accounts=backup     --placeholder service_accounts=nagios "$tmp/expand.yml" >/dev/null ||
    fail "--placeholder did not resolve"
cat > "$tmp/ph.yml" <<Y
builtin_rules: false
rules: [$tmp/expand.yml]
placeholders:
  service_accounts: [backup, nagios]
Y
"$VIGIL_BIN" rules check -c "$tmp/ph.yml" >/dev/null || fail "placeholders: key did not resolve"
printf '{"@timestamp":"2024-03-01T10:00:00Z","user.name":"%s"}\n' backup nagios alice >"$tmp/ev.jsonl"
n=$("$VIGIL_BIN" hunt --no-builtin --rules "$tmp/expand.yml" --json \
    --placeholder service_accounts=backup --placeholder service_accounts=nagios \
    "$tmp/ev.jsonl" 2>/dev/null | grep -c '"title":"Expand"' || true)
[ "$n" = 2 ] || fail "hunt with two placeholder values matched $n events, want 2"

if [ ! -d "$SIGMA/rules" ]; then
    echo "SKIP: $SIGMA is absent (set VIGIL_CORPUS)"
    exit 77
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
