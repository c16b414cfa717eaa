#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Source throughput, binlog -> Kafka: a throwaway MariaDB holds a backlog of N row inserts into
# salesdb.SALES_ORDER; `sluice standalone` with the seed's source connector (StringConverter
# keys, JsonConverter values without schemas, ExtractNewRecordState) starts from the position
# recorded before the inserts and produces them into an in-memory mock Kafka cluster
# (librdkafka's, run by bench/lib/kafkatool). Measured: wall time from process start until the
# topic's high watermarks sum to N; events/s, MB/s (average record key+value size x N), the
# sluice process's peak RSS (VmHWM) and its CPU time (user + system). This is the shape of the
# published Debezium anchor (performance-anchors.md A1: data inserted first, then the
# connector starts), whose figure is printed as a cited constant, not re-measured here (no JVM
# on this machine).
# Env: SLUICE_BIN, ROWS (default 1000000), SL_BENCH_KEEP=1 keeps the temp dir.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/common.sh
. "$here/../lib/common.sh"
sluice=${SLUICE_BIN:-$sl_repo/build/sluice}
nrows=${ROWS:-1000000}
batch=100000
topic=salesdb.salesdb.SALES_ORDER
log() { echo "source_kafka: $*" >&2; }

[ -x "$sluice" ] || {
    log "$sluice not built"
    exit 1
}
kt=$(sl_kafkatool) || {
    log "cannot build bench/lib/kafkatool.c"
    exit 1
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sl-bench-source.XXXXXX")
pids=()
cleanup() {
    set +e # best effort: one failed stop must not skip the others
    local p
    for p in "${pids[@]}"; do { kill -KILL "$p" && wait "$p"; } 2>/dev/null || true; done
    bash "$sl_repo/tests/lib/mariadb.sh" stop "$tmp/db" >/dev/null 2>&1 || true
    if [ "${SL_BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting MariaDB and the mock Kafka cluster"
env_file=$(bash "$sl_repo/tests/lib/mariadb.sh" start "$tmp/db" --innodb-buffer-pool-size=256M \
    --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
    --max-binlog-size=1G)
# shellcheck disable=SC1090
. "$env_file"
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }
sl_mock_kafka "$tmp" "$topic:3" || exit 1
pids+=("$kafka_pid")

sql -e "CREATE DATABASE salesdb"
sql salesdb -e "CREATE TABLE SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
    ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20)) ENGINE=InnoDB"

cat >"$tmp/worker.properties" <<EOF
bootstrap.servers=$boot
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$tmp/connect.offsets
offset.flush.interval.ms=500
listeners=
EOF
cat >"$tmp/source.properties" <<EOF
name=salesdb-source
connector.class=io.debezium.connector.mysql.MySqlConnector
database.user=$MARIADB_USER
database.password=$MARIADB_PASSWORD
database.hostname=127.0.0.1
database.port=$MARIADB_PORT
database.server.id=123456
database.server.name=salesdb
database.include.list=salesdb
tasks.max=1
snapshot.mode=schema_only
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState
EOF

run_sluice() {
    "$sluice" standalone "$tmp/worker.properties" "$tmp/source.properties" 2>>"$tmp/sluice.log" &
    sl_pid=$!
    pids+=("$sl_pid")
}
stop_sluice() {
    kill -TERM "$sl_pid" 2>/dev/null || true
    for _ in $(seq 1 200); do kill -0 "$sl_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$sl_pid" 2>/dev/null || true
    wait "$sl_pid" 2>/dev/null || true
}

# First run: records the current binlog position as the stored offset, then stops.
run_sluice
for _ in $(seq 1 300); do
    grep -q "streaming from" "$tmp/sluice.log" && [ -s "$tmp/connect.offsets" ] && break
    kill -0 "$sl_pid" 2>/dev/null || { log "sluice exited: $(tail -5 "$tmp/sluice.log")"; exit 1; }
    sleep 0.1
done
stop_sluice
[ -s "$tmp/connect.offsets" ] || { log "no stored offset after the first run"; exit 1; }

log "inserting $nrows rows (the backlog)"
first=1
while [ "$first" -le "$nrows" ]; do
    last=$((first + batch - 1))
    [ "$last" -gt "$nrows" ] && last=$nrows
    sql salesdb -e "INSERT INTO SALES_ORDER
        SELECT seq, 1000 + seq % 3000,
               TIMESTAMP'2022-06-01 00:00:00' + INTERVAL seq MINUTE,
               ELT(1 + seq % 3, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM seq_${first}_to_${last}"
    first=$((last + 1))
done

log "sluice: backlog -> Kafka (load average $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(sl_now_ms)
run_sluice
got=0 rss=0
limit_ms=$((900 * 1000))
while :; do
    r=$(sl_peak_rss_kb "$sl_pid")
    [ -n "$r" ] && rss=$r
    got=$("$kt" count "$boot" "$topic" 2>/dev/null || echo 0)
    [ "$got" -ge "$nrows" ] && break
    kill -0 "$sl_pid" 2>/dev/null || { log "sluice exited: $(tail -5 "$tmp/sluice.log")"; exit 1; }
    [ $(($(sl_now_ms) - t0)) -lt $limit_ms ] || { log "only $got of $nrows records after 900 s"; exit 1; }
    sleep 0.2
done
t1=$(sl_now_ms)
r=$(sl_peak_rss_kb "$sl_pid")
[ -n "$r" ] && rss=$r
cpu=$(sl_cpu_s "$sl_pid")
stop_sluice
avg=$("$kt" consume "$boot" "$topic" 3000 1000 2>/dev/null |
    awk -F'\t' '{ n++; b += length($3) + length($4) } END { if (n) printf "%.1f", b / n; else print 0 }')
read -r eps mbs secs <<<"$(awk -v n="$nrows" -v ms="$((t1 - t0))" -v avg="$avg" \
    'BEGIN { s = ms / 1000; printf "%.0f %.1f %.2f\n", n / s, n * avg / 1e6 / s, s }')"
rss_mb=$((rss / 1024))
log "$got records in $secs s, sluice CPU $cpu s, avg record $avg B, peak RSS $rss_mb MB"

peer_eps=133663
peer_rss=2267
ratio_eps=$(awk -v a="$eps" -v b=$peer_eps 'BEGIN { printf "%.2fx", a / b }')
ratio_mb=$(awk -v a="$mbs" 'BEGIN { printf "%.2fx", a / 59.3 }')
ratio_rss=$(awk -v a="$rss_mb" -v b=$peer_rss 'BEGIN { printf "%.0fx less", b / (a > 0 ? a : 1) }')
echo "BENCH|source_kafka events/s|$eps ev/s ($nrows in $secs s, CPU $cpu s)|133663 ev/s (published, Debezium 2.4, 4 vCPU; A1)|$ratio_eps"
echo "BENCH|source_kafka MB/s|$mbs MB/s (avg $avg B/record)|59.3 MB/s (published; A1)|$ratio_mb"
echo "BENCH|source_kafka peak RSS|$rss_mb MB|2267 MB (published; A1)|$ratio_rss"
