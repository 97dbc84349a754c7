#!/usr/bin/env bash
# test_fim_onefs.sh -- `vigil fim baseline --one-file-system`: a tmpfs
# mounted inside the tree is not entered with the flag (its files are not
# recorded, and `fim check` neither reports them changed nor descends
# there) and is without it (its files recorded, a change to one
# reported). Needs root to mount; skipped otherwise.
set -euo pipefail

: "${VIGIL_BIN:?}"
if [ "$(id -u)" != 0 ]; then
    echo "SKIP: --one-file-system needs root to mount a tmpfs inside the tree"
    exit 77
fi
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
T=$(mktemp -d /tmp/vigil-fimonefs-XXXXXX)
cleanup() {
    umount "$T/tree/mnt" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    [ -f "$T/out" ] && head -20 "$T/out"
    exit 1
}
mkdir -p "$T/tree/mnt" "$T/tree/docs"
echo a >"$T/tree/docs/a.txt"
mount -t tmpfs -o size=4m vigilonefs "$T/tree/mnt" ||
    { echo "SKIP: cannot mount a tmpfs here"; exit 77; }
mkdir "$T/tree/mnt/sub"
echo inside >"$T/tree/mnt/sub/inside.txt"
echo top >"$T/tree/mnt/top.txt"

recorded() { # state-dir name: rows whose path holds name
    sqlite3 "file:$1/vigil.db?mode=ro" \
        "SELECT count(*) FROM fim_files WHERE instr(key, CAST('$2' AS BLOB)) > 0"
}

# with the flag: the mount point is recorded, nothing below it
"$VIGIL_BIN" fim baseline -q --one-file-system --state-dir "$T/one" "$T/tree" ||
    fail "baseline --one-file-system"
[ "$(recorded "$T/one" a.txt)" = 1 ] || fail "a.txt, on the tree's file system, not recorded"
[ "$(recorded "$T/one" mnt)" = 1 ] || fail "the mount point itself not recorded"
[ "$(recorded "$T/one" inside.txt)" = 0 ] || fail "--one-file-system recorded a file of the tmpfs"
[ "$(recorded "$T/one" top.txt)" = 0 ] || fail "--one-file-system recorded a file of the tmpfs"

# without it: everything
"$VIGIL_BIN" fim baseline -q --state-dir "$T/all" "$T/tree" || fail "baseline"
[ "$(recorded "$T/all" inside.txt)" = 1 ] || fail "without the flag a file of the tmpfs is missing"
[ "$(recorded "$T/all" top.txt)" = 1 ] || fail "without the flag a file of the tmpfs is missing"

# a change on the tmpfs: reported without the flag, not with it (check
# keeps the baseline's choice)
echo changed >>"$T/tree/mnt/sub/inside.txt"
echo new >"$T/tree/mnt/new.txt"
rc=0
"$VIGIL_BIN" fim check --state-dir "$T/one" >"$T/out" || rc=$?
[ "$rc" = 0 ] || fail "--one-file-system check reported the other file system (exit $rc)"
rc=0
"$VIGIL_BIN" fim check --state-dir "$T/all" >"$T/out" || rc=$?
[ "$rc" = 1 ] || fail "check without the flag missed the change (exit $rc)"
grep -q "inside.txt" "$T/out" || fail "the changed file is not reported"
grep -q "new.txt" "$T/out" || fail "the added file is not reported"
echo "PASS: --one-file-system stays on the tree's file system"
