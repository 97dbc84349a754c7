#!/usr/bin/env bash
# One command from a fresh Debian machine to a running vigil: installs the
# dependencies, builds, and starts `vigil run` on its embedded defaults
# (SQLite store in the state directory; this machine's auth log, syslog
# and journald). Extra arguments go to `vigil run`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/deps.sh
bash scripts/build.sh build
# The account the daemon drops to once its sources are open
# (docs/security.md); as root only, and only once.
if [ "$(id -u)" -eq 0 ] && ! id vigil >/dev/null 2>&1; then
  useradd --system --no-create-home --shell /usr/sbin/nologin vigil
fi
# The dashboard (docs/web.md): loopback only unless web.cert is set.
echo "vigil: dashboard at http://127.0.0.1:8443/ (web.listen in the configuration;"
echo "       the daemon's [2401] line below says where it really listens)"
echo "vigil: create its first user with: sudo ./build/vigil user add NAME --role admin"
exec ./build/vigil run "$@"
