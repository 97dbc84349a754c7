#!/usr/bin/env bash
# bench/hunt/run.sh -- `vigil hunt` with every SigmaHQ Windows rule loaded:
#   1. over the EVTX corpus in $VIGIL_CORPUS, beside evtxexport (libevtx)
#      only parsing the same files;
#   2. over a JSON-lines file made from the same events by `vigil parse`
#      (repeated to HUNT_BENCH_MB, default 1024 MB), beside `rg -c` for one
#      literal on the same file;
#   3. the EVTX reader alone on the corpus's largest EVTX file, records per
#      CPU-second beside evtxexport's (evtx_read.sh).
# One worker thread (--jobs 1) so the figures are per core. Rule loading is
# not counted in vigil's own timing (its summary line), but is in the wall
# time printed beside it. Medians of HUNT_BENCH_RUNS runs (default 3).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
VIGIL_BIN=${VIGIL_BIN:-$src/build/vigil}
CORPUS=${VIGIL_CORPUS:-$src/../shared/data}
MB=${HUNT_BENCH_MB:-1024}
RUNS=${HUNT_BENCH_RUNS:-3}
WORK=${HUNT_BENCH_DIR:-$(mktemp -d /tmp/vigil-hunt-bench.XXXXXX)}
RULES=$CORPUS/sigmahq-sigma/rules/windows
LITERAL=${HUNT_BENCH_LITERAL:-mimikatz}

for t in "$VIGIL_BIN" ; do [ -x "$t" ] || { echo "SKIP: $t not built"; exit 0; }; done
[ -d "$RULES" ] || { echo "SKIP: $RULES absent (set VIGIL_CORPUS)"; exit 0; }
trap '[ -z "${HUNT_BENCH_DIR:-}" ] && rm -rf "$WORK"' EXIT

mapfile -t evtx < <(find "$CORPUS/evtx-attack-samples" "$CORPUS/deepbluecli" \
    "$CORPUS/evtx-to-mitre-attack" -name '*.evtx' 2>/dev/null | sort)
[ "${#evtx[@]}" -gt 0 ] || { echo "SKIP: no EVTX files in $CORPUS"; exit 0; }
evtx_bytes=$(cat "${evtx[@]}" | wc -c)
nrules=$(find "$RULES" -name '*.yml' | wc -l)

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# cpu CMD... : "cpu_seconds wall_seconds" of the command (and its children)
cpu() {
    /usr/bin/time -f '%U %S %e' -o "$WORK/time" "$@" >/dev/null 2>&1 || true
    tail -1 "$WORK/time" | awk '{printf "%.3f %.3f\n", $1 + $2, $3}'
}
# med N CMD... : median CPU seconds over N runs; the median wall time
# goes to $WORK/medwall (read it with mw)
med() {
    local n=$1 i
    shift
    : >"$WORK/runs"
    for i in $(seq "$n"); do cpu "$@" >>"$WORK/runs"; done
    cut -d' ' -f2 "$WORK/runs" | median >"$WORK/medwall"
    cut -d' ' -f1 "$WORK/runs" | median
}

echo "== hunt bench: $nrules SigmaHQ Windows rule files, ${#evtx[@]} EVTX files ($((evtx_bytes / 1024)) KiB)"
echo "   machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# Every hunt below uses a state directory of its own, so the compiled
# literal databases are cached there by the first run (as for a user's
# second hunt); the cold load (--no-cache) is measured too.
: >"$WORK/empty.log"
rm -rf "$WORK/state"
HUNT=("$VIGIL_BIN" hunt --state-dir "$WORK/state" --no-builtin --rules "$RULES" --quiet --jobs 1)
"${HUNT[@]}" "$WORK/empty.log" >/dev/null 2>&1 || true
cold=$(med "$RUNS" "${HUNT[@]}" --no-cache "$WORK/empty.log")
printf 'rule load, compiling (--no-cache):      %6.2f s CPU (%.2f s wall)\n' "$cold" "$(cat "$WORK/medwall")"
load=$(med "$RUNS" "${HUNT[@]}" "$WORK/empty.log")
printf 'rule load, databases from the cache:    %6.2f s CPU (%.2f s wall)\n' "$load" "$(cat "$WORK/medwall")"

mw() { cat "$WORK/medwall"; }
rate() { echo "$1 / $2" | bc -l; }

