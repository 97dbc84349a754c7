#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.c) with clang into
# build-fuzz/ and runs each for SECONDS (default 60) from its committed
# seeds, one after the other. Prints one line per target: runs, coverage,
# corpus size and the outcome; crashes are kept under build-fuzz/crashes/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (TARGET: e.g. parse_json)
# Exit status: 0 every target ran clean, 1 a target crashed or leaked.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
CC=clang cmake -S . -B build-fuzz -DVIGIL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  >/dev/null
cmake --build build-fuzz -j "$(nproc)" >/dev/null

# The OOXML reader's seeds are the disclosure fixtures, made by the same
# script the tests use (openpyxl and python-docx; no LibreOffice here).
seed_ooxml() {
  local dir=tests/fuzz/corpus-run/disclose_ooxml
  if [ ! -d "$dir" ]; then
    mkdir -p "$dir.tmp"
    /usr/bin/python3 tests/fixtures/make_fixtures.py "$dir.tmp" --no-libreoffice >/dev/null
    mkdir -p "$dir"
    find "$dir.tmp" -size -300k \( -name '*.xlsx' -o -name '*.docx' -o -name '*.pptx' \
      -o -name '*.zip' \) -exec cp {} "$dir/" \;
    rm -rf "$dir.tmp"
  fi
}

mapfile -t targets < <(if [ "$#" -gt 0 ]; then printf 'fuzz_%s\n' "$@"; else
  find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' -printf '%f\n' | sed 's/\.c$//' | sort; fi)
mkdir -p build-fuzz/crashes
bad=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  seeds=tests/fuzz/corpus/$name
  case $name in
    parse_evtx) seeds=tests/fuzz/corpus/evtx ;;
    disclose_ooxml) seed_ooxml; seeds=tests/fuzz/corpus-run/disclose_ooxml ;;
  esac
  work=tests/fuzz/corpus-run/$name-work
  mkdir -p "$work"
  extra=()
  [ "$name" = parse_evtx ] && extra=(-max_len=139264)
  log=build-fuzz/$name.log
  rc=0
  LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan-evtx.supp \
    "build-fuzz/tests/fuzz/$t" -max_total_time="$secs" -rss_limit_mb=2048 \
    -artifact_prefix="build-fuzz/crashes/$name-" "${extra[@]}" "$work" \
    $( [ -d "$seeds" ] && echo "$seeds") >"$log" 2>&1 || rc=$?
  stats=$(grep -E '^#[0-9]+' "$log" | tail -1 | sed 's/^\(#[0-9]*\).*cov: \([0-9]*\).*corp: \([0-9/a-zA-Z]*\).*exec\/s: \([0-9]*\).*/\1 runs, cov \2, corpus \3, \4 exec\/s/')
  if [ "$rc" -eq 0 ]; then
    echo "ok    $name: ${secs}s, $stats"
  else
    bad=1
    echo "FAIL  $name (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY' "$log" || tail -1 "$log")"
  fi
done
exit "$bad"
