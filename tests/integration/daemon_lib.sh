# daemon_lib.sh -- sourced by the integration tests that start `vigil run`:
# a temp folder $T (removed at exit), the daemon's $PID (killed at exit if
# still running) and fail(), which prints the tail of $T/daemon.log.
# usage: . "$(dirname "$0")/daemon_lib.sh" NAME   (NAME names the temp folder)
# A test may define fail() again after sourcing to print more.

: "${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}"

# SANITIZED is set when VIGIL_BIN is an AddressSanitizer build: it runs the
# same code several times slower, so a count that measures how fast the
# daemon reacts (files damaged before a ransomware program is stopped) is
# printed but bounded only for an optimised build (CI's first stage).
SANITIZED=
grep -qa __asan_init "$VIGIL_BIN" 2>/dev/null && SANITIZED=1

T=$(mktemp -d "/tmp/vigil-$1-XXXXXX")
PID=""
daemon_cleanup() {
    if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
        kill -KILL "$PID" 2>/dev/null || true
        wait "$PID" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap daemon_cleanup EXIT
fail() {
    echo "FAIL: $*"
    if [ -f "$T/daemon.log" ]; then tail -20 "$T/daemon.log"; fi
    exit 1
}

# daemon_listening PATTERN: starts `vigil run -c $T/vigil.yml` (log to
# $T/daemon.log, pid in $PID) and waits until it logs "listening on
# PATTERN". Returns 1, the daemon killed, when it did not get there (a port
# taken by someone else: the caller picks other ports and tries again).
daemon_listening() {
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
    for _ in $(seq 1 100); do
        grep -q "listening on $1" "$T/daemon.log" && return 0
        kill -0 "$PID" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$PID" 2>/dev/null || true
    wait "$PID" 2>/dev/null || true
    PID=""
    return 1
}

# counter SOURCE NAME: one of a source's counters from `vigil status`.
counter() {
    "$VIGIL_BIN" status --state-dir "$T/state" --json 2>/dev/null |
        grep -o "{\"name\":\"$1\"[^}]*" | grep -o "\"$2\":[0-9]*" | cut -d: -f2
}
