#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Initial snapshot throughput: a ROWS-row salesdb.SALES_ORDER (default 5,000,000) is copied by
# `sluice standalone` (seed source connector, snapshot.mode=initial) into an in-memory mock
# Kafka cluster (bench/lib/kafkatool); rows/s and the sluice process's peak RSS. Peer, same run,
# same table: `mariadb --quick -e 'SELECT * FROM salesdb.SALES_ORDER' > /dev/null` (the bare
# cost of reading the rows out of the server, no conversion, no Kafka). The two alternate
# RUNS times (default 3) and the best of each is kept: the first read may still warm caches,
# and the machine's speed drifts between runs. A Sluice run is done when the topic's high
# watermarks sum to N (exactly N: more would mean rows sent twice); its figure also gives the
# process's CPU time (user + system), the steadier number on a shared machine.
# Env: SLUICE_BIN, ROWS (default 5000000), RUNS (default 3), SL_BENCH_KEEP=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/common.sh
. "$here/../lib/common.sh"
sluice=${SLUICE_BIN:-$sl_repo/build/sluice}
nrows=${ROWS:-5000000}
batch=250000
topic=salesdb.salesdb.SALES_ORDER
log() { echo "snapshot: $*" >&2; }

[ -x "$sluice" ] || { log "$sluice not built"; exit 1; }
kt=$(sl_kafkatool) || { log "cannot build bench/lib/kafkatool.c"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sl-bench-snap.XXXXXX")
pids=()
cleanup() {
    set +e # best effort: one failed stop must not skip the others
    local p
    for p in "${pids[@]}"; do { kill -KILL "$p" && wait "$p"; } 2>/dev/null || true; done
    [ -f "$tmp/sluice.pid" ] && { kill -KILL "$(cat "$tmp/sluice.pid")" 2>/dev/null || true; }
    [ -f "$tmp/kafka.pid" ] && { kill -KILL "$(cat "$tmp/kafka.pid")" 2>/dev/null || true; }
    bash "$sl_repo/tests/lib/mariadb.sh" stop "$tmp/db" >/dev/null 2>&1 || true
    if [ "${SL_BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

env_file=$(bash "$sl_repo/tests/lib/mariadb.sh" start "$tmp/db" --innodb-buffer-pool-size=512M \
    --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
    --max-binlog-size=1G)
# shellcheck disable=SC1090
. "$env_file"
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }
sql -e "CREATE DATABASE salesdb"
sql salesdb -e "CREATE TABLE SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
    ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20)) ENGINE=InnoDB"
