#!/usr/bin/env bash
# test_fim_hostile.sh -- `vigil fim baseline` / `check` against trees a
# hostile user shaped (FIND12): device nodes re-pointed and a FIFO
# replaced by a block device (type/device changes, with and without
# --full); a 1 TiB sparse file and 40 hard links to one file that must
# not stall the baseline; folders deeper than 256 levels walked, and a
# path beyond PATH_MAX reported with exit 2, never a silent 0; vigil's
# own state directory inside a baseline; bidirectional-override names
# masked in the table and non-UTF-8 names given exactly in JSON; a second
# baseline refused while one holds the lock; `check` on a fresh state
# directory creating nothing; pseudo file systems not walked or watched.
set -euo pipefail

: "${VIGIL_BIN:?}"
T=$(mktemp -d /tmp/vigil-fimhostile-XXXXXX)
MNT=""
cleanup() {
    [ -n "$MNT" ] && umount "$MNT" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    [ -f "$T/out" ] && head -c 3000 "$T/out"
    [ -f "$T/err" ] && head -c 3000 "$T/err"
    exit 1
}
V() { "$VIGIL_BIN" fim "$@"; }

# ---- 1: special files --------------------------------------------------
if [ "$(id -u)" = 0 ]; then
    R="$T/dev"
    mkdir -p "$R"
    mkfifo "$R/fifo"
    mknod -m 644 "$R/null" c 1 3
    V baseline -q --state-dir "$T/s1" "$R" 2>"$T/err" || fail "baseline"
    touch -r "$R/null" "$T/ref"
    rm "$R/null" "$R/fifo"
    mknod -m 644 "$R/null" c 1 1 # now /dev/mem
    mknod -m 644 "$R/fifo" b 7 0 # a FIFO become a block device
    touch -h -r "$T/ref" "$R/null"
    for full in "" --full; do
        rc=0
        V check --state-dir "$T/s1" $full >"$T/out" || rc=$?
        [ "$rc" = 1 ] || fail "device changes $full: exit $rc"
        grep -Eq '^type +type +.*/fifo$' "$T/out" || fail "FIFO -> block device $full"
        grep -Eq '^modified +device.* .*/null$' "$T/out" || fail "re-pointed char device $full"
    done
    V check --state-dir "$T/s1" --json >"$T/out" || true
    grep -q '"device":"1:1"' "$T/out" || fail "device number not in JSON"
fi

# ---- 2: sparse file and hard links do not stall -------------------------
R="$T/big"
mkdir -p "$R"
truncate -s 1T "$R/huge"
printf 'x' | dd of="$R/huge" bs=1 seek=$((1 << 30)) conv=notrunc status=none
head -c $((16 << 20)) /dev/urandom >"$R/blob"
for i in $(seq 1 40); do ln "$R/blob" "$R/link$i"; done
timeout 60 "$VIGIL_BIN" fim baseline --state-dir "$T/s2" "$R" 2>"$T/err" ||
    fail "baseline of a sparse file and hard links did not finish"
mib=$(sed -n 's/.*hashed (\([0-9]*\) MiB).*/\1/p' "$T/err")
[ -n "$mib" ] && [ "$mib" -le 17 ] || fail "hashed ${mib:-?} MiB, expected one copy of 16 MiB"
grep -q "40 hard links reused" "$T/err" || fail "hard links not reused"
printf 'y' | dd of="$R/huge" bs=1 seek=$((1 << 30)) conv=notrunc status=none
rc=0
timeout 60 "$VIGIL_BIN" fim check --full --state-dir "$T/s2" >"$T/out" || rc=$?
[ "$rc" = 1 ] || fail "sparse file changed: exit $rc"
grep -Eq '^modified +content.* .*/huge$' "$T/out" || fail "sparse change missed"

# ---- 15: deep trees ----------------------------------------------------
R="$T/deep"
mkdir -p "$R"
python3 - "$R" <<'PY'
import os, sys
os.chdir(sys.argv[1])
os.mkdir("mid"); os.chdir("mid")
for i in range(300):          # deeper than the old 256-level limit
    os.mkdir("d"); os.chdir("d")
open("bottom.txt", "w").write("x\n")
os.chdir(sys.argv[1])
os.mkdir("far"); os.chdir("far")
for i in range(900):          # a path beyond PATH_MAX
    os.mkdir("dddd"); os.chdir("dddd")
open("bottom.txt", "w").write("x\n")
PY
V baseline -q --state-dir "$T/s3" "$R" 2>"$T/err" || fail "deep baseline"
grep -q "longer than PATH_MAX" "$T/err" || fail "baseline did not report the too-long part"
rc=0
V check --state-dir "$T/s3" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "unchanged deep tree with a too-long part: exit $rc, expected 2"
grep -q "not checked" "$T/err" || fail "check did not warn about the too-long part"
python3 - "$R" <<'PY'
import os, sys
os.chdir(sys.argv[1] + "/mid")
for i in range(300):
    os.chdir("d")
open("bottom.txt", "a").write("changed\n")
PY
rc=0
V check --state-dir "$T/s3" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 1 ] || fail "change 301 levels down: exit $rc"
grep -Eq '^modified +content.*/d/bottom.txt$' "$T/out" || fail "change 301 levels down not reported"
# fewer descriptors than levels: the deep part is reported, never a pass
rc=0
(ulimit -n 150 && "$VIGIL_BIN" fim check --state-dir "$T/s3") >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 2 ] || fail "check with 150 descriptors: exit $rc, expected 2"
grep -q "too deep for the file descriptors" "$T/err" || fail "descriptor limit not reported"

