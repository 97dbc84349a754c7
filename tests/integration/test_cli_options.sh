#!/usr/bin/env bash
# test_cli_options.sh -- the one command-line convention of every vigil
# command (src/cli/cli_opts.c): --help exits 0 and lists the options;
# --opt=V, --opt V, -oV, -o V, bundled flags and `--` are accepted where
# the option exists; unknown options, abbreviations, missing values and
# values given to flags exit 64 with the same messages everywhere.
# Needs no corpus: vigil's own rules and their test logs.
set -u
: "${VIGIL_BIN:?}" "${VIGIL_SOURCE_DIR:?}"
R=$VIGIL_SOURCE_DIR/rules
POS=$VIGIL_SOURCE_DIR/tests/rules/vigil_ssh_root_login/pos.log
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export VIGIL_STATE_DIR=$tmp/default-state
fail=0
check() { # check NAME WANT GOT
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: want [$2] got [$3]"
        fail=1
    else
        echo "ok: $1"
    fi
}
# run_rc ARGS...: runs vigil, stdout to $tmp/out, stderr to $tmp/err;
# prints the exit code.
run_rc() {
    "$VIGIL_BIN" "$@" >"$tmp/out" 2>"$tmp/err"
    echo $?
}
# refused NAME MESSAGE ARGS...: exit 64, MESSAGE and the synopsis on stderr.
refused() {
    local name=$1 msg=$2
    shift 2
    check "$name: exit" 64 "$(run_rc "$@")"
    grep -qxF "$msg" "$tmp/err"
    check "$name: says \"$msg\"" 0 $?
    grep -q "^usage: vigil" "$tmp/err"
    check "$name: shows the usage" 0 $?
}

# --- every command: --help and -h, unknown option, missing value ---
# command, one option taking a value, one of its valid arguments
cmds=("run --config" "parse --format" "status --state-dir" "version -"
    "hunt --rules" "rules --config" "check-release --html"
    "alerts --limit" "incident --title" "evidence --state-dir")
for c in "${cmds[@]}"; do
    set -- $c
    cmd=$1 valopt=$2
    for h in --help -h; do
        check "$cmd $h exit" 0 "$(run_rc "$cmd" "$h")"
        grep -q "^usage: vigil $cmd" "$tmp/out"
        check "$cmd $h prints the usage" 0 $?
        grep -qE "^  -h, --help +this text" "$tmp/out"
        check "$cmd $h lists -h, --help" 0 $?
        # The generated Options: part wraps within 79 columns.
        check "$cmd $h fits 79 columns" 0 "$(awk 'length > 79' "$tmp/out" | wc -l)"
    done
    refused "$cmd --no-such-option" \
        "vigil $cmd: unknown option '--no-such-option'" \
        "$cmd" --no-such-option
    refused "$cmd -Z" "vigil $cmd: unknown option '-Z'" "$cmd" -Z
    refused "$cmd --help=x" "vigil $cmd: option '--help' takes no value" \
        "$cmd" --help=x
    if [ "$valopt" != - ]; then
        refused "$cmd $valopt (last)" \
            "vigil $cmd: option '$valopt' needs a value" "$cmd" "$valopt"
    fi
done
refused "vigil --bogus" "vigil: unknown option '--bogus'" --bogus
refused "unknown command" "vigil: unknown command 'nosuch'" nosuch
check "vigil --help" 0 "$(run_rc --help)"
grep -q "^  run " "$tmp/out"
check "vigil --help lists the commands" 0 $?

# --- hunt: all the spellings of --rules and --jobs ---
hunt_ok() { # hunt_ok NAME ARGS...: two matches of pos.log, exit 1
    local name=$1
    shift
    check "hunt $name: exit" 1 "$(run_rc hunt --no-builtin --no-cache "$@")"
    grep -c '"rule"' "$tmp/out" >"$tmp/n"
    check "hunt $name: matches" 2 "$(cat "$tmp/n")"
}
hunt_ok "--rules=DIR -j1" --json --rules="$R" -j1 "$POS"
hunt_ok "--rules DIR --jobs 2" --json --rules "$R" --jobs 2 "$POS"
hunt_ok "-rDIR --jobs=1" --json -r"$R" --jobs=1 "$POS"
hunt_ok "-r DIR, bundled -vj 1 then --json" -r "$R" -vj 1 --json "$POS"
hunt_ok "options after the path" "$POS" --json -r "$R" -j1
hunt_ok "-- ends the options" --json -r "$R" -- "$POS"
# Even under POSIXLY_CORRECT, options may follow the paths.
check "POSIXLY_CORRECT: exit" 1 "$(POSIXLY_CORRECT=1 run_rc hunt --no-builtin \
    "$POS" --json -r "$R")"
check "hunt --min-level=critical: no match" 0 \
    "$(run_rc hunt --no-builtin --rules="$R" --min-level=critical "$POS")"
refused "hunt abbreviation" \
    "vigil hunt: unknown option '--no-built' (did you mean '--no-builtin'?)" \
    hunt --no-built -r "$R" "$POS"
