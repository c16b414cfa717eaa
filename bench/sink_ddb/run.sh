#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sink throughput, Kafka -> DynamoDB: N seed-shaped SALES_ORDER records are produced into an
# in-memory mock Kafka cluster (bench/lib/kafkatool); `sluice standalone` with the seed's sink
# connector (tasks.max=2, pk ORDER_ID/SITE_ID) writes them to
#   (a) a null DynamoDB endpoint: nginx on a free loopback port answering DescribeTable with an
#       ACTIVE table and everything else with {"UnprocessedItems":{}} (measures Sluice itself);
#   (b) dynalite (a real DynamoDB implementation in Node; usually the bottleneck).
#   (c) the null endpoint again, in embedded mode: one process runs the seed's source and sink
#       over the in-process bus (no Kafka) and drains an N-row binlog backlog; done = the source
#       offset, which advances only after the sink's writes were accepted, reached the end of
#       the backlog. This isolates the sink from the mock cluster's fetch path (see
#       docs/BENCHMARKS.md: librdkafka 2.0.2's mock cluster stalls plain consumers too).
# Done (a, b) = the sink's consumer group (connect-dynamodb-sink) has committed N offsets, which Sluice
# does only after DynamoDB accepted the writes. Measured: items/s and the sluice process's peak
# RSS. Peer, same run, same endpoints: bench/sink_ddb/peer.mjs, the AWS SDK v3
# (@aws-sdk/client-dynamodb) BatchWriteItem loop with 2 concurrent loops (= tasks.max), items
# generated in memory (no Kafka read, which favours the peer). The SDK is installed on first use
# into bench/.node/ with npm.
# Env: SLUICE_BIN, ROWS (default 1000000, null endpoint), DYNALITE_ROWS (default 1000000, the
# issue's size: dynalite writes 10,000-15,000 items/s, so about 75-100 s per run),
# DYNALITE_RUNS (default 3: alternating Sluice and peer runs into dynalite), SL_BENCH_KEEP=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/common.sh
. "$here/../lib/common.sh"
sluice=${SLUICE_BIN:-$sl_repo/build/sluice}
nrows=${ROWS:-1000000}
dyn_rows=${DYNALITE_ROWS:-1000000}
topic=salesdb.salesdb.SALES_ORDER
table=kafka_$topic
conc=2
log() { echo "sink_ddb: $*" >&2; }

