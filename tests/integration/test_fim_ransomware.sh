#!/usr/bin/env bash
# test_fim_ransomware.sh -- the real thing against the running daemon: two
# test ransomware programs (fim/ransom_rename.sh: openssl enc at full
# speed, FILE.lockbit, original deleted, notes dropped; fim/ransom_inplace.sh:
# the first 4 KiB of each file encrypted in place with dd conv=notrunc)
# run in a temporary tree of 200 files while `vigil run` watches it with
# `ransomware.action: stop`, through fanotify (the daemon started as root)
# and through inotify (`fim.monitor: inotify`). Each run must raise the
# critical alert and get the program killed, and the files it damaged
# (sha256 differs or gone) must be fewer than 20; the counts are printed
# ("damaged: MONITOR SCRIPT N"), and RUNS=N repeats each case (bench/fim
# takes the median of 10). Canaries are off here so that the behaviour
# alone is measured; a last run checks that touching a canary alone
# stops the writer, and that a Sigma rule for Linux file_event sees the
# monitor's events.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" fimransom
HERE=$(cd "$(dirname "$0")" && pwd)
RUNS=${RUNS:-1}
LIMIT=20
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
command -v setsid >/dev/null || { echo "SKIP: no setsid"; exit 77; }

fail() {
    echo "FAIL: $*"
    tail -30 "$T/daemon.log" || true
    exit 1
}

mkdir -p "$T/rules"
cat >"$T/rules/lockbit.yml" <<'YML'
title: A file renamed to LockBit's extension
id: 5a0f3c1e-7d0b-4c55-9b1e-2f4f0e0c8a11
status: test
logsource:
    product: linux
    category: file_event
detection:
    selection:
        TargetFilename|endswith: '.lockbit'
    condition: selection
level: high
YML

make_tree() {
    rm -rf "$T/tree"
    mkdir -p "$T/tree/finance" "$T/tree/hr" "$T/tree/minutes/2026" "$T/tree/cases"
    local dirs=(finance hr minutes/2026 cases) i
    for i in $(seq 1 200); do
        head -c $((6000 + (i * 397) % 40000)) /dev/urandom | base64 \
            >"$T/tree/${dirs[$((i % 4))]}/record-$i.txt"
    done
    (cd "$T/tree" && find . -type f ! -name '*vigil-canary*' -exec sha256sum {} + \
        >"$T/before.sha")
}

start_daemon() { # monitor canaries
    cat >"$T/vigil.yml" <<YML
state_dir: $T/state
rules: [$T/rules]
fim:
  monitor: $1
  watch:
    - path: $T/tree
  ransomware:
    action: stop
    canaries: $2
YML
    chmod 600 "$T/vigil.yml"
    : >"$T/daemon.log"
    rm -rf "$T/state"
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
    for _ in $(seq 1 100); do
        grep -q "\[2001\]" "$T/daemon.log" && break
        kill -0 "$PID" 2>/dev/null || fail "the daemon did not start"
        sleep 0.1
    done
    grep -q "\[2001\] fim: watching 1 trees with $1" "$T/daemon.log" ||
        fail "not watching with $1"
}

stop_daemon() {
    kill -TERM "$PID"
    wait "$PID" || true
    PID=""
}

alerts_of() { # kind
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep -c "\"rule_id\":\"$1\"" || true
}

damaged() {
    (cd "$T/tree" && sha256sum -c "$T/before.sha" 2>/dev/null | grep -vc ': OK$') || true
}

# one_run MONITOR SCRIPT: prints the files damaged.
one_run() {
    make_tree
    start_daemon "$1" false
    local rc=0
    setsid bash "$HERE/fim/$2" "$T/tree" >/dev/null 2>&1 &
    local rp=$!
    # a program that is never stopped runs through 200 files in a few
    # seconds; 60 s means it hung, which is a failure too
    wait "$rp" || rc=$?
    [ "$rc" = 137 ] || fail "$1 $2: the program was not killed (exit $rc)"
    kill -0 "$rp" 2>/dev/null && fail "$1 $2: still running"
    sleep 0.3
    stop_daemon
    [ "$(alerts_of fim.ransomware)" -ge 1 ] || fail "$1 $2: no ransomware alert"
    "$VIGIL_BIN" alerts --state-dir "$T/state" --json --limit 0 |
        grep '"rule_id":"fim.ransomware"' | grep -q '"level":"critical"' ||
        fail "$1 $2: the alert is not critical"
    local n
    n=$(damaged)
    echo "damaged: $1 $2 $n"
    [ "$n" -lt "$LIMIT" ] || fail "$1 $2: $n files damaged (limit $LIMIT)"
    [ "$n" -ge 1 ] || fail "$1 $2: nothing damaged: did the program run?"
}

monitors=(inotify)
if [ "$(id -u)" = 0 ]; then
    monitors=(fanotify inotify)
else
    echo "not root: the fanotify path is not tested"
fi
for mon in "${monitors[@]}"; do
    for script in ransom_rename.sh ransom_inplace.sh; do
        for _ in $(seq 1 "$RUNS"); do
            one_run "$mon" "$script"
        done
    done
done

# the rename program's .lockbit files reached Sigma as Linux file_event
make_tree
start_daemon "${monitors[0]}" true
[ -f "$T/tree/0000-vigil-canary.docx" ] || fail "no canary placed"
setsid bash -c "echo changed >>'$T/tree/0000-vigil-canary.docx'; sleep 30" &
cp_pid=$!
rc=0
wait "$cp_pid" || rc=$?
[ "$rc" = 137 ] || fail "touching a canary did not get the writer killed ($rc)"
touch "$T/tree/finance/report.pdf.lockbit"
echo x >"$T/tree/finance/report.pdf.lockbit"
sleep 1.2
stop_daemon
[ "$(alerts_of fim.canary)" -ge 1 ] || fail "no canary alert"
[ "$(alerts_of 5a0f3c1e-7d0b-4c55-9b1e-2f4f0e0c8a11)" -ge 1 ] ||
    fail "the Sigma file_event rule did not fire on the monitor's events"
echo "PASS: ransomware stopped on every run; canary and Sigma file_event alerts"
