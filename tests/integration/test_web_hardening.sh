#!/usr/bin/env bash
# test_web_hardening.sh -- the dashboard's defences (docs/web.md,
# "Security"): `vigil user` refuses, never cuts, a password over 1024
# characters and names equal but for case; a daemon listening on
# localhost:PORT is probed by web_hardening_check.py (login limiter,
# log gate, Host check, HEAD, %00, token logout, per-address connection
# limit); SIGHUP with an unchanged web: section logs no error; TLS
# refuses TLS 1.1 and non-AEAD ciphers and warns about a readable key.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" webhard
command -v python3 >/dev/null || { echo "SKIP: python3 missing"; exit 77; }
V="$VIGIL_BIN"
S="$T/state"

# ---- vigil user: passwords up to 1024 characters, names without case ----
printf 'admin password 1\n' | "$V" user add adm --role admin --password-stdin --state-dir "$S" >/dev/null
printf 'analyst password 2\n' | "$V" user add ana --role analyst --password-stdin --state-dir "$S" >/dev/null
printf 'viewer password 3\n' | "$V" user add vic --password-stdin --state-dir "$S" >/dev/null
LONGPW=$(head -c 1024 /dev/zero | tr '\0' 'L')
printf '%s\n' "$LONGPW" | "$V" user add longpw --password-stdin --state-dir "$S" >/dev/null ||
    fail "a 1024-character password was refused"
rc=0; printf '%sL\n' "$LONGPW" | "$V" user add toolong --password-stdin --state-dir "$S" 2>"$T/err" || rc=$?
[ "$rc" = 65 ] || fail "a 1025-character password: exit $rc, expected 65"
grep -q "at most 1024" "$T/err" || fail "no reason for a long password: $(cat "$T/err")"
"$V" user list --state-dir "$S" | grep -q '^toolong' && fail "a too long password added the user"
rc=0; printf '%sLL\n' "$LONGPW" | "$V" user passwd vic --password-stdin --state-dir "$S" 2>/dev/null || rc=$?
[ "$rc" = 65 ] || fail "passwd with a 1026-character password: exit $rc, expected 65"
for bad in ADM Adm adm. ; do
    rc=0; printf 'another password 9\n' | "$V" user add "$bad" --password-stdin --state-dir "$S" 2>/dev/null || rc=$?
    [ "$rc" = 65 ] || fail "user name '$bad' beside adm: exit $rc, expected 65"
done
TOKEN=$("$V" user token vic --label ci --state-dir "$S")

# ---- the daemon on localhost:PORT ----
: >"$T/auth.log"
for try in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    cat >"$T/vigil.yml" <<YML
state_dir: $S
web: {listen: localhost:$PORT, login_attempts: 3, hostnames: [dash.example.org]}
sources:
  - {name: auth, type: file, paths: [$T/auth.log]}
YML
    daemon_listening "http://localhost:$PORT/" && break
    [ "$try" = 5 ] && fail "daemon did not listen on localhost:PORT"
done
python3 "$(dirname "$0")/web_hardening_check.py" "$PORT" "$S" "$TOKEN" "$T/daemon.log" "$LONGPW" ||
    fail "hardening checks"

# ---- SIGHUP: an unchanged web: section is no error, a changed one says restart ----
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q '\[1163\] dashboard unchanged' "$T/daemon.log" && break; sleep 0.1; done
grep -q '\[1163\] dashboard unchanged' "$T/daemon.log" || fail "no 1163 for an unchanged web: section"
grep -q '\[1162\] dashboard' "$T/daemon.log" && fail "an unchanged web: section logged 1162"
sed -i 's/login_attempts: 3/login_attempts: 4/' "$T/vigil.yml"
kill -HUP "$PID"
for _ in $(seq 1 50); do grep -q '\[1162\] dashboard' "$T/daemon.log" && break; sleep 0.1; done
grep -q '\[1162\] dashboard.*restart' "$T/daemon.log" || fail "a changed web: section did not ask for a restart"
kill -TERM "$PID"; wait "$PID" || true; PID=""

# ---- TLS: 1.2 and 1.3 only, AEAD with forward secrecy; a readable key warned ----
if command -v openssl >/dev/null; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" \
        -days 1 -subj /CN=localhost 2>/dev/null
    chmod 644 "$T/key.pem"
    for try in 1 2 3 4 5; do
        PORT=$((20000 + RANDOM % 20000))
        cat >"$T/vigil.yml" <<YML
state_dir: $S
web: {listen: 127.0.0.1:$PORT, cert: $T/cert.pem, key: $T/key.pem}
sources:
  - {name: auth, type: file, paths: [$T/auth.log]}
YML
        daemon_listening "https://127.0.0.1:$PORT/" && break
        [ "$try" = 5 ] && fail "daemon did not listen over TLS"
    done
    grep -q '\[2421\] web: the TLS key .* readable by group or others' "$T/daemon.log" ||
        fail "no warning for a key readable by others"
    tls() { timeout 10 openssl s_client -connect "127.0.0.1:$PORT" "$@" </dev/null 2>&1 || true; }
    out=$(tls -tls1_2)
    grep -Eq 'Cipher is ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)' <<<"$out" ||
        fail "TLS 1.2 with an ECDHE AEAD cipher refused: $(echo "$out" | grep -i cipher)"
    out=$(tls -tls1_3)
    grep -q 'TLSv1.3' <<<"$out" || fail "TLS 1.3 refused"
    for old in -tls1_1 -tls1; do
        out=$(tls "$old" -cipher 'ALL:@SECLEVEL=0')
        grep -Eq 'Cipher is (0000|\(NONE\))|no protocols available|alert|handshake failure|wrong version' <<<"$out" ||
            fail "$old was accepted: $(echo "$out" | grep -iE 'protocol|cipher')"
    done
    out=$(tls -tls1_2 -cipher 'AES128-SHA:AES256-SHA:AES128-SHA256:ECDHE-RSA-AES128-SHA')
    grep -Eq 'Cipher is (0000|\(NONE\))|alert|handshake failure' <<<"$out" ||
        fail "a CBC or static-RSA cipher was accepted: $(echo "$out" | grep -i cipher)"
else
    echo "SKIP (part): openssl missing, TLS not checked"
fi
echo "PASS"
