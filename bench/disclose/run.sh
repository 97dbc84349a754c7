#!/usr/bin/env bash
# run.sh -- disclosure guard benchmark: `vigil check-release` against
# `libreoffice --headless --convert-to csv|txt` (the usual way to look
# inside office files from a script) on the same inputs; prints wall and
# CPU time, MB/s and peak memory (GNU time -v) for both, and the ratio.
#
# usage: bench/disclose/run.sh [VIGIL_BIN] [ROWS] [NDOCS]
#   ROWS  rows in the one-sheet workbook (2,400,000 gives about 100 MB)
#   NDOCS mixed documents in the folder test (1000)
set -euo pipefail
BIN=${1:-build/vigil}
ROWS=${2:-600000}
NDOCS=${3:-1000}
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d /tmp/vigil-bench-disclose.XXXX)
trap 'rm -rf "$W"' EXIT
echo "generating $ROWS rows and $NDOCS documents in $W ..."
/usr/bin/python3 "$HERE/gen.py" "$W" "$ROWS" "$NDOCS"

measure() { # label, then command; prints "label wall user peakKB"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" >/dev/null 2>&1 || true
  read -r wall user sys peak <"$W/time"
  echo "$label $wall $user $sys $peak"
}
mb() { echo "scale=2; $(stat -c %s "$1") / 1048576" | bc; }

SIZE=$(mb "$W/big.xlsx")
XML=$(unzip -l "$W/big.xlsx" | tail -1 | awk '{printf "%.2f", $1/1048576}')
DOCS=$(du -sb "$W/docs" | awk '{printf "%.2f", $1/1048576}')
echo "big.xlsx: $SIZE MB ($XML MB of XML inside); docs: $NDOCS files, $DOCS MB"

for i in 1 2 3; do measure vigil-big "$BIN" check-release "$W/big.xlsx"; done
for i in 1 2 3; do measure vigil-docs "$BIN" check-release "$W/docs"; done
PROF="file://$W/lo-profile"
measure lo-big soffice --headless -env:UserInstallation="$PROF" \
  --convert-to csv --outdir "$W/lo-out" "$W/big.xlsx"
measure lo-docs-xlsx-csv soffice --headless -env:UserInstallation="$PROF" \
  --convert-to csv --outdir "$W/lo-out" "$W"/docs/*.xlsx "$W"/docs/*.csv
measure lo-docs-docx-txt soffice --headless -env:UserInstallation="$PROF" \
  --convert-to txt --outdir "$W/lo-out" "$W"/docs/*.docx
