#!/usr/bin/env bash
# bench/ingest/run.sh -- how fast `vigil parse` decodes, next to the tools
# every administrator already trusts to read a file: `wc -l` (count lines)
# and `rg -c LITERAL` (find a word). Each command runs pinned to one core,
# 3 times after a warm-up, on a file already in the page cache. Reported:
# the median wall time and the mean CPU time (user + system). On a shared
# machine the wall time includes waiting for the core; the CPU time is
# the per-core cost, and lines per CPU-second is the per-core rate.
#
#   bench/ingest/run.sh            # ~1 GB files
#   INGEST_MB=200 bench/ingest/run.sh
#
# Env: VIGIL_BIN (default build/vigil), VIGIL_CORPUS (default
# ../shared/data), INGEST_MB (default 1024), RUNS (default 3).
# Generated data goes to bench/data/ (gitignored).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VIGIL_BIN:-$root/build/vigil}
corpus=${VIGIL_CORPUS:-$root/../shared/data}
mb=${INGEST_MB:-1024}
runs=${RUNS:-3}
data=$root/bench/data
ssh_src=$corpus/loghub/OpenSSH/OpenSSH_2k.log
linux_src=$corpus/loghub/Linux/Linux_2k.log

[ -x "$bin" ] || { echo "build vigil first ($bin)" >&2; exit 1; }
[ -f "$ssh_src" ] || { echo "SKIP: $ssh_src absent" >&2; exit 0; }
command -v hyperfine >/dev/null || { echo "needs hyperfine" >&2; exit 1; }
command -v rg >/dev/null || { echo "needs ripgrep (rg)" >&2; exit 1; }
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
mkdir -p "$data"

# Repeats $1 (newline-terminated copies) into $2 until it holds $mb MiB.
repeat_to() {
  local src=$1 dst=$2 unit=$data/.unit
  local want=$((mb * 1024 * 1024))
  if [ -f "$dst" ] && [ "$(stat -c %s "$dst")" -ge "$want" ]; then
    return
  fi
  # Build a ~16 MiB unit first so the big file needs few appends.
  : >"$unit"
  while [ "$(stat -c %s "$unit")" -lt $((16 * 1024 * 1024)) ]; do
    cat "$src" >>"$unit"
  done
  : >"$dst"
  while [ "$(stat -c %s "$dst")" -lt "$want" ]; do
    cat "$unit" >>"$dst"
  done
  rm -f "$unit"
}

# One newline-terminated copy of each source.
{ cat "$ssh_src"; echo; } | grep -v '^$' >"$data/ssh_unit.log"
repeat_to "$data/ssh_unit.log" "$data/ssh.log"
{
  "$bin" parse --year 2024 "$data/ssh_unit.log" 2>/dev/null
  [ -f "$linux_src" ] && "$bin" parse --year 2024 "$linux_src" 2>/dev/null
} >"$data/auth_unit.jsonl"
repeat_to "$data/auth_unit.jsonl" "$data/auth.jsonl"

times() { # hyperfine JSON -> "median_wall_s cpu_s" (cpu = user + system)
  python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"][0]; print(r["median"], r["user"] + r["system"])' "$1"
}

bench_file() { # file literal label
  local f=$1 lit=$2 label=$3 lines size t_v t_w t_r
  cat "$f" >/dev/null # into the page cache
  lines=$(wc -l <"$f")
  size=$(stat -c %s "$f")
  for cmd in vigil wc rg; do
    case $cmd in
    vigil) c="$pin $bin parse --count $f" ;;
    wc) c="$pin wc -l $f" ;;
    rg) c="$pin rg -c --no-mmap -j1 $lit $f" ;;
    esac
    hyperfine -N --warmup 1 --runs "$runs" --export-json "$data/$label-$cmd.json" \
      "$c" >/dev/null 2>&1 || hyperfine --warmup 1 --runs "$runs" \
      --export-json "$data/$label-$cmd.json" "$c" >/dev/null
  done
  t_v=$(times "$data/$label-vigil.json")
  t_w=$(times "$data/$label-wc.json")
  t_r=$(times "$data/$label-rg.json")
  python3 - "$label" "$lines" "$size" $t_v $t_w $t_r <<'PY'
import sys
label, lines, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
vw, vc, ww, wc, rw, rc = map(float, sys.argv[4:10])
mib = size / 1048576
print(f"{label}: {lines:,} lines, {mib:,.0f} MiB")
print(f"  {'command':20s} {'wall s':>8s} {'cpu s':>7s} {'M lines/cpu-s':>14s}"
      f" {'MiB/cpu-s':>10s} {'vigil cpu / tool cpu':>21s}")
for name, w, c in (("vigil parse --count", vw, vc), ("wc -l", ww, wc),
                   ("rg -c", rw, rc)):
    print(f"  {name:20s} {w:8.3f} {c:7.3f} {lines / c / 1e6:14.2f}"
          f" {mib / c:10.0f} {vc / c:21.1f}")
PY
}

echo "vigil ingest benchmark: $(nproc) cores, one used (${pin:-unpinned}), median of $runs"
bench_file "$data/ssh.log" "Failed" "auth-syslog"
bench_file "$data/auth.jsonl" "ssh_login" "auth-jsonl"
