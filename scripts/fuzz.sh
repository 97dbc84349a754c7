#!/usr/bin/env bash
# Builds every libFuzzer target (tests/fuzz/fuzz_*.c) with clang and runs
# each for SECONDS (default 60) from its committed seeds
# (tests/fuzz/corpus/<name>, plus tests/fuzz/corpus-run/<name> when made)
# with its dictionary (tests/fuzz/dict/<name>.dict) when it has one, one
# after the other. Prints one line per target: runs, coverage, corpus size
# and the outcome; crashes are kept under BUILD/crashes/, new inputs under
# BUILD/fuzz-work/.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (TARGET: e.g. parse_json)
# Env: VIGIL_FUZZ_BUILD, the build folder (default build-fuzz; configured
# with clang and -DVIGIL_FUZZ=ON unless it already is, as CI's build-clang).
# Exit status: 0 every target ran clean, 1 a target crashed or leaked.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
build=${VIGIL_FUZZ_BUILD:-build-fuzz}
if ! grep -qs '^VIGIL_FUZZ:BOOL=ON' "$build/CMakeCache.txt"; then
  CC=clang cmake -S . -B "$build" -DVIGIL_FUZZ=ON -DVIGIL_TESTS=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi

# Long runs also start from the disclosure fixtures, made by the same
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
cmake --build "$build" -j "$(nproc)" --target "${targets[@]}" >/dev/null
mkdir -p "$build/crashes"
bad=0
for t in "${targets[@]}"; do
  name=${t#fuzz_}
  [ "$name" = disclose_ooxml ] && [ "$secs" -ge 60 ] && seed_ooxml
  work=$build/fuzz-work/$name
  mkdir -p "$work"
  args=(-max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$build/crashes/$name-")
  [ "$name" = parse_evtx ] && args+=(-max_len=139264)
  [ -f "tests/fuzz/dict/$name.dict" ] && args+=(-dict="tests/fuzz/dict/$name.dict")
  dirs=("$work")
  for d in "tests/fuzz/corpus/$name" "tests/fuzz/corpus-run/$name"; do
    [ -d "$d" ] && dirs+=("$d")
  done
  log=$build/fuzz-$name.log
  rc=0
  "$build/tests/fuzz/$t" "${args[@]}" "${dirs[@]}" >"$log" 2>&1 || rc=$?
  stats=$( (grep -E '^#[0-9]+' "$log" || true) | tail -1 | sed 's/^\(#[0-9]*\).*cov: \([0-9]*\).*corp: \([0-9/a-zA-Z]*\).*exec\/s: \([0-9]*\).*/\1 runs, cov \2, corpus \3, \4 exec\/s/')
  if [ "$rc" -eq 0 ]; then
    echo "ok    $name: ${secs}s, $stats"
  else
    bad=1
    echo "FAIL  $name (exit $rc): $(grep -m1 -E 'ERROR|SUMMARY|error' "$log" || tail -1 "$log")"
  fi
done
exit "$bad"
