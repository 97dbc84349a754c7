#!/usr/bin/env bash
# test_fim_check.sh -- `vigil fim baseline` and `vigil fim check` on a real
# tree: exit 0 when nothing changed and 1 when something did; added,
# removed, modified, permissions and type (a file replaced by a symbolic
# link) reported; a hard link changed through its twin; a sparse file;
# a same-size rewrite with the old mtime put back is missed by the fast
# path and found by --full; excluded names ignored; a file appended to
# while it is hashed; an unreadable file; names with a newline and
# invalid UTF-8 printed escaped in the table and as valid JSON; and memory
# that does not grow with the number of files.
set -euo pipefail

: "${VIGIL_BIN:?}"
T=$(mktemp -d /tmp/vigil-fimcheck-XXXXXX)
BG=""
cleanup() {
    [ -n "$BG" ] && kill "$BG" 2>/dev/null || true
    chmod -R u+rwX "$T" 2>/dev/null || true
    rm -rf "$T"
}
trap cleanup EXIT
fail() {
    echo "FAIL: $*"
    [ -f "$T/out" ] && head -40 "$T/out"
    exit 1
}
V() { "$VIGIL_BIN" fim "$@" --state-dir "$T/state" -q; }

R="$T/tree"
mkdir -p "$R/docs/sub" "$R/bin"
for i in $(seq 1 50); do echo "record $i" >"$R/docs/r$i.txt"; done
echo "payroll" >"$R/docs/pay.csv"
printf 'same size A\n' >"$R/docs/same.txt"
echo "exe" >"$R/bin/tool"
chmod 755 "$R/bin/tool"
echo "linked" >"$R/docs/hl1"
ln "$R/docs/hl1" "$R/docs/hl2"
ln -s r1.txt "$R/docs/link"
truncate -s 64M "$R/docs/sparse.img"
printf 'x' | dd of="$R/docs/sparse.img" bs=1 seek=$((32 << 20)) conv=notrunc status=none
echo "to be replaced" >"$R/docs/victim"
printf 'nl\n' >"$R/docs/$(printf 'new\nline')"
printf 'bad\n' >"$R/docs/$(printf 'bad\xff\xfename')"
echo "temp" >"$R/docs/scratch.tmp"

V baseline --exclude '*.tmp' "$R" 2>"$T/err" || fail "baseline: $(cat "$T/err")"
grep -q "hashed" "$T/err" || fail "no summary"
rc=0
V check >"$T/out" || rc=$?
[ "$rc" = 0 ] || fail "unchanged tree: exit $rc"
[ ! -s "$T/out" ] || fail "unchanged tree reported changes"

# changes
echo "new" >"$R/docs/added.txt"
rm "$R/docs/r2.txt"
echo "changed" >>"$R/docs/r3.txt"
chmod 600 "$R/docs/pay.csv"
rm "$R/docs/victim"
ln -s /etc/passwd "$R/docs/victim"
echo "via twin" >>"$R/docs/hl2"
printf 'x' | dd of="$R/docs/sparse.img" bs=1 seek=$((48 << 20)) conv=notrunc status=none
echo "more temp" >"$R/docs/other.tmp"
printf 'changed\n' >>"$R/docs/$(printf 'new\nline')"
chmod 600 "$R/docs/$(printf 'bad\xff\xfename')"

rc=0
V check >"$T/out" || rc=$?
[ "$rc" = 1 ] || fail "changed tree: exit $rc, expected 1"
expect() { # kind what path-suffix
    grep -E "^$1 +$2 +.*$3\$" "$T/out" >/dev/null || fail "missing: $1 $2 $3"
}
expect added - /docs/added.txt
expect removed - /docs/r2.txt
expect modified 'content,size.*' /docs/r3.txt
expect permissions mode /docs/pay.csv
expect type type /docs/victim
expect modified 'content,size.*' /docs/hl1
expect modified 'content,size.*' /docs/hl2
expect modified 'content.*' /docs/sparse.img
grep -q 'tmp$' "$T/out" && fail "an excluded name was reported"
grep -qF 'new\x0aline' "$T/out" || fail "newline not escaped in the table"
grep -qF 'bad\xff\xfename' "$T/out" || fail "invalid UTF-8 not escaped"
[ "$(grep -c . "$T/out")" = 10 ] || fail "expected 10 lines, got $(grep -c . "$T/out")"

# content changed under unchanged size, mtime, ctime and inode (a write
# to the block device, bit rot): the fast path trusts the metadata,
# --full hashes and finds it. The stored hash is altered to stand for it.
command -v sqlite3 >/dev/null || { echo "SKIP: no sqlite3"; exit 77; }
sqlite3 "$T/state/vigil.db" "UPDATE fim_files SET sha256 = '$(printf '0%.0s' $(seq 64))' WHERE hex(key) LIKE '%' || hex('same.txt')" ||
    fail "cannot alter the stored hash"
