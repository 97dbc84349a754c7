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
  read -r wall user sys peak <"$W/time"
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

# Summary: medians of vigil's runs, CPU = user + sys, MB of the file.
awk -v size="$SIZE" -v xml="$XML" -v docs="$DOCS" '
  { cpu[$1] = cpu[$1] " " ($3 + $4); rss[$1] = $5 }
  function med(list,   a, n) { n = split(list, a, " "); asort(a); return a[int((n + 1) / 2)] }
  END {
    vb = med(cpu["vigil-big"]); vd = med(cpu["vigil-docs"]); lb = med(cpu["lo-big"])
    ld = med(cpu["lo-docs-xlsx-csv"]) + med(cpu["lo-docs-docx-txt"]); uz = med(cpu["unzip-big"])
    printf "big.xlsx: vigil %.2f s CPU = %.1f MB/s of file (%.0f MB/s of XML), peak %.1f MB; ", vb, size / vb, xml / vb, rss["vigil-big"] / 1024
    printf "LibreOffice %.2f s CPU, peak %.1f MB; ratio %.1fx\n", lb, rss["lo-big"] / 1024, lb / vb
    printf "inflating the sheet alone (unzip -p): %.2f s CPU = %.1f MB/s of file\n", uz, size / uz
    printf "docs: vigil %.2f s CPU (%.1f MB/s), LibreOffice %.2f s CPU; ratio %.1fx\n", vd, docs / vd, ld, ld / vd
  }' "$W/results"