[ -x "$sluice" ] || { log "$sluice not built"; exit 1; }
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { log "nginx is not installed"; exit 1; }
kt=$(sl_kafkatool) || { log "cannot build bench/lib/kafkatool.c"; exit 1; }
node_dir=$sl_repo/bench/.node
if [ ! -d "$node_dir/node_modules/@aws-sdk/client-dynamodb" ]; then
    log "installing @aws-sdk/client-dynamodb into bench/.node (npm, first run only)"
    mkdir -p "$node_dir"
    npm install --no-audit --no-fund --prefix "$node_dir" @aws-sdk/client-dynamodb >&2 ||
        { log "npm install failed"; exit 1; }
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sl-bench-sink.XXXXXX")
pids=()
cleanup() {
    set +e # best effort: one failed stop must not skip the others
    local p
    for p in "${pids[@]}"; do { kill -KILL "$p" && wait "$p"; } 2>/dev/null || true; done
    [ -f "$tmp/sluice.pid" ] && { kill -KILL "$(cat "$tmp/sluice.pid")" 2>/dev/null || true; }
    [ -f "$tmp/nginx/nginx.pid" ] && { kill -TERM "$(cat "$tmp/nginx/nginx.pid")" 2>/dev/null || true; }
    bash "$sl_repo/tests/lib/dynalite.sh" stop "$tmp/ddb" >/dev/null 2>&1 || true
    bash "$sl_repo/tests/lib/mariadb.sh" stop "$tmp/db" >/dev/null 2>&1 || true
    if [ "${SL_BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- null endpoint ----
start_nginx() {
    local port
    mkdir -p "$tmp/nginx"
    for _ in 1 2 3 4 5; do
        port=$(sl_free_port)
        cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
daemon on;
events { worker_connections 256; }
http {
    access_log off;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    client_max_body_size 32m;
    client_body_buffer_size 1m;
    keepalive_requests 1000000;
    map \$http_x_amz_target \$ddb_reply {
        default '{"UnprocessedItems":{}}';
        DynamoDB_20120810.DescribeTable '{"Table":{"TableName":"$table","TableStatus":"ACTIVE","KeySchema":[{"AttributeName":"ORDER_ID","KeyType":"HASH"},{"AttributeName":"SITE_ID","KeyType":"RANGE"}],"AttributeDefinitions":[{"AttributeName":"ORDER_ID","AttributeType":"N"},{"AttributeName":"SITE_ID","AttributeType":"N"}]}}';
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            default_type application/x-amz-json-1.0;
            return 200 \$ddb_reply;
        }
    }
}
EOF
        if /usr/sbin/nginx -c "$tmp/nginx/nginx.conf" -p "$tmp/nginx" 2>"$tmp/nginx/start.log"; then
            null_endpoint=http://127.0.0.1:$port
            return 0
        fi
    done
    log "nginx did not start: $(cat "$tmp/nginx/start.log")"
    return 1
}

# librdkafka 2.0.2's mock cluster keeps a bounded log per partition (old message sets are
# dropped once it holds more than a few MB, rdkafka_mock.c rd_kafka_mock_msgset_new), so a
# consumer starting at offset 0 would find the head gone. Spread the records over enough
# partitions that each holds at most 30,000 (about 3.5 MB here).
start_kafka() { # N; sets boot
    local parts=$((($1 + 29999) / 30000))
    [ "$parts" -lt 3 ] && parts=3
    sl_mock_kafka "$tmp" "$topic:$parts" || return 1
    pids+=("$kafka_pid")
}

# run_sluice ENDPOINT N: prints "seconds peak_rss_kb join_ms" (join_ms: -1 when not found)
run_sluice() {
    local endpoint=$1 n=$2 t0 got rss=0 r last_got=-1 last_move
    last_move=$(sl_now_ms)
    rm -f "$tmp/connect.offsets"
    cat >"$tmp/worker.properties" <<EOF
bootstrap.servers=$boot
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$tmp/connect.offsets
offset.flush.interval.ms=200
consumer.fetch.max.wait.ms=50
listeners=
EOF
    cat >"$tmp/sink.properties" <<EOF
name=dynamodb-sink
connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector
tasks.max=$conc
aws.dynamodb.region=us-east-1
aws.dynamodb.endpoint=$endpoint
topics=$topic
value.converter.schemas.enable=false
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
table.name.format=kafka_\${topic}
aws.dynamodb.pk.hash=value.ORDER_ID
aws.dynamodb.pk.sort=value.SITE_ID
EOF
    local log0
    log0=$(cat "$tmp/sluice.log" 2>/dev/null | wc -l)
    t0=$(sl_now_ms)
    "$sluice" standalone "$tmp/worker.properties" "$tmp/sink.properties" 2>>"$tmp/sluice.log" &
    local pid=$!
    echo "$pid" >"$tmp/sluice.pid" # run_sluice runs in $(...): cleanup reads the pid here
    while :; do
        r=$(sl_peak_rss_kb "$pid")
        [ -n "$r" ] && rss=$r
        got=$("$kt" committed "$boot" connect-dynamodb-sink "$topic" 2>/dev/null || echo 0)
        [ "$got" -ge "$n" ] && break
        if [ "$got" != "$last_got" ]; then
            last_got=$got last_move=$(sl_now_ms)
        elif [ $(($(sl_now_ms) - last_move)) -gt 60000 ]; then
            log "stalled: $got of $n committed, no progress for 60 s; sluice log tail:"
            tail -n 8 "$tmp/sluice.log" >&2
            { kill -KILL "$pid" && wait "$pid"; } 2>/dev/null || true
            return 1
        fi
        kill -0 "$pid" 2>/dev/null || { log "sluice exited: $(tail -5 "$tmp/sluice.log")"; return 1; }
        [ $(($(sl_now_ms) - t0)) -lt 900000 ] || { log "only $got of $n committed after 900 s"; return 1; }
        sleep 0.2
    done
    local t1
    t1=$(sl_now_ms)
    r=$(sl_peak_rss_kb "$pid")
    [ -n "$r" ] && rss=$r
    log "sluice used $(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$pid/stat") s of CPU"
    { kill -TERM "$pid" && wait "$pid"; } 2>/dev/null || true
    # The items/s figure includes joining the consumer group, which the in-memory peer does not
    # pay: the broker holds the first join for group.initial.rebalance.delay.ms (3 s, the
    # mock cluster's and Kafka's default). Told apart here, on stderr only.
    local joined
    joined=$(tail -n +$((log0 + 1)) "$tmp/sluice.log" |
        sed -n 's/^\([0-9T:.-]*\)Z INFO  CONSUME assigned.*/\1/p' | head -1)
    if [ -n "$joined" ]; then
        joined=$(($(date -u -d "$joined" +%s%3N) - t0))
        log "of which joining the group: $(awk -v ms="$joined" 'BEGIN { printf "%.2f", ms / 1000 }') s;" \
            "after it: $(awk -v n="$n" -v ms=$((t1 - t0 - joined)) 'BEGIN { printf "%.0f", n * 1000 / ms }') items/s"
    else
        joined=-1
    fi
    tail -n +$((log0 + 1)) "$tmp/sluice.log" | grep ' stopped after ' | sed 's/^/sink_ddb: /' >&2 || true
    awk -v ms=$((t1 - t0)) -v rss="$rss" -v j="$joined" 'BEGIN { printf "%.2f %d %d\n", ms / 1000, rss, j }'
}

