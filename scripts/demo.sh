#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# `make demo`: the seed's tutorial (MySQL -> Debezium -> Kafka -> DynamoDB sink), locally, with
# Sluice in place of the two Kafka Connect connectors.
#
# Starts a throwaway MariaDB (ROW binlog, FULL metadata) and dynalite (a DynamoDB
# implementation) on free loopback ports, creates salesdb.SALES_ORDER with 29,000 rows, writes
# the seed's two connector files (its keys, with only endpoints and credentials changed, the
# MSK IAM keys removed, plus deletes switched on), runs `sluice standalone` in the background,
# waits for the initial load, performs the seed's six INSERTs plus an UPDATE and a DELETE, and
# prints the records, the DynamoDB items and the item counts, timing every step.
#
#   scripts/demo.sh            embedded mode: source and sink meet on Sluice's in-process bus
#   scripts/demo.sh --kafka    Kafka mode: an in-memory mock Kafka cluster in between
#                              (`sluice dev-kafka` when this build has it, else bench/lib's
#                              kafkatool, the same librdkafka mock cluster)
#
# Everything it starts is stopped and its temp dir removed on exit. Exit 0 only when the item
# counts are right. Env: SLUICE_BIN, DEMO_ROWS (default 29000), DEMO_KEEP=1 keeps the temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
# shellcheck source=bench/lib/common.sh
. "$root/bench/lib/common.sh"
sluice=${SLUICE_BIN:-$root/build/sluice}
rows=${DEMO_ROWS:-29000}
mode=embedded
case "${1:-}" in
--kafka) mode=kafka ;;
"") ;;
*)
    echo "usage: scripts/demo.sh [--kafka]" >&2
    exit 2
    ;;
esac
[ -x "$sluice" ] || {
    echo "demo: $sluice not built (run make build)" >&2
    exit 1
}
for tool in jq curl mariadb; do
    command -v "$tool" >/dev/null || {
        echo "demo: $tool is not installed (run make deps)" >&2
        exit 1
    }
done

work=$(mktemp -d /tmp/sluice-demo-XXXXXX)
pids=()
cleanup() {
    set +e # best effort: one failed stop must not skip the others
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        for _ in $(seq 1 100); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$p" 2>/dev/null || true
    done
    bash tests/lib/mariadb.sh stop "$work/db" >/dev/null 2>&1 || true
    bash tests/lib/dynalite.sh stop "$work/ddb" >/dev/null 2>&1 || true
    if [ "${DEMO_KEEP:-0}" = 1 ]; then
        echo "demo: kept $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t_step=0
step() { # title
    t_step=$(sl_now_ms)
    echo
    echo "== $*"
}
done_step() {
    echo "   ($(($(sl_now_ms) - t_step)) ms)"
}
die() {
    echo "demo: FAILED: $*" >&2
    if [ -f "$work/sluice.log" ]; then
        echo "---- last lines of the sluice log ----" >&2
        tail -n 30 "$work/sluice.log" >&2
    fi
    exit 1
}

step "starting a throwaway MariaDB (ROW binlog, FULL metadata) and dynalite"
bash tests/lib/mariadb.sh start "$work/db" >/dev/null || die "MariaDB did not start"
bash tests/lib/dynalite.sh start "$work/ddb" >/dev/null || die "dynalite did not start"
# shellcheck disable=SC1091
. "$work/db/env"
# shellcheck disable=SC1091
. "$work/ddb/env"
export DDB_ENDPOINT=$DYNALITE_ENDPOINT
echo "   MariaDB on 127.0.0.1:$MARIADB_PORT, dynalite on $DYNALITE_ENDPOINT"
done_step
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }

