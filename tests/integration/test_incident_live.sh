#!/usr/bin/env bash
# test_incident_live.sh -- the evidence log read while it is being
# written (FIND14): `vigil evidence verify` and `vigil incident export`
# run while other commands seal, and every verification passes and every
# archive verifies (log, head and anchor are read consistently). Also: a
# log deleted with its head and anchor is not healed into "intact" by the
# next seal; a lost key is not replaced; verify prints the head; the
# archive verifier warns when the key is not pinned.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" inclive
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 not installed"; exit 77; }
python3 -c 'import cryptography' 2>/dev/null ||
    { echo "SKIP: python3-cryptography not installed"; exit 77; }
VERIFY="$(dirname "$0")/evidence_verify.py"
S="$T/state"
cat >"$T/vigil.yml" <<YML
state_dir: $S
incident:
  jurisdictions: [uk]
  timezone: Europe/London
YML
V() { "$VIGIL_BIN" incident -c "$T/vigil.yml" "$@"; }
E() { "$VIGIL_BIN" evidence -c "$T/vigil.yml" "$@"; }

V new --title "live" --aware 2026-12-01T09:00:00Z >/dev/null
# writers: two notes at a time, each command sealing right after it
(for i in $(seq 60); do V note 1 "c$i" >/dev/null & V note 1 "d$i" >/dev/null; wait; done) &
writer=$!
k=0
while kill -0 "$writer" 2>/dev/null; do
    k=$((k + 1))
    E verify >"$T/out" 2>&1 || fail "verify $k during sealing: $(cat "$T/out")"
    V export 1 --output "$T/x$k.json" 2>"$T/err" || fail "export $k: $(cat "$T/err")"
    python3 "$VERIFY" "$T/x$k.json" --public-key "$(cat "$S/evidence.pub")" >"$T/out" 2>&1 ||
        fail "archive $k exported during sealing: $(cat "$T/out")"
done
wait "$writer"
echo "$k verifications and exports during sealing all passed"
[ "$k" -ge 3 ] || echo "note: only $k rounds overlapped the writers"

# the head is printed, to be kept off the host
E verify >"$T/out"
n=$(sqlite3 "$S/vigil.db" "SELECT COUNT(*) FROM evidence_log")
h=$(sqlite3 "$S/vigil.db" "SELECT hash FROM evidence_log WHERE seq = $n")
grep -q "^head: entry $n, hash $h, sealed " "$T/out" || fail "head line: $(cat "$T/out")"
E verify --json | grep -q "\"head_seq\":$n,\"head_hash\":\"$h\"" || fail "head in --json"

# the archive verifier: loud without a pinned key, quiet with it
python3 "$VERIFY" "$T/x1.json" >"$T/out" 2>"$T/err" || fail "unpinned: $(cat "$T/err")"
grep -q "NOT PINNED" "$T/err" || fail "no warning without --public-key: $(cat "$T/err")"
python3 "$VERIFY" "$T/x1.json" --public-key "$(cat "$S/evidence.pub")" 2>"$T/err" >/dev/null
! grep -q "NOT PINNED" "$T/err" || fail "warning with --public-key"

# log, head and anchor deleted: the next seal refuses, verify stays failed
d="$T/wiped"
mkdir -p "$d"
cp "$S/vigil.db" "$S/evidence.pub" "$S/evidence.key" "$d/"
sqlite3 "$d/vigil.db" "DELETE FROM evidence_log; DELETE FROM evidence_head; DELETE FROM evidence_pending"
"$VIGIL_BIN" incident --state-dir "$d" new --title innocent >/dev/null 2>"$T/err" || true
grep -q "not upgraded" "$T/err" || fail "sealed a wiped log without its anchor: $(cat "$T/err")"
[ ! -e "$d/evidence.head" ] || fail "an anchor was made for a wiped log"
rc=0
"$VIGIL_BIN" evidence verify --state-dir "$d" --public-key "$(cat "$S/evidence.pub")" >"$T/out" 2>&1 || rc=$?
[ "$rc" = 1 ] || fail "a wiped log verified after a seal: $(cat "$T/out")"

# the key lost: no new key, evidence.pub kept, the error names the fix
d="$T/nokey"
mkdir -p "$d"
cp "$S/vigil.db" "$S/evidence.pub" "$S/evidence.head" "$d/"
rc=0
"$VIGIL_BIN" incident --state-dir "$d" note 1 "after the key was lost" >/dev/null 2>"$T/err" || rc=$?
grep -q "restore evidence.key" "$T/err" || fail "key loss: $(cat "$T/err")"
[ ! -e "$d/evidence.key" ] || fail "a new key was made beside an existing log"
cmp -s "$d/evidence.pub" "$S/evidence.pub" || fail "evidence.pub was overwritten"
# evidence.pub replaced: verify names the key the head says signed it
printf '%064d\n' 0 >"$d/evidence.pub"
"$VIGIL_BIN" evidence verify --state-dir "$d" >"$T/out" 2>&1 && fail "verified with another key"
grep -q "head names the key $(cat "$S/evidence.pub")" "$T/out" || fail "key not named: $(cat "$T/out")"
# the daemon's name is not taken by a person; echoes are masked
rc=0
V note 1 "as the daemon" --by vigil >/dev/null 2>&1 || rc=$?
[ "$rc" = 64 ] || fail "--by vigil accepted (exit $rc)"
# --by names a person; the account that ran the command is logged too
V note 1 "by ann" --by ann >/dev/null
sqlite3 "$S/vigil.db" "SELECT actor, data FROM evidence_log ORDER BY seq DESC LIMIT 1" >"$T/out"
grep -q "^ann|.*\"account\":\"$(id -un)\"" "$T/out" || fail "account not logged: $(cat "$T/out")"
V assign 1 $'\e[8mhidden' >"$T/out"
! grep -q $'\e' "$T/out" || fail "escape echoed raw: $(cat -v "$T/out")"
grep -q "owner ?\[8mhidden" "$T/out" || fail "assign echo: $(cat -v "$T/out")"
# awareness: a date or time that does not exist, or one without a zone,
# is refused with the reason, not moved silently
for bad in 2026-02-30T10:00:00Z 2026-12-06T10:00:60Z 2026-10-25T01:30:00 2025-02-29T09:00:00Z; do
    rc=0
    V new --title clk --aware "$bad" >/dev/null 2>"$T/err" || rc=$?
    [ "$rc" = 64 ] || fail "--aware $bad accepted (exit $rc)"
    grep -q "exist\|no zone" "$T/err" || fail "--aware $bad: $(head -2 "$T/err")"
done
rc=0
V new --title clk --aware 2099-01-01T00:00:00Z >/dev/null 2>"$T/err" || rc=$?
[ "$rc" = 64 ] && grep -q "in the future" "$T/err" || fail "future: $(head -2 "$T/err")"
V new --title clk --aware 2024-02-29T09:00:00+01:00 >/dev/null || fail "a leap day refused"
echo "ok"
