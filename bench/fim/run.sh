#!/usr/bin/env bash
# bench/fim/run.sh -- vigil fim against AIDE (Debian's aide, SHA-256 only)
# on the same generated tree, in one run: baseline (aide --init), check of
# the unchanged tree (aide --check), and check after 1 % of the files
# changed. Prints seconds and the ratios AIDE / vigil; then the
# ransomware figure: the median of RANSOM_RUNS (10) runs of files damaged
# per test program (tests/integration/test_fim_ransomware.sh).
#
#   FIM_BENCH_FILES  files in the tree (default 200000)
#   FIM_BENCH_BYTES  their total size (default 4 GiB); a quick run:
#                    FIM_BENCH_FILES=20000 FIM_BENCH_BYTES=400000000
#   FIM_BENCH_DIR    where the tree goes (default /var/tmp/vigil-bench-fim)
#   AIDE_WORKERS     AIDE's threads (default: Debian's default, 1)
#   RANSOM_RUNS      0 skips the ransomware part
# usage: bench/fim/run.sh [path/to/vigil]
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
SRC=$(cd "$HERE/../.." && pwd)
VIGIL=${1:-$SRC/build/vigil}
FILES=${FIM_BENCH_FILES:-200000}
BYTES=${FIM_BENCH_BYTES:-4294967296}
DIR=${FIM_BENCH_DIR:-/var/tmp/vigil-bench-fim}
RUNS=${RANSOM_RUNS:-10}
command -v aide >/dev/null || { echo "aide is not installed"; exit 77; }
[ -x "$VIGIL" ] || { echo "no vigil at $VIGIL"; exit 66; }

if [ ! -f "$DIR/.done-$FILES-$BYTES" ]; then
    rm -rf "$DIR"
    mkdir -p "$DIR/tree"
    echo "generating $FILES files, $BYTES bytes in $DIR/tree"
    python3 "$HERE/gen.py" "$DIR/tree" "$FILES" "$BYTES"
    touch "$DIR/.done-$FILES-$BYTES"
fi
# the changes of an earlier run are undone by regenerating: keep a list
rm -rf "$DIR/state" "$DIR/aide.db" "$DIR/aide.db.new"
cat >"$DIR/aide.conf" <<CONF
database_in=file:$DIR/aide.db
database_out=file:$DIR/aide.db.new
gzip_dbout=no
report_url=stdout
${AIDE_WORKERS:+num_workers=$AIDE_WORKERS}
Vigil = p+i+n+u+g+s+m+c+sha256
$DIR/tree Vigil
CONF

# t NAME CMD...: runs CMD (its exit status ignored: checks exit 1 on
# changes) and sets NAME_w to its wall seconds and NAME_c to its CPU
# seconds (user + system, all threads): on a shared machine the wall time
# includes waiting for a core, the CPU time does not.
t() {
    local name=$1 out
    shift
    /usr/bin/time -o "$DIR/time.txt" -f '%e %U %S' "$@" >/dev/null 2>&1 || true
    out=$(tail -1 "$DIR/time.txt")
    read -r w u s <<<"$out"
    printf -v "${name}_w" '%s' "$w"
    printf -v "${name}_c" '%s' "$(echo "$u + $s" | bc)"
}
# warm the page cache once so that neither tool pays the first read
find "$DIR/tree" -type f -print0 | xargs -0 cat >/dev/null

t a_init aide --init -c "$DIR/aide.conf"
mv "$DIR/aide.db.new" "$DIR/aide.db"
t v_base "$VIGIL" fim baseline -q --state-dir "$DIR/state" "$DIR/tree"
t a_check aide --check -c "$DIR/aide.conf"
t v_check "$VIGIL" fim check -q --state-dir "$DIR/state"
# 1 %: rewrite the first bytes of every 100th file
n=0
while IFS= read -r -d '' f; do
    n=$((n + 1))
    [ $((n % 100)) = 0 ] || continue
    printf 'changed %d' "$n" | dd of="$f" conv=notrunc status=none
done < <(find "$DIR/tree" -type f -print0)
t a_check1 aide --check -c "$DIR/aide.conf"
t v_check1 "$VIGIL" fim check -q --state-dir "$DIR/state"
changed=$("$VIGIL" fim check -q --state-dir "$DIR/state" | wc -l || true)
# the tree is changed now: the next run regenerates it
rm -f "$DIR/.done-$FILES-$BYTES"

r() { echo "scale=1; $1 / $2" | bc 2>/dev/null || echo "-"; }
echo
echo "tree: $FILES files, $BYTES bytes; $(nproc) cores; AIDE workers: ${AIDE_WORKERS:-default (1)}"
printf '%-22s %9s %9s %7s | %9s %9s %7s\n' "" "aide wall" "vigil" "ratio" "aide CPU" "vigil" "ratio"
row() { # label aide vigil
    local aw=${2}_w ac=${2}_c vw=${3}_w vc=${3}_c
    printf '%-22s %9.2f %9.2f %6sx | %9.2f %9.2f %6sx\n' "$1" "${!aw}" "${!vw}" \
        "$(r "${!aw}" "${!vw}")" "${!ac}" "${!vc}" "$(r "${!ac}" "${!vc}")"
}
row "baseline (--init)" a_init v_base
row "check, unchanged" a_check v_check
row "check, 1 % changed" a_check1 v_check1
echo "(seconds; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "vigil reported $changed changes after 1 % changed"

if [ "$RUNS" -gt 0 ]; then
    [ "$(id -u)" = 0 ] || echo "not root: inotify only"
    out=$(MEASURE=1 RUNS=$RUNS VIGIL_BIN=$VIGIL bash "$SRC/tests/integration/test_fim_ransomware.sh")
    echo
    echo "ransomware: files damaged before the program was stopped ($RUNS runs each)"
    printf '%s\n' "$out" | python3 -c '
import statistics, sys
runs = {}
for line in sys.stdin:
    w = line.split()
    if w and w[0] == "damaged:":
        key = w[1] + " " + w[2] + (" (group)" if "(group)" in line else "")
        runs.setdefault(key, []).append(int(w[3]))
        if "not stopped" in line:
            print("  not stopped:", key)
for k, v in sorted(runs.items()):
    print("  %-32s median %s (runs: %s)" % (k, statistics.median(v), " ".join(map(str, v))))'
fi