bootstrap=""
if [ $mode = kafka ]; then
    if "$sluice" help 2>&1 | grep -q 'dev-kafka'; then
        step "starting sluice dev-kafka (in-memory mock Kafka cluster)"
        "$sluice" dev-kafka >"$work/kafka.out" 2>"$work/kafka.log" &
    else
        step "starting a mock Kafka cluster (bench/lib/kafkatool; this build has no sluice dev-kafka)"
        kt=$(sl_kafkatool) || die "cannot build bench/lib/kafkatool.c"
        "$kt" serve salesdb.salesdb.SALES_ORDER:3 >"$work/kafka.out" 2>"$work/kafka.log" &
    fi
    pids+=($!)
    for _ in $(seq 1 100); do
        bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$work/kafka.out")
        [ -n "$bootstrap" ] && break
        sleep 0.1
    done
    [ -n "$bootstrap" ] || die "the mock cluster printed no bootstrap.servers"
    echo "   bootstrap.servers=$bootstrap"
    done_step
fi

step "creating salesdb.SALES_ORDER with $rows rows"
sql -e "CREATE DATABASE salesdb" && sql salesdb -e "
  CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
    ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20));
  INSERT INTO salesdb.SALES_ORDER
    SELECT seq, 1000 + seq % 3000, '2022-06-01 00:00:00' + INTERVAL seq MINUTE,
           ELT(1 + seq % 3, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM seq_1_to_$rows;" ||
    die "cannot create the table"
echo "   rows in SALES_ORDER: $(sql -N -e 'SELECT COUNT(*) FROM salesdb.SALES_ORDER')"
done_step

step "writing worker.properties, source.properties and sink.properties ($mode mode)"
{
    [ -n "$bootstrap" ] && echo "bootstrap.servers=$bootstrap"
    echo "key.converter=org.apache.kafka.connect.storage.StringConverter"
    echo "value.converter=org.apache.kafka.connect.storage.StringConverter"
    echo "offset.storage.file.filename=$work/connect.offsets"
    echo "offset.flush.interval.ms=1000"
    echo "listeners="
} >"$work/worker.properties"
# The seed's source connector keys. Changed: endpoints and credentials. Removed: the
# database.history.{consumer,producer}.* SASL_SSL/AWS_MSK_IAM keys (no MSK here), and in
# embedded mode database.history.kafka.bootstrap.servers (no Kafka). Added:
# transforms.unwrap.delete.handling.mode=rewrite, so a DELETE reaches the sink as a row with
# __deleted=true (the seed's unwrap defaults drop deletes before Kafka; see the seed README).
{
    echo "name=salesdb-source"
    echo "connector.class=io.debezium.connector.mysql.MySqlConnector"
    echo "database.user=$MARIADB_USER"
    echo "database.password=$MARIADB_PASSWORD"
    echo "database.hostname=127.0.0.1"
    echo "database.port=$MARIADB_PORT"
    echo "database.server.id=123456"
    echo "database.server.name=salesdb"
    echo "database.include.list=salesdb"
    echo "tasks.max=1"
    echo "database.history.kafka.topic=dbhistory.salesdb"
    [ -n "$bootstrap" ] && echo "database.history.kafka.bootstrap.servers=$bootstrap"
    echo "include.schema.changes=true"
    echo "key.converter=org.apache.kafka.connect.storage.StringConverter"
    echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
    echo "key.converter.schemas.enable=false"
    echo "value.converter.schemas.enable=false"
    echo "transforms=unwrap"
    echo "transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState"
    echo "transforms.unwrap.delete.handling.mode=rewrite"
} >"$work/source.properties"
# The seed's sink connector keys. Changed: the endpoint (dynalite); credentials come from
# AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (dummy values). Removed: confluent.topic.* SASL/IAM
# keys (and confluent.topic.bootstrap.servers in embedded mode). Added: delete.enabled=true.
{
    echo "name=dynamodb-sink"
    echo "connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector"
    echo "tasks.max=2"
    echo "aws.dynamodb.region=us-east-1"
    echo "aws.dynamodb.endpoint=$DYNALITE_ENDPOINT"
    echo "topics=salesdb.salesdb.SALES_ORDER"
    echo "value.converter.schemas.enable=false"
    echo "key.converter=org.apache.kafka.connect.storage.StringConverter"
    echo "value.converter=org.apache.kafka.connect.json.JsonConverter"
    echo "table.name.format=kafka_\${topic}"
    [ -n "$bootstrap" ] && echo "confluent.topic.bootstrap.servers=$bootstrap"
    echo "aws.dynamodb.pk.hash=value.ORDER_ID"
    echo "aws.dynamodb.pk.sort=value.SITE_ID"
    echo "delete.enabled=true"
} >"$work/sink.properties"
sed 's/^database.password=.*/database.password=*****/' "$work/source.properties" | sed 's/^/   source: /'
sed 's/^/   sink:   /' "$work/sink.properties"
done_step

table=kafka_salesdb.salesdb.SALES_ORDER
step "starting: sluice standalone worker.properties source.properties sink.properties"
"$sluice" standalone "$work/worker.properties" "$work/source.properties" \
    "$work/sink.properties" 2>"$work/sluice.log" &
sl_pid=$!
pids+=("$sl_pid")
for _ in $(seq 1 300); do
    grep -q 'source salesdb-source: streaming from' "$work/sluice.log" && break
    kill -0 "$sl_pid" 2>/dev/null || die "sluice exited early"
    sleep 0.1
done
grep -q 'source salesdb-source: streaming from' "$work/sluice.log" ||
    die "the source did not start streaming within 30 s"
start_pos=$(sed -n 's/.*source salesdb-source: streaming from \([^ ]*\).*/\1/p' "$work/sluice.log" | head -1)
echo "   source streaming from $start_pos"
done_step

base=$rows
if grep -q 'initial snapshot, which is not implemented yet' "$work/sluice.log"; then
    base=0
    step "initial load: NOT AVAILABLE in this build"
    echo "   The source has no initial snapshot yet, so the $rows existing rows are not copied"
    echo "   (the seed expects them in DynamoDB). Only changes made from now on flow; the"
    echo "   expected item counts below are therefore 6 and 5 instead of $((rows + 6)) and $((rows + 5))."
    done_step
else
    step "initial load: waiting until $table holds $rows items"
    n=0
    for _ in $(seq 1 600); do
        n=$(sl_ddb_count "$table" 2>/dev/null) || n=0
        [ "$n" -ge "$rows" ] && break
        kill -0 "$sl_pid" 2>/dev/null || die "sluice exited during the initial load"
        sleep 0.5
    done
    echo "   items: $n"
    [ "$n" = "$rows" ] || die "the initial load left $n items, want $rows"
    done_step
fi

step "the seed's six INSERTs, then an UPDATE (29004) and a DELETE (29006)"
sql salesdb -e "
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29001, 2568, now(), 'STANDARD');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29002, 1649, now(), 'ONE-DAY');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29003, 3861, now(), 'TWO-DAY');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29004, 2568, now(), 'STANDARD');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29005, 1649, now(), 'ONE-DAY');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29006, 3861, now(), 'TWO-DAY');" ||
    die "INSERT failed"
