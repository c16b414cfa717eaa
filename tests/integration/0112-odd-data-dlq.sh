#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Oversized and odd data in embedded mode with errors.tolerance=all and a dead letter queue
# (file mode: <offsets dir>/<dlq topic>.dlq.jsonl): a 16 MB LONGBLOB row and a 500 KB TEXT
# row (items over DynamoDB's 400 KB) and an empty string as the hash key each land in the
# DLQ with a reason; a DECIMAL(65,0) with 60 digits (more than DynamoDB's 38) arrives exact
# as the Debezium bytes string; a latin1 byte 0xFF arrives as U+00FF; a database and table
# named with non-ASCII letters arrive under Debezium's sanitised topic name. A good row
# inserted after all of them arrives, the connector keeps running.
NAME=0112
# shellcheck source=tests/integration/0110-embedded.bash
. "$(dirname "$0")/0110-embedded.bash"

sql "CREATE DATABASE odd; CREATE TABLE odd.big (id INT PRIMARY KEY, b LONGBLOB);
     CREATE TABLE odd.k (id VARCHAR(10) PRIMARY KEY, v INT);
     CREATE TABLE odd.num (id INT PRIMARY KEY, d DECIMAL(65,0));
     CREATE TABLE odd.l1 (id INT PRIMARY KEY, s VARCHAR(10)) CHARACTER SET latin1;
     CREATE DATABASE \`dé\`; CREATE TABLE \`dé\`.\`tä\` (id INT PRIMARY KEY, v INT)"
worker_props
source_props source.properties odd 8801 "database.include.list=odd,dé
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState"
sink_props sink.properties sink 'topics.regex=odd\..*
aws.dynamodb.pk.hash=value.id
aws.dynamodb.pk.sort=
errors.tolerance=all
errors.log.enable=true
errors.deadletterqueue.topic.name=dlq
errors.deadletterqueue.context.headers.enable=true'
DLQ=$DIR/dlq.dlq.jsonl

start worker.properties source.properties sink.properties
wait_for "streaming" log_has "source odd-source: streaming from"
sql "INSERT INTO odd.big VALUES (1, REPEAT('x', 16 * 1024 * 1024))"
sql "INSERT INTO odd.big VALUES (2, REPEAT('y', 500 * 1024))"
sql "INSERT INTO odd.big VALUES (3, 'small')"
sql "INSERT INTO odd.k VALUES ('', 1), ('ok', 2)"
sql "INSERT INTO odd.num VALUES (1, REPEAT('9', 60))"
sql "INSERT INTO odd.l1 VALUES (1, X'FF41')"
sql "INSERT INTO \`dé\`.\`tä\` VALUES (1, 5)"
sql "INSERT INTO odd.k VALUES ('last', 3)"

got() { # table id-type id attr-filter
    ddb GetItem "{\"TableName\":\"kafka_$1\",\"Key\":{\"id\":{\"$2\":\"$3\"}}}" | jq -c "$4"
}
is() { [ "$(got "$1" "$2" "$3" "$4")" = "$5" ]; }
expect() { # table type id filter want
    wait_for "$1 $3" is "$@" || fail "$1 id $3: $(got "$1" "$2" "$3" "$4"), want $5"
}
WAIT=60 expect odd.odd.k S last '.Item.v' '{"N":"3"}'
expect odd.odd.k S ok '.Item.v' '{"N":"2"}'
expect odd.odd.big N 3 '.Item.b' '{"S":"c21hbGw="}'
# 60 nines: precise Decimal bytes (big-endian two's complement), base64: exact, not a Number.
want=$(python3 -c 'import base64; n=10**60-1; print(base64.b64encode(n.to_bytes((n.bit_length()+8)//8, "big")).decode())')
expect odd.odd.num N 1 '.Item.d.S' "\"$want\""
expect odd.odd.l1 N 1 '.Item.s' '{"S":"ÿA"}'
is odd.odd.big N 1 '.Item' 'null' || fail "the 16 MB row was written: $(got odd.odd.big N 1 'keys')"
is odd.odd.big N 2 '.Item' 'null' || fail "the 500 KB row was written"

# The DLQ file: the two big rows and the empty key, each with a reason.
dlq_has() { # original topic, offset, reason pattern
    [ -f "$DLQ" ] && jq -r '.headers | select(."__connect.errors.topic" == "'"$1"'" and
        ."__connect.errors.offset" == "'"$2"'") | ."__connect.errors.exception.message"' \
        "$DLQ" | grep -Eq "$3"
}
wait_for "the DLQ" test -f "$DLQ"
n=$(wc -l <"$DLQ" 2>/dev/null || echo 0)
[ "$n" = 3 ] || fail "$n DLQ records, want 3: $(cut -c1-300 "$DLQ" 2>/dev/null)"
dlq_has odd.odd.big 0 "400 KB" || fail "16 MB row: no DLQ record with a 400 KB reason"
dlq_has odd.odd.big 1 "400 KB" || fail "500 KB row: no DLQ record with a 400 KB reason"
dlq_has odd.odd.k 0 "hash key attribute id is an empty string" ||
    fail "empty hash key: no DLQ record with a reason"
# The original value is kept: the 16 MB row's base64 (22,369,624 characters) and more.
big=$(jq -r 'select(.headers."__connect.errors.offset" == "0" and
    .headers."__connect.errors.topic" == "odd.odd.big") | .value | length' "$DLQ" 2>/dev/null)
[ "${big:-0}" -gt 22369624 ] || fail "DLQ value of the 16 MB row has ${big:-0} characters"

# Non-ASCII identifiers: characters a topic name cannot hold become '_' (Sluice replaces
# per UTF-8 byte: d\xc3\xa9 -> d__; Debezium per Java char would give d_ - reported). The
# row must arrive in the table of whichever sanitised topic, not be lost.
uni() { ddb ListTables '{}' | jq -r '.TableNames[]' | grep '^kafka_odd\.d_*\.t_*$'; }
wait_for "the non-ASCII table" uni
t=$(uni | head -n 1)
expect "${t#kafka_}" N 1 '.Item.v' '{"N":"5"}'
grep -q "connector sink failed\|connector odd-source failed" "$DIR/sluice.log" &&
    fail "a connector failed: $(grep failed "$DIR/sluice.log" | head -n 3)"
kill -0 "$PID" 2>/dev/null || fail "sluice exited"
stop
[ "$RC" = 0 ] || fail "exit status $RC after SIGTERM"
finish
