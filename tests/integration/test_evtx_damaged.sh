#!/usr/bin/env bash
# test_evtx_damaged.sh -- damaged EVTX files through the command line:
# `vigil parse` and `vigil hunt` skip a damaged chunk, say so, read the
# rest, and with --carve recover the skipped chunk's records; a file none of
# whose chunks can be read makes `vigil hunt` exit 65. Skips without the
# corpus.
set -u
: "${VIGIL_BIN:?}"
CORPUS=${VIGIL_CORPUS:-${VIGIL_SOURCE_DIR:-.}/../shared/data}
SRC="$CORPUS/evtx-attack-samples/Lateral Movement/LM_5145_Remote_FileCopy.evtx"
[ -f "$SRC" ] || { echo "SKIP: $SRC is absent (set VIGIL_CORPUS)"; exit 77; }
tmpd=$(mktemp -d)
trap 'rm -rf "$tmpd"' EXIT
fail=0
check() { # NAME WANT GOT
    if [ "$2" != "$3" ]; then
        echo "FAIL: $1: want [$2] got [$3]"
        fail=1
    else
        echo "ok: $1"
    fi
}

# Chunk 1 (records 99..197) loses its signature.
cp "$SRC" "$tmpd/sig.evtx"
printf 'XXXXXXXX' | dd of="$tmpd/sig.evtx" bs=1 seek=$((4096 + 65536)) \
    conv=notrunc status=none
"$VIGIL_BIN" parse --count "$tmpd/sig.evtx" >"$tmpd/out" 2>"$tmpd/err"
check "damaged chunk skipped" "770 events, 0 failed" "$(cat "$tmpd/out")"
check "damaged chunk noted" 1 "$(grep -c '1 damaged EVTX chunk(s) skipped' "$tmpd/err")"
"$VIGIL_BIN" parse --count --carve "$tmpd/sig.evtx" >"$tmpd/out" 2>/dev/null
check "--carve recovers it" "869 events, 0 failed" "$(cat "$tmpd/out")"
"$VIGIL_BIN" hunt --quiet --no-builtin --rules "$CORPUS/sigmahq-sigma/rules/windows" \
    --carve "$tmpd/sig.evtx" >/dev/null 2>"$tmpd/err"
check "hunt --carve reads every record" 1 \
    "$(grep -c '869 events in 1 files' "$tmpd/err")"

# The only chunk of a file damaged (its records' CRC32 fails): nothing can
# be read, which is exit 65 for hunt.
head -c $((4096 + 65536)) "$SRC" >"$tmpd/one.evtx"
printf '\377' | dd of="$tmpd/one.evtx" bs=1 seek=$((4096 + 700)) \
    conv=notrunc status=none
"$VIGIL_BIN" hunt --quiet "$tmpd/one.evtx" >/dev/null 2>"$tmpd/err"
check "hunt on an unreadable EVTX file is exit 65" 65 $?
"$VIGIL_BIN" hunt --quiet --carve "$tmpd/one.evtx" >/dev/null 2>"$tmpd/err"
check "with --carve its records come back" 0 $?
exit $fail
