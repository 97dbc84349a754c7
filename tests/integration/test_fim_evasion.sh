#!/usr/bin/env bash
# test_fim_evasion.sh -- the ransomware scorer against techniques that
# evaded it (FIND12), with the running daemon (`ransomware.action: stop`,
# `exclude: ["*.tmp", "~$*"]`), through fanotify when root and through
# inotify, in a tree of ordinary text documents:
#  - fim/ransom_armoured.sh writes base64 ciphertext in place (6 bits per
#    byte): it must be alerted on and killed, after fewer than 20 files
#    through fanotify (inotify catches its writer alive only by chance);
#  - fim/ransom_tmpmv.sh encrypts into an excluded FILE.tmp renamed over
#    FILE: it must be alerted on;
#  - fim/ransom_setsid.sh starts each file's openssl in a session of its
#    own: the workers are still the script's run (fanotify: the kernel's
#    fork events; inotify: the writer's parent), and the script is killed
#    before 20 files are damaged;
#  - fim/wiper.sh deletes, empties (": > F") or punches holes in every
#    file: each must be alerted on;
#  - fim/moveout.sh moves each folder out of the tree (same file system),
#    encrypts it there and moves it back: it must be alerted on (the
#    files of a folder moved in are judged by their content);
#  - fim/swaproot.sh replaces the watched folder by a copy, then
#    encrypts the copy in place: the loss must be alerted on
#    (fim.root_lost), the new folder watched again within seconds, and
#    the encryption alerted on;
#  - (fanotify) fim/storm.sh: 150 fresh sessions each raising a
#    detection must not raise more than a dozen alerts (the alert rate
#    is bounded), and a real encryptor run just after by the same user
#    must still be killed;
# and, the other way round, ordinary work must raise nothing and kill
# nothing: six `git commit`s (index.lock, object churn), copying 50
# compressed or encrypted files in (.gpg .age .bin .whl .gz), unpacking a
# release tarball, and an editor's save-by-rename of 20 documents; and
# canaries: secret names, placed again under a new name once deleted.
set -euo pipefail

. "$(dirname "$0")/daemon_lib.sh" fimevade
. "$(dirname "$0")/fim/fim_lib.sh"
# the daemon, once its privileges are dropped, must be able to look up
# the tree again (a root watched again, a folder moved in)
chmod 755 "$T"
HERE=$(cd "$(dirname "$0")" && pwd)
LIMIT=20
command -v openssl >/dev/null || { echo "SKIP: no openssl"; exit 77; }
command -v setsid >/dev/null || { echo "SKIP: no setsid"; exit 77; }

fail() {
    echo "FAIL: $*"
    tail -30 "$T/daemon.log" || true
    exit 1
}

# ordinary documents: lines of words, not random text
make_tree() {
    rm -rf "$T/tree"
    mkdir -p "$T/tree/finance" "$T/tree/hr" "$T/tree/minutes"
    awk -v dir="$T/tree" 'BEGIN {
        srand(12);
        split("the budget committee agreed report staff meeting review " \
              "library hours treasurer march cost members year plan " \
              "council minutes draft approved vote item resolved", w, " ");
        split("finance hr minutes", d, " ");
        for (f = 1; f <= 120; f++) {
            out = dir "/" d[f % 3 + 1] "/doc-" f ".txt";
            n = 60 + (f * 37) % 200;
            for (l = 0; l < n; l++) {
                line = "";
                for (k = 0; k < 10; k++)
                    line = line w[int(rand() * 24) + 1] " ";
                print line > out;
            }
            close(out);
        }
    }'
    (cd "$T/tree" && find . -type f -exec sha256sum {} + >"$T/before.sha")
}

start_daemon() { # monitor
    cat >"$T/vigil.yml" <<YML
state_dir: $T/state
fim:
  monitor: $1
  watch:
    - path: $T/tree
      exclude: ["*.tmp", "~\$*"]
  ransomware:
    action: stop
    canaries: false
YML
    chmod 600 "$T/vigil.yml"
    : >"$T/daemon.log"
    rm -rf "$T/state"
    "$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
    PID=$!
    for _ in $(seq 1 100); do
        grep -q "\[2001\]" "$T/daemon.log" && break
        kill -0 "$PID" 2>/dev/null || fail "the daemon did not start"
        sleep 0.1
    done
    grep -q "\[2001\] fim: watching 1 trees with $1" "$T/daemon.log" ||
        fail "not watching with $1"
}