t_ins=$(sl_now_ms)
want=$((base + 6))
n=0
for _ in $(seq 1 600); do
    n=$(sl_ddb_count "$table" 2>/dev/null) || n=0
    [ "$n" -ge "$want" ] && break
    kill -0 "$sl_pid" 2>/dev/null || die "sluice exited"
    sleep 0.1
done
echo "   item count after the INSERTs: $n (want $want; visible $(($(sl_now_ms) - t_ins)) ms after the commit)"
[ "$n" = "$want" ] || die "item count $n after the INSERTs, want $want"
count_after_insert=$n
sql salesdb -e "UPDATE SALES_ORDER SET SHIP_MODE = 'ONE-DAY' WHERE ORDER_ID = 29004;
                DELETE FROM SALES_ORDER WHERE ORDER_ID = 29006;" || die "UPDATE/DELETE failed"
t_del=$(sl_now_ms)
want=$((base + 5))
for _ in $(seq 1 600); do
    n=$(sl_ddb_count "$table" 2>/dev/null) || n=0
    [ "$n" -le "$want" ] && break
    sleep 0.1
done
upd=""
for _ in $(seq 1 100); do
    upd=$(sl_ddb GetItem '{"TableName":"'"$table"'","Key":{"ORDER_ID":{"N":"29004"},"SITE_ID":{"N":"2568"}}}' |
        jq -r '.Item.SHIP_MODE.S // empty')
    [ "$upd" = ONE-DAY ] && break
    sleep 0.1