log "loading $nrows rows"
first=1
while [ "$first" -le "$nrows" ]; do
    last=$((first + batch - 1))
    [ "$last" -gt "$nrows" ] && last=$nrows
    sql salesdb -e "SET sql_log_bin=0; INSERT INTO SALES_ORDER
        SELECT seq, 1000 + seq % 3000, TIMESTAMP'2022-06-01 00:00:00' + INTERVAL seq MINUTE,
               ELT(1 + seq % 3, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM seq_${first}_to_${last}"
    first=$((last + 1))
done

peer_once() { # prints milliseconds
    local t0 t1
    t0=$(sl_now_ms)
    mariadb --no-defaults --quick -h 127.0.0.1 -P "$MARIADB_PORT" -u"$MARIADB_USER" \
        -p"$MARIADB_PASSWORD" -e "SELECT * FROM salesdb.SALES_ORDER" >/dev/null
    t1=$(sl_now_ms)
    echo $((t1 - t0))
}

# A fresh mock cluster per Sluice run: done = the topic holds exactly N records.
start_kafka() {
    rm -f "$tmp/connect.offsets"
    sl_mock_kafka "$tmp" "$topic:3"
}

write_props() {
    cat >"$tmp/worker.properties" <<EOF
bootstrap.servers=$boot
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$tmp/connect.offsets
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
snapshot.mode=initial
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState
EOF
}

# One snapshot into a fresh mock cluster; prints "ms peak_rss_kb cpu_s". Done = the topic
# holds N records. Until Sluice logs the snapshot's end only its log is watched (a grep);
# the topic is counted from then on: each count starts a librdkafka client, and counting
# every 50 ms all along would take CPU from the run on a 2-core machine.
sluice_once() {
    local t0 t1 pid rss=0 r got=0 cpu
    start_kafka || return 1
    write_props
    : >"$tmp/sluice.log"
    t0=$(sl_now_ms)
    "$sluice" standalone "$tmp/worker.properties" "$tmp/source.properties" \
        >/dev/null 2>"$tmp/sluice.log" &
    pid=$!
    echo "$pid" >"$tmp/sluice.pid" # sluice_once runs in $(...): cleanup reads the pid here
    while :; do
        r=$(sl_peak_rss_kb "$pid")
        [ -n "$r" ] && rss=$r
        if grep -q 'snapshot completed' "$tmp/sluice.log"; then
            got=$("$kt" count "$boot" "$topic" 2>/dev/null || echo 0)
            [ "$got" -ge "$nrows" ] && break
        fi
        kill -0 "$pid" 2>/dev/null || { log "sluice exited: $(tail -5 "$tmp/sluice.log")"; return 1; }
        [ $(($(sl_now_ms) - t0)) -lt 1000000 ] || { log "only $got of $nrows after 1000 s"; return 1; }
        sleep 0.05
    done
    t1=$(sl_now_ms)
    r=$(sl_peak_rss_kb "$pid")
    [ -n "$r" ] && rss=$r
    cpu=$(sl_cpu_s "$pid")
    [ "$got" -eq "$nrows" ] || { log "the topic holds $got records for $nrows rows"; return 1; }
    log "sluice's own summary: $(grep -o 'snapshot completed: .*rows/s' "$tmp/sluice.log" || echo none)"
    { kill -TERM "$pid" && wait "$pid"; } 2>/dev/null || true
    { kill -KILL "$kafka_pid" && wait "$kafka_pid"; } 2>/dev/null || true
    echo "$((t1 - t0)) $rss $cpu"
}

# Interleaved runs, the best of each tool kept: this machine's speed drifts by +-15% within
# minutes (other tenants), which a single run of each would carry into the ratio.
runs=${RUNS:-3}
best_pe=0 best_sl=0 best_cpu=0 max_rss=0 pe_all="" sl_all=""
for i in $(seq 1 "$runs"); do
    ms=$(peer_once)
    pe_all="$pe_all $ms"
    if [ "$best_pe" = 0 ] || [ "$ms" -lt "$best_pe" ]; then best_pe=$ms; fi
    log "run $i: sluice: snapshot -> Kafka (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    out=$(sluice_once) || exit 1
    read -r ms rss cpu <<<"$out"
    sl_all="$sl_all $ms"
    [ "$rss" -gt "$max_rss" ] && max_rss=$rss
    if [ "$best_sl" = 0 ] || [ "$ms" -lt "$best_sl" ]; then best_sl=$ms best_cpu=$cpu; fi
done
log "peer runs (ms):$pe_all; sluice runs (ms):$sl_all"
peer_s=$(awk -v ms="$best_pe" 'BEGIN { printf "%.2f", ms / 1000 }')
peer_rate=$(awk -v n="$nrows" -v s="$peer_s" 'BEGIN { printf "%.0f", n / s }')
sl_s=$(awk -v ms="$best_sl" 'BEGIN { printf "%.2f", ms / 1000 }')
sl_rate=$(awk -v n="$nrows" -v s="$sl_s" 'BEGIN { printf "%.0f", n / s }')
ratio=$(awk -v a="$sl_rate" -v b="$peer_rate" 'BEGIN { printf "%.2fx", a / b }')
echo "BENCH|snapshot rows/s (best of $runs)|$sl_rate rows/s ($nrows in $sl_s s, CPU $best_cpu s)|$peer_rate rows/s ($peer_s s, mariadb --quick SELECT *)|$ratio"
echo "BENCH|snapshot peak RSS|$((max_rss / 1024)) MB|-|-"
