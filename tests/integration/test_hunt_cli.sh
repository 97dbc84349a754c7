#!/usr/bin/env bash
# test_hunt_cli.sh -- `vigil hunt` command line: exit codes, output
# formats, time window, rule filters, recursion, and that the output does
# not depend on the number of worker threads. Uses the pack's own test logs
# (tests/rules), so it needs no corpus.
set -u
if "${VIGIL_BIN:?}" hunt --no-builtin --rules "${VIGIL_SOURCE_DIR:?}/rules" /dev/null 2>&1 |
    grep -q "engine is not built"; then
    echo "SKIP: this vigil has no Sigma engine yet"
    exit 77
fi
: "${VIGIL_BIN:?}" "${VIGIL_SOURCE_DIR:?}"
T=$VIGIL_SOURCE_DIR/tests/rules
R=$VIGIL_SOURCE_DIR/rules
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
check() { # check NAME WANT GOT
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: want [$2] got [$3]"
        fail=1
    else
        echo "ok: $1"
    fi
}
hunt() { "$VIGIL_BIN" hunt --no-builtin --rules "$R" "$@"; }

"$VIGIL_BIN" hunt --help >"$tmp/help" 2>&1
check "help exit" 0 $?
grep -q -- "--min-level" "$tmp/help"
check "help lists --min-level" 0 $?

"$VIGIL_BIN" hunt >/dev/null 2>&1
check "no path is a usage error" 64 $?
"$VIGIL_BIN" hunt --bogus "$T" >/dev/null 2>&1
check "unknown option" 64 $?
"$VIGIL_BIN" hunt --min-level severe "$T" >/dev/null 2>&1
check "bad level" 64 $?
"$VIGIL_BIN" hunt --since yesterday "$T" >/dev/null 2>&1
check "bad time" 64 $?
hunt "$tmp/does-not-exist" >/dev/null 2>&1
check "missing path" 66 $?
"$VIGIL_BIN" hunt --rules "$tmp/no-rules-here" "$T" >/dev/null 2>&1
check "missing rules folder" 66 $?

got=$("$VIGIL_BIN" hunt "$T/vigil_ssh_root_login/pos.log" --json --no-builtin \
    --rules "$R" 2>/dev/null | wc -l)
check "options after the path" 2 "$got"
hunt "$T/vigil_ssh_root_login/neg.log" >"$tmp/out" 2>&1
check "no match exits 0" 0 $?
hunt "$T/vigil_ssh_root_login/pos.log" >"$tmp/out" 2>&1
check "match exits 1" 1 $?
grep -q "Root login over SSH" "$tmp/out"
check "table shows the title" 0 $?
grep -q "^by ATT&CK tactic:.*initial-access 2" "$tmp/out"
check "summary by tactic" 0 $?
grep -q "^by level: high 2" "$tmp/out"
check "summary by level" 0 $?

# The whole test tree, recursively: JSON and CSV agree, threads do not
# change the output.
hunt --json --jobs 1 "$T" >"$tmp/j1" 2>/dev/null
hunt --json --jobs 4 "$T" >"$tmp/j4" 2>/dev/null
cmp -s "$tmp/j1" "$tmp/j4"
check "--jobs 1 and 4 give the same JSON" 0 $?
n=$(wc -l <"$tmp/j1")
[ "$n" -gt 20 ]
check "recursion finds the test logs (>20 matches)" 0 $?
hunt --csv --jobs 2 "$T" >"$tmp/c" 2>/dev/null
check "CSV has a header and one line per match" "$((n + 1))" "$(wc -l <"$tmp/c")"
head -1 "$tmp/c" | grep -q '^time,level,rule_id,rule_title,tags,host,details,file$'
check "CSV header" 0 $?
if command -v jq >/dev/null; then
    # a correlation's window names its events, not one event and file
    jq -e -s 'all(.[]; .rule.id and .rule.title and .rule.level and
        (.rule.tags|type=="array") and ((.event and .file) or
        (.matched["correlation.count"] > 0 and
         (.matched["correlation.events"]|length) > 0)))' "$tmp/j1" >/dev/null
    check "every JSON line has rule, tags, event, file (or its window's events)" 0 $?
fi

hunt --json --min-level high "$T" 2>/dev/null | grep -c '"level":"medium"' >"$tmp/m"
check "--min-level high drops medium" 0 "$(cat "$tmp/m")"
got=$(hunt --json --rule e8817d0e-db58-42d3-abab-efdbd96e4375 "$T" 2>/dev/null | wc -l)
check "--rule keeps one rule (2 root logins)" 2 "$got"
got=$(hunt --json --since 2024-03-03T12:00:00Z --until 2024-03-03T13:00:00Z \
    "$T/vigil_web_sql_injection/pos.log" 2>/dev/null | wc -l)
