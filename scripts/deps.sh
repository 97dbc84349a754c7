#!/usr/bin/env bash
# Installs what vigil needs to build, test and benchmark, from Debian's
# packages only. Safe to run again. Needs root (or sudo).
set -euo pipefail
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
  # build
  build-essential cmake pkg-config clang libclang-rt-14-dev
  # core, config, rules
  libyaml-dev libjansson-dev libpcre2-dev libvectorscan-dev libssl-dev
  libsodium-dev libseccomp-dev libcap-dev
  # web: the REST API and dashboard, its browser test and load bench
  libmicrohttpd-dev chromium wrk curl
  # parse, ingest, store
  libsqlite3-dev sqlite3 libsystemd-dev
  # fim (data-loss stores in PostgreSQL; the AIDE benchmark)
  libpq-dev aide
  # disclose
  libzip-dev libexpat1-dev libqpdf-dev qpdf zlib1g-dev zip unzip
  python3-openpyxl python3-docx libreoffice-calc-nogui
  libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils
  python3-uno python3-pil bc
  # net: capture, and the peers and tools of its tests and benchmark
  libpcap-dev nmap tshark wireshark-common argus-client argus-server
  # tests and benchmarks
  libcmocka-dev ripgrep hyperfine python3 procps util-linux iproute2 jq
  openssl tzdata passwd xz-utils python3-cryptography
  # respond: firewall, mail and webhook (libcurl), the SMTP sink of the
  # tests, the fail2ban compared in bench/respond
  nftables libcurl4-openssl-dev python3-aiosmtpd fail2ban python3-pyinotify
  # benchmarks: evtxexport, the EVTX reader's peer (bench/hunt/evtx_read.sh)
  libevtx-utils
  # CI's static checks (scripts/test.sh)
  cppcheck clang-format
)

# The browser test's playwright-core comes from npm. Many machines carry
# their own Node.js with npm built in, which Debian's nodejs and npm
# packages conflict with: take Debian's only when there is none.
if ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

if [ -z "${VIGIL_SKIP_APT_UPDATE:-}" ]; then
  $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q "${PACKAGES[@]}"
