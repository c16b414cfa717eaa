#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every benchmark bench/<name>/run.sh and prints one table: benchmark, Sluice figure, peer
# figure, ratio (Sluice / peer, higher is better for Sluice). Each benchmark prints its result
# rows on stdout as "BENCH|<benchmark>|<sluice>|<peer>|<ratio>" and anything else on stderr.
# Not part of ctest: benchmarks start servers and take minutes. Set SL_BENCH_ONLY=<name> to run
# one benchmark; SL_BENCH_TIMEOUT (seconds, default 1200) bounds each one. Sizes are set per
# benchmark by env (ROWS, DYNALITE_ROWS, RATE, DURATION, SL_BENCH_ROWS): see docs/BENCHMARKS.md.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
limit=${SL_BENCH_TIMEOUT:-1200}
rows=()
status=0
for script in "$here"/*/run.sh; do
    [ -f "$script" ] || continue
    name=$(basename "$(dirname "$script")")
    if [ -n "${SL_BENCH_ONLY:-}" ] && [ "$name" != "$SL_BENCH_ONLY" ]; then
        continue
    fi
    echo "bench: $name (at most ${limit}s)" >&2
    out=$(timeout --kill-after=30 "$limit" bash "$script")
    rc=$?
    got=0
    while IFS= read -r line; do
        case $line in
        BENCH\|*)
            rows+=("${line#BENCH|}")
            got=1
            ;;
        esac
    done <<<"$out"
    if [ $rc -ne 0 ]; then
        status=1
        [ $rc -eq 124 ] && why="timed out after ${limit}s" || why="failed (exit $rc)"
        rows+=("$name|$why|-|-")
    elif [ $got = 0 ]; then
        rows+=("$name|no result|-|-")
    fi
done

fmt='%-24s %-40s %-46s %s\n'
printf "$fmt" "benchmark" "sluice" "peer" "ratio"
printf "$fmt" "---------" "------" "----" "-----"
for r in "${rows[@]}"; do
    IFS='|' read -r b s p q <<<"$r"
    printf "$fmt" "$b" "$s" "$p" "$q"
done
exit $status
