#!/usr/bin/env bash
# swaproot.sh TREE -- a test ransomware that first replaces the watched
# folder TREE by a copy of itself (cp -a, the original renamed away, the
# copy renamed into place: a monitor following the old folder sees
# nothing more, FIND12 35), waits, then encrypts it in place
# (ransom_inplace.sh). For vigil's tests only
# (tests/integration/test_fim_evasion.sh).
tree=$1
cp -a "$tree" "$tree.new"
mv "$tree" "$tree.old"
mv "$tree.new" "$tree"
sleep 2
exec bash "$(dirname "$0")/ransom_inplace.sh" "$tree"
