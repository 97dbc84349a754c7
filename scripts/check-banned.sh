#!/usr/bin/env bash
# Refuses functions that invite overflows or hidden global state.
set -euo pipefail
cd "$(dirname "$0")/.."
banned='\b(sprintf|vsprintf|strcpy|strcat|strtok|atoi|atol|gets|system)\s*\('
if grep -rnE "$banned" src tests/unit tests/fuzz --include='*.c' --include='*.h'; then
  echo "banned function used (see docs/style.md)" >&2
  exit 1
fi
echo "no banned functions"
