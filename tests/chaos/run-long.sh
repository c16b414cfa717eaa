#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Long chaos run: builds the chaos runner (tests/integration/0100-chaos-short.c, engine in
# tests/chaos/chaos.h) and runs it for longer, with the large transaction at full size.
#
#   tests/chaos/run-long.sh [MINUTES] [BUILD_DIR]
#
# MINUTES (default 30) is split between embedded and Kafka mode unless SL_CHAOS_MODES names
# one. SL_CHAOS_BIG_ROWS (default 1000000), SL_CHAOS_WRITERS, SL_CHAOS_KEYS, SL_CHAOS_PACE_MS,
# SL_CHAOS_FAULTS, SL_CHAOS_SEED and SL_CHAOS_CATCHUP_SECONDS pass through. The output (with
# the summary per mode) is also written to BUILD_DIR/chaos-long-<date>.log.
# Mind the final check: it reads every item back with dynalite's Scan, which takes many
# minutes for a million items; SL_CHAOS_BIG_ROWS=200000 keeps a 10-minute run affordable.
set -u
SRC=$(cd "$(dirname "$0")/../.." && pwd)
MINUTES=${1:-30}
BUILD=${2:-$SRC/build-chaos}
MODES=${SL_CHAOS_MODES:-embedded,kafka}
nmodes=$(echo "$MODES" | tr ',' '\n' | grep -c .)
[ "$nmodes" -ge 1 ] || nmodes=1

cmake -S "$SRC" -B "$BUILD" -DSL_WERROR=ON >/dev/null || exit 1
cmake --build "$BUILD" --target it_0100-chaos-short sluice -j2 || exit 1

export SL_SOURCE_DIR=$SRC SLUICE_BIN=$BUILD/sluice SL_CHAOS_MODES=$MODES
export SL_CHAOS_SECONDS=$((MINUTES * 60 / nmodes))
export SL_CHAOS_BIG_ROWS=${SL_CHAOS_BIG_ROWS:-1000000}
export SL_CHAOS_CATCHUP_SECONDS=${SL_CHAOS_CATCHUP_SECONDS:-1200}
log=$BUILD/chaos-long-$(date -u +%Y%m%dT%H%M%SZ).log
echo "chaos long run: $MINUTES minute(s) over $MODES, ${SL_CHAOS_SECONDS} s each; log $log"
"$BUILD/tests/it_0100-chaos-short" 2>&1 | tee "$log"
exit "${PIPESTATUS[0]}"
