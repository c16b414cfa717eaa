#!/usr/bin/env bash
# Builds the libFuzzer targets in tests/fuzz/ with clang and runs each for N seconds (default
# 60) on its kept corpus tests/fuzz/corpus/<target>/ plus whatever its seed script
# tests/fuzz/seed-<target>.sh adds (and tests/fuzz/<target>.dict as -dict when present). Every target runs even when an earlier one finds something;
# each prints one result line, its findings (crash-*, timeout-*, leak-*, oom-*) are copied to
# build-fuzz/findings/<target>/, and the script exits non-zero at the end if any target failed.
# Usage: scripts/fuzz.sh [SECONDS] [TARGET...]   (TARGET as fuzz_<stage>_<what>)
set -uo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}
shift || true
if [ $# -gt 0 ]; then
  targets=$(for t in "$@"; do echo "tests/fuzz/${t%.c}.c"; done)
else
  targets=$(ls tests/fuzz/fuzz_*.c 2>/dev/null || true)
fi
if [ -z "$targets" ]; then
  echo "fuzz: no targets yet"
  exit 0
fi
jobs=$(nproc)
[ "$jobs" -gt 2 ] && jobs=2
if ! CC=clang cmake -S . -B build-fuzz -DSL_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null; then
  echo "fuzz: cmake configure failed" >&2
  exit 1
fi
if ! cmake --build build-fuzz -j"$jobs" --target fuzz_all; then
  echo "fuzz: build failed" >&2
  exit 1
fi
# The stage libraries are built with recoverable UBSan checks: make undefined behaviour stop
# the run (and leave a crash-* reproducer) instead of printing a line and going on.
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
rm -rf build-fuzz/findings
mkdir -p build-fuzz/findings
failed=0
results=()
for src in $targets; do
  name=$(basename "$src" .c)
  short=${name#fuzz_}
  corpus=tests/fuzz/corpus/$short
  work=build-fuzz/corpus-$short
  art=build-fuzz/artifacts-$short
  rm -rf "$art"
  mkdir -p "$work" "$art"
  if [ ! -x "build-fuzz/tests/fuzz/$name" ]; then
    results+=("FAIL  $name: not built")
    failed=1
    continue
  fi
  [ -d "$corpus" ] && cp -n "$corpus"/* "$work"/ 2>/dev/null
  if [ -f "tests/fuzz/seed-$short.sh" ]; then
    bash "tests/fuzz/seed-$short.sh" "$work" || echo "fuzz: seed-$short.sh failed; continuing" >&2
  fi
  echo "fuzz: $name for ${secs}s"
  log=build-fuzz/fuzz-$short.log
  dict=()
  [ -f "tests/fuzz/$short.dict" ] && dict=(-dict="$PWD/tests/fuzz/$short.dict")
  (cd build-fuzz && "./tests/fuzz/$name" -max_total_time="$secs" -rss_limit_mb=2048 \
     -timeout=10 -print_final_stats=1 -artifact_prefix="artifacts-$short/" "${dict[@]}" \
     "corpus-$short" >"fuzz-$short.log" 2>&1)
  rc=$?
  grep -a -E '^(Done [0-9]+ runs|==[0-9]+==ERROR|SUMMARY:|artifact_prefix=)' "$log" | tail -n 4
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  found=$(ls "$art" 2>/dev/null | grep -E '^(crash|timeout|leak|oom|slow-unit)-' || true)
  if [ -n "$found" ]; then
    mkdir -p "build-fuzz/findings/$short"
    for f in $found; do cp "$art/$f" "build-fuzz/findings/$short/$f"; done
  fi
  if [ "$rc" -ne 0 ] || [ -n "$(echo "$found" | grep -v '^slow-unit-' || true)" ]; then
    n=$(echo "$found" | grep -c . || true)
    results+=("FAIL  $name: exit $rc, $n finding(s) in build-fuzz/findings/$short/ (log $log)")
    failed=1
  else
    results+=("ok    $name: ${execs:-?} runs in ${secs}s")
  fi
done
echo "fuzz: results"
for r in "${results[@]}"; do echo "  $r"; done
if [ "$failed" -ne 0 ]; then
  echo "fuzz: FAILED"
  exit 1
fi
echo "fuzz: all targets ran without findings"
