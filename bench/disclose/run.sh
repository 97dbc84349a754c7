#!/usr/bin/env bash
# run.sh -- disclosure guard benchmark: `vigil check-release` against
# `libreoffice --headless --convert-to csv|txt` (the usual way to look
# inside office files from a script) on the same inputs; prints wall and
# CPU time, MB/s and peak memory (GNU time -v) for both, and the ratio.
#
# usage: bench/disclose/run.sh [VIGIL_BIN] [ROWS] [NDOCS]
#   ROWS  rows in the one-sheet workbook (2,400,000 gives about 100 MB)
#   NDOCS mixed documents in the folder test (1000)
# DISCLOSE_BENCH_DIR=DIR keeps the inputs in DIR and reuses them.
set -euo pipefail
BIN=${1:-build/vigil}
ROWS=${2:-600000}
NDOCS=${3:-1000}
HERE=$(cd "$(dirname "$0")" && pwd)
# DISCLOSE_BENCH_DIR keeps the generated inputs between runs (making a
# 100 MB workbook with openpyxl takes minutes); otherwise a temp folder.
if [ -n "${DISCLOSE_BENCH_DIR:-}" ]; then
  W=$DISCLOSE_BENCH_DIR
  mkdir -p "$W"
  rm -rf "$W/lo-out" "$W/lo-profile"
else
  W=$(mktemp -d /tmp/vigil-bench-disclose.XXXX)
  trap 'rm -rf "$W"' EXIT
fi
if [ ! -s "$W/big.xlsx" ] || [ "$(cat "$W/params" 2>/dev/null)" != "$ROWS $NDOCS" ]; then
  echo "generating $ROWS rows and $NDOCS documents in $W ..."
  rm -rf "$W/docs"
  /usr/bin/python3 "$HERE/gen.py" "$W" "$ROWS" "$NDOCS"
  echo "$ROWS $NDOCS" >"$W/params"
fi

measure() { # label, then command; prints "label wall user peakKB"
  local label=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" >/dev/null 2>&1 || true
  # GNU time puts "Command exited with non-zero status N" first (check-release
  # exits 1 or 2 on REVIEW or BLOCK); the figures are the last line.
  read -r wall user sys peak < <(tail -1 "$W/time")
  echo "$label $wall $user $sys $peak" | tee -a "$W/results"
}
: >"$W/results" 2>/dev/null || true
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
echo "LibreOffice wrote $(ls "$W/lo-out" 2>/dev/null | wc -l) files for big.xlsx and $NDOCS documents"
# The floor any streaming reader pays: inflating the sheet's XML alone.
measure unzip-big unzip -p "$W/big.xlsx" 'xl/worksheets/*'

# Summary: medians of each label's runs, CPU = user + sys, MB of the file.
med() { # label field(3=cpu, 5=peak KB)
  awk -v l="$1" -v f="$2" '$1 == l { print (f == 3 ? $3 + $4 : $f) }' "$W/results" |
    sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}
vb=$(med vigil-big 3); vd=$(med vigil-docs 3); lb=$(med lo-big 3); uz=$(med unzip-big 3)
ld=$(echo "$(med lo-docs-xlsx-csv 3) + $(med lo-docs-docx-txt 3)" | bc -l)
awk -v size="$SIZE" -v xml="$XML" -v docs="$DOCS" -v vb="$vb" -v vd="$vd" -v lb="$lb" \
    -v ld="$ld" -v uz="$uz" -v vr="$(med vigil-big 5)" -v lr="$(med lo-big 5)" 'BEGIN {
  printf "big.xlsx: vigil %.2f s CPU = %.1f MB/s of file (%.0f MB/s of XML), peak %.1f MB\n", vb, size / vb, xml / vb, vr / 1024
  printf "          LibreOffice %.2f s CPU, peak %.1f MB; ratio %.1fx\n", lb, lr / 1024, lb / vb
  printf "          inflating the sheet alone (unzip -p): %.2f s CPU = %.1f MB/s of file\n", uz, size / uz
  printf "docs: vigil %.2f s CPU (%.1f MB/s), LibreOffice %.2f s CPU; ratio %.1fx\n", vd, docs / vd, ld, ld / vd
}'
