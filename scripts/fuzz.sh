#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang and runs each for N seconds (default
# 60) on its kept corpus tests/fuzz/corpus/<target>/ (seeded from fixtures where a target says
# so). A crash fails the run and leaves the reproducer in build-fuzz/.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null || true)
if [ -z "$targets" ]; then
  echo "fuzz: no targets yet"
  exit 0
fi
CC=clang cmake -S . -B build-fuzz -DSL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-fuzz -j"$(nproc)" --target fuzz_all
for src in $targets; do
  name=$(basename "$src" .c)
  corpus=tests/fuzz/corpus/${name#fuzz_}
  work=build-fuzz/corpus-${name#fuzz_}
  mkdir -p "$work"
  [ -d "$corpus" ] && cp -n "$corpus"/* "$work"/ 2>/dev/null || true
  if [ -x "tests/fuzz/seed-${name#fuzz_}.sh" ]; then bash "tests/fuzz/seed-${name#fuzz_}.sh" "$work"; fi
  echo "fuzz: $name for ${secs}s"
  (cd build-fuzz && ./tests/fuzz/"$name" -max_total_time="$secs" -rss_limit_mb=2048 \
     -timeout=10 -print_final_stats=0 "corpus-${name#fuzz_}" 2>&1 | tail -n 3)
  # A finding makes libFuzzer exit non-zero; pipefail turns that into our failure.
done
echo "fuzz: all targets ran without findings"
