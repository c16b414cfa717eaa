#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Key changes in embedded mode into dynalite, pk.hash=value.ORDER_ID, pk.sort=value.SITE_ID,
# delete.enabled=true, two pipelines over one MariaDB table:
#  - "env": no transform, the sink gets Debezium envelopes. An UPDATE of the MySQL primary
#    key is a delete + create (debezium-compat.md §6.5): the old item disappears, the new
#    one appears. An UPDATE of SITE_ID (the DynamoDB sort key, not a MySQL key column) moves
#    the item: the sink deletes the before image's item and writes the after image's, so no
#    stale item stays.
#  - "flat": ExtractNewRecordState with delete.handling.mode=rewrite. The primary-key change
#    still removes the old item (the delete arrives as a __deleted=true row), but an UPDATE
#    of SITE_ID carries no before image: the old item STAYS next to the new one (Confluent's
#    behaviour too; documented, and asserted here so a change is noticed).
NAME=0111
# shellcheck source=tests/integration/0110-embedded.bash
. "$(dirname "$0")/0110-embedded.bash"

sql "CREATE DATABASE salesdb; CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY,
     SITE_ID INT, SHIP_MODE VARCHAR(20));
     INSERT INTO salesdb.SALES_ORDER VALUES (1, 10, 'A'), (2, 20, 'B'), (3, 30, 'C')"

worker_props
# A Debezium delete is followed by a tombstone whose key (Struct{ORDER_ID=1}) cannot name
# the SITE_ID sort key: a bad record for this sink. The delete event itself removes the item,
# so the tombstones are switched off.
source_props env.properties env 5501 "database.include.list=salesdb
tombstones.on.delete=false"
source_props flat.properties flat 5502 "database.include.list=salesdb
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState
transforms.unwrap.delete.handling.mode=rewrite"
keys="aws.dynamodb.pk.hash=value.ORDER_ID
aws.dynamodb.pk.sort=value.SITE_ID
delete.enabled=true"
# One sink connector for both topics: in embedded mode a second sink connector would take
# (and drop) the other's records from the shared local bus (reported as a runtime bug).
sink_props sink.properties sink "topics=env.salesdb.SALES_ORDER,flat.salesdb.SALES_ORDER
$keys"

# "ORDER_ID SITE_ID SHIP_MODE" per item, sorted.
rows() {
    ddb Scan "{\"TableName\":\"kafka_$1.salesdb.SALES_ORDER\"}" |
        jq -r '.Items[]? | "\(.ORDER_ID.N) \(.SITE_ID.N) \(.SHIP_MODE.S)"' | sort | tr '\n' ';'
}
rows_are() { [ "$(rows "$1")" = "$2" ]; }

start worker.properties env.properties flat.properties sink.properties
for p in env flat; do
    wait_for "$p snapshot" rows_are $p "1 10 A;2 20 B;3 30 C;"
done

# Primary-key change: 1 -> 100.
sql "UPDATE salesdb.SALES_ORDER SET ORDER_ID = 100 WHERE ORDER_ID = 1"
# Sort-key change: SITE_ID 20 -> 21 (same ORDER_ID).
sql "UPDATE salesdb.SALES_ORDER SET SITE_ID = 21, SHIP_MODE = 'B2' WHERE ORDER_ID = 2"
# Both in one statement on another row, then a marker row that shows the stream caught up.
sql "UPDATE salesdb.SALES_ORDER SET ORDER_ID = 300, SITE_ID = 31 WHERE ORDER_ID = 3"
sql "INSERT INTO salesdb.SALES_ORDER VALUES (9, 90, 'END')"

want_env="100 10 A;2 21 B2;300 31 C;9 90 END;"
wait_for "envelope pipeline" rows_are env "$want_env" ||
    fail "env items: $(rows env), want $want_env"
# Unwrapped: the primary-key changes delete the old items; the SITE_ID-only change leaves
# "2 20 B" behind (no before image).
want_flat="100 10 A;2 20 B;2 21 B2;300 31 C;9 90 END;"
wait_for "unwrapped pipeline" rows_are flat "$want_flat" ||
    fail "flat items: $(rows flat), want $want_flat"

# The move survives a restart and a later move back (delete of 21, put of 20).
stop
[ "$RC" = 0 ] || fail "exit status $RC after SIGTERM"
sql "UPDATE salesdb.SALES_ORDER SET SITE_ID = 20 WHERE ORDER_ID = 2"
sql "INSERT INTO salesdb.SALES_ORDER VALUES (10, 91, 'END2')"
start worker.properties env.properties flat.properties sink.properties
want_env="10 91 END2;100 10 A;2 20 B2;300 31 C;9 90 END;"
wait_for "envelope pipeline after restart" rows_are env "$want_env" ||
    fail "env items after restart: $(rows env), want $want_env"
stop
[ "$RC" = 0 ] || fail "exit status $RC after SIGTERM"
finish
