#!/usr/bin/env bash
# test_hunt_inputs.sh -- `vigil hunt` (and `parse`, `check-release` where
# they open files) against hostile or awkward inputs:
#   - a log truncated while hunt reads it (copytruncate) ends early, no
#     SIGBUS;
#   - a hunt where every line fires keeps memory bounded (--json);
#   - a rotated .gz log is hunted, a gzip bomb is stopped (exit 65);
#   - a FIFO named on the command line is refused, never waited on;
#   - control characters from a log line never reach the terminal raw in
#     the table or CSV;
#   - a damaged EVTX file is a failed file (exit 65), not "0 events".
set -uo pipefail

: "${VIGIL_BIN:?VIGIL_BIN must point at the vigil binary}"
SRC=${VIGIL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
T=$(mktemp -d /tmp/vigil-huntin-XXXXXX)
trap 'rm -rf "$T"' EXIT
export VIGIL_STATE_DIR=$T/state
fail() {
    echo "FAIL: $*"
    exit 1
}
POS=$SRC/tests/rules/vigil_ssh_root_login/pos.log
HUNT=("$VIGIL_BIN" hunt --no-cache)

# A rule firing on every JSON line whose msg holds "evil".
mkdir -p "$T/rules"
cat >"$T/rules/evil.yml" <<'YML'
title: Evil word
id: 0b4cde4e-1111-4222-8333-444455556666
status: test
level: high
logsource:
  category: test
detection:
  sel:
    msg|contains: evil
  condition: sel
tags:
  - attack.execution
YML

# ---- copytruncate: the file shrinks under the reader ----
# >4 KiB of lines that fire, then a 2 GiB hole (no disk used) that the
# reader is still in when the file is cut back.
for i in $(seq 60); do cat "$POS"; done >"$T/trunc.log"
keep=$(stat -c %s "$T/trunc.log")
truncate -s 2G "$T/trunc.log"
VIGIL_HUNT_PART_BYTES=67108864 "${HUNT[@]}" --quiet --jobs 2 "$T/trunc.log" \
    >"$T/trunc.out" 2>&1 &
pid=$!
sleep 0.3
truncate -s "$keep" "$T/trunc.log"
wait "$pid"
rc=$?
[ "$rc" -lt 128 ] || fail "hunt killed by signal $((rc - 128)) when its input was truncated"
grep -q '^hunt: [1-9][0-9]* match' "$T/trunc.out" ||
    fail "no match before the truncation: $(cat "$T/trunc.out")"

# ---- .gz: hunted like the plain file ----
cp "$POS" "$T/auth.log.2"
gzip -9 "$T/auth.log.2"
"${HUNT[@]}" --json "$POS" >"$T/plain.json" 2>/dev/null
"${HUNT[@]}" --json "$T/auth.log.2.gz" >"$T/gz.json" 2>"$T/gz.err"
rc=$?
[ "$rc" = 1 ] || fail ".gz: exit $rc, want 1 (rules fired): $(cat "$T/gz.err")"
n_plain=$(wc -l <"$T/plain.json")
n_gz=$(wc -l <"$T/gz.json")
[ "$n_plain" -gt 0 ] && [ "$n_plain" = "$n_gz" ] ||
    fail ".gz: $n_gz matches, plain file $n_plain"
# found inside a folder too
mkdir -p "$T/rot" && cp "$T/auth.log.2.gz" "$T/rot/"
"${HUNT[@]}" --json "$T/rot" >"$T/rot.json" 2>/dev/null
[ "$(wc -l <"$T/rot.json")" = "$n_plain" ] || fail ".gz in a folder not hunted"
# A bomb: newlines expanding far past the bound; stopped, exit 65.
head -c 300000000 /dev/zero | tr "\0" "\n" | gzip -9 >"$T/bomb.log.gz"
"${HUNT[@]}" --quiet "$T/bomb.log.gz" >"$T/bomb.out" 2>&1
rc=$?
[ "$rc" = 65 ] || fail "gzip bomb: exit $rc, want 65: $(cat "$T/bomb.out")"
grep -q 'decompression bomb' "$T/bomb.out" || fail "gzip bomb not said"

# ---- FIFO: refused at once by hunt, parse and check-release ----
mkfifo "$T/fifo"
timeout 20 "${HUNT[@]}" "$T/fifo" >"$T/fifo.out" 2>&1
rc=$?
[ "$rc" != 124 ] || fail "hunt waits forever on a FIFO"
[ "$rc" = 65 ] || fail "hunt on a FIFO: exit $rc, want 65"
grep -q 'not a regular file' "$T/fifo.out" || fail "hunt: FIFO not said"
timeout 20 "$VIGIL_BIN" parse "$T/fifo" >"$T/fifo.out" 2>&1
rc=$?
[ "$rc" != 124 ] || fail "parse waits forever on a FIFO"
[ "$rc" = 66 ] || fail "parse on a FIFO: exit $rc, want 66"
grep -q 'not a regular file' "$T/fifo.out" || fail "parse: FIFO not said"
timeout 20 "$VIGIL_BIN" check-release "$T/fifo" >"$T/fifo.out" 2>&1
rc=$?
[ "$rc" != 124 ] || fail "check-release waits forever on a FIFO"
[ "$rc" = 66 ] || fail "check-release on a FIFO: exit $rc, want 66"
# stdin stays what - is for
echo '{"msg":"x"}' | "$VIGIL_BIN" parse --count - >/dev/null 2>&1 ||
    fail "parse - (stdin) broken"

# ---- terminal escapes from log lines ----
printf '{"msg":"evil","user.name":"x\\u001b]0;owned\\u0007\\u001b[2J y\\u009b31m"}\n' \
    >"$T/esc.jsonl"
"${HUNT[@]}" --no-builtin --rules "$T/rules" "$T/esc.jsonl" >"$T/esc.table" 2>&1
grep -q 'Evil word' "$T/esc.table" || fail "escape test rule did not fire: $(cat "$T/esc.table")"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/esc.table" ||
    grep -q $'\xc2\x9b' "$T/esc.table"; then
    fail "control characters copied to the table: $(cat -v "$T/esc.table")"
fi
grep -q 'user=x\\x1b]0;owned' "$T/esc.table" || fail "escape not shown: $(cat -v "$T/esc.table")"
"${HUNT[@]}" --csv --no-builtin --rules "$T/rules" "$T/esc.jsonl" >"$T/esc.csv" 2>/dev/null
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$T/esc.csv" ||
    grep -q $'\xc2\x9b' "$T/esc.csv"; then
    fail "control characters copied to CSV: $(cat -v "$T/esc.csv")"
fi

# ---- damaged EVTX: a failed file, exit 65 (hunt and parse) ----
ev=$(find "${VIGIL_CORPUS:-/nonexistent}" -name '*.evtx' -size -200k 2>/dev/null | head -1)
if [ -n "$ev" ]; then
    head -c 4096 "$ev" >"$T/cut.evtx"
    { head -c 4096 "$ev"; head -c 65536 /dev/urandom; } >"$T/garbage.evtx"
    { head -c 8 "$ev"; head -c 70000 /dev/urandom; } >"$T/header.evtx"
    for f in cut garbage header; do
        "${HUNT[@]}" --quiet "$T/$f.evtx" >"$T/ev.out" 2>&1
        rc=$?
        [ "$rc" = 65 ] || fail "hunt on a damaged EVTX ($f): exit $rc, want 65: $(cat "$T/ev.out")"
        grep -q 'damaged EVTX' "$T/ev.out" || fail "hunt: damaged EVTX ($f) not said"
        "$VIGIL_BIN" parse --count "$T/$f.evtx" >"$T/ev.out" 2>&1
        rc=$?
        [ "$rc" = 65 ] || fail "parse on a damaged EVTX ($f): exit $rc, want 65"
    done
    # an intact file still reads with exit 0 or 1
    "${HUNT[@]}" --quiet "$ev" >/dev/null 2>&1
    rc=$?
    [ "$rc" -le 1 ] || fail "intact EVTX $ev: exit $rc"
else
    echo "note: no EVTX in VIGIL_CORPUS, damaged-EVTX case not run"
fi

# ---- memory: every line fires, --json needs every event ----
# ~96 MiB of JSON lines; the matches' events must not all stay in memory.
# (ASan builds keep freed memory in quarantine: RSS says nothing there.)
if ! grep -q __asan_init "$VIGIL_BIN" 2>/dev/null && [ -x /usr/bin/time ]; then
    pad=$(head -c 300 /dev/zero | tr '\0' 'a')
    line="{\"msg\":\"evil $pad\",\"user.name\":\"u\",\"n\":1}"
    yes "$line" | head -n 300000 >"$T/big.jsonl"
    /usr/bin/time -f '%M' -o "$T/rss" "${HUNT[@]}" --json --jobs 2 \
        --no-builtin --rules "$T/rules" "$T/big.jsonl" >"$T/big.out" 2>/dev/null
    n=$(wc -l <"$T/big.out")
    [ "$n" = 300000 ] || fail "memory test: $n matches, want 300000"
    rss=$(tail -1 "$T/rss")
    echo "hunt --json, 300000 matches on $(($(stat -c %s "$T/big.jsonl") >> 20)) MiB: max RSS $((rss >> 10)) MiB"
    [ "$rss" -lt $((80 * 1024)) ] || fail "hunt kept every match's event: max RSS $((rss >> 10)) MiB"
    # the spilled details come back in order and whole
    [ "$(head -1 "$T/big.out" | grep -c '"record":1,')" = 1 ] || fail "first match is not record 1"
    [ "$(tail -1 "$T/big.out" | grep -c "\"record\":300000,.*$pad")" = 1 ] ||
        fail "last match lost its event"
fi
echo "ok"
