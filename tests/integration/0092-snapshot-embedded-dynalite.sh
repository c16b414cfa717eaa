#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Initial snapshot in embedded mode (source and DynamoDB sink in one process over the local
# bus): 29,000 existing SALES_ORDER rows, then `sluice standalone`, then the seed's six
# INSERTs -> dynalite's kafka_salesdb.salesdb.SALES_ORDER holds 29,006 items (Scan with
# Select=COUNT, following LastEvaluatedKey) with the table's values; the stored source offset
# is a streaming one afterwards (no snapshot flag, no checkpoint).
set -u
SRC=${SL_SOURCE_DIR:?run through ctest}
BIN=${SLUICE_BIN:?run through ctest}
MULT=${SL_TEST_TIMEOUT_MULT:-1}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/sl-it-0092.XXXXXX")
FAILS=0
PID=""

cleanup() {
    [ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    bash "$SRC/tests/lib/mariadb.sh" stop "$DIR/db" >/dev/null 2>&1
    bash "$SRC/tests/lib/dynalite.sh" stop "$DIR/ddb" >/dev/null 2>&1
    [ -n "${SL_TEST_KEEP:-}" ] || rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}

bash "$SRC/tests/lib/mariadb.sh" start "$DIR/db" >/dev/null || { echo "cannot start MariaDB"; exit 1; }
bash "$SRC/tests/lib/dynalite.sh" start "$DIR/ddb" >/dev/null || { echo "cannot start dynalite"; exit 1; }
. "$DIR/db/env"
. "$DIR/ddb/env"

sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" -e "$1" || fail "SQL: $1"; }

ddb() { # op body
    curl -s -X POST "$DYNALITE_ENDPOINT/" -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: DynamoDB_20120810.$1" -H 'X-Amz-Date: 20260101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00' \
        --data-binary "$2"
}

# Items as sorted lines "ORDER_ID SITE_ID ORDER_DATE SHIP_MODE".
items() {
    ddb Scan '{"TableName":"kafka_salesdb.salesdb.SALES_ORDER"}' |
        jq -r '.Items[]? | "\(.ORDER_ID.N) \(.SITE_ID.N) \(.ORDER_DATE.N) \(.SHIP_MODE.S)"' | sort
}

wait_for() { # description command...
    local what=$1 n=$((200 * MULT))
    shift
    while [ $n -gt 0 ]; do
        "$@" && return 0
        if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
            fail "sluice exited while waiting for $what"
            cat "$DIR/sluice.log"
            return 1
        fi
        sleep 0.1
        n=$((n - 1))
    done
    fail "timed out waiting for $what"
    return 1
}

# Item count: Scan with Select=COUNT, page by page.
count() {
    local total=0 start="" page n
    while :; do
        if [ -n "$start" ]; then
            page=$(ddb Scan "{\"TableName\":\"kafka_salesdb.salesdb.SALES_ORDER\",\"Select\":\"COUNT\",\"ExclusiveStartKey\":$start}")
        else
            page=$(ddb Scan '{"TableName":"kafka_salesdb.salesdb.SALES_ORDER","Select":"COUNT"}')
        fi
        n=$(printf '%s' "$page" | jq -r '.Count // empty')
        [ -n "$n" ] || { echo 0; return; }
        total=$((total + n))
        start=$(printf '%s' "$page" | jq -c '.LastEvaluatedKey // empty')
        [ -n "$start" ] || break
    done
    echo $total
}
count_is() { [ "$(count)" = "$1" ]; }
log_has() { grep -q "$1" "$DIR/sluice.log"; }

sql "CREATE DATABASE salesdb; CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY,
     SITE_ID INT, ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20));
     INSERT INTO salesdb.SALES_ORDER SELECT seq, seq % 5000,
     TIMESTAMP'2022-01-01 00:00:00' + INTERVAL seq SECOND,
     ELT(seq % 3 + 1, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM salesdb.seq_1_to_29000"

cat >"$DIR/worker.properties" <<EOF
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$DIR/connect.offsets
offset.flush.interval.ms=500
EOF
cat >"$DIR/source.properties" <<EOF
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
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState
EOF
cat >"$DIR/sink.properties" <<EOF
name=dynamodb-sink
connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector
tasks.max=2
aws.dynamodb.region=us-east-1
aws.dynamodb.endpoint=$DYNALITE_ENDPOINT
aws.access.key.id=AKIDEXAMPLE
aws.secret.access.key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
topics=salesdb.salesdb.SALES_ORDER
value.converter.schemas.enable=false
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
table.name.format=kafka_\${topic}
aws.dynamodb.pk.hash=value.ORDER_ID
aws.dynamodb.pk.sort=value.SITE_ID
EOF

start() {
    "$BIN" standalone "$DIR/worker.properties" "$DIR/source.properties" \
        "$DIR/sink.properties" 2>>"$DIR/sluice.log" &
    PID=$!
}

stop() {
    kill -TERM "$PID"
    local n=$((200 * MULT))
    while [ $n -gt 0 ] && kill -0 "$PID" 2>/dev/null; do
        sleep 0.1
        n=$((n - 1))
    done
    kill -0 "$PID" 2>/dev/null && fail "sluice did not exit within $((20 * MULT)) s of SIGTERM"
    wait "$PID"
    local rc=$?
    PID=""
    [ $rc = 0 ] || fail "exit status $rc after SIGTERM"
}

start
T0=$(date +%s)
wait_for "the snapshot" log_has "source salesdb-source: snapshot completed"
for r in "29001, 2568, '2022-06-15 07:52:16', 'STANDARD'" "29002, 1649, '2022-06-15 07:52:17', 'ONE-DAY'" \
    "29003, 3861, '2022-06-15 07:52:18', 'TWO-DAY'" "29004, 2568, '2022-06-15 07:52:19', 'STANDARD'" \
    "29005, 1649, '2022-06-15 07:52:20', 'ONE-DAY'" "29006, 3861, '2022-06-15 07:52:21', 'TWO-DAY'"; do
    sql "INSERT INTO salesdb.SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES ($r)"
done
# Counting scans the whole table: poll once a second.
n=$((120 * MULT))
while [ $n -gt 0 ] && [ "$(count)" != 29006 ]; do
    kill -0 "$PID" 2>/dev/null || { fail "sluice exited"; break; }
    sleep 1
    n=$((n - 1))
done
got=$(count)
[ "$got" = 29006 ] || fail "$got items, want 29006"
echo "29006 items after $(($(date +%s) - T0)) s" >&2

# Values: a few snapshot rows and two streamed rows, exactly.
get() { # ORDER_ID SITE_ID
    ddb GetItem "{\"TableName\":\"kafka_salesdb.salesdb.SALES_ORDER\",\"Key\":{\"ORDER_ID\":{\"N\":\"$1\"},\"SITE_ID\":{\"N\":\"$2\"}}}" |
        jq -r '.Item | "\(.ORDER_ID.N) \(.SITE_ID.N) \(.ORDER_DATE.N) \(.SHIP_MODE.S)"'
}
for id in 1 4999 15000 29000; do
    modes=(STANDARD ONE-DAY TWO-DAY)
    want="$id $((id % 5000)) $(((1640995200 + id) * 1000)) ${modes[$((id % 3))]}"
    got=$(get $id $((id % 5000)))
    [ "$got" = "$want" ] || fail "item $id: '$got', want '$want'"
done
[ "$(get 29001 2568)" = "29001 2568 1655279536000 STANDARD" ] || fail "item 29001: $(get 29001 2568)"
[ "$(get 29006 3861)" = "29006 3861 1655279541000 TWO-DAY" ] || fail "item 29006: $(get 29006 3861)"
stop
grep -q '"salesdb-source"' "$DIR/connect.offsets" 2>/dev/null ||
    fail "no offset stored: $(cat "$DIR/connect.offsets" 2>&1)"
grep -q 'snapshot_progress\|"snapshot":true' "$DIR/connect.offsets" 2>/dev/null &&
    fail "the stored offset still says the snapshot runs: $(cat "$DIR/connect.offsets")"

if [ $FAILS -ne 0 ]; then
    echo "sluice log:"
    cat "$DIR/sluice.log"
    echo "FAIL: $FAILS failure(s)"
    exit 1
fi
echo "ok"
