#!/usr/bin/env bash
# Everything `make test` runs after install-deps: source checks, the -Werror build and every
# test, the ASan+UBSan build over the unit and golden tests, and each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
fuzz_seconds=${FUZZ_SECONDS:-60}

echo "== checksrc"
bash scripts/checksrc.sh

echo "== build (-Werror)"
cmake -S . -B build -DSL_WERROR=ON >/dev/null
cmake --build build -j"$jobs"

if [ -x build/sluice ] && build/sluice help 2>/dev/null | grep -q config-doc; then
  echo "== docs/CONFIGURATION.md is current"
  tmp=$(mktemp)
  if build/sluice config-doc "$tmp" 2>/dev/null; then
    diff -u docs/CONFIGURATION.md "$tmp" || { echo "docs/CONFIGURATION.md is stale: run 'build/sluice config-doc docs/CONFIGURATION.md'"; rm -f "$tmp"; exit 1; }
  fi
  rm -f "$tmp"
fi

echo "== sanitizer build (ASan+UBSan): unit and golden tests"
cmake -S . -B build-asan -DSL_WERROR=ON -DSL_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ctest --output-on-failure -j"$jobs" -L 'unit|golden')

echo "== fuzz (${fuzz_seconds}s per target)"
bash scripts/fuzz.sh "$fuzz_seconds"

echo "== all tests (plain build)"
cd build && ctest --output-on-failure -j"$jobs"
