#!/usr/bin/env bash
# test_respond_netns.sh -- `vigil respond` against a real firewall, in
# network namespaces (respond_lib.sh): a blocked address really cannot
# connect, and can again after undo and after its --for runs out (the
# kernel's element timeout); a dry run changes nothing; a management,
# allow-listed, loopback or own address, pid 1 and root are refused and
# really left alone; an isolated host reaches and is reached by only its
# management network, both ways, until unisolate; stop kills a process;
# lock and unlock change the account; every action is in `list --json`
# with who and why.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" respond-netns
. "$(dirname "$0")/respond_lib.sh"

cat >"$T/vigil.yml" <<YML
state_dir: $T/state
response:
  management: [10.88.0.3/32]
  allow: [10.88.0.4]
YML
chmod 600 "$T/vigil.yml"
R() { inh "$VIGIL_BIN" respond "$@" -c "$T/vigil.yml" 2>>"$T/respond.log"; }
id_of() { grep -o 'action [0-9a-f]\{32\}' | tail -1 | cut -d' ' -f2; }
state_of() { # ID -> its state in list --json
    R list --json | grep "\"id\":\"$1\"" | grep -o '"state":"[a-z-]*"' | cut -d'"' -f4
}

# ---- block, undo ----
out=$(R block 10.88.0.2 --for 1h --reason "test block")
id=$(echo "$out" | id_of)
[ -n "$id" ] || fail "no action id in: $out"
in_set 10.88.0.2 || fail "10.88.0.2 not in inet vigil blocked4"
reach_host 10.88.0.2 && fail "blocked 10.88.0.2 still connects"
reach_host 10.88.0.3 || fail "the management address no longer connects"
[ "$(state_of "$id")" = active ] || fail "block not active: $(state_of "$id")"
R list --json | grep "\"id\":\"$id\"" | grep -q '"reason":"test block","actor":"user root' ||
    fail "who and why not recorded: $(R list --json | grep "$id")"
R undo "$id" >/dev/null || fail "undo failed: $(tail -3 "$T/respond.log")"
in_set 10.88.0.2 && fail "10.88.0.2 still in the set after undo"
reach_host 10.88.0.2 || fail "10.88.0.2 cannot connect after undo"
[ "$(state_of "$id")" = undone ] || fail "state after undo: $(state_of "$id")"
rc=0
R undo "$id" >/dev/null || rc=$?
[ "$rc" = 65 ] || fail "undoing twice: exit $rc, want 65"

# ---- expiry by the kernel ----
R block 10.88.0.2 --for 2s >/dev/null
reach_host 10.88.0.2 && fail "blocked for 2s but connects"
sleep 3
reach_host 10.88.0.2 || fail "still blocked after its 2 s"
id=$(R list --json --limit 1 | grep -o '"id":"[0-9a-f]*"' | cut -d'"' -f4)
[ "$(state_of "$id")" = expired ] || fail "state after expiry: $(state_of "$id")"

# ---- dry run ----
out=$(R block 10.88.0.2 --dry-run)
reach_host 10.88.0.2 || fail "a dry run blocked"
[ "$(state_of "$(echo "$out" | id_of)")" = dry-run ] || fail "dry run not recorded"

# ---- refused, and really left alone ----
refuse() { # what... ; expects exit 2 and a 'refused' record
    local rc=0
    R "$@" >/dev/null || rc=$?
    [ "$rc" = 2 ] || fail "'respond $*': exit $rc, want 2 (refused)"
    R list --json --limit 1 | grep -q '"state":"refused"' || fail "'respond $*' not recorded as refused"
}
refuse block 10.88.0.3
refuse block 10.88.0.4
refuse block 10.88.0.1 # the host's own
refuse block 127.0.0.1
in_set 10.88.0.3 && fail "management address in the set"
in_set 10.88.0.4 && fail "allow-listed address in the set"
reach_host 10.88.0.3 || fail "management address cut off"
reach_host 10.88.0.4 || fail "allow-listed address cut off"
refuse stop 1
refuse lock root
grep -q "is in the management network 10.88.0.3/32" "$T/respond.log" || fail "no reason given"
rc=0
R block "1.2.3.4 }; flush ruleset; {" >/dev/null || rc=$?
[ "$rc" = 64 ] || fail "a crafted address: exit $rc, want 64"

# ---- isolate ----
out=$(R isolate --reason "incident 7")
iso=$(echo "$out" | id_of)
reach_host 10.88.0.2 && fail "isolated, but 10.88.0.2 connects in"
reach_host 10.88.0.3 || fail "isolated, and the management address cannot connect in"
reach "$NSH" 10.88.0.1 10.88.0.2 8081 && fail "isolated, but the host connects out to 10.88.0.2"
reach "$NSH" 10.88.0.1 10.88.0.3 8081 || fail "isolated, and the host cannot reach management"
inh "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); s.listen(1)
socket.create_connection(s.getsockname(), timeout=1).close()' || fail "isolated loopback"
R unisolate >/dev/null
reach_host 10.88.0.2 || fail "10.88.0.2 cannot connect after unisolate"
reach "$NSH" 10.88.0.1 10.88.0.2 8081 || fail "host cannot connect out after unisolate"
[ "$(state_of "$iso")" = undone ] || fail "isolation not marked undone: $(state_of "$iso")"

# ---- stop a process ----
sleep 300 &
victim=$!
R stop "$victim" >/dev/null || fail "stop failed: $(tail -2 "$T/respond.log")"
rc=0
wait "$victim" 2>/dev/null || rc=$?
[ "$rc" = 137 ] || fail "stopped process ended with $rc, want 137 (SIGKILL)"

# ---- lock and unlock an account ----
if command -v useradd >/dev/null && command -v passwd >/dev/null; then
    user="vgt$$"
    useradd --no-create-home --shell /usr/sbin/nologin "$user"
    echo "$user:Correct-Horse-9" | chpasswd
    BG_CLEAN_USER="$user"
    trap 'userdel "$BG_CLEAN_USER" 2>/dev/null || true; respond_cleanup' EXIT
    [ "$(passwd -S "$user" | awk '{print $2}')" = P ] || fail "no password: $(passwd -S "$user")"
    out=$(R lock "$user" --reason compromised)
    [ "$(passwd -S "$user" | awk '{print $2}')" = L ] || fail "not locked: $(passwd -S "$user")"
    [ "$(chage -l "$user" | grep 'Account expires' | grep -c 1970)" = 1 ] || fail "account not expired"
    R undo "$(echo "$out" | id_of)" >/dev/null || fail "unlock by undo: $(tail -2 "$T/respond.log")"
    [ "$(passwd -S "$user" | awk '{print $2}')" = P ] || fail "still locked: $(passwd -S "$user")"
    chage -l "$user" | grep 'Account expires' | grep -q never || fail "account still expires"
fi

# ---- the record ----
n=$(R list --json --limit 0 | wc -l)
[ "$n" -ge 14 ] || fail "only $n actions recorded"
R list | head -1 | grep -q "^ID .*ACTION .*TARGET .*STATE" || fail "list table header"
echo "PASS: block/undo/expiry, refusals, isolate, stop, lock in namespaces ($n actions recorded)"
