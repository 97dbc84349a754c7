#!/usr/bin/env bash
# evtx_read.sh -- EVTX read speed: vigil's reader (libevtx + expat
# flattening, bench/hunt/evtx_read.c) against `evtxexport -f xml` on the
# same files. Prints both times and the ratio vigil/evtxexport (target:
# <= 2). Two views:
#   corpus  all EVTX files of the shared corpus; vigil reads them in one
#           process, evtxexport needs one process per file
#   large   the three largest files, one process each for both tools
#           (no start-up advantage either way)
# Usage: bench/hunt/evtx_read.sh [BUILD_DIR] [RUNS]   (BUILD_DIR: build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
runs=${2:-5}
corpus=${VIGIL_CORPUS:-$root/../shared/data}
bin=$build/bench-evtx-read

command -v evtxexport >/dev/null || { echo "evtxexport missing (libevtx-utils)"; exit 1; }
[ -f "$build/libvigil_lib.a" ] || { echo "build $build first"; exit 1; }
cc -O2 -std=c11 -D_GNU_SOURCE -I"$root/src" "$root/bench/hunt/evtx_read.c" \
  "$build/libvigil_lib.a" $(pkg-config --libs libevtx expat) -lm -o "$bin"

files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(
  find "$corpus/evtx-attack-samples" "$corpus/deepbluecli" \
       "$corpus/evtx-to-mitre-attack" "$corpus/sigmahq-sigma/regression_data" \
       -name '*.evtx' -print0 2>/dev/null | sort -z)
[ "${#files[@]}" -gt 0 ] || { echo "no EVTX files under $corpus"; exit 1; }
bytes=$(cat "${files[@]}" | wc -c)
mapfile -t large < <(ls -S "${files[@]}" | head -3)

# best-of-N CPU time (user + system, ms) of a command: the machines are
# shared, and CPU time is what contention disturbs least
best() {
  local b=0 c i TIMEFORMAT='%3U %3S'
  for ((i = 0; i < runs; i++)); do
    c=$( { time "$@" >/dev/null 2>&1; } 2>&1 | awk '{printf "%d", ($1 + $2) * 1000}')
    if [ "$b" -eq 0 ] || [ "$c" -lt "$b" ]; then b=$c; fi
  done
  echo "$b"
}
export_each() { local f; for f in "$@"; do evtxexport -f xml "$f"; done; }
vigil_each() { local f; for f in "$@"; do "$bin" "$f"; done; }

echo "files: ${#files[@]}, $((bytes / 1024)) KiB; $("$bin" "${files[@]}" 2>&1)"
v=$(best "$bin" "${files[@]}")
e=$(best export_each "${files[@]}")
echo "corpus: CPU vigil ${v} ms, evtxexport ${e} ms, ratio $(awk "BEGIN{printf \"%.2f\", $v/($e?$e:1)}")"
v=$(best vigil_each "${large[@]}")
e=$(best export_each "${large[@]}")
echo "large:  CPU vigil ${v} ms, evtxexport ${e} ms, ratio $(awk "BEGIN{printf \"%.2f\", $v/($e?$e:1)}")"
