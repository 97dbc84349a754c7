#!/usr/bin/env bash
# bench/respond/run.sh -- how long from an SSH brute force appended to a
# tailed auth log until the address is in the firewall: vigil (`vigil run`
# dropped to its account, the privileged helper adding the element to
# inet vigil blocked4) and Debian's fail2ban (a jail on the same kind of
# log, banaction nftables-allports, its pyinotify backend) measured the
# same way, each in a network namespace of its own: for N attacks from N
# different addresses, 10 failed passwords each (both tools ban at 10 in
# 10 minutes), the time from the write to the moment an in-process
# libnftables lookup (about half a millisecond) finds the address in the
# set (tests/integration/respond_attack.py). Wazuh 5's active response is
# listed at its documented 60-second poll; it cannot be installed here.
#
#   sudo bench/respond/run.sh            # 1000 attacks each
#   sudo N=200 F2B_N=100 bench/respond/run.sh
#
# Env: VIGIL_BIN (default build/vigil), N (default 1000), F2B_N (default
# N; 0 skips fail2ban), GAP seconds between attacks (default 0.02).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VIGIL_BIN:-$root/build/vigil}
n=${N:-1000}
fn=${F2B_N:-$n}
gap=${GAP:-0.02}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
attack=$root/tests/integration/respond_attack.py

[ -x "$bin" ] || { echo "build vigil first ($bin)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (namespaces, nftables)" >&2; exit 77; }
command -v nft >/dev/null || { echo "SKIP: needs nft" >&2; exit 77; }
id vigil >/dev/null 2>&1 ||
    useradd --system --no-create-home --shell /usr/sbin/nologin vigil

w=$(mktemp -d /tmp/vigil-bench-respond-XXXXXX)
nsv="vbv$$"
nsf="vbf$$"
pids=""
cleanup() {
    for p in $pids; do kill "$p" 2>/dev/null || true; done
    sleep 0.5
    ip netns del "$nsv" 2>/dev/null || true
    ip netns del "$nsf" 2>/dev/null || true
    rm -rf "$w"
}
trap cleanup EXIT
for ns in "$nsv" "$nsf"; do
    ip netns add "$ns"
    ip netns exec "$ns" ip link set lo up
done

# ---- vigil ----
cat >"$w/vigil.yml" <<YML
state_dir: $w/state
stats_interval: 0
sources:
  - {name: auth, type: file, paths: [$w/auth.log]}
response:
  management: [192.0.2.0/24]
  policies:
    - when: {rule: vigil_ssh_brute_force}
      do: [block_source]
      for: 1h
YML
chmod 600 "$w/vigil.yml"
touch "$w/auth.log"
ip netns exec "$nsv" "$bin" run -c "$w/vigil.yml" 2>"$w/vigil.log" &
pids="$pids $!"
for _ in $(seq 1 100); do
    grep -q "source auth: file" "$w/vigil.log" && break
    sleep 0.1
done
sleep 0.5
echo "vigil: $n attacks..." >&2
ip netns exec "$nsv" "$py" "$attack" "$w/auth.log" 10.100.0.1 "$n" \
    --gap "$gap" >"$w/vigil.txt" || true
vigil=$(tail -1 "$w/vigil.txt")
vigil_missed=$(grep -c timeout "$w/vigil.txt" || true)

# ---- fail2ban ----
f2b="not run"
f2b_missed=0
if [ "$fn" -gt 0 ] && command -v fail2ban-server >/dev/null; then
    mkdir -p "$w/f2b"
    cp -r /etc/fail2ban/. "$w/f2b/"
    rm -f "$w/f2b/jail.d/"*
    cat >"$w/f2b/fail2ban.local" <<INI
[Definition]
loglevel = INFO
logtarget = $w/f2b.log
socket = $w/f2b.sock
pidfile = $w/f2b.pid
dbfile = :memory:
INI
    cat >"$w/f2b/jail.local" <<INI
[DEFAULT]
ignoreip =
[sshd]
enabled = true
filter = sshd
logpath = $w/auth-f2b.log
backend = pyinotify
maxretry = 10
findtime = 10m
bantime = 1h
banaction = nftables-allports
INI
    touch "$w/auth-f2b.log"
    ip netns exec "$nsf" fail2ban-server -f -x -c "$w/f2b" >/dev/null 2>&1 &
    pids="$pids $!"
    for _ in $(seq 1 100); do
        grep -q "Jail 'sshd' started" "$w/f2b.log" 2>/dev/null && break
        sleep 0.1
    done
    sleep 1
    echo "fail2ban: $fn attacks..." >&2
    ip netns exec "$nsf" "$py" "$attack" "$w/auth-f2b.log" 10.100.0.1 "$fn" \
        --gap "$gap" --table "inet f2b-table" --set addr-set-sshd \
        >"$w/f2b.txt" || true
    f2b=$(tail -1 "$w/f2b.txt")
    f2b_missed=$(grep -c timeout "$w/f2b.txt" || true)
fi

field() { echo "$1" | awk -v k="$2" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}'; }
printf '\nlog line appended -> address in the nftables set (ms)\n'
printf '%-44s %8s %8s %8s %6s %7s\n' tool median p99 max n missed
printf '%-44s %8s %8s %8s %6s %7s\n' "vigil $(${bin} version 2>/dev/null | head -1 | awk '{print $2}')" \
    "$(field "$vigil" median)" "$(field "$vigil" p99)" "$(field "$vigil" max)" \
    "$(field "$vigil" n)" "$vigil_missed"
if [ "$f2b" != "not run" ]; then
    printf '%-44s %8s %8s %8s %6s %7s\n' "fail2ban $(fail2ban-server -V 2>/dev/null | head -1 | awk '{print $NF}') (pyinotify)" \
        "$(field "$f2b" median)" "$(field "$f2b" p99)" "$(field "$f2b" max)" \
        "$(field "$f2b" n)" "$f2b_missed"
fi
printf '%-44s %8s %8s %8s %6s %7s\n' "Wazuh 5 active response (documented poll)" \
    "<=60000" "60000" "-" "-" "-"