stop_daemon() {
    sleep 0.5
    kill -TERM "$PID"
    wait "$PID" || true
    PID=""
}

# attack MONITOR KILLED(yes|late|any) SCRIPT ARGS...: the program must be
# alerted on; killed before 20 files are damaged when KILLED is yes;
# killed, however late, when it is late.
attack() {
    local mon=$1 killed=$2 rc=0 run=()
    shift 2
    make_tree
    start_daemon "$mon"
    [ "$mon" = inotify ] && read -r -a run <<<"$(as_daemon_user own)"
    setsid "${run[@]}" bash "$HERE/fim/$1" "${@:2}" >/dev/null 2>&1 &
    local rp=$!
    wait "$rp" || rc=$?
    stop_daemon
    [ "$(alerts_of fim.ransomware)" -ge 1 ] || fail "$mon $*: no alert"
    local n
    n=$(damaged)
    echo "damaged: $mon $* $n (exit $rc)"
    if [ "$killed" != any ]; then
        [ "$rc" = 137 ] || fail "$mon $*: the program was not killed ($rc)"
    fi
    if [ "$killed" = yes ] && [ -z "$SANITIZED" ]; then
        [ "$n" -lt "$LIMIT" ] || fail "$mon $*: $n files damaged (limit $LIMIT)"
    fi
}

monitors=(inotify)
if [ "$(id -u)" = 0 ]; then
    monitors=(fanotify inotify)
else
    echo "not root: the fanotify path is not tested"
fi
for mon in "${monitors[@]}"; do
    # inotify names nobody: the armoured program's writer, `cat T > F`,
    # holds F for well under a millisecond and is caught alive by chance
    # (after 11 to 64 files in the runs of 2026-12-06); through fanotify
    # the kernel names it at each write
    attack "$mon" "$([ "$mon" = fanotify ] && echo yes || echo late)" \
        ransom_armoured.sh "$T/tree"
    attack "$mon" any ransom_tmpmv.sh "$T/tree"
    attack "$mon" yes ransom_setsid.sh "$T/tree"
    attack "$mon" any wiper.sh delete "$T/tree"
    attack "$mon" any wiper.sh truncate "$T/tree"
    if fallocate -p -o 0 -l 4096 "$T/before.sha" 2>/dev/null; then
        attack "$mon" any wiper.sh punch "$T/tree"
    else
        echo "SKIP part: this file system cannot punch holes"
    fi
    attack "$mon" any moveout.sh "$T/tree" "$T/out"
    rm -rf "$T/out"
    # alerted on is what shows the new folder watched; whether the kill
    # comes within 20 files is test_fim_ransomware.sh's measure
    attack "$mon" any swaproot.sh "$T/tree"
    rm -rf "$T/tree.old"
    [ "$(alerts_of fim.root_lost)" -ge 1 ] || fail "$mon: the root replaced raised no alert"
    grep -q "fim: watching $T/tree again" "$T/daemon.log" ||
        fail "$mon: the root replaced was not watched again"
done

# an alert storm (FIND12 36): through fanotify each fresh session is a
# key of its own, and each raises a detection
if [ "$(id -u)" = 0 ]; then
    make_tree
    start_daemon fanotify
    setsid bash "$HERE/fim/storm.sh" "$T/tree/hr" 150 >/dev/null 2>&1 || true
    sleep 1
    rc=0
    setsid bash "$HERE/fim/ransom_inplace.sh" "$T/tree" >/dev/null 2>&1 &
    wait $! || rc=$?
    stop_daemon
    n=$(alerts_of fim.ransomware)
    m=$(damaged)
    echo "storm: $n ransomware alerts; encryptor after it: exit $rc, $m files damaged"
    [ "$n" -ge 1 ] || fail "storm: no alert at all"
    [ "$n" -le 12 ] || fail "storm: $n alerts (the rate is not bounded)"
    grep -q "alert rate limit reached" "$T/daemon.log" || fail "storm: no rate limit said"
    [ "$rc" = 137 ] || fail "storm: the encryptor after it was not killed ($rc)"
    [ "$m" -lt "$LIMIT" ] || fail "storm: $m files damaged (limit $LIMIT)"
fi

