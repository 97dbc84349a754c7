#!/usr/bin/env bash
# One command from a fresh Debian machine to every check CI makes
# (.ci/run runs it):
#   1. dependencies (scripts/deps.sh; VIGIL_SKIP_APT_UPDATE=1 skips the
#      apt-get update)
#   2. static checks: banned functions, clang-format, cppcheck, fuzz seeds
#      up to date with the fixtures they are made from
#   3. the matrix, each built with -DVIGIL_WERROR=ON:
#        build/        gcc, Release (-O3): the whole CTest suite (unit,
#                      integration, fuzz seed replay, allocation-failure
#                      walks)
#        build-clang/  clang, libFuzzer instrumentation + ASan + UBSan:
#                      the suite but the integration scripts (they drive
#                      the binary, which build-asan runs sanitized too),
#                      then every libFuzzer target for VIGIL_FUZZ_SECONDS
#                      (default 4) from its seeds and dictionary
#        build-asan/   gcc, Debug, ASan + UBSan: the whole suite
# The shared corpus is read when the tests run, from $VIGIL_CORPUS
# (default ../shared/data); tests that need what is absent are reported
# by CTest as skipped (exit 77), never as passed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
export VIGIL_CORPUS=${VIGIL_CORPUS:-$(cd .. && pwd)/shared/data}
jobs=$(nproc)
start=$SECONDS
stage() { echo "== $* ($((SECONDS - start)) s) =="; }

stage "static: banned functions"
bash scripts/check-banned.sh
stage "static: clang-format"
bash scripts/check-format.sh
stage "static: cppcheck"
bash scripts/check-cppcheck.sh
stage "static: fuzz seeds"
python3 tests/fuzz/make_seeds.py --check >/dev/null

stage "gcc Release (-O3): build"
bash scripts/build.sh build -DVIGIL_WERROR=ON -DCMAKE_BUILD_TYPE=Release
stage "gcc Release (-O3): tests"
(cd build && ctest --output-on-failure -j "$jobs")

stage "clang (libFuzzer, ASan + UBSan): build"
CC=clang bash scripts/build.sh build-clang -DVIGIL_WERROR=ON -DVIGIL_FUZZ=ON
stage "clang (libFuzzer, ASan + UBSan): tests but integration"
(cd build-clang && ctest --output-on-failure -j "$jobs" -E '^integration\.')
stage "clang: each fuzz target for ${VIGIL_FUZZ_SECONDS:-4} s"
VIGIL_FUZZ_BUILD=build-clang bash scripts/fuzz.sh "${VIGIL_FUZZ_SECONDS:-4}"

stage "gcc ASan + UBSan (Debug): build"
bash scripts/build.sh build-asan -DVIGIL_WERROR=ON -DVIGIL_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug
stage "gcc ASan + UBSan (Debug): tests"
(cd build-asan && ctest --output-on-failure -j "$jobs")
stage "all checks passed"
