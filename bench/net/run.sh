#!/usr/bin/env bash
# bench/net/run.sh -- how fast `vigil net read` turns a large capture into
# flows and alerts, next to the peers on the same file in one run:
# `tshark -q -z conv,tcp` (Wireshark's conversation table), `argus -r`
# writing flow records then `ra` reading them (the argus pair), and
# Suricata (not installable on this project's Debian machines: reported as
# absent when missing). The capture (>= 1 GiB, classic pcap) is the public
# sample captures concatenated with mergecap until big enough, cached in
# bench/data/ (gitignored).
#
# vigil runs twice: --alerts-only (the detectors, no flow output) and
# --json (every flow printed as a JSON line, like the peers' flow tables).
# Each tool runs once after a warm-up read of the file (page cache), pinned
# to one core. Reported: wall and CPU (user + system) seconds, packets and
# Gbit per CPU-second, and vigil's ratio to each peer in CPU time (the
# per-core cost; on a shared machine wall time includes waiting).
#
# Env: VIGIL_BIN (default build/vigil), VIGIL_CORPUS (../shared/data),
# NET_MB (default 1024).
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${VIGIL_BIN:-$root/build/vigil}
corpus=${VIGIL_CORPUS:-$root/../shared/data}
mb=${NET_MB:-1024}
data=$root/bench/data
cap=$data/net-${mb}m.pcap
cs=$corpus/chrissanders-packets

[ -x "$bin" ] || { echo "build vigil first ($bin)" >&2; exit 1; }
[ -d "$cs" ] || { echo "SKIP: $cs absent" >&2; exit 0; }
for t in mergecap tshark argus ra capinfos; do
  command -v $t >/dev/null || { echo "needs $t (deps.sh)" >&2; exit 1; }
done
pin=""
command -v taskset >/dev/null && pin="taskset -c 0"
mkdir -p "$data"

if [ ! -f "$cap" ] || [ "$(stat -c %s "$cap")" -lt $((mb * 1024 * 1024)) ]; then
  # One unit of every Ethernet sample (classic pcap), then doublings.
  unit=$data/.net-unit.pcap
  mergecap -F pcap -a -w "$unit" "$cs"/pull-2/ppa1e/ftp-crack.pcap \
    "$cs"/pull-2/ppa2e/synscan.pcap "$cs"/ratinfected.pcapng \
    "$cs"/cryptowall4_c2.pcapng "$cs"/sessionhijacking.pcapng \
    "$cs"/arppoison.pcapng "$cs"/pull-2/ppa1e/telnet.pcap \
    "$corpus/elastic-examples/Security Analytics/dns_tunnel_detection/dns-tunnel-iodine.pcap"
  cp "$unit" "$cap.tmp"
  while [ "$(stat -c %s "$cap.tmp")" -lt $((mb * 1024 * 1024)) ]; do
    mergecap -F pcap -a -w "$cap.tmp2" "$cap.tmp" "$cap.tmp"
    mv "$cap.tmp2" "$cap.tmp"
  done
  mv "$cap.tmp" "$cap"
  rm -f "$unit"
fi
pkts=$(capinfos -c -M "$cap" | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
bytes=$(capinfos -d -M "$cap" | awk -F: '/Data size/ {gsub(/[^0-9]/,"",$2); print $2}')
cat "$cap" >/dev/null
echo "capture: $cap, $(stat -c %s "$cap") bytes, $pkts packets, $bytes bytes of packets"

TIMEFORMAT='%R %U %S'
declare -A cpu wall
measure() { # name command...
  local name=$1 t
  shift
  t=$( { time ("$@" >/dev/null 2>&1 || true); } 2>&1 | tail -1)
  wall[$name]=$(echo "$t" | awk '{print $1}')
  cpu[$name]=$(echo "$t" | awk '{print $2 + $3}')
  awk -v n="$name" -v w="${wall[$name]}" -v c="${cpu[$name]}" -v p="$pkts" -v b="$bytes" \
    'BEGIN { printf "%-22s wall %7.2f s  cpu %7.2f s  %6.2f Mpkt/s  %6.2f Gbit/s per core\n", n, w, c, p / c / 1e6, b * 8 / c / 1e9 }'
}
argus_pair() { argus -r "$cap" -w "$data/.net.argus" && ra -r "$data/.net.argus" >/dev/null; }

measure vigil $pin "$bin" net read --alerts-only "$cap"
# the same with every flow written as a JSON line (what tshark's table and
# ra print), to /dev/null
measure "vigil --json" $pin "$bin" net read --json "$cap"
measure tshark $pin tshark -q -z conv,tcp -r "$cap"
rm -f "$data/.net.argus"
measure "argus -r + ra" $pin bash -c "$(declare -f argus_pair); cap='$cap' data='$data'; argus_pair"
rm -f "$data/.net.argus"
if command -v suricata >/dev/null; then
  mkdir -p "$data/.suri"
  measure suricata $pin suricata -r "$cap" -l "$data/.suri" -S /dev/null -k none
else
  echo "suricata               not installed (not installable here): not measured"
fi
for peer in tshark "argus -r + ra" suricata; do
  [ -n "${cpu[$peer]:-}" ] || continue
  awk -v p="$peer" -v a="${cpu[vigil]}" -v b="${cpu[$peer]}" \
    'BEGIN { printf "vigil vs %-14s %5.1fx (CPU time)\n", p, b / a }'
done
