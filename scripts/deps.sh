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
  libmicrohttpd-dev chromium nodejs npm wrk curl
  # parse, ingest, store
  libevtx-dev libbfio-dev libevtx-utils libsqlite3-dev sqlite3 libsystemd-dev
  # disclose
  libzip-dev libexpat1-dev libqpdf-dev qpdf zlib1g-dev zip unzip
  python3-openpyxl python3-docx libreoffice-calc-nogui
  libreoffice-writer-nogui libreoffice-impress-nogui poppler-utils
  python3-uno python3-pil bc
  # tests and benchmarks
  libcmocka-dev ripgrep hyperfine python3 procps util-linux iproute2 jq
  openssl tzdata passwd xz-utils
  # CI's static checks (scripts/test.sh)
  cppcheck clang-format
)

if [ -z "${VIGIL_SKIP_APT_UPDATE:-}" ]; then
  $SUDO apt-get update -q
fi
$SUDO apt-get install -y -q "${PACKAGES[@]}"
