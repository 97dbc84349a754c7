#!/usr/bin/env bash
# Every .c and .h under src/ and tests/ must be as clang-format (with the
# repository's .clang-format) would write it. Prints each file that is
# not; fix with: clang-format -i FILE (or the whole tree:
# git ls-files 'src/*.[ch]' 'tests/*.[ch]' | xargs clang-format -i).
# Exit status: 0 formatted, 1 a file is not.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(find src tests -name '*.[ch]' | sort)
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
done
if [ "${#bad[@]}" -gt 0 ]; then
  printf 'not clang-formatted: %s\n' "${bad[@]}" >&2
  exit 1
fi
echo "clang-format: ${#files[@]} files formatted"
