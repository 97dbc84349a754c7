#!/usr/bin/env bash
# evtx_seeds.sh -- seeds for fuzz_parse_evtx.
#   tests/fuzz/corpus/parse_evtx/ crafted images (committed), written by the
#                                unit test's crafted cases (make_seeds.py
#                                writes the g-* images beside them)
#   tests/fuzz/corpus-run/parse_evtx/ the first chunk of a few real logs from
#                                $VIGIL_CORPUS (gitignored: never commit)
# Usage: tests/fuzz/evtx_seeds.sh BUILD_DIR   (a normal, non-fuzz build)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: evtx_seeds.sh BUILD_DIR}
corpus=${VIGIL_CORPUS:-$here/../../../shared/data}

mkdir -p "$here/corpus/parse_evtx" "$here/corpus-run/parse_evtx"
VIGIL_EVTX_SEED_DIR="$here/corpus/parse_evtx" VIGIL_CORPUS="$corpus" \
  "$build/tests/unit_parse_evtx" >/dev/null

# Header plus first chunk (69632 bytes) of a handful of real logs.
n=0
while IFS= read -r -d '' f; do
  head -c 69632 "$f" > "$here/corpus-run/parse_evtx/real-$n.evtx"
  n=$((n + 1))
  [ "$n" -ge 12 ] && break
done < <(find "$corpus/evtx-attack-samples" "$corpus/deepbluecli" \
           -name '*.evtx' -print0 2>/dev/null | sort -z)
echo "crafted: $(ls "$here/corpus/parse_evtx" | wc -l), from corpus: $n"
