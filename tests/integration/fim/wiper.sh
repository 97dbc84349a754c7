#!/usr/bin/env bash
# wiper.sh MODE DIR -- a test wiper: destroys the files under DIR without
# encrypting anything. MODE delete: unlinks them; truncate: empties them
# (": > F"); punch: punches holes over their whole length (fallocate -p).
# For vigil's tests only (tests/integration/test_fim_evasion.sh).
mode=$1
dir=$2
find "$dir" -type f -print0 |
    while IFS= read -r -d '' f; do
        case $mode in
        delete) rm -f -- "$f" ;;
        truncate) : >"$f" ;;
        punch) fallocate -p -o 0 -l "$(stat -c %s -- "$f")" -- "$f" ;;
        esac
    done
