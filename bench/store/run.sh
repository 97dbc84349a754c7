#!/usr/bin/env bash
# Store benchmark: archive write throughput of vigil's store against the
# sqlite3 CLI importing the same JSON lines into a one-column table in
# one transaction (same WAL/synchronous settings).
#
# Each run times both back to back; the machines here are shared, so the
# summary gives medians of wall-clock throughput, of CPU time (user+sys,
# steadier under load) and of the per-run ratios.
#
# usage: bench/store/run.sh [EVENTS] [BATCH]   (env: RUNS, VIGIL_CORPUS,
#        BUILD_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
EVENTS=${1:-1000000}
BATCH=${2:-1000}
RUNS=${RUNS:-5}
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
TIMEFORMAT='%R %U %S'
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
calc() { awk "BEGIN { printf \"%.6f\", $* }"; }

# The peer's input: the exact JSON text vigil archives.
"$WORK/bench_store" "$LOG" "$WORK" 1 1 "$WORK/warm.jsonl" >/dev/null
rm -f "$WORK/store.db"*

: >"$WORK/rows"
for run in $(seq "$RUNS"); do
  rm -rf "$WORK/db" "$WORK/peer.db"*
  mkdir "$WORK/db"
  { time "$WORK/bench_store" "$LOG" "$WORK/db" "$EVENTS" "$BATCH" \
      "$WORK/events.jsonl" >"$WORK/vigil.out"; } 2>"$WORK/vigil.time"
  v_n=$(grep -o 'events=[0-9]*' "$WORK/vigil.out" | cut -d= -f2)
  v_wall=$(grep -o ' seconds=[0-9.]*' "$WORK/vigil.out" | cut -d= -f2)
  v_bytes=$(grep -o 'db_bytes=[0-9]*' "$WORK/vigil.out" | cut -d= -f2)
  read -r _ vu vs <"$WORK/vigil.time"

  sqlite3 "$WORK/peer.db" "PRAGMA journal_mode=WAL;" >/dev/null
  # .import in ascii mode takes each line whole, with no quote
  # processing, in one transaction.
  { time sqlite3 "$WORK/peer.db" <<SQL
PRAGMA synchronous=NORMAL;
CREATE TABLE t (json TEXT);
.mode ascii
.separator "$US" "\n"
.import $WORK/events.jsonl t
SQL
  } 2>"$WORK/peer.time"
  read -r p_wall pu ps <"$WORK/peer.time"
  p_n=$(sqlite3 "$WORK/peer.db" "SELECT count(*) FROM t")
  p_bytes=$(stat -c %s "$WORK/peer.db")
  [ "$v_n" = "$EVENTS" ] && [ "$p_n" = "$EVENTS" ] ||
    { echo "stored $v_n / imported $p_n of $EVENTS" >&2; exit 1; }

  v_eps=$(calc "$EVENTS / $v_wall"); p_eps=$(calc "$EVENTS / $p_wall")
  v_cpu=$(calc "$vu + $vs"); p_cpu=$(calc "$pu + $ps")
  printf 'run %s: vigil %.0f ev/s (cpu %.2f s), sqlite3 %.0f ev/s (cpu %.2f s), ratio %.2f\n' \
    "$run" "$v_eps" "$v_cpu" "$p_eps" "$p_cpu" "$(calc "$v_eps / $p_eps")"
  echo "$v_eps $p_eps $v_cpu $p_cpu $(calc "$v_eps / $p_eps") $(calc "$p_cpu / $v_cpu") $(calc "$v_bytes / $EVENTS") $(calc "$p_bytes / $EVENTS")" >>"$WORK/rows"
done

col() { awk -v c="$1" '{print $c}' "$WORK/rows" | median; }
jsonb=$(wc -c <"$WORK/events.jsonl")
printf '\nevents: %s (loghub OpenSSH_2k.log cycled), batch %s, JSON %.1f bytes/event, %s runs (medians)\n' \
  "$EVENTS" "$BATCH" "$(calc "($jsonb - $EVENTS) / $EVENTS")" "$RUNS"
printf 'vigil store, submit+flush (build event, JSON, events+index): %.0f events/s, cpu %.2f s, %.1f bytes/event on disk\n' \
  "$(col 1)" "$(col 3)" "$(col 7)"
printf 'sqlite3 CLI .import (one TEXT column, no index):               %.0f events/s, cpu %.2f s, %.1f bytes/event on disk\n' \
  "$(col 2)" "$(col 4)" "$(col 8)"
printf 'ratio vigil/sqlite3: throughput %.2f (median of per-run ratios), cpu efficiency %.2f, size %.2f\n' \
  "$(col 5)" "$(col 6)" "$(calc "$(col 7) / $(col 8)")"
