#!/usr/bin/env bash
# bench/hunt/run.sh -- `vigil hunt` with every SigmaHQ Windows rule loaded:
#   1. over the EVTX corpus in $VIGIL_CORPUS, beside evtxexport (libevtx)
#      only parsing the same files;
#   2. over a JSON-lines file made from the same events by `vigil parse`
#      (repeated to HUNT_BENCH_MB, default 1024 MB), beside `rg -c` for one
#      literal on the same file.
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
now() { date +%s.%N; }
# wall CMD... : seconds the command took
wall() { local t0 t1; t0=$(now); "$@" >/dev/null 2>&1 || true; t1=$(now); echo "$t1 - $t0" | bc -l; }

echo "== hunt bench: $nrules SigmaHQ Windows rule files, ${#evtx[@]} EVTX files ($((evtx_bytes / 1024)) KiB)"
echo "   machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"

# Rule load alone (no events): hunt over an empty file.
: >"$WORK/empty.log"
load=$(for i in $(seq "$RUNS"); do wall "$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --quiet --jobs 1 "$WORK/empty.log"; done | median)
printf 'rule load (compile all rules):        %6.2f s\n' "$load"

# ---- 1. EVTX ----
hunt_evtx() { "$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --quiet --jobs 1 "${evtx[@]}" 2>&1 | grep '^hunt:' | head -1; }
line=$(hunt_evtx)
events=$(echo "$line" | sed -n 's/.*; \([0-9]*\) events.*/\1/p')
matches=$(echo "$line" | sed -n 's/^hunt: \([0-9]*\) match.*/\1/p')
vt=$(for i in $(seq "$RUNS"); do wall "$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --quiet --jobs 1 "${evtx[@]}"; done | median)
et=$(for i in $(seq "$RUNS"); do wall bash -c 'for f in "$@"; do evtxexport "$f"; done' _ "${evtx[@]}"; done | median)
hunt_only=$(echo "$vt - $load" | bc -l)
printf 'EVTX: %s events, %s matches\n' "$events" "$matches"
printf '  vigil hunt (all rules, 1 core):     %6.2f s wall, %6.2f s without rule load = %8.0f events/s, %5.1f MB/s\n' \
    "$vt" "$hunt_only" "$(echo "$events / $hunt_only" | bc -l)" "$(echo "$evtx_bytes / 1000000 / $hunt_only" | bc -l)"
printf '  evtxexport (parse only):            %6.2f s = %8.0f events/s\n' "$et" "$(echo "$events / $et" | bc -l)"
printf '  ratio hunt/evtxexport:              %6.2f (target <= 2.00)\n' "$(echo "$hunt_only / $et" | bc -l)"

# ---- 2. JSON lines ----
"$VIGIL_BIN" parse "${evtx[@]}" >"$WORK/one.jsonl" 2>/dev/null || true
one=$(wc -c <"$WORK/one.jsonl")
[ "$one" -gt 0 ] || { echo "vigil parse produced nothing"; exit 1; }
reps=$(( (MB * 1000000 + one - 1) / one ))
: >"$WORK/big.jsonl"
for i in $(seq "$reps"); do cat "$WORK/one.jsonl"; done >"$WORK/big.jsonl"
big=$(wc -c <"$WORK/big.jsonl")
line=$("$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --quiet --jobs 1 "$WORK/big.jsonl" 2>&1 | grep '^hunt:' | head -1)
jevents=$(echo "$line" | sed -n 's/.*; \([0-9]*\) events.*/\1/p')
jmatches=$(echo "$line" | sed -n 's/^hunt: \([0-9]*\) match.*/\1/p')
jt=$(for i in $(seq "$RUNS"); do wall "$VIGIL_BIN" hunt --no-builtin --rules "$RULES" --quiet --jobs 1 "$WORK/big.jsonl"; done | median)
rt=$(for i in $(seq "$RUNS"); do wall rg -c "$LITERAL" "$WORK/big.jsonl"; done | median)
jonly=$(echo "$jt - $load" | bc -l)
printf 'JSON lines: %d MB (%s x the EVTX events), %s events, %s matches\n' "$((big / 1000000))" "$reps" "$jevents" "$jmatches"
printf '  vigil hunt (all rules, 1 core):     %6.2f s wall, %6.2f s without rule load = %8.0f events/s, %5.1f MB/s (target >= 1000000 events/s)\n' \
    "$jt" "$jonly" "$(echo "$jevents / $jonly" | bc -l)" "$(echo "$big / 1000000 / $jonly" | bc -l)"
printf '  rg -c %s (one literal):       %6.2f s = %5.1f MB/s\n' "$LITERAL" "$rt" "$(echo "$big / 1000000 / $rt" | bc -l)"
printf '  ratio hunt/rg:                      %6.2f\n' "$(echo "$jonly / $rt" | bc -l)"
