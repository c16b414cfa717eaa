#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end latency, MySQL commit -> item readable in DynamoDB: `sluice standalone` in embedded
# mode (source and sink on the in-process bus; no Kafka) with the seed's connectors into
# dynalite. RATE rows/s (default 1000, in 10 commits/s of RATE/10 rows) are inserted for
# DURATION seconds (default 60); each row carries INSERT_MS, the commit-time clock in ms. A poller follows
# every 100th row with GetItem until it is readable and records now - INSERT_MS (bench/latency/
# poll.mjs: one node process, one keep-alive connection, a check every ~2 ms). Prints p50, p99
# and max. The poller's own GetItem round trip (a few ms) is included, so figures are upper
# bounds. Peer: there is no published Debezium MySQL end-to-end latency distribution
# (performance-anchors.md §12); the closest anchor (§1.4, Debezium Server at 1,500 ops/s) says
# only "sub-second", printed as such.
# Env: SLUICE_BIN, RATE, DURATION, SL_BENCH_KEEP=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../lib/common.sh
. "$here/../lib/common.sh"
sluice=${SLUICE_BIN:-$sl_repo/build/sluice}
rate=${RATE:-1000}
secs=${DURATION:-60}
per=$((rate / 10))
table=kafka_salesdb.salesdb.SALES_ORDER
log() { echo "latency: $*" >&2; }

[ -x "$sluice" ] || { log "$sluice not built"; exit 1; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sl-bench-lat.XXXXXX")
pids=()
cleanup() {
    set +e # best effort: one failed stop must not skip the others
    local p
    for p in "${pids[@]}"; do { kill -KILL "$p" && wait "$p"; } 2>/dev/null || true; done
    bash "$sl_repo/tests/lib/mariadb.sh" stop "$tmp/db" >/dev/null 2>&1 || true
    bash "$sl_repo/tests/lib/dynalite.sh" stop "$tmp/ddb" >/dev/null 2>&1 || true
    if [ "${SL_BENCH_KEEP:-0}" = 1 ]; then log "kept $tmp"; else rm -rf "$tmp"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

env_file=$(bash "$sl_repo/tests/lib/mariadb.sh" start "$tmp/db" --innodb-flush-log-at-trx-commit=0 \
    --sync-binlog=0)
# shellcheck disable=SC1090
. "$env_file"
bash "$sl_repo/tests/lib/dynalite.sh" start "$tmp/ddb" >/dev/null
# shellcheck disable=SC1091
. "$tmp/ddb/env"
export DDB_ENDPOINT=$DYNALITE_ENDPOINT
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }
sql -e "CREATE DATABASE salesdb"
sql salesdb -e "CREATE TABLE SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
    ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20), INSERT_MS BIGINT)"

cat >"$tmp/worker.properties" <<EOF
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
snapshot.mode=schema_only
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState
EOF
cat >"$tmp/sink.properties" <<EOF
name=dynamodb-sink
connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector
tasks.max=2
aws.dynamodb.region=us-east-1
aws.dynamodb.endpoint=$DYNALITE_ENDPOINT
topics=salesdb.salesdb.SALES_ORDER
value.converter.schemas.enable=false
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
table.name.format=kafka_\${topic}
aws.dynamodb.pk.hash=value.ORDER_ID
aws.dynamodb.pk.sort=value.SITE_ID
EOF
"$sluice" standalone "$tmp/worker.properties" "$tmp/source.properties" "$tmp/sink.properties" \
    2>"$tmp/sluice.log" &
pid=$!
pids+=("$pid")
for _ in $(seq 1 300); do
    grep -q "streaming from" "$tmp/sluice.log" && break
    sleep 0.1
