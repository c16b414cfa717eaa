#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Binlog decode throughput: a throwaway MariaDB writes 1,000,000 row inserts into
# salesdb.SALES_ORDER (ROW format, FULL image, FULL metadata); the binlog file is then decoded
# by `sluice binlog dump FILE` and by `mariadb-binlog --verbose --base64-output=decode-rows
# FILE`, both to /dev/null, best of 3 each. Prints BENCH| rows for bench/run.sh.
# Env: SLUICE_BIN (default build/sluice), SL_BENCH_ROWS (default 1000000), SL_BENCH_KEEP=1 keeps
# the temp dir for inspection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
sluice=${SLUICE_BIN:-$repo/build/sluice}
nrows=${SL_BENCH_ROWS:-1000000}
batch=100000
per_run_limit=300

log() { echo "binlog_decode: $*" >&2; }

if [ -x "$repo/tests/lib/mariadb.sh" ] || [ -f "$repo/tests/lib/mariadb.sh" ]; then
    mariadb_sh=$repo/tests/lib/mariadb.sh
else
    log "tests/lib/mariadb.sh is missing"
    exit 1
fi
command -v mariadb-binlog >/dev/null || { log "mariadb-binlog not found"; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/sl-bench-binlog.XXXXXX")
cleanup() {
    bash "$mariadb_sh" stop "$tmp/db" >/dev/null 2>&1 || true
    if [ "${SL_BENCH_KEEP:-0}" = 1 ]; then
        log "kept $tmp"
    else
        rm -rf "$tmp"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "starting MariaDB"
env_file=$(bash "$mariadb_sh" start "$tmp/db" --innodb-buffer-pool-size=256M \
    --innodb-log-file-size=256M --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
    --max-binlog-size=1G)
# shellcheck disable=SC1090
. "$env_file"
sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" "$@"; }

log "inserting $nrows rows"
t0=$(date +%s%N)
sql -e "CREATE DATABASE salesdb;
    CREATE TABLE salesdb.SALES_ORDER (ORDER_ID INT PRIMARY KEY, SITE_ID INT,
        ORDER_DATE DATETIME, SHIP_MODE VARCHAR(20)) ENGINE=InnoDB;"
first=1
while [ "$first" -le "$nrows" ]; do
    last=$((first + batch - 1))
    [ "$last" -gt "$nrows" ] && last=$nrows
    # One transaction per batch, rows from the Sequence engine's virtual table.
    sql salesdb -e "INSERT INTO salesdb.SALES_ORDER
        SELECT seq, 1 + seq % 50,
               TIMESTAMP'2024-01-01 00:00:00' + INTERVAL (seq * 37) % 31536000 SECOND,
               ELT(1 + seq % 4, 'AIR', 'SHIP', 'TRUCK', 'REGULAR AIR')
        FROM seq_${first}_to_${last};"
    first=$((last + 1))
done
count=$(sql -N -e "SELECT COUNT(*) FROM salesdb.SALES_ORDER")
[ "$count" = "$nrows" ] || { log "expected $nrows rows, table has $count"; exit 1; }
binlog=$(sql -N -e "SHOW MASTER STATUS" | cut -f1)
sql -e "FLUSH BINARY LOGS"
cp "$MARIADB_DATADIR/$binlog" "$tmp/$binlog"
file=$tmp/$binlog
bytes=$(stat -c %s "$file")
t1=$(date +%s%N)
log "binlog $binlog: $bytes bytes, written in $(((t1 - t0) / 1000000)) ms"

# best_of_3 CMD...: prints the best wall time in nanoseconds, or fails if CMD fails.
best_of_3() {
    local best="" i s e
    for i in 1 2 3; do
        s=$(date +%s%N)
        if ! timeout "$per_run_limit" "$@" >/dev/null 2>"$tmp/err"; then
            return 1
        fi
        e=$(date +%s%N)
        if [ -z "$best" ] || [ $((e - s)) -lt "$best" ]; then
            best=$((e - s))
        fi
    done
    echo "$best"
}

# rate NS: "<rows/s> <MB/s>" for the file.
rates() {
    awk -v ns="$1" -v rows="$nrows" -v bytes="$bytes" \
        'BEGIN { s = ns / 1e9; printf "%.0f %.1f\n", rows / s, bytes / 1e6 / s }'
}

log "timing mariadb-binlog"
peer_ns=$(best_of_3 mariadb-binlog --verbose --base64-output=decode-rows "$file") || {
    log "mariadb-binlog failed: $(head -c 300 "$tmp/err")"
    exit 1
}
read -r peer_rows peer_mb <<<"$(rates "$peer_ns")"
peer_s=$(awk -v ns="$peer_ns" 'BEGIN { printf "%.2f", ns / 1e9 }')

sl_rows="" sl_mb="" why=""
if [ ! -x "$sluice" ]; then
    why="sluice binlog dump: not available yet"
else
    log "timing sluice binlog dump"
    if sl_ns=$(best_of_3 "$sluice" binlog dump "$file"); then
        read -r sl_rows sl_mb <<<"$(rates "$sl_ns")"
        sl_s=$(awk -v ns="$sl_ns" 'BEGIN { printf "%.2f", ns / 1e9 }')
    else
        log "sluice binlog dump failed: $(head -c 300 "$tmp/err")"
        why="sluice binlog dump: not available yet"
    fi
fi

peer_txt="$peer_rows rows/s ($peer_s s, mariadb-binlog)"
peer_mb_txt="$peer_mb MB/s ($((bytes / 1000000)) MB file)"
if [ -n "$why" ]; then
    echo "BENCH|binlog_decode rows/s|$why|$peer_txt|-"
    echo "BENCH|binlog_decode MB/s|$why|$peer_mb_txt|-"
else
    ratio=$(awk -v a="$sl_ns" -v b="$peer_ns" 'BEGIN { printf "%.2fx", b / a }')
    echo "BENCH|binlog_decode rows/s|$sl_rows rows/s ($sl_s s)|$peer_txt|$ratio"
    echo "BENCH|binlog_decode MB/s|$sl_mb MB/s|$peer_mb_txt|$ratio"
fi
