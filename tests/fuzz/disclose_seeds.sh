#!/usr/bin/env bash
# disclose_seeds.sh -- seeds for fuzz_disclose_ooxml.
#   tests/fuzz/corpus/disclose_ooxml/  crafted packages (committed), written
#                                      by the unit test's hostile cases:
#                                      duplicate entry names (exact and by
#                                      case), comments reached only through
#                                      a relationship, parts nothing reaches
# Usage: tests/fuzz/disclose_seeds.sh BUILD_DIR   (a normal, non-fuzz build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: disclose_seeds.sh BUILD_DIR}

mkdir -p "$here/corpus/disclose_ooxml"
VIGIL_DISCLOSE_SEED_DIR="$here/corpus/disclose_ooxml" \
  "$build/tests/unit_disclose_check" >/dev/null 2>&1
echo "crafted: $(ls "$here/corpus/disclose_ooxml" | wc -l)"
