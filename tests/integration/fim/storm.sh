#!/usr/bin/env bash
# storm.sh DIR N -- N fresh sessions (setsid), each writing 4 tiny files
# with a ransom extension into DIR, then living a second: one detection
# each, an alert storm unless alerts are rate-limited (FIND12 36). Each
# session is started by a subshell that exits at once, so that no living
# process started them all (one that did would make them one run, stopped
# as one: fim_watch.c's detached workers). Returns when all are done. For
# vigil's tests only (tests/integration/test_fim_evasion.sh).
dir=$1 n=$2
for i in $(seq 1 "$n"); do
    (setsid sh -c 'for k in 1 2 3 4; do echo x >"$1/s$$-$k.lockbit"; done; sleep 1' \
        sh "$dir" &)
done
sleep 1.5