run_peer() { # endpoint n -> "seconds peak_rss_kb"
    local out
    # ESM resolves packages from the script's own directory: run a copy next to node_modules.
    cp "$here/peer.mjs" "$node_dir/peer.mjs"
    out=$(node "$node_dir/peer.mjs" "$1" "$table" "$2" "$conc") || return 1
    echo "$out" | awk '{ print $2, $3 }'
}

rows_line() { # label n sl_secs sl_rss peer_secs peer_rss
    local label=$1 n=$2
    local sl_rate peer_rate ratio
    sl_rate=$(awk -v n="$n" -v s="$3" 'BEGIN { printf "%.0f", n / s }')
    peer_rate=$(awk -v n="$n" -v s="$5" 'BEGIN { printf "%.0f", n / s }')
    ratio=$(awk -v a="$sl_rate" -v b="$peer_rate" 'BEGIN { printf "%.2fx", a / b }')
    echo "BENCH|sink_ddb $label items/s|$sl_rate items/s ($n in $3 s)|$peer_rate items/s (AWS SDK v3 node, $5 s)|$ratio"
    echo "BENCH|sink_ddb $label peak RSS|$(($4 / 1024)) MB|$(($6 / 1024)) MB (node)|$(awk -v a="$4" -v b="$6" 'BEGIN { if (a <= b) printf "%.1fx less", b / a; else printf "%.1fx more", a / b }')"
}

# (a) null endpoint
start_nginx
start_kafka "$nrows"
log "producing $nrows records into the mock cluster"
"$kt" produce "$boot" "$topic" "$nrows"
log "sluice -> null endpoint ($nrows)"
out=$(run_sluice "$null_endpoint" "$nrows") || exit 1
read -r sl_s sl_rss _ <<<"$out"
log "peer -> null endpoint ($nrows)"
read -r pe_s pe_rss <<<"$(run_peer "$null_endpoint" "$nrows")"
rows_line "null-endpoint" "$nrows" "$sl_s" "$sl_rss" "$pe_s" "$pe_rss"
null_pe_s=$pe_s null_pe_rss=$pe_rss
{ kill -KILL "$kafka_pid" && wait "$kafka_pid"; } 2>/dev/null || true

