#!/usr/bin/env bash
# test_red11.sh -- red-team findings on issue 11 (Windows hunting): the
# `vigil hunt --timeline --format csv` cells carry log fields an attacker
# chose (a user name in a failed or accepted login), so a cell that starts
# = + - @ must not reach a spreadsheet as a formula; a bare "-" (no value)
# stays as it is. Fails on a timeline that writes "@SUM(1+1)" as is.
set -u
: "${VIGIL_BIN:?}"
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
fail=0
check() { # NAME WANT GOT
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: want [$2] got [$3]"
        fail=1
    else
        echo "ok: $1"
    fi
}

{
    for i in $(seq 0 11); do
        printf 'May  4 10:00:%02d web1 sshd[%d]: Failed password for root from 203.0.113.2 port %d ssh2\n' \
            "$i" "$((4000 + i))" "$((50000 + i))"
    done
    printf 'May  4 10:01:01 web1 sshd[78]: Accepted password for @SUM(1+1) from 203.0.113.2 port 2 ssh2\n'
} >"$tmpd/auth.log"

"$VIGIL_BIN" hunt --timeline --format csv --year 2024 --no-cache \
    "$tmpd/auth.log" >"$tmpd/out.csv" 2>/dev/null
row=$(grep -F 'SUM(1+1)' "$tmpd/out.csv" | head -1)
[ -n "$row" ] || { echo "FAIL: no timeline row for the accepted login"; fail=1; }
check "user cell is text, not a formula" 1 "$(grep -cF ",\"'@SUM(1+1)\"," <<<"$row")"
check "no cell starts a formula" 0 "$(grep -cE '(^|,)"?[=+@]' "$tmpd/out.csv")"

exit $fail