done
grep -q "streaming from" "$tmp/sluice.log" || { log "source did not start"; exit 1; }
# Warm-up: the first row creates the table; latency is measured from the next rows on.
sql salesdb -e "INSERT INTO SALES_ORDER VALUES (0, 1000, NOW(), 'STANDARD', 0)"
for _ in $(seq 1 300); do
    [ -n "$(sl_ddb GetItem '{"TableName":"'"$table"'","Key":{"ORDER_ID":{"N":"0"},"SITE_ID":{"N":"1000"}}}' 2>/dev/null | jq -r '.Item.ORDER_ID.N // empty')" ] && break
    sleep 0.1
done

total=$((rate * secs))
log "inserting $rate rows/s for $secs s ($total rows)"
# The load runs inside the server (one session, a procedure): RATE/10 rows per autocommit
# INSERT every 100 ms on the server's clock, so a slow client cannot lower the rate.
sql salesdb <<'EOF'
DELIMITER //
CREATE PROCEDURE sl_load(total INT, per INT)
BEGIN
  DECLARE id INT DEFAULT 1;
  DECLARE k INT DEFAULT 0;
  DECLARE t0 DOUBLE DEFAULT UNIX_TIMESTAMP(NOW(6));
  DECLARE w DOUBLE;
  SET @s = CONCAT('INSERT INTO SALES_ORDER SELECT ? + seq - 1, 1000 + (? + seq - 1) % 3000, NOW(),',
                  ' ''STANDARD'', CAST(UNIX_TIMESTAMP(NOW(3)) * 1000 AS UNSIGNED) FROM seq_1_to_', per);
  PREPARE st FROM @s;
  WHILE id <= total DO
    EXECUTE st USING id, id;
    SET id = id + per, k = k + 1;
    SET w = t0 + k * 0.1 - UNIX_TIMESTAMP(NOW(6));
    IF w > 0 THEN DO SLEEP(w); END IF;
  END WHILE;
  DEALLOCATE PREPARE st;
END //
DELIMITER ;
EOF
(
    t0=$(sl_now_ms)
    sql salesdb -e "CALL sl_load($total, $per)"
    echo "$(($(sl_now_ms) - t0))" >"$tmp/insert.ms"
) &
ins=$!
pids+=("$ins")

: >"$tmp/lat"
# bench/latency/poll.mjs follows every 100th row over one keep-alive connection (a check costs
# one GetItem round trip; a curl + jq process per check fell behind at 10 samples/s).
deadline=$(($(sl_now_ms) + (secs + 120) * 1000))
node "$here/poll.mjs" "$DDB_ENDPOINT" "$table" "$total" 100 "$deadline" >"$tmp/lat" || true
wait "$ins" || true
n=$(wc -l <"$tmp/lat")
[ "$n" -gt 0 ] || { log "no sample became readable"; exit 1; }
ins_ms=$(cat "$tmp/insert.ms" 2>/dev/null || echo 0)
achieved=$(awk -v t="$total" -v ms="$ins_ms" 'BEGIN { if (ms > 0) printf "%.0f", t / (ms / 1000); else print "?" }')
read -r p50 p99 max <<<"$(sort -n "$tmp/lat" | awk '{ a[NR] = $1 } END {
    i50 = int(NR * 0.50 + 0.5); if (i50 < 1) i50 = 1
    i99 = int(NR * 0.99 + 0.5); if (i99 < 1) i99 = 1; if (i99 > NR) i99 = NR
    print a[i50], a[i99], a[NR] }')"
log "$n samples; insert rate achieved $achieved rows/s; rss $(($(sl_peak_rss_kb "$pid" || echo 0) / 1024)) MB"
missing=$((total / 100 - n))
note=""
[ "$missing" -gt 0 ] && note=", $missing samples never readable"
echo "BENCH|latency p50 (embedded, dynalite)|$p50 ms ($n samples, $achieved rows/s$note)|sub-second (Debezium Server, published; A §1.4)|-"
echo "BENCH|latency p99 (embedded, dynalite)|$p99 ms|no published Debezium MySQL p99 (A §12)|-"
echo "BENCH|latency max (embedded, dynalite)|$max ms|-|-"
