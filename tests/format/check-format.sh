#!/bin/sh
# Fails if any tracked C++ source differs from clang-format's output.
set -eu
cd "$1"
files=$(git ls-files '*.cpp' '*.hpp' '*.h' '*.cc' | grep -v '^tests/escape/.*\.c$' || true)
[ -n "$files" ] || { echo "no sources"; exit 1; }
# shellcheck disable=SC2086
clang-format --dry-run -Werror $files
echo "ok: $(echo "$files" | wc -l) files formatted"
