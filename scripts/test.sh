#!/usr/bin/env bash
# One command from a fresh Debian machine to every test: installs the
# dependencies, builds a release build with -Werror and an ASan+UBSan
# build, and runs the whole CTest suite under both.
# The shared corpus is read from $VIGIL_CORPUS (default ../shared/data);
# tests that need it print a SKIP line when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
export VIGIL_CORPUS=${VIGIL_CORPUS:-$(cd .. && pwd)/shared/data}

echo "== release build (-Werror) =="
bash scripts/build.sh build -DVIGIL_WERROR=ON
echo "== style: banned functions =="
bash scripts/check-banned.sh
echo "== tests (release) =="
(cd build && ctest --output-on-failure -j "$(nproc)")

echo "== sanitizer build (ASan + UBSan) =="
bash scripts/build.sh build-asan -DVIGIL_WERROR=ON -DVIGIL_SANITIZE=ON \
  -DCMAKE_BUILD_TYPE=Debug
echo "== tests (ASan + UBSan) =="
(cd build-asan && ctest --output-on-failure -j "$(nproc)")