# (b) dynalite: DYNALITE_RUNS (default 3) alternating pairs, a fresh mock cluster with
# DYNALITE_ROWS records and a fresh dynalite for every run. Both tools are paced by dynalite's
# one core, whose speed drifts by 10-25 % between minutes on a shared 2-core machine: the best
# of each tool is reported, and so is the median of the pairs' ratios (a Sluice run and the
# peer run right after it see about the same machine).
# dynalite runs on one Node.js thread: its CPU per item and how busy it was tell whether the
# client or dynalite set the pace.
fresh_dynalite() {
    bash "$sl_repo/tests/lib/dynalite.sh" stop "$tmp/ddb" >/dev/null 2>&1 || true
    bash "$sl_repo/tests/lib/dynalite.sh" start "$tmp/ddb" >/dev/null
    # shellcheck disable=SC1091
    . "$tmp/ddb/env"
    export DDB_ENDPOINT=$DYNALITE_ENDPOINT
}
cpu_per_item() { # cpu_s n wall_s -> "N us/item (B% busy)"
    awk -v c="$1" -v n="$2" -v w="$3" 'BEGIN { printf "%.0f us/item (%.0f%% busy)", c * 1e6 / n, c * 100 / w }'
}
dyn_runs=${DYNALITE_RUNS:-3}
sl_best="" pe_best="" sl_rss=0 pe_rss=0 sl_all="" pe_all="" ratios="" ratios_after=""
for r in $(seq 1 "$dyn_runs"); do
    { [ -n "${kafka_pid:-}" ] && kill -KILL "$kafka_pid" && wait "$kafka_pid"; } 2>/dev/null || true
    start_kafka "$dyn_rows"
    log "run $r: producing $dyn_rows records into a fresh mock cluster"
    "$kt" produce "$boot" "$topic" "$dyn_rows"
    fresh_dynalite
    log "run $r: sluice -> dynalite ($dyn_rows)"
    c0=$(sl_cpu_s "$DYNALITE_PID")
    out=$(run_sluice "$DYNALITE_ENDPOINT" "$dyn_rows") || exit 1
    read -r s rss join_ms <<<"$out"
    c=$(awk -v a="$c0" -v b="$(sl_cpu_s "$DYNALITE_PID")" 'BEGIN { print b - a }')
    n=$(sl_ddb_count "$table") || n=0
    [ "$n" = "$dyn_rows" ] || { log "dynalite holds $n items after sluice, want $dyn_rows"; exit 1; }
    [ "$rss" -gt "$sl_rss" ] && sl_rss=$rss
    sl_all="$sl_all $s" pair_s=$s pair_after=$s
    [ "$join_ms" -ge 0 ] && pair_after=$(awk -v s="$s" -v j="$join_ms" 'BEGIN { printf "%.2f", s - j / 1000 }')
    if [ -z "$sl_best" ] || awk -v a="$s" -v b="$sl_best" 'BEGIN { exit !(a < b) }'; then
        sl_best=$s sl_join_ms=$join_ms sl_ddb_cpu=$c
    fi
    fresh_dynalite
    sl_ddb CreateTable '{"TableName":"'"$table"'","BillingMode":"PAY_PER_REQUEST",
      "AttributeDefinitions":[{"AttributeName":"ORDER_ID","AttributeType":"N"},{"AttributeName":"SITE_ID","AttributeType":"N"}],
      "KeySchema":[{"AttributeName":"ORDER_ID","KeyType":"HASH"},{"AttributeName":"SITE_ID","KeyType":"RANGE"}]}' >/dev/null
    sleep 0.5
    log "run $r: peer -> dynalite ($dyn_rows)"
    c0=$(sl_cpu_s "$DYNALITE_PID")
    read -r s rss <<<"$(run_peer "$DYNALITE_ENDPOINT" "$dyn_rows")"
    c=$(awk -v a="$c0" -v b="$(sl_cpu_s "$DYNALITE_PID")" 'BEGIN { print b - a }')
    n=$(sl_ddb_count "$table") || n=0
    [ "$n" = "$dyn_rows" ] || { log "dynalite holds $n items after the peer, want $dyn_rows"; exit 1; }
    [ "$rss" -gt "$pe_rss" ] && pe_rss=$rss
    pe_all="$pe_all $s"
    ratios="$ratios $(awk -v a="$pair_s" -v b="$s" 'BEGIN { printf "%.2f", b / a }')"
    ratios_after="$ratios_after $(awk -v a="$pair_after" -v b="$s" 'BEGIN { printf "%.2f", b / a }')"
    if [ -z "$pe_best" ] || awk -v a="$s" -v b="$pe_best" 'BEGIN { exit !(a < b) }'; then
        pe_best=$s pe_ddb_cpu=$c
    fi
done
log "dynalite runs (s): sluice$sl_all; peer$pe_all"
median() { tr ' ' '\n' | sed '/^$/d' | sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
echo "BENCH|sink_ddb dynalite, Sluice/peer rate per alternating pair|median $(echo "$ratios" | median)x (pairs:$ratios)|after Sluice's group join: median $(echo "$ratios_after" | median)x (pairs:$ratios_after)|-"
rows_line "dynalite (best of $dyn_runs)" "$dyn_rows" "$sl_best" "$sl_rss" "$pe_best" "$pe_rss"
# The same run with Sluice's clock started when the group assignment arrived: the peer's clock
# starts after its setup too (node start, SDK import), and the broker holds a new group's first
# join for group.initial.rebalance.delay.ms (3 s) before any consumer can read.
busy_wall=$sl_best
if [ "$sl_join_ms" -ge 0 ]; then
    sl_after=$(awk -v s="$sl_best" -v j="$sl_join_ms" 'BEGIN { printf "%.2f", s - j / 1000 }')
    sl_rate=$(awk -v n="$dyn_rows" -v s="$sl_after" 'BEGIN { printf "%.0f", n / s }')
    pe_rate=$(awk -v n="$dyn_rows" -v s="$pe_best" 'BEGIN { printf "%.0f", n / s }')
    echo "BENCH|sink_ddb dynalite items/s after group join|$sl_rate items/s ($sl_after s + $(awk -v j="$sl_join_ms" 'BEGIN { printf "%.1f", j / 1000 }') s join)|$pe_rate items/s|$(awk -v a="$sl_rate" -v b="$pe_rate" 'BEGIN { printf "%.2fx", a / b }')"
    busy_wall=$sl_after
fi
echo "BENCH|sink_ddb dynalite server CPU (busy)|$(cpu_per_item "$sl_ddb_cpu" "$dyn_rows" "$busy_wall")|$(cpu_per_item "$pe_ddb_cpu" "$dyn_rows" "$pe_best")|-"

# (c) embedded mode: binlog backlog -> local bus -> sink -> null endpoint.
log "embedded: starting MariaDB"
env_file=$(bash "$sl_repo/tests/lib/mariadb.sh" start "$tmp/db" --innodb-buffer-pool-size=256M \
    --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
    --max-binlog-size=1G)
# shellcheck disable=SC1090
. "$env_file"
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }
sql -e "CREATE DATABASE salesdb"
sql salesdb -e "CREATE TABLE SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
    ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20)) ENGINE=InnoDB"