# ---- 42: the state directory inside the baseline -------------------------
R="$T/self"
mkdir -p "$R/data"
echo a >"$R/data/a"
V baseline -q --state-dir "$R/st" "$R" 2>"$T/err" || fail "self baseline"
grep -q "state directory" "$T/err" || fail "state dir exclusion not said"
for i in 1 2; do
    rc=0
    V check -q --state-dir "$R/st" >"$T/out" 2>"$T/err" || rc=$?
    [ "$rc" = 0 ] || fail "check of a tree holding the state dir: exit $rc"
done

# ---- 22: names ------------------------------------------------------------
R="$T/names"
mkdir -p "$R"
echo a >"$R/$(printf 'invoice\xe2\x80\xaefdp.exe')"
echo a >"$R/$(printf 'line\xe2\x80\xa8sep')"
echo a >"$R/$(printf 'trunc\xe2\x82')"
echo a >"$R/$(printf 'trunc\xc3\xa2\xc2\x82')"
V baseline -q --state-dir "$T/s4" "$R" 2>/dev/null || fail "names baseline"
for f in "$R"/*; do echo b >>"$f"; done
V check --state-dir "$T/s4" >"$T/out" || true
grep -qF 'invoice\xe2\x80\xaefdp.exe' "$T/out" || fail "U+202E printed raw"
grep -qF 'line\xe2\x80\xa8sep' "$T/out" || fail "U+2028 printed raw"
LC_ALL=C grep -q $'\xe2\x80[\xa8\xae]' "$T/out" && fail "a bidi/separator code point printed raw"
V check --json --state-dir "$T/s4" >"$T/out" || true
python3 - "$T/out" <<'PY' || fail "JSON names"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
by = {}
for r in rows:
    raw = bytes.fromhex(r["path_hex"]) if "path_hex" in r else r["path"].encode()
    by[raw.rsplit(b"/", 1)[1]] = r
bad, good = by[b"trunc\xe2\x82"], by["trunc\u00e2\u0082".encode()]
assert "path_hex" in bad and "path_hex" not in good, (bad, good)
assert len(by) == 4, sorted(by)
PY

# ---- 26: one baseline at a time ------------------------------------------
mkdir -p "$T/s5"
echo 4242 >"$T/s5/fim-baseline.lock"
python3 -c 'import fcntl, sys, time
f = open(sys.argv[1], "a")
fcntl.flock(f, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(30)' "$T/s5/fim-baseline.lock" "$T/locked" &
LOCKER=$!
for _ in $(seq 1 100); do [ -e "$T/locked" ] && break; sleep 0.1; done
rc=0
V baseline -q --state-dir "$T/s5" "$T/self/data" 2>"$T/err" || rc=$?
kill "$LOCKER" 2>/dev/null || true
wait "$LOCKER" 2>/dev/null || true
[ "$rc" = 75 ] || fail "second baseline: exit $rc, expected 75"
grep -q "a baseline is being recorded by pid 4242" "$T/err" || fail "lock message"
V baseline -q --state-dir "$T/s5" "$T/self/data" 2>"$T/err" || fail "baseline after the lock: $(cat "$T/err")"

# ---- 25: check on a fresh state directory --------------------------------
rc=0
V check --state-dir "$T/fresh" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" = 66 ] || fail "fresh check: exit $rc"
grep -q "no baseline" "$T/err" || fail "fresh check message"
[ ! -e "$T/fresh/vigil.db" ] || fail "check created a store"

# ---- 23: pseudo file systems ---------------------------------------------
if [ "$(id -u)" = 0 ]; then
    R="$T/pseudo"
    mkdir -p "$R/proc"
    echo a >"$R/a"
    if mount -t proc proc "$R/proc" 2>/dev/null; then
        MNT="$R/proc"
        V baseline --state-dir "$T/s6" "$R" 2>"$T/err" || fail "pseudo baseline"
        grep -q "pseudo file system proc" "$T/err" || fail "proc walked or not said"
        grep -q "^vigil fim baseline: 3 entries" "$T/err" || fail "proc entries recorded: $(cat "$T/err")"
        # the realtime watcher does not descend into it either
        mkdir -p "$T/rules"
        cat >"$T/vigil.yml" <<YML
state_dir: $T/s7
rules: [$T/rules]
fim:
  monitor: inotify
  watch:
    - path: $R
  ransomware:
    canaries: false
YML
        chmod 600 "$T/vigil.yml"
        "$VIGIL_BIN" run -c "$T/vigil.yml" 2>"$T/daemon.log" &
        DPID=$!
        for _ in $(seq 1 100); do
            grep -q "\[2001\]" "$T/daemon.log" && break
            sleep 0.1
        done
        kill -TERM "$DPID"
        wait "$DPID" || true
        grep -q "not watching $R/proc: pseudo file system proc" "$T/daemon.log" ||
            fail "the watcher entered proc: $(head -c 2000 "$T/daemon.log")"
        grep -q "cannot watch $R/proc/" "$T/daemon.log" && fail "the watcher walked proc"
        umount "$MNT"
        MNT=""
    fi
fi
echo "PASS: fim on hostile trees"
