# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shared helpers for the demo and the benchmarks (sourced, not run). Defines:
#   sl_kafkatool          path of bench/lib/kafkatool.c compiled on demand (cached by hash)
#   sl_mock_kafka DIR TOPIC:PARTS
#                         starts kafkatool's mock cluster in the background; sets boot and
#                         kafka_pid, writes DIR/kafka.pid (for cleanups of subshell callers)
#   sl_free_port          a free loopback TCP port
#   sl_ddb OP BODY        one DynamoDB JSON call to $DDB_ENDPOINT (callers set it), SigV4-signed
#   sl_ddb_count TABLE    the table's item count (Scan Select=COUNT, following pagination)
#   sl_peak_rss_kb PID    VmHWM of a live process, in kB
#   sl_cpu_s PID          CPU seconds (user + system) of a live process
#   sl_now_ms             wall clock in milliseconds

sl_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

sl_kafkatool() {
    local src=$sl_repo/bench/lib/kafkatool.c
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/sluice-bench
    local sum
    sum=$(sha1sum "$src" | cut -c1-12)
    local bin=$cache/kafkatool-$sum
    if [ ! -x "$bin" ]; then
        mkdir -p "$cache" || return 1
        cc -O2 -std=c11 -D_DEFAULT_SOURCE -Wall -o "$bin.tmp" "$src" -lrdkafka >&2 || return 1
        mv "$bin.tmp" "$bin"
    fi
    echo "$bin"
}

sl_mock_kafka() {
    local dir=$1 spec=$2 kt
    kt=$(sl_kafkatool) || return 1
    : >"$dir/kafka.out"
    "$kt" serve "$spec" >"$dir/kafka.out" 2>"$dir/kafka.log" &
    kafka_pid=$!
    echo "$kafka_pid" >"$dir/kafka.pid"
    boot=""
    for _ in $(seq 1 100); do
        boot=$(sed -n 's/^bootstrap.servers=//p' "$dir/kafka.out")
        [ -n "$boot" ] && return 0
        sleep 0.1
    done
    echo "mock cluster did not start: $(tail -3 "$dir/kafka.log")" >&2
    return 1
}

sl_free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || {
            echo "$port"
            return 0
        }
    done
    return 1
}

# AWS credentials for the local endpoints only (dynalite and the null endpoint ignore the
# signature; curl still computes a real SigV4 one).
export AWS_ACCESS_KEY_ID=${SL_LOCAL_AWS_KEY:-AKIDLOCALDEMO}
export AWS_SECRET_ACCESS_KEY=${SL_LOCAL_AWS_SECRET:-localdemosecretnotarealkey}

sl_ddb() {
    curl -sS -X POST "$DDB_ENDPOINT/" \
        --aws-sigv4 "aws:amz:us-east-1:dynamodb" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" \
        -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: DynamoDB_20120810.$1" --data-binary "$2"
}

sl_ddb_count() {
    local table=$1 total=0 start="" body out n
    while :; do
        body=$(jq -cn --arg t "$table" --argjson s "${start:-null}" \
            '{TableName: $t, Select: "COUNT"} + (if $s then {ExclusiveStartKey: $s} else {} end)')
        out=$(sl_ddb Scan "$body") || return 1
        n=$(jq -r '.Count // empty' <<<"$out")
        [ -n "$n" ] || {
            echo 0
            return 1
        }
        total=$((total + n))
        start=$(jq -c '.LastEvaluatedKey // empty' <<<"$out")
        [ -n "$start" ] || break
    done
    echo "$total"
}

sl_peak_rss_kb() {
    awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# CPU seconds (user + system, all threads) a live process has used so far.
sl_cpu_s() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat" 2>/dev/null
}

sl_now_ms() {
    echo $(($(date +%s%N) / 1000000))
}
