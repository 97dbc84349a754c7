#!/usr/bin/env bash
# Static analysis with cppcheck (Debian's package) over src/ and the fuzz
# harnesses: the warning, portability and performance checks (errors are
# always on). The style checks are left out: most of what they report is
# variable scope and const-ness, not defects. False positives are
# suppressed in scripts/cppcheck.supp, each with its reason.
# Exit status: 0 clean, 1 a finding.
set -euo pipefail
cd "$(dirname "$0")/.."
cppcheck --version
cppcheck -q -j "$(nproc)" --std=c11 -D_GNU_SOURCE -I src \
  --enable=warning,portability,performance --inline-suppr \
  --suppressions-list=scripts/cppcheck.supp \
  --template='{file}:{line}: {severity}: {message} [{id}]' \
  --error-exitcode=1 src tests/fuzz
echo "cppcheck: no findings"
