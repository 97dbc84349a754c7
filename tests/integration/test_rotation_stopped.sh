#!/usr/bin/env bash
# test_rotation_stopped.sh -- logs rotated twice while vigil is stopped
# (SIGTERM, then kill -9): the rest of the file vigil was reading, the file
# rotated in between and the new file are each read once, whatever the
# rotation looks like:
#   num   logrotate's numbered scheme (app.log.1, app.log.2);
#   date  dateext (app.log-20261201), both rotations at the same file time
#         (logrotate renames within a millisecond): the names order them;
#   tick  numbered, the same file time too;
#   gz    numbered, the older rotated file gzip-compressed: the new file at
#         the path usually gets the inode gzip freed (ext4), which must not
#         pass for copytruncate of the file vigil was reading;
#   xz    numbered, the middle file compressed with xz, which vigil cannot
#         read: its lines are missing, and that is counted (unread_files)
#         and logged (1116), never silent;
#   copy  copytruncate while stopped: the rest is read from the copy.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" rotstop

NAMES="num date tick gz xz copy"
{
    echo "state_dir: $T/state"
    echo "stats_interval: 0"
    echo "store: {archive_events: true}"
    echo "ingest: {batch_lines: 500, batch_time: 50ms, poll_interval: 50ms}"
    echo "sources:"
    for n in $NAMES; do
        echo "  - {name: $n, type: file, paths: [$T/$n.log], format: raw," \
            "rotate_wait: 1s}"
    done
} >"$T/vigil.yml"

lines() { seq -f "$1 %06.0f" "$2" "$3"; } # PREFIX FIRST LAST

# logrotate's numbered scheme: LOG.N -> LOG.N+1 (compressed ones too),
# then LOG -> LOG.1.
shift_numbered() {
    local n ext
    for n in 9 8 7 6 5 4 3 2 1; do
        for ext in "" .gz .xz; do
            if [ -e "$1.$n$ext" ]; then mv "$1.$n$ext" "$1.$((n + 1))$ext"; fi
        done
    done
    mv "$1" "$1.1"
}

# rotate NAME FIRST ROUND: 1000 more lines to the file vigil was reading,
# rotated; 1000 to the new file, rotated again; 1000 to the newest file.
rotate() {
    local n=$1 a=$2 r=$3 L=$T/$1.log
    lines "$n" "$a" $((a + 999)) >>"$L"
    case $n in
    date)
        mv "$L" "$L-2026120$((2 * r - 1))"
        lines "$n" $((a + 1000)) $((a + 1999)) >"$L"
        mv "$L" "$L-2026120$((2 * r))"
        touch -r "$L-2026120$((2 * r - 1))" "$L-2026120$((2 * r))"
        ;;
    copy)
        cp "$L" "$L.1"
        : >"$L"
        lines "$n" $((a + 1000)) $((a + 1999)) >>"$L"
        # the second rotation: the copy is kept, no middle file
        ;;
    *)
        shift_numbered "$L"
        lines "$n" $((a + 1000)) $((a + 1999)) >"$L"
        shift_numbered "$L"
        case $n in
        tick) touch -r "$L.2" "$L.1" ;;
        gz) gzip "$L.2" ;;
        xz) xz "$L.1" ;;
        esac
        ;;
    esac
    if [ "$n" = copy ]; then
        lines "$n" $((a + 2000)) $((a + 2999)) >>"$L"
    else
        lines "$n" $((a + 2000)) $((a + 2999)) >"$L"
    fi
}

start() {
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
}
wait_in() { # SOURCE N
    local deadline=$((SECONDS + 60)) got
    while [ "$SECONDS" -lt "$deadline" ]; do
        got=$(counter "$1" events_in || true)
        [ "$got" = "$2" ] && return 0
        sleep 0.2
    done
    fail "source $1: ${got:-no} lines in, expected $2"
}
stop() { # SIGNAL
    kill "-$1" "$PID"
    wait "$PID" || true
    PID=""
}

# want NAME: the lines each source must hold, once
for n in $NAMES; do lines "$n" 1 1000 >"$T/$n.log"; done
start
for n in $NAMES; do wait_in "$n" 1000; done
for n in $NAMES; do cp "$T/$n.log" "$T/want.$n"; done

round=1
for sig in TERM KILL; do
    stop "$sig"
    a=$((1001 + (round - 1) * 3000))
    for n in $NAMES; do
        rotate "$n" "$a" "$round"
        lines "$n" "$a" $((a + 2999)) >>"$T/want.$n"
    done
    start
    sleep 1 # the catch-up is logged before the lines are in
    for n in $NAMES; do
        if [ "$n" = xz ]; then
            want=$((1000 + round * 2000)) # the xz middle files are missing
        else
            want=$((1000 + round * 3000))
        fi
        wait_in "$n" "$want"
    done
    round=$((round + 1))
done
stop TERM

"$VIGIL_BIN" status --state-dir "$T/state" --events >"$T/events"
ok=1
for n in $NAMES; do
    grep -o "\"message\":\"$n [0-9]*\"" "$T/events" | grep -o '[0-9]*"$' |
        tr -d '"' | sort >"$T/got.$n"
    cut -d' ' -f2 "$T/want.$n" | sort >"$T/w.$n"
    if [ "$n" = xz ]; then # minus the lines of the two xz files
        awk '($1 < 2001 || $1 > 3000) && ($1 < 5001 || $1 > 6000)' \
            "$T/w.$n" >"$T/w.$n.x"
        mv "$T/w.$n.x" "$T/w.$n"
    fi
    dups=$(uniq -d "$T/got.$n" | wc -l)
    missing=$(comm -23 "$T/w.$n" "$T/got.$n" | wc -l)
    extra=$(comm -13 "$T/w.$n" "$T/got.$n" | wc -l)
    echo "$n: $(wc -l <"$T/got.$n") archived of $(wc -l <"$T/w.$n")," \
        "$dups repeated, $missing missing, $extra unexpected," \
        "unread_files $(counter "$n" unread_files)"
    [ "$dups" -eq 0 ] && [ "$missing" -eq 0 ] && [ "$extra" -eq 0 ] || ok=0
done
[ "$ok" -eq 1 ] || fail "lines lost or repeated"

# The xz files are counted and named; none of the others is.
[ "$(counter xz unread_files)" = 2 ] ||
    fail "xz: unread_files $(counter xz unread_files), want 2"
for n in num date tick gz copy; do
    [ "$(counter "$n" unread_files)" = 0 ] ||
        fail "$n: unread_files $(counter "$n" unread_files), want 0"
done
grep -q "\[1116\] $T/xz.log: $T/xz.log.1.xz was rotated" "$T/daemon.log" ||
    fail "no warning 1116 naming xz.log.1.xz"
# copytruncate is still told apart from a rotation
grep -q "\[1109\] $T/copy.log:" "$T/daemon.log" ||
    fail "copytruncate while stopped not reported as such (1109)"
if grep -q "\[1109\] $T/gz.log:" "$T/daemon.log"; then
    fail "the gz rotation was taken for copytruncate"
fi
echo "PASS: every line of every rotated file read once"