# ---- 1. EVTX ----
line=$("${HUNT[@]}" "${evtx[@]}" 2>&1 | grep '^hunt:' | head -1)
events=$(echo "$line" | sed -n 's/.*; \([0-9]*\) events.*/\1/p')
matches=$(echo "$line" | sed -n 's/^hunt: \([0-9]*\) match.*/\1/p')
vt=$(med "$RUNS" "${HUNT[@]}" "${evtx[@]}")
vw=$(mw)
et=$(med "$RUNS" bash -c 'for f in "$@"; do evtxexport "$f"; done' _ "${evtx[@]}")
ew=$(mw)
pt=$(med "$RUNS" "$VIGIL_BIN" parse --count "${evtx[@]}")
hunt_only=$(echo "$vt - $load" | bc -l)
printf 'EVTX: %s events, %s matches\n' "$events" "$matches"
printf '  vigil hunt, all rules, 1 thread:    %6.2f s CPU (%.2f s wall); without rule load %.2f s = %.0f events/s, %.1f MB/s\n' \
    "$vt" "$vw" "$hunt_only" "$(rate "$events" "$hunt_only")" "$(rate "$evtx_bytes / 1000000" "$hunt_only")"
printf '  vigil parse --count (EVTX decode):  %6.2f s CPU\n' "$pt"
printf '  evtxexport, one run per file:       %6.2f s CPU (%.2f s wall) = %.0f events/s\n' "$et" "$ew" "$(rate "$events" "$et")"
printf '  ratio hunt/evtxexport (CPU):        %6.2f without rule load, %.2f with it (cached), %.2f with a cold load (target <= 2.00)\n' \
    "$(rate "$hunt_only" "$et")" "$(rate "$vt" "$et")" "$(rate "$hunt_only + $cold" "$et")"

# ---- 2. JSON lines ----
"$VIGIL_BIN" parse "${evtx[@]}" >"$WORK/one.jsonl" 2>/dev/null || true
one=$(wc -c <"$WORK/one.jsonl")
[ "$one" -gt 0 ] || { echo "vigil parse produced nothing"; exit 1; }
reps=$(( (MB * 1000000 + one - 1) / one ))
for i in $(seq "$reps"); do cat "$WORK/one.jsonl"; done >"$WORK/big.jsonl"
big=$(wc -c <"$WORK/big.jsonl")
line=$("${HUNT[@]}" "$WORK/big.jsonl" 2>&1 | grep '^hunt:' | head -1)
jevents=$(echo "$line" | sed -n 's/.*; \([0-9]*\) events.*/\1/p')
jmatches=$(echo "$line" | sed -n 's/^hunt: \([0-9]*\) match.*/\1/p')
jt=$(med "$RUNS" "${HUNT[@]}" "$WORK/big.jsonl")
jw=$(mw)
jp=$(med "$RUNS" "$VIGIL_BIN" parse --count "$WORK/big.jsonl")
rt=$(med "$RUNS" rg -c "$LITERAL" "$WORK/big.jsonl")
rw=$(mw)
jonly=$(echo "$jt - $load" | bc -l)
printf 'JSON lines: %d MB (%s copies of the EVTX events), %s events, %s matches\n' "$((big / 1000000))" "$reps" "$jevents" "$jmatches"
printf '  vigil hunt, all rules, 1 thread:    %6.2f s CPU (%.2f s wall); without rule load %.2f s = %.0f events/s, %.1f MB/s (target >= 1000000 events/s)\n' \
    "$jt" "$jw" "$jonly" "$(rate "$jevents" "$jonly")" "$(rate "$big / 1000000" "$jonly")"
printf '  vigil parse --count (JSON decode):  %6.2f s CPU = %.0f events/s\n' "$jp" "$(rate "$jevents" "$jp")"
printf '  rg -c %s (one literal):       %6.2f s CPU (%.2f s wall) = %.1f MB/s\n' "$LITERAL" "$rt" "$rw" "$(rate "$big / 1000000" "$rt")"
printf '  ratio hunt/rg (CPU):                %6.2f\n' "$(rate "$jonly" "$rt")"

# ---- 3. the EVTX reader alone, beside evtxexport on the same file ----
if command -v evtxexport >/dev/null; then
    echo "EVTX reader on the largest file:"
    bash "$here/evtx_read.sh" "$(dirname "$VIGIL_BIN")" "$RUNS" | sed 's/^/  /'
fi
