#!/usr/bin/env bash
# test_privsep.sh -- the daemon never runs as root for nothing (issue 9):
# started as root it becomes `vigil` with CAP_DAC_READ_SEARCH and
# CAP_NET_BIND_SERVICE only, no_new_privs and a seccomp filter, and still
# reads a root-only log and binds port 514; and what it trusts is checked
# like sshd's StrictModes: a world-writable configuration or state
# directory, a symlinked vigil.db and a rules folder holding another
# user's file are refused (exit 78), a rules folder planted at reload is
# refused while the rest reloads.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" privsep

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: needs root to test dropping root"
    exit 77
fi
if ! id vigil >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin vigil
fi
NOBODY=$(id -u nobody)

stamp() { date -u '+%b %e %H:%M:%S'; }
write_config() { # $1: extra YAML
    cat >"$T/vigil.yml" <<YML
state_dir: $T/state
stats_interval: 0
sources:
  - {name: auth, type: file, paths: [$T/auth.log], format: syslog}
  - {name: net, type: syslog, listen: "127.0.0.1:514", protocol: udp}
$1
YML
    chmod 600 "$T/vigil.yml"
}

# ---- the drop ----
echo "$(stamp) web1 sshd[1]: Failed password for root from 203.0.113.9 port 1 ssh2" >"$T/auth.log"
chmod 600 "$T/auth.log" # root's only: read through CAP_DAC_READ_SEARCH
write_config ""
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>"$T/daemon.log" &
PID=$!
for _ in $(seq 1 100); do
    grep -q "listening on 127.0.0.1:514" "$T/daemon.log" 2>/dev/null && break
    sleep 0.1
done
grep -q "listening on 127.0.0.1:514" "$T/daemon.log" || fail "port 514 not bound"
st=/proc/$PID/status
[ "$(awk '/^Uid:/ {print $2 $3 $4 $5}' "$st")" = "$(id -u vigil)$(id -u vigil)$(id -u vigil)$(id -u vigil)" ] ||
    fail "not running as vigil: $(grep ^Uid: "$st")"
[ "$(awk '/^CapEff:/ {print $2}' "$st")" = 0000000000000404 ] ||
    fail "effective capabilities $(grep ^CapEff: "$st"), want DAC_READ_SEARCH+NET_BIND_SERVICE"
[ "$(awk '/^CapPrm:/ {print $2}' "$st")" = 0000000000000404 ] || fail "permitted capabilities"
[ "$(awk '/^CapBnd:/ {print $2}' "$st")" = 0000000000000404 ] || fail "bounding set"
[ "$(awk '/^NoNewPrivs:/ {print $2}' "$st")" = 1 ] || fail "no_new_privs not set"
[ "$(awk '/^Seccomp:/ {print $2}' "$st")" = 2 ] || fail "no seccomp filter"
# it read the root-only log
for _ in $(seq 1 50); do
    n=$("$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o '"decoded":[0-9]*' | head -1 | cut -d: -f2 || true)
    [ "${n:-0}" -ge 1 ] && break
    sleep 0.1
done
[ "${n:-0}" -ge 1 ] || fail "the root-only log was not read"
kill -TERM "$PID"
wait "$PID" || fail "daemon exit $?"
PID=""
[ "$(stat -c %U "$T/state/vigil.db")" = vigil ] || fail "vigil.db not vigil's"

# ---- what is not trusted is refused ----
refused() { # $1: what, $2: expected message part
    local rc=0
    "$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/refused.log" || rc=$?
    [ "$rc" = 78 ] || fail "$1: exit $rc, want 78: $(cat "$T/refused.log")"
    grep -q "$2" "$T/refused.log" || fail "$1: message: $(cat "$T/refused.log")"
}
write_config ""
chmod 666 "$T/vigil.yml"
refused "world-writable configuration" "can be written by anyone"
write_config ""
chmod 777 "$T/state"
refused "world-writable state directory" "can be written by anyone"
chmod 700 "$T/state"
mv "$T/state/vigil.db" "$T/real.db"
ln -s "$T/real.db" "$T/state/vigil.db"
refused "symlinked vigil.db" "symbolic link"
rm "$T/state/vigil.db"
mv "$T/real.db" "$T/state/vigil.db"
mkdir -p "$T/rules"
cat >"$T/rules/quiet.yml" <<'YML'
title: Planted filter
logsource: {product: linux, service: sshd}
filter:
  rules: []
  selection: {message|contains: Failed}
  condition: selection
YML
chown "$NOBODY" "$T/rules/quiet.yml"
write_config "rules: [$T/rules]"
refused "a rules folder with another user's file" "another user owns or can write"
chown root "$T/rules/quiet.yml"
chmod 666 "$T/rules/quiet.yml"
refused "a world-writable rule file" "can be written by anyone"
chmod 644 "$T/rules/quiet.yml"
# strict_modes: false is the documented way out, and is honoured
write_config "rules: [$T/rules]
strict_modes: false"
chown "$NOBODY" "$T/rules/quiet.yml"
"$VIGIL_BIN" run --once -c "$T/vigil.yml" 2>"$T/lax.log" || fail "strict_modes false: $(tail -3 "$T/lax.log")"

# ---- planted at reload: the rules stay, the rest reloads ----
write_config ""
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>"$T/daemon.log" &
PID=$!
for _ in $(seq 1 100); do grep -q "listening" "$T/daemon.log" && break; sleep 0.1; done
write_config "rules: [$T/rules]"
kill -HUP "$PID"
for _ in $(seq 1 100); do grep -q "rules not reloaded" "$T/daemon.log" && break; sleep 0.1; done
grep -q "rules not reloaded, keeping the running ones: .*another user owns or can write" "$T/daemon.log" ||
    fail "planted rules folder accepted at reload"
kill -TERM "$PID"
wait "$PID" || fail "daemon exit after reload"
PID=""
echo "PASS: privsep"
