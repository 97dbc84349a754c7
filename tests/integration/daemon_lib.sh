# daemon_lib.sh -- sourced by the integration tests that start `vigil run`:
# a temp folder $T (removed at exit), the daemon's $PID (killed at exit if
# still running) and fail(), which prints the tail of $T/daemon.log.
# usage: . "$(dirname "$0")/daemon_lib.sh" NAME   (NAME names the temp folder)
# A test may define fail() again after sourcing to print more.

: "${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}"

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