done
echo "   item count after the DELETE: $n (want $want; visible $(($(sl_now_ms) - t_del)) ms after the commit)"
echo "   29004 SHIP_MODE after the UPDATE: ${upd:-<missing>}"
done_step

if [ $mode = kafka ]; then
    step "the topic salesdb.salesdb.SALES_ORDER: records for 29001-29006 (partition, offset, key, value)"
    kt=$(sl_kafkatool) || die "cannot build bench/lib/kafkatool.c"
    "$kt" consume "$bootstrap" salesdb.salesdb.SALES_ORDER 100000 1500 2>/dev/null |
        grep '"ORDER_ID":2900[1-6]' | sort -t "$(printf '\t')" -k2,2n | sed 's/^/   /'
else
    step "the row changes for 29001-29006 as Sluice decoded them from the binlog"
    echo "   (embedded mode has no topic to consume: this is 'sluice binlog tail' from $start_pos;"
    echo "   the records on the in-process bus are these rows in the seed's unwrapped JSON form;"
    echo "   run 'scripts/demo.sh --kafka' to see the Kafka records themselves)"
    SLUICE_MYSQL_PASSWORD=$MARIADB_PASSWORD "$sluice" binlog tail --host "$MARIADB_HOST" \
        --port "$MARIADB_PORT" --user "$MARIADB_USER" --from "$start_pos" --until-current \
        2>/dev/null | grep '2900[1-6]' | sed 's/^/   /'
fi
done_step

step "DynamoDB items 29001-29006 in $table (GetItem)"
printf '   %-9s %-8s %-15s %-10s %s\n' ORDER_ID SITE_ID ORDER_DATE SHIP_MODE __deleted
for k in 29001:2568 29002:1649 29003:3861 29004:2568 29005:1649 29006:3861; do
    sl_ddb GetItem '{"TableName":"'"$table"'","Key":{"ORDER_ID":{"N":"'"${k%:*}"'"},"SITE_ID":{"N":"'"${k#*:}"'"}}}' |
        jq -r --arg id "${k%:*}" 'if .Item then .Item |
            "\(.ORDER_ID.N) \(.SITE_ID.N) \(.ORDER_DATE.N // .ORDER_DATE.S) \(.SHIP_MODE.S) \(.__deleted.S // "-")"
            else "\($id) (no item: deleted)" end' |
        awk '{ if (NF == 5) printf "   %-9s %-8s %-15s %-10s %s\n", $1, $2, $3, $4, $5; else print "   " $0 }'
done
done_step

final=$n
echo
echo "== summary ($mode mode)"
echo "   items after the six INSERTs: $count_after_insert (want $((base + 6)))"
echo "   items after the DELETE:      $final (want $((base + 5)))"
[ "$base" = 0 ] && echo "   initial snapshot: not available in this build (existing rows not copied)"
kill -TERM "$sl_pid" 2>/dev/null
rc=0
wait "$sl_pid" || rc=$?
echo "   sluice exited with status $rc after SIGTERM"
if [ "$count_after_insert" = $((base + 6)) ] && [ "$final" = $((base + 5)) ] && [ "$upd" = ONE-DAY ]; then
    echo "demo: OK"
    exit 0
fi
echo "demo: FAILED (counts or the update are wrong)"
exit 1