check "--since/--until window" 3 "$got"
got=$(hunt --json --since 2024-03-03T12:01:12Z \
    "$T/vigil_web_sql_injection/pos.log" 2>/dev/null | wc -l)
check "--since drops earlier events" 2 "$got"

# Correlation across files: the 12 failures of the brute-force test split
# over two files (6 each, interleaved in time) are one brute force; each
# file alone is not.
awk 'NR % 2 == 1' "$T/vigil_ssh_brute_force/pos.log" >"$tmp/auth.log"
awk 'NR % 2 == 0' "$T/vigil_ssh_brute_force/pos.log" >"$tmp/auth.log.1"
got=$(hunt --json --jobs 2 "$tmp/auth.log" "$tmp/auth.log.1" 2>/dev/null |
    grep -c '"id":"c2e3974e-7702-4e98-80e8-b063a70dd225"')
check "brute force correlated across two files" 1 "$got"
got=$(hunt --json "$tmp/auth.log" 2>/dev/null |
    grep -c '"id":"c2e3974e-7702-4e98-80e8-b063a70dd225"')
check "one half alone is no brute force" 0 "$got"
rm -f "$tmp/auth.log" "$tmp/auth.log.1"

# Big line files are cut into parts for the workers: tiny parts must give
# the same matches and record numbers (correlations included) as one part.
cat "$T"/vigil_ssh_*/pos.log "$T"/vigil_su*/pos.log "$T"/vigil_sudo*/pos.log \
    "$T"/vigil_user*/pos.log >"$tmp/syslog.log"
hunt --json --jobs 1 "$tmp/syslog.log" >"$tmp/whole" 2>/dev/null
VIGIL_HUNT_PART_BYTES=333 hunt --json --jobs 3 "$tmp/syslog.log" \
    >"$tmp/parts" 2>/dev/null
cmp -s "$tmp/whole" "$tmp/parts"
check "parts of a file give the same JSON as the whole file" 0 $?
[ "$(wc -l <"$tmp/whole")" -gt 15 ]
check "the parts test has matches to compare (>15)" 0 $?
rm -f "$tmp/syslog.log" "$tmp/whole" "$tmp/parts"

# Binary files are skipped, not errors.
head -c 4096 /dev/zero >"$tmp/blob.bin"
hunt "$tmp/blob.bin" >/dev/null 2>&1
check "binary file skipped" 0 $?
# A file with the EVTX signature that cannot be read is exit 65, and
# the other files are still hunted.
printf 'ElfFile\0' >"$tmp/broken.evtx"
hunt --json "$tmp/broken.evtx" "$T/vigil_ssh_root_login/pos.log" >"$tmp/out" 2>/dev/null
check "broken EVTX is exit 65" 65 $?
check "other files still hunted" 2 "$(wc -l <"$tmp/out")"
rm -f "$tmp/broken.evtx"
# An unreadable file is exit 65 (root can read everything: skip then).
cp "$T/vigil_ssh_root_login/pos.log" "$tmp/locked.log"
chmod 000 "$tmp/locked.log"
if [ ! -r "$tmp/locked.log" ]; then
    hunt "$tmp/locked.log" >/dev/null 2>&1
    check "unreadable file" 65 $?
else
    echo "SKIP: running as root, cannot make an unreadable file"
fi
# No progress line when stderr is not a terminal.
hunt --json "$T/vigil_ssh_root_login/pos.log" 2>"$tmp/err" >/dev/null
grep -q $'\r' "$tmp/err"
check "no progress line off a terminal" 1 $?
# The compiled literal databases are cached in STATE/cache: written by the
# first run, read by the next, the same matches either way; --no-cache
# leaves the folder alone.
cache_run() { # cache_run ARGS... : the JSON matches; the -v line in $tmp/cerr
    hunt -v --state-dir "$tmp/state" --json "$@" "$T" 2>"$tmp/cerr"
}
cache_run >"$tmp/c1"
grep -q "literal databases compiled and cached in $tmp/state/cache" "$tmp/cerr"
check "cache written on the first run" 0 $?
check "one cache file" 1 "$(ls "$tmp/state/cache" | grep -c '^literals-.*\.hsdb$')"
cache_run >"$tmp/c2"
grep -q "literal databases read from the cache" "$tmp/cerr"
check "cache read on the second run" 0 $?
cmp -s "$tmp/c1" "$tmp/c2"
check "same matches from the cache" 0 $?
[ -s "$tmp/c1" ]
check "the runs matched something" 0 $?
rm -rf "$tmp/state"
cache_run --no-cache >/dev/null
grep -q "literal databases not cached" "$tmp/cerr"
check "--no-cache compiles" 0 $?
[ ! -e "$tmp/state/cache" ]
check "--no-cache writes nothing" 0 $?
exit $fail
