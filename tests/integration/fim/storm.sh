#!/usr/bin/env bash
# storm.sh DIR N -- N fresh sessions (setsid), each writing 4 tiny files
# with a ransom extension into DIR, then living a second: one detection
# each (each session stopped, not the caller), an alert storm
# unless alerts are rate-limited (FIND12 36). For vigil's tests only
# (tests/integration/test_fim_evasion.sh).
dir=$1 n=$2
for i in $(seq 1 "$n"); do
    setsid sh -c 'for k in 1 2 3 4; do echo x >"$1/s$$-$k.lockbit"; done; sleep 1' \
        sh "$dir" &
done
wait
