#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Schema changes while streaming, embedded mode into dynalite, the sink following
# topics.regex=shop\.shop\..*: ADD COLUMN, DROP COLUMN, MODIFY COLUMN (INT -> VARCHAR),
# a SIGTERM + restart with an ALTER and rows made while down, RENAME TABLE (new topic, new
# DynamoDB table), CREATE TABLE / DROP TABLE and TRUNCATE, with rows written before and after
# each. Every row arrives with the attribute names and DynamoDB types of the schema it was
# written under; nothing is lost across the restart.
NAME=0110
# shellcheck source=tests/integration/0110-embedded.bash
. "$(dirname "$0")/0110-embedded.bash"

sql "CREATE DATABASE shop; CREATE TABLE shop.t (id INT PRIMARY KEY, a INT)"
worker_props
source_props source.properties shop 7701 "database.include.list=shop
transforms=unwrap
transforms.unwrap.type=io.debezium.transforms.ExtractNewRecordState"
sink_props sink.properties sink 'topics.regex=shop\.shop\..*
aws.dynamodb.pk.hash=value.id
aws.dynamodb.pk.sort='

# One item as "attr:TYPE=value" pairs sorted by name, e.g. "a:N=1 id:N=1".
item() { # table id
    ddb GetItem "{\"TableName\":\"kafka_shop.shop.$1\",\"Key\":{\"id\":{\"N\":\"$2\"}}}" |
        jq -r '.Item // {} | to_entries | sort_by(.key) | map(.key + ":" +
            (.value | to_entries[0] | .key + "=" + (.value | tostring))) | join(" ")'
}
item_is() { [ "$(item "$1" "$2")" = "$3" ]; }
expect() { # table id want
    wait_for "item $2 of $1" item_is "$1" "$2" "$3" ||
        fail "item $2 of $1: '$(item "$1" "$2")', want '$3'"
}
count() { ddb Scan "{\"TableName\":\"kafka_shop.shop.$1\",\"Select\":\"COUNT\"}" | jq -r '.Count'; }

start worker.properties source.properties sink.properties
sql "INSERT INTO shop.t VALUES (1, 10)"
expect t 1 "a:N=10 id:N=1"

sql "ALTER TABLE shop.t ADD COLUMN b VARCHAR(10)"
sql "INSERT INTO shop.t VALUES (2, 20, 'x')"
expect t 2 "a:N=20 b:S=x id:N=2"

sql "ALTER TABLE shop.t DROP COLUMN a"
sql "INSERT INTO shop.t VALUES (3, 'y')"
expect t 3 "b:S=y id:N=3"

sql "ALTER TABLE shop.t ADD COLUMN c INT"
sql "INSERT INTO shop.t VALUES (4, 'z', 44)"
expect t 4 "b:S=z c:N=44 id:N=4"
sql "ALTER TABLE shop.t MODIFY COLUMN c VARCHAR(10)"
sql "INSERT INTO shop.t VALUES (5, 'w', '7x')"
expect t 5 "b:S=w c:S=7x id:N=5"

# Restart in the middle, with rows and an ALTER made while sluice is down.
stop
[ "$RC" = 0 ] || fail "exit status $RC after SIGTERM"
sql "INSERT INTO shop.t VALUES (6, 'v', '66')"
# DECIMAL under decimal.handling.mode=precise (the default) is Connect Decimal: the unscaled
# value's big-endian two's complement bytes, base64 in schemaless JSON (1.50 -> 150 -> AJY=).
sql "ALTER TABLE shop.t ADD COLUMN d DECIMAL(10,2)"
sql "INSERT INTO shop.t VALUES (7, 'u', '77', 1.5)"
start worker.properties source.properties sink.properties
expect t 6 "b:S=v c:S=66 id:N=6"
expect t 7 "b:S=u c:S=77 d:S=AJY= id:N=7"
sql "INSERT INTO shop.t VALUES (8, 't', '88', 2.25)"
expect t 8 "b:S=t c:S=88 d:S=AOE= id:N=8"

# RENAME TABLE: a new topic shop.shop.t2, followed by the regex into a new table.
sql "RENAME TABLE shop.t TO shop.t2"
sql "INSERT INTO shop.t2 VALUES (9, 's', '99', 3.5)"
expect t2 9 "b:S=s c:S=99 d:S=AV4= id:N=9"

# CREATE TABLE / DROP TABLE.
sql "CREATE TABLE shop.n (id INT PRIMARY KEY, z VARCHAR(5), f DOUBLE)"
sql "INSERT INTO shop.n VALUES (1, 'new', 0.5)"
expect n 1 "f:N=0.5 id:N=1 z:S=new"
sql "DROP TABLE shop.n"
sql "CREATE TABLE shop.n (id INT PRIMARY KEY, q INT)"
sql "INSERT INTO shop.n VALUES (2, 5)"
expect n 2 "id:N=2 q:N=5"

# TRUNCATE: not a row event (Debezium skips it for MySQL); rows after it still arrive.
sql "TRUNCATE TABLE shop.t2"
sql "INSERT INTO shop.t2 VALUES (10, 'r', '100', 4.5)"
expect t2 10 "b:S=r c:S=100 d:S=AcI= id:N=10"

# Nothing lost or duplicated: 8 items in t (1-8), 2 in t2, 2 in n.
[ "$(count t)" = 8 ] || fail "kafka_shop.shop.t holds $(count t) items, want 8"
[ "$(count t2)" = 2 ] || fail "kafka_shop.shop.t2 holds $(count t2) items, want 2"
[ "$(count n)" = 2 ] || fail "kafka_shop.shop.n holds $(count n) items, want 2"
stop
[ "$RC" = 0 ] || fail "exit status $RC after SIGTERM"
finish
