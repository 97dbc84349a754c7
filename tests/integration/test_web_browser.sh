#!/usr/bin/env bash
# test_web_browser.sh -- the dashboard in chromium (web_browser.js with
# playwright-core, installed here with npm into the build folder) against
# a real daemon: sign in, see an alert raised by an appended log line,
# open it, triage it. Screenshots stay in $VIGIL_BUILD_DIR/web-screenshots.
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
for try in 1 2 3 4 5; do
    PORT=$((20000 + RANDOM % 20000))
    cat >"$T/vigil.yml" <<YML
state_dir: $S
web: {listen: 127.0.0.1:$PORT}
sources:
  - {name: auth, type: file, paths: [$T/auth.log]}
YML
    daemon_listening "http://127.0.0.1:$PORT/" && break
    [ "$try" = 5 ] && fail "daemon did not listen"
done
NODE_PATH="$NODE_DIR/node_modules" timeout 300 node "$(dirname "$0")/web_browser.js" \
    "http://127.0.0.1:$PORT" "$T/auth.log" "$SHOTS" "$T/profile" || fail "browser test"
# What the browser did is in the store: closed, by ana.
state=$(python3 -c '
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute("SELECT state, updated_by FROM web_triage").fetchall())' "$S/vigil.db")
[ "$state" = "[('closed', 'ana')]" ] || fail "triage in the store: $state"
ls "$SHOTS"/*.png >/dev/null || fail "no screenshots"
echo "PASS (screenshots: $SHOTS)"
