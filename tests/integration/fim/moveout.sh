#!/usr/bin/env bash
# moveout.sh TREE OUT -- a test ransomware that moves each folder of TREE
# out to OUT (the same file system: a rename), encrypts its files there
# in place (ransom_inplace.sh), where nothing watches, and moves it back
# (FIND12 19). For vigil's tests only (tests/integration/test_fim_evasion.sh).
tree=$1 out=$2
here=$(dirname "$0")
mkdir -p "$out"
for d in "$tree"/*/; do
    d=${d%/}
    n=$(basename "$d")
    mv "$d" "$out/$n"
    bash "$here/ransom_inplace.sh" "$out/$n"
    mv "$out/$n" "$d"
done