V check >"$T/out" || true
grep -q 'same.txt' "$T/out" && fail "the fast path hashed an unchanged-looking file"
rc=0
V check --full >"$T/out" || rc=$?
[ "$rc" = 1 ] || fail "--full: exit $rc"
expect modified content /docs/same.txt

rc=0
V check --json >"$T/out" || rc=$?
[ "$rc" = 1 ] || fail "--json: exit $rc"
python3 - "$T/out" <<'PY' || fail "JSON output"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
paths = {r["path"].rsplit("/", 1)[1]: r for r in rows}
assert "new\nline" in paths, sorted(paths)
assert any(p.startswith("bad") and "\u00ff" in p for p in paths), sorted(paths)
v = paths["victim"]
assert v["change"] == "type" and v["old"]["type"] == "f" and v["new"]["type"] == "l"
assert v["new"]["link"] == "/etc/passwd"
assert paths["pay.csv"]["new"]["mode"] == "0600"
assert len(paths["r3.txt"]["new"]["sha256"]) == 64
PY

# a file appended to while it is hashed: the baseline completes and the
# file is recorded either whole or as changing, never with a torn hash
dd if=/dev/zero of="$R/docs/growing.log" bs=1M count=64 status=none
(while :; do echo line >>"$R/docs/growing.log"; done) &
BG=$!
V baseline --exclude '*.tmp' "$R" 2>"$T/err" || fail "baseline while writing"
kill "$BG"
wait "$BG" 2>/dev/null || true
BG=""
# appends only add after the recorded size: a whole version's hash is
# that of the file's first SIZE bytes now; "changing" has no hash
row=$(sqlite3 "$T/state/vigil.db" "SELECT flags, size, coalesce(sha256, '') FROM fim_files
    WHERE gen = (SELECT max(gen) FROM fim_files) AND hex(key) LIKE '%' || hex('growing.log')")
IFS='|' read -r gflags gsize gsha <<<"$row"
[ -n "$gsize" ] || fail "growing.log not recorded"
if [ $((gflags & 2)) != 0 ]; then
    [ -z "$gsha" ] || fail "a file recorded as changing has a hash"
    echo "growing.log recorded as changing"
else
    [ "$(head -c "$gsize" "$R/docs/growing.log" | sha256sum | cut -d' ' -f1)" = "$gsha" ] ||
        fail "growing.log's hash is of no version of it (size $gsize)"
    echo "growing.log recorded whole at $gsize bytes"
fi

# unreadable: as another user, a file only root can read
if [ "$(id -u)" = 0 ]; then
    chmod 711 "$T"
    U="$T/u"
    mkdir -p "$U/tree"
    echo secret >"$U/tree/secret"
    chmod 600 "$U/tree/secret"
    echo open >"$U/tree/open"
    chown -R nobody "$U"
    chown root "$U/tree/secret"
    runuser -u nobody -- "$VIGIL_BIN" fim baseline -q --state-dir "$U/state" \
        "$U/tree" 2>"$T/err" || fail "baseline as nobody: $(cat "$T/err")"
    grep -q "1 unreadable" "$T/err" || fail "unreadable not counted: $(cat "$T/err")"
    chmod 644 "$U/tree/secret"
    rc=0
    runuser -u nobody -- "$VIGIL_BIN" fim check --state-dir "$U/state" \
        >"$T/out" || rc=$?
    [ "$rc" = 1 ] || fail "unreadable then readable: exit $rc"
    expect modified 'readable,mode' /secret
    # the owner changed, nothing else: a permissions change naming it
    V baseline "$R" 2>/dev/null || fail "baseline for the owner"
    chown nobody "$R/docs/r4.txt"
    rc=0
    V check >"$T/out" || rc=$?
    [ "$rc" = 1 ] || fail "owner changed: exit $rc"
    expect permissions owner /docs/r4.txt
    [ "$(grep -c . "$T/out")" = 1 ] || fail "an owner change reported more than itself"
fi

# memory: 20,000 files need no more than 2,000 do (sorted streaming);
# not under AddressSanitizer, whose quarantine keeps what was freed
if [ -x /usr/bin/time ] && ! grep -qa __asan_init "$VIGIL_BIN"; then
    rss() { # files
        local d="$T/mem$1"
        mkdir -p "$d"
        (cd "$d" && seq 1 "$1" | sed 's/^/f/' | xargs touch)
        /usr/bin/time -f %M "$VIGIL_BIN" fim baseline -q --state-dir "$T/ms$1" \
            "$d" 2>&1 >/dev/null | tail -1
    }
    small=$(rss 2000)
    big=$(rss 20000)
    echo "max RSS: 2000 files ${small} KiB, 20000 files ${big} KiB"
    [ "$big" -lt $((small + 8192)) ] || fail "memory grows with the tree"
fi
echo "PASS: fim baseline/check"
