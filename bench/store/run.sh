#!/usr/bin/env bash
# Store benchmark: archive write throughput of vigil's store against the
# sqlite3 CLI importing the same JSON lines into a one-column table in
# one transaction (same WAL/synchronous settings). Prints the medians of
# RUNS runs and the ratio.
#
# usage: bench/store/run.sh [EVENTS] [BATCH]   (env: RUNS, VIGIL_CORPUS,
#        BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-1000000}
BATCH=${2:-1000}
RUNS=${RUNS:-3}
BUILD_DIR=${BUILD_DIR:-build}
CORPUS=${VIGIL_CORPUS:-../shared/data}
LOG="$CORPUS/loghub/OpenSSH/OpenSSH_2k.log"
[ -f "$LOG" ] || { echo "SKIP: $LOG is absent (set VIGIL_CORPUS)"; exit 0; }
command -v sqlite3 >/dev/null || { echo "SKIP: sqlite3 CLI missing"; exit 0; }

cmake --build "$BUILD_DIR" -j2 --target vigil_lib >/dev/null
WORK=$(mktemp -d /tmp/vigil-bench-store.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cc -O2 -std=c11 -D_GNU_SOURCE -Isrc bench/store/bench_store.c \
  "$BUILD_DIR/libvigil_lib.a" $(pkg-config --libs sqlite3) -lpthread -lm \
  -o "$WORK/bench_store"

US=$'\x1f' # a column separator that JSON text never contains raw
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

: >"$WORK/vigil.txt"
: >"$WORK/peer.txt"
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/db"
  mkdir "$WORK/db"
  out=$("$WORK/bench_store" "$LOG" "$WORK/db" "$EVENTS" "$BATCH" \
        "$WORK/events.jsonl")
  echo "vigil run $run: $out"
  echo "$out" >>"$WORK/vigil.txt"

  rm -f "$WORK/peer.db"*
  sqlite3 "$WORK/peer.db" "PRAGMA journal_mode=WAL;" >/dev/null
  t0=$(date +%s.%N)
  # .import in ascii mode takes each line whole, no quote processing, and
  # runs as one transaction.
  sqlite3 "$WORK/peer.db" <<SQL
PRAGMA synchronous=NORMAL;
CREATE TABLE t (json TEXT);
.mode ascii
.separator "$US" "\n"
.import $WORK/events.jsonl t
SQL
  t1=$(date +%s.%N)
  n=$(sqlite3 "$WORK/peer.db" "SELECT count(*) FROM t")
  bytes=$(stat -c %s "$WORK/peer.db")
  secs=$(echo "$t1 - $t0" | bc -l)
  eps=$(echo "$n / $secs" | bc -l)
  printf 'sqlite3 run %s: events=%s seconds=%.3f events_per_s=%.0f db_bytes=%s bytes_per_event=%.1f\n' \
    "$run" "$n" "$secs" "$eps" "$bytes" "$(echo "$bytes / $n" | bc -l)" \
    | tee -a "$WORK/peer.txt"
  [ "$n" = "$EVENTS" ] || { echo "peer imported $n of $EVENTS lines" >&2; exit 1; }
done

jsonb=$(wc -c <"$WORK/events.jsonl")
v_eps=$(grep -o 'events_per_s=[0-9.]*' "$WORK/vigil.txt" | cut -d= -f2 | median)
p_eps=$(grep -o 'events_per_s=[0-9.]*' "$WORK/peer.txt" | cut -d= -f2 | median)
v_bpe=$(grep -o 'bytes_per_event=[0-9.]*' "$WORK/vigil.txt" | cut -d= -f2 | median)
p_bpe=$(grep -o 'bytes_per_event=[0-9.]*' "$WORK/peer.txt" | cut -d= -f2 | median)
printf 'events: %s, batch %s, JSON text %.1f bytes/event\n' "$EVENTS" "$BATCH" \
  "$(echo "($jsonb - $EVENTS) / $EVENTS" | bc -l)"
printf 'vigil store (submit+flush, events table + time index): %.0f events/s, %.1f bytes/event on disk\n' "$v_eps" "$v_bpe"
printf 'sqlite3 CLI .import (one TEXT column, no index):          %.0f events/s, %.1f bytes/event on disk\n' "$p_eps" "$p_bpe"
printf 'ratio vigil/sqlite3: throughput %.2f, size %.2f\n' \
  "$(echo "$v_eps / $p_eps" | bc -l)" "$(echo "$v_bpe / $p_bpe" | bc -l)"
