#!/usr/bin/env bash
# `make demo`: the seed's tutorial, locally. Starts a throwaway MariaDB (row binlog, full
# metadata) on a free loopback port, creates salesdb.SALES_ORDER with 29,000 rows, performs the
# seed's six INSERTs plus an update and a delete, and shows what Sluice reads from the binlog.
# Everything it starts is stopped and removed on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
sluice=${SLUICE_BIN:-$root/build/sluice}
[ -x "$sluice" ] || { echo "demo: $sluice not built (run make build)"; exit 1; }

work=$(mktemp -d /tmp/sluice-demo-XXXXXX)
cleanup() { bash tests/lib/mariadb.sh stop "$work/mariadb" >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

echo "== starting a throwaway MariaDB"
bash tests/lib/mariadb.sh start "$work/mariadb" >/dev/null
# shellcheck disable=SC1091
. "$work/mariadb/env"
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }

echo "== creating salesdb.SALES_ORDER with 29,000 rows"
sql -e "
  CREATE DATABASE salesdb;
  CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
    ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20));
  INSERT INTO salesdb.SALES_ORDER
    SELECT seq, 1000 + seq % 3000, '2022-06-01 00:00:00' + INTERVAL seq MINUTE,
           ELT(1 + seq % 3, 'STANDARD', 'ONE-DAY', 'TWO-DAY') FROM seq_1_to_29000;"
sql -N -e "SELECT COUNT(*) FROM salesdb.SALES_ORDER" | sed 's/^/rows in SALES_ORDER: /'
start=$(sql -N -e "SHOW MASTER STATUS" | awk '{print $1":"$2}')

echo "== the seed's six INSERTs, then an UPDATE and a DELETE"
sql salesdb -e "
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29001, 2568, now(), 'STANDARD');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29002, 1649, now(), 'ONE-DAY');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29003, 3861, now(), 'TWO-DAY');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29004, 2568, now(), 'STANDARD');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29005, 1649, now(), 'ONE-DAY');
  INSERT INTO SALES_ORDER (ORDER_ID, SITE_ID, ORDER_DATE, SHIP_MODE) VALUES (29006, 3861, now(), 'TWO-DAY');
  UPDATE SALES_ORDER SET SHIP_MODE = 'ONE-DAY' WHERE ORDER_ID = 29004;
  DELETE FROM SALES_ORDER WHERE ORDER_ID = 29006;"

echo "== sluice binlog tail --from $start (the row changes as Sluice decodes them)"
SLUICE_MYSQL_PASSWORD=$MARIADB_PASSWORD "$sluice" binlog tail --host "$MARIADB_HOST" \
  --port "$MARIADB_PORT" --user "$MARIADB_USER" --from "$start" --until-current

echo
echo "demo: the binlog half of the pipeline ran. Not built yet: the Debezium topics, the"
echo "embedded bus and the DynamoDB sink (see README, 'Status')."