rm -f "$tmp/connect.offsets"
cat >"$tmp/worker.properties" <<EOF
offset.storage.file.filename=$tmp/connect.offsets
offset.flush.interval.ms=200
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
sed -i "s|^aws.dynamodb.endpoint=.*|aws.dynamodb.endpoint=$null_endpoint|" "$tmp/sink.properties"
stored_pos() {
    sed -n 's/.*"salesdb-source".*"pos":\([0-9]*\).*/\1/p' "$tmp/connect.offsets" 2>/dev/null |
        tail -1
}
"$sluice" standalone "$tmp/worker.properties" "$tmp/source.properties" "$tmp/sink.properties" \
    2>>"$tmp/sluice-embedded.log" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 300); do
    [ -n "$(stored_pos)" ] && break
    kill -0 "$pid" 2>/dev/null || { log "sluice exited: $(tail -5 "$tmp/sluice-embedded.log")"; exit 1; }
    sleep 0.1
done
{ kill -TERM "$pid" && wait "$pid"; } 2>/dev/null || true
[ -n "$(stored_pos)" ] || { log "embedded: no stored offset after the first run"; exit 1; }
log "embedded: inserting $nrows rows (the backlog)"
first=1 last_start=0
while [ "$first" -le "$nrows" ]; do
    last=$((first + 100000 - 1))
    [ "$last" -gt "$nrows" ] && last=$nrows
    last_start=$(sql -N -e "SHOW MASTER STATUS" | cut -f2)
    sql salesdb -e "INSERT INTO SALES_ORDER
        SELECT seq, 1000 + seq % 3000, TIMESTAMP'2022-06-01 00:00:00' + INTERVAL seq MINUTE,
               ELT(1 + seq % 3, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM seq_${first}_to_${last}"
    first=$((last + 1))
done
end_pos=$(sql -N -e "SHOW MASTER STATUS" | cut -f2)
log "embedded: sluice (source + sink, local bus) -> null endpoint"
t0=$(sl_now_ms)
"$sluice" standalone "$tmp/worker.properties" "$tmp/source.properties" "$tmp/sink.properties" \
    2>>"$tmp/sluice-embedded.log" &
pid=$!
pids+=("$pid")
rss=0 prev="" stable=0
while :; do
    r=$(sl_peak_rss_kb "$pid")
    [ -n "$r" ] && rss=$r
    p=$(stored_pos)
    [ -n "$p" ] && [ "$p" -ge "$end_pos" ] && break
    # The stored position may be the last transaction's start: accept it once it stopped moving.
    if [ -n "$p" ] && [ "$p" -gt "$last_start" ] && [ "$p" = "$prev" ]; then
        stable=$((stable + 1))
        [ $stable -ge 5 ] && break
    else
        stable=0
    fi
    prev=$p
    kill -0 "$pid" 2>/dev/null || { log "sluice exited: $(tail -5 "$tmp/sluice-embedded.log")"; exit 1; }
    [ $(($(sl_now_ms) - t0)) -lt 900000 ] || { log "embedded: offset $p of $end_pos after 900 s"; exit 1; }
    sleep 0.2
done
t1=$(sl_now_ms)
[ $stable -ge 5 ] && t1=$((t1 - 1000))
r=$(sl_peak_rss_kb "$pid")
[ -n "$r" ] && rss=$r
log "embedded: sluice used $(awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$pid/stat") s of CPU"
{ kill -TERM "$pid" && wait "$pid"; } 2>/dev/null || true
sl_s=$(awk -v ms=$((t1 - t0)) 'BEGIN { printf "%.2f", ms / 1000 }')
rows_line "embedded null-endpoint" "$nrows" "$sl_s" "$rss" "$null_pe_s" "$null_pe_rss"
