#!/usr/bin/env bash
# test_decode_per_line.sh -- with `format: auto` no line decides how the
# lines after it are read (issue 9, item 1): a junk first line, NUL bytes
# left at the resume point by a power cut, or a glob over files of two
# formats still give every brute-force alert; `vigil hunt` still hunts a
# file whose first 4 KiB hold NUL bytes; files and stdin whose lines end
# with "\r" alone are read line by line. Each case failed before lines
# were decoded one by one (0 alerts, or every line failed).
set -euo pipefail

BRUTE=c2e3974e-7702-4e98-80e8-b063a70dd225 # SSH brute force from one address

. "$(dirname "$0")/daemon_lib.sh" decode-line
stamp() { date '+%b %e %H:%M:%S'; }
# 60 failed logins from one address: one alert (event_count gte 10, one
# per window) counting 60.
failed_logins() { # [line end]
    local st i
    st=$(stamp)
    for i in $(seq 1 60); do
        printf '%s web1 sshd[%d]: Failed password for root from 203.0.113.9 port %d ssh2%b' \
            "$st" $((3000 + i)) $((41000 + i)) "${1:-\n}"
    done
}
config() { # name, paths...
    local name=$1
    shift
    cat <<YML
state_dir: $T/$name/state
store:
  archive_events: true
sources:
  - name: src
    type: file
    paths: [$(
        IFS=,
        echo "$*"
    )]
YML
}
once() { # name
    "$VIGIL_BIN" run -c "$T/$1.yml" --once 2>>"$T/daemon.log" ||
        fail "$1: vigil run --once exited $?"
}
counter() { # name, counter
    "$VIGIL_BIN" status --state-dir "$T/$1/state" --json |
        grep -o "\"$2\":[0-9]*" | head -1 | cut -d: -f2
}
brute_alerts() { # name
    "$VIGIL_BIN" alerts --state-dir "$T/$1/state" --json --limit 0 |
        grep -cF "\"rule_id\":\"$BRUTE\"" || true
}
expect() { # name, what, got, want
    echo "$1: $2 = $3 (want $4)"
    [ "$3" = "$4" ] || fail "$1: $2 is $3, expected $4"
}

# ---- 1. a junk first line, then the brute force.
mkdir -p "$T/junk"
{
    printf '\x01\x02\xff binary junk, no log format at all\n'
    failed_logins
} >"$T/junk/auth.log"
config junk "$T/junk/auth.log" >"$T/junk.yml"
once junk
expect junk "brute-force alerts" "$(brute_alerts junk)" 1
expect junk "failed logins counted" "$("$VIGIL_BIN" alerts --state-dir "$T/junk/state" --json --limit 0 |
    grep -o '"correlation.count":[0-9]*' | cut -d: -f2)" 60
expect junk decoded "$(counter junk decoded)" 61

# ---- 2. NUL bytes at the resume point: the daemon read the file and
# stored its checkpoint; a power cut lost what the log writer had not
# flushed (zeros where it was), then the writer went on after the zeros.
mkdir -p "$T/nul"
echo "$(stamp) web1 sshd[812]: Server listening on 0.0.0.0 port 22." >"$T/nul/auth.log"
config nul "$T/nul/auth.log" >"$T/nul.yml"
once nul
{
    head -c 1000 /dev/zero
    printf '\n' # a line of padding alone: counted as failed
    head -c 2097152 /dev/zero # more than the longest line (1 MiB)
    failed_logins             # the first of them right after the zeros
} >>"$T/nul/auth.log"
once nul
expect nul "brute-force alerts" "$(brute_alerts nul)" 1
expect nul decoded "$(counter nul decoded)" 61
expect nul failed "$(counter nul failed)" 1

# ---- 3. one glob over an auth log and a JSON-lines file: each file in its
# own format, whichever is read first.
mkdir -p "$T/glob"
failed_logins >"$T/glob/a-auth.log"
for i in $(seq 1 30); do
    printf '{"@timestamp":"2024-05-01T10:00:%02dZ","event":{"action":"probe"},"json.marker":"j%d"}\n' \
        "$i" "$i"
done >"$T/glob/b-app.log"
config glob "$T/glob/*.log" >"$T/glob.yml"
once glob
expect glob "brute-force alerts" "$(brute_alerts glob)" 1
expect glob decoded "$(counter glob decoded)" 90
expect glob failed "$(counter glob failed)" 0
got=$("$VIGIL_BIN" status --state-dir "$T/glob/state" --events \
    --grep '"json.marker":"j30"' | wc -l)
expect glob "JSON events with their fields" "$got" 1

# ---- 4. `vigil hunt` over a file whose first 4 KiB hold NUL bytes.
mkdir -p "$T/hunt"
{
    echo "$(stamp) web1 sshd[812]: Server listening on 0.0.0.0 port 22."
    head -c 5000 /dev/zero
    printf '\n'
    failed_logins
} >"$T/hunt/auth.log"
rc=0
"$VIGIL_BIN" hunt --json "$T/hunt/auth.log" >"$T/hunt/out" 2>"$T/hunt/err" || rc=$?
expect hunt "exit status" "$rc" 1
expect hunt "brute-force alerts" "$(grep -cF "\"id\":\"$BRUTE\"" "$T/hunt/out" || true)" 1
# A real binary file is still skipped.
head -c 8192 /dev/urandom | tr '\n' 'x' >"$T/hunt/blob.bin"
head -c 100 /dev/zero >>"$T/hunt/blob.bin"
rc=0
"$VIGIL_BIN" hunt "$T/hunt/blob.bin" >/dev/null 2>&1 || rc=$?
expect hunt "exit status on a binary file" "$rc" 0

# ---- 5. lines ending with "\r" alone, in a file and on stdin; "\r\n" as
# before (no empty records, no failures).
mkdir -p "$T/cr"
failed_logins '\r' >"$T/cr/auth.log"
config cr "$T/cr/auth.log" >"$T/cr.yml"
once cr
expect cr "brute-force alerts" "$(brute_alerts cr)" 1
expect cr decoded "$(counter cr decoded)" 60
mkdir -p "$T/crlf"
failed_logins '\r\n' >"$T/crlf/auth.log"
config crlf "$T/crlf/auth.log" >"$T/crlf.yml"
once crlf
expect crlf "brute-force alerts" "$(brute_alerts crlf)" 1
expect crlf decoded "$(counter crlf decoded)" 60
expect crlf failed "$(counter crlf failed)" 0
cat >"$T/stdin.yml" <<YML
state_dir: $T/stdin/state
sources:
  - {name: src, type: stdin}
YML
failed_logins '\r' | "$VIGIL_BIN" run -c "$T/stdin.yml" --once 2>>"$T/daemon.log" ||
    fail "stdin: vigil run --once exited $?"
expect stdin "brute-force alerts" "$(brute_alerts stdin)" 1
expect stdin decoded "$(counter stdin decoded)" 60
echo "PASS: decoding per line"