refused "hunt -j (last)" "vigil hunt: option '-j' needs a value" hunt "$POS" -j
refused "hunt --json=1" "vigil hunt: option '--json' takes no value" \
    hunt --json=1 "$POS"
refused "hunt -j0" "vigil hunt: --jobs wants 1..256" hunt -j0 "$POS"
refused "hunt without PATH" "vigil hunt: no PATH given" hunt -r "$R"

# --- run, status, alerts: one store ---
printf 'Mar  3 04:02:33 web01 sshd[8102]: Accepted password for root from 185.220.101.7 port 41022 ssh2\n' \
    >"$tmp/auth.log"
cat >"$tmp/vigil.yml" <<EOF
state_dir: $tmp/state
sources:
  - name: auth
    type: file
    paths: [$tmp/auth.log]
EOF
check "run --config=FILE --once" 0 "$(run_rc run --config="$tmp/vigil.yml" --once)"
check "run -cFILE --once -v" 0 "$(run_rc run -c"$tmp/vigil.yml" --once -v)"
check "run -c FILE --state-dir=DIR --once" 0 \
    "$(run_rc run -c "$tmp/vigil.yml" --state-dir="$tmp/state2" --once)"
[ -f "$tmp/state2/vigil.db" ]
check "run --state-dir=DIR is used" 0 $?
refused "run positional" "vigil run: unexpected argument 'x'" run x
check "status -cFILE --json" 0 "$(run_rc status -c"$tmp/vigil.yml" --json)"
grep -q '"name":"auth","events_in":1' "$tmp/out"
check "status -cFILE reads the configured store" 0 $?
check "status --state-dir=DIR" 0 "$(run_rc status --state-dir="$tmp/state")"
grep -q "^auth " "$tmp/out"
check "status --state-dir=DIR shows the source" 0 $?
check "status --state-dir DIR" 0 "$(run_rc status --state-dir "$tmp/state")"
for l in "--limit=1" "--limit 1" "-n1" "-n 1"; do
    # shellcheck disable=SC2086 # the option's words split on purpose
    check "alerts $l" 0 "$(run_rc alerts --state-dir="$tmp/state" $l --json)"
done
check "alerts --config=FILE" 0 "$(run_rc alerts --config="$tmp/vigil.yml")"
refused "alerts -nx" "vigil alerts: --limit wants a number >= 0, not 'x'" \
    alerts -nx

# --- parse ---
"$VIGIL_BIN" parse --format=syslog --year=2024 --count "$tmp/auth.log" \
    >"$tmp/out" 2>&1
check "parse --format=syslog --year=2024 --count" "1 events, 0 failed" \
    "$(cat "$tmp/out")"
"$VIGIL_BIN" parse -fsyslog -y 2024 -cv "$tmp/auth.log" >"$tmp/out" 2>&1
check "parse -fsyslog -y 2024 -cv" 1 "$(grep -c '^1 events, 0 failed$' "$tmp/out")"
cp "$tmp/auth.log" "$tmp/--count"
(cd "$tmp" && "$VIGIL_BIN" parse -f syslog -- --count) >"$tmp/out" 2>/dev/null
check "parse -- --count reads a file called --count" 1 \
    "$(grep -c '"host.name":"web01"' "$tmp/out")"
refused "parse --format=nosuch" "vigil parse: unknown format 'nosuch'" \
    parse --format=nosuch

# --- rules ---
check "rules check --placeholder=N=V --json DIR" 0 \
    "$(run_rc rules check --placeholder=N=V --json "$R")"
grep -q '"refused": 0' "$tmp/out"
check "rules check --json: JSON summary" 0 $?
check "rules list -cFILE" 0 "$(run_rc rules list -c"$tmp/vigil.yml")"
check "rules --config=FILE (no action)" 0 \
    "$(run_rc rules --config="$tmp/vigil.yml")"
refused "rules --placeholder=bad" \
    "vigil rules: --placeholder 'bad' is not NAME=VALUE (NAME without % signs)" \
    rules --placeholder=bad "$R"

# --- check-release ---
printf 'The meeting is on Tuesday.\n' >"$tmp/note.txt"
check "check-release --max-records=5 --json" 0 \
    "$(run_rc check-release --max-records=5 --json "$tmp/note.txt")"
grep -q '"verdict"' "$tmp/out"
check "check-release --json prints JSON" 0 $?
check "check-release --html FILE" 0 \
    "$(run_rc check-release --html "$tmp/r.html" "$tmp/note.txt")"
[ -s "$tmp/r.html" ]
check "check-release --html wrote the report" 0 $?
# getopt_long's abbreviations were accepted here before; no longer.
refused "check-release --max=5" \
    "vigil check-release: unknown option '--max' (did you mean '--max-records'?)" \
    check-release --max=5 "$tmp/note.txt"

# --- version, and main handing over to it ---
check "version --json" '{"name":"vigil"' \
    "$("$VIGIL_BIN" version --json | cut -d, -f1)"
check "vigil --version --json (two parses in one process)" '{"name":"vigil"' \
    "$("$VIGIL_BIN" --version --json | cut -d, -f1)"
refused "version x" "vigil version: unexpected argument 'x'" version x

exit $fail
