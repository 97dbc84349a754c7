#!/usr/bin/env bash
# test_web_browser.sh -- the dashboard in chromium (web_browser.js with
# playwright-core, installed here with npm into the build folder) against
# a real daemon: sign in, see an alert raised by an appended log line,
# open it, triage it, open an incident from it, block its address (for
# real in a network namespace when root, else as a dry run), undo it, see
# the timeline with the user's name. Screenshots stay in
# $VIGIL_BUILD_DIR/web-screenshots.
# Skips (77) when npm, node or chromium is missing or npm cannot install.
set -euo pipefail
. "$(dirname "$0")/daemon_lib.sh" webui
BUILD=${VIGIL_BUILD_DIR:-$T}
for tool in node npm /usr/bin/chromium; do
    command -v "$tool" >/dev/null ||
        { echo "SKIP: $tool is not installed (the browser test needs node, npm and chromium)"; exit 77; }
done
NODE_DIR="$BUILD/web-test"
if [ ! -d "$NODE_DIR/node_modules/playwright-core" ]; then
    mkdir -p "$NODE_DIR"
    [ -f "$NODE_DIR/package.json" ] || echo '{"private":true}' >"$NODE_DIR/package.json"
    npm install --prefix "$NODE_DIR" --no-audit --no-fund --silent playwright-core@1 >"$T/npm.log" 2>&1 ||
        { tail -5 "$T/npm.log"; echo "SKIP: npm could not install playwright-core"; exit 77; }
fi
SHOTS="$BUILD/web-screenshots"
rm -rf "$SHOTS"
S="$T/state"
printf 'analyst password 2\n' | "$VIGIL_BIN" user add ana --role analyst --password-stdin --state-dir "$S" >/dev/null
: >"$T/auth.log"
# Containment for real, but only inside a network namespace of its own
# (daemon, privileged helper, nftables and the browser all run in it), so
# the host's firewall is never touched; without root, response.dry_run
# (the block is checked and recorded, and there is nothing to undo);
# WEB_TEST_DRY=1 asks for the dry run as root too.
NS=""
MODE=dry
RUN=()
if [ -z "${WEB_TEST_DRY:-}" ] && [ "$(id -u)" = 0 ] && command -v ip >/dev/null && command -v nft >/dev/null &&
    ip netns add "vgw$$" 2>/dev/null; then
    NS="vgw$$"
    MODE=real
    RUN=(ip netns exec "$NS")
    "${RUN[@]}" ip link set lo up
    trap 'ip netns del "$NS" 2>/dev/null || true; daemon_cleanup' EXIT
fi
for try in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    if [ "$MODE" = real ]; then
        RESP="response:
  management: [127.0.0.1/32]
  policies: [{when: {rule: no-such-rule-web-test}, do: [block_source]}]"
    else
        RESP="response: {dry_run: true}"
    fi
    cat >"$T/vigil.yml" <<YML
state_dir: $S
web: {listen: 127.0.0.1:$PORT}
sources:
  - {name: auth, type: file, paths: [$T/auth.log]}
$RESP
YML
    chmod 600 "$T/vigil.yml"
    "${RUN[@]}" "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on http://127.0.0.1:$PORT/" "$T/daemon.log" && break 2
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
    [ "$try" = 5 ] && fail "daemon did not listen"
done
NODE_PATH="$NODE_DIR/node_modules" timeout 300 "${RUN[@]}" node "$(dirname "$0")/web_browser.js" \
    "http://127.0.0.1:$PORT" "$T/auth.log" "$SHOTS" "$T/profile" "$MODE" || fail "browser test"
# The block and its undo went through the helper into the namespace's
# firewall and out again, recorded with ana's name.
db() { python3 -c 'import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchall())' "$S/vigil.db" "$1"; }
acts=$(db "SELECT action, target, state, actor FROM respond_actions ORDER BY created_ns")
if [ "$MODE" = real ]; then
    [ "$acts" = "[('block', '198.51.100.77', 'undone', 'user ana'), ('unblock', '198.51.100.77', 'done', 'user ana')]" ] ||
        fail "response actions: $acts"
    "${RUN[@]}" nft list set inet vigil blocked4 2>/dev/null | grep -q 198.51.100.77 &&
        fail "198.51.100.77 still in the namespace's firewall after undo"
else
    [ "$acts" = "[('block', '198.51.100.77', 'dry-run', 'user ana')]" ] || fail "response actions: $acts"
fi
# Every change is in the incident's timeline and the evidence log as ana.
tl=$(db "SELECT what, COUNT(*) FROM incident_timeline WHERE actor = 'ana' GROUP BY what ORDER BY what")
# notes: the triage (acknowledged, closed) in the incident vigil opened,
# then in ours the note, the block and (real) its undo
want="[('alert', 1), ('note', 5), ('opened', 1), ('task', 1)]"
[ "$MODE" = real ] || want="[('alert', 1), ('note', 4), ('opened', 1), ('task', 1)]"
[ "$tl" = "$want" ] || fail "ana's timeline entries: $tl"
ev=$(db "SELECT COUNT(*) FROM (SELECT actor FROM evidence_log UNION ALL SELECT actor FROM evidence_pending) WHERE actor IN ('ana', 'user ana')")
[ "$ev" != "[(0,)]" ] || fail "nothing in the evidence log by ana"
# What the browser did is in the store: closed, by ana.
state=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT state, updated_by FROM web_triage").fetchall())' "$S/vigil.db")
[ "$state" = "[('closed', 'ana')]" ] || fail "triage in the store: $state"
ls "$SHOTS"/*.png >/dev/null || fail "no screenshots"
echo "PASS (screenshots: $SHOTS)"
