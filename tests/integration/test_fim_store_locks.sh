#!/usr/bin/env bash
# test_fim_store_locks.sh -- the daemon's own store under a fanotify
# mount mark. Each fanotify event hands over a descriptor of its file,
# and closing any descriptor of a file drops the process's POSIX locks
# on it; the store's SQLite files share the watched mount (state folder
# and tree both under /tmp), so if fanotify reported them, a reader
# running beside the daemon (`vigil alerts`) would rebuild the WAL index
# under the store's writer, which died of SIGBUS (FIND12b). The daemon
# must live through writes in the tree, canary alerts and readers at
# once, and its store must stay whole. Root only (fanotify). The crash
# needed the WAL index to grow while a reader started: a harness like this
# one hit it in 1 of 3 runs before the fix, this test in none of 7, so it
# guards the whole path more than it reproduces the race.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" fimlocks
[ "$(id -u)" = 0 ] || { echo "SKIP: fanotify needs root"; exit 77; }

mkdir -p "$T/tree/a"
for i in $(seq 1 40); do
    head -c 6000 /dev/urandom | base64 >"$T/tree/a/r-$i.txt"
done
cat >"$T/vigil.yml" <<YML
state_dir: $T/state
fim:
  monitor: fanotify
  watch:
    - path: $T/tree
  ransomware:
    action: stop
    canaries: true
YML
chmod 600 "$T/vigil.yml"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>"$T/daemon.log" &
PID=$!
for _ in $(seq 1 100); do
    grep -q "\[2001\]" "$T/daemon.log" && break
    kill -0 "$PID" 2>/dev/null || fail "the daemon did not start"
    sleep 0.1
done
grep -q "\[2001\] fim: watching 1 trees with fanotify" "$T/daemon.log" ||
    fail "not watching with fanotify"
for k in $(seq 1 60); do
    # a canary touched: an alert, so the store's writer writes
    c=$(cd "$T/tree" && find . -maxdepth 1 -type f -newer "$T/vigil.yml" | head -n 1)
    [ -n "$c" ] && echo x >>"$T/tree/$c"
    for j in $(seq 1 20); do echo "line $k" >>"$T/tree/a/r-$j.txt"; done
    for _ in 1 2 3; do
        "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 >/dev/null 2>&1 || true
    done
    kill -0 "$PID" 2>/dev/null || { wait "$PID" || rc=$?; fail "the daemon died (exit ${rc:-?}) at round $k"; }
done
kill -TERM "$PID"
rc=0
wait "$PID" || rc=$?
PID=""
[ "$rc" = 0 ] || fail "the daemon exited $rc"
n=$("$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 | grep -c '"rule_id":"fim.canary"' || true)
[ "$n" -ge 1 ] || fail "no canary alert stored"
if command -v sqlite3 >/dev/null; then
    [ "$(sqlite3 "$T/state/vigil.db" 'PRAGMA integrity_check')" = ok ] ||
        fail "the store is damaged"
fi
echo "PASS: the daemon lived through 180 readers beside its writer under fanotify; $n canary alerts stored"
