#!/usr/bin/env bash
# evtx_read.sh -- EVTX read speed in records per CPU-second: vigil's reader
# (bench/hunt/evtx_read.c: decoding and flattening into events) beside
# `evtxexport -f xml` (libevtx-utils) on the same file, the corpus's largest
# EVTX file (most records among the largest), in one run; prints both rates
# and the ratio vigil/evtxexport (target: >= 100,000 records per CPU-second
# for vigil). CPU time is user + system of all threads, best of RUNS: the
# machines are shared, and CPU time is what contention disturbs least.
# vigil reads the file REPEAT times in one process so that start-up does not
# count; evtxexport runs once per pass (its start-up is small beside it).
# Usage: bench/hunt/evtx_read.sh [BUILD_DIR] [RUNS] [REPEAT]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
repeat=${3:-100}
corpus=${VIGIL_CORPUS:-$root/../shared/data}
bin=$build/bench-evtx-read

command -v evtxexport >/dev/null || { echo "evtxexport missing (libevtx-utils)"; exit 1; }
[ -f "$build/libvigil_lib.a" ] || { echo "build $build first"; exit 1; }
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/src" "$root/bench/hunt/evtx_read.c" \
  "$build/libvigil_lib.a" -lz -lpthread -lm -o "$bin"

mapfile -t files < <(find "$corpus" -name '*.evtx' -printf '%s\t%p\n' | sort -rn |
  awk -F'\t' 'NR == 1 { top = $1 } $1 == top { print $2 }')
[ "${#files[@]}" -gt 0 ] || { echo "no EVTX files under $corpus"; exit 1; }
best_n=-1
for f in "${files[@]}"; do
  n=$("$bin" "$f" 2>&1 | awk '{print $2}')
  if [ "$n" -gt "$best_n" ]; then best_n=$n; file=$f; fi
done
xml=$(evtxexport -f xml "$file" 2>/dev/null | grep -c '^<Event ' || true)

# best-of-N CPU time (user + system, ms) of a command
best() {
  local b=0 c i TIMEFORMAT='%3U %3S'
  for ((i = 0; i < runs; i++)); do
    c=$( { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%d", ($1 + $2) * 1000}')
    if [ "$b" -eq 0 ] || [ "$c" -lt "$b" ]; then b=$c; fi
  done
  echo "$b"
}
args=()
for ((i = 0; i < repeat; i++)); do args+=("$file"); done
export_each() { local i; for ((i = 0; i < 10; i++)); do evtxexport -f xml "$file"; done; }

rate() { awk "BEGIN{printf \"%d\", $1 * 1000 / ($2 ? $2 : 1)}"; }
v=$(best "$bin" "${args[@]}")
v1=$(best "$bin" -t 1 "${args[@]}")
e=$(best export_each)
vr=$(rate $((best_n * repeat)) "$v")
v1r=$(rate $((best_n * repeat)) "$v1")
er=$(rate $((xml * 10)) "$e")
echo "file: $file ($(wc -c < "$file") bytes, $best_n records; evtxexport: $xml)"
echo "vigil:      $vr records/CPU-s ($repeat passes, ${v} ms CPU, threads per chunk)"
echo "vigil -t 1: $v1r records/CPU-s (${v1} ms CPU, one thread)"
echo "evtxexport: $er records/CPU-s (10 passes, ${e} ms CPU)"
echo "ratio vigil/evtxexport: $(awk "BEGIN{printf \"%.1f\", $vr / ($er ? $er : 1)}")"