# ordinary work: nothing raised, nothing killed
mkdir -p "$T/src/pkgs" "$T/src/rel/app-1.0/lib"
for i in $(seq 1 10); do
    head -c 20000 /dev/urandom >"$T/src/pkgs/backup-$i.gpg"
    head -c 9000 /dev/urandom >"$T/src/pkgs/key-$i.age"
    head -c 30000 /dev/urandom >"$T/src/pkgs/blob-$i.bin"
    head -c 15000 /dev/urandom >"$T/src/pkgs/tool-$i.whl"
    head -c 30000 /dev/urandom | base64 | gzip -c >"$T/src/pkgs/log-$i.gz"
    head -c 8000 /dev/urandom >"$T/src/rel/app-1.0/lib/part-$i.so"
    cp "$T/before.sha" "$T/src/rel/app-1.0/README-$i"
done
tar czf "$T/src/app-1.0.tgz" -C "$T/src/rel" app-1.0
cat >"$T/work.sh" <<'SH'
set -e
tree=$1 src=$2
cd "$tree/minutes"
if command -v git >/dev/null; then
    export HOME=$tree/.. GIT_CONFIG_NOSYSTEM=1
    git init -q .
    git config user.email t@example.org
    git config user.name test
    for i in 1 2 3 4 5 6; do
        echo "item $i resolved" >>doc-2.txt
        git add -A .
        git commit -qm "minutes $i"
    done
else
    echo "SKIP part: git is not installed (no git workload)"
fi
cp -r "$src/pkgs" "$tree/finance/imported"
tar xzf "$src/app-1.0.tgz" -C "$tree/hr"
n=0
for f in "$tree"/finance/doc-*.txt; do
    { cat "$f"; echo "edited"; } >"$f.tmp"
    mv -f "$f.tmp" "$f"
    n=$((n + 1))
    [ "$n" -lt 20 ] || break
    sleep 0.1
done
SH
for mon in "${monitors[@]}"; do
    make_tree
    start_daemon "$mon"
    rc=0
    setsid bash "$T/work.sh" "$T/tree" "$T/src" >"$T/work.out" 2>&1 &
    wp=$!
    wait "$wp" || rc=$?
    stop_daemon
    cat "$T/work.out"
    [ "$rc" = 0 ] || fail "$mon: ordinary work was stopped or failed ($rc)"
    [ "$(alerts_of fim.ransomware)" = 0 ] || fail "$mon: ordinary work raised a ransomware alert"
    ! grep -q "\[2005\]" "$T/daemon.log" || fail "$mon: a process was stopped"
    [ "$(find "$T/tree/finance/imported" -type f | wc -l)" = 50 ] ||
        fail "$mon: the copy did not complete"
    echo "ordinary work: $mon: no alert, nothing stopped"
done
# canaries: secret names, several per tree, placed again under a new
# name once one was deleted
make_tree
# placing again is done by the daemon after it dropped its privileges:
# the tree must be writable by its user (a shared folder is)
chmod -R a+rwX "$T/tree"
sed -i 's/canaries: false/canaries: true/' "$T/vigil.yml"
"$VIGIL_BIN" run -c "$T/vigil.yml" 2>>"$T/daemon.log" &
PID=$!
for _ in $(seq 1 100); do
    grep -q "\[2007\]" "$T/daemon.log" && break
    sleep 0.1
done
canaries() { (cd "$T/tree" && find . -type f -newer "$T/before.sha" | sort); }
before=$(canaries)
[ "$(echo "$before" | wc -l)" -ge 4 ] || fail "fewer than 4 canaries: $before"
! echo "$before" | grep -qi 'canary\|vigil' || fail "canary names give them away: $before"
victim=$(echo "$before" | head -n 1)
setsid rm -f -- "$T/tree/$victim"
for _ in $(seq 1 50); do
    [ -n "$(comm -13 <(echo "$before") <(canaries))" ] && break
    sleep 0.1
done
after=$(canaries)
stop_daemon
[ "$(alerts_of fim.canary)" -ge 1 ] || fail "deleting a canary raised no alert"
[ -n "$(comm -13 <(echo "$before") <(echo "$after"))" ] ||
    fail "the deleted canary was not placed again under a new name"
echo "canaries: $(echo "$before" | wc -l) placed; one deleted, placed again as $(comm -13 <(echo "$before") <(echo "$after"))"
echo "PASS: evasions alerted on; ordinary work left alone; canaries placed again"
