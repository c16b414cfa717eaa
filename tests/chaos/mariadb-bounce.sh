#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Stops and restarts a MariaDB started by tests/lib/mariadb.sh WITHOUT losing its data (that
# script's stop removes the datadir): down sends SIGTERM to the server and waits for it to exit;
# up starts mariadbd again on the same datadir, port and socket with the options mariadb.sh
# uses, waits until it answers, and rewrites MARIADB_PID in DIR/env. Used by the chaos runner.
#
#   tests/chaos/mariadb-bounce.sh down DIR
#   tests/chaos/mariadb-bounce.sh up DIR
set -u

MARIADBD=${MARIADBD:-/usr/sbin/mariadbd}
CLIENT=${MARIADB_CLIENT:-mariadb}

die() {
    echo "mariadb-bounce.sh: $*" >&2
    exit 1
}

[ $# = 2 ] || die "usage: $0 down|up DIR"
dir=$(cd "$2" && pwd) || die "no directory $2"
[ -f "$dir/env" ] || die "$dir/env not found (start the server with tests/lib/mariadb.sh)"
. "$dir/env"

case "$1" in
down)
    pid=$MARIADB_PID
    [ -f "$dir/mysqld.pid" ] && pid=$(cat "$dir/mysqld.pid")
    kill -0 "$pid" 2>/dev/null || exit 0
    kill -TERM "$pid"
    n=600
    while [ $n -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
        sleep 0.05
        n=$((n - 1))
    done
    kill -0 "$pid" 2>/dev/null && die "mariadbd $pid still running 30 s after SIGTERM"
    exit 0
    ;;
up)
    userarg=()
    [ "$(id -u)" = 0 ] && userarg=(--user=root)
    sock=$MARIADB_SOCKET
    for attempt in 1 2 3 4 5 6 7 8 9 10; do
        "$MARIADBD" --no-defaults "${userarg[@]}" --datadir="$MARIADB_DATADIR" \
            --tmpdir="$dir/tmp" --bind-address=127.0.0.1 --port="$MARIADB_PORT" \
            --socket="$sock" --pid-file="$dir/mysqld.pid" --log-error="$dir/mysqld.log" \
            --log-bin=binlog --server-id=1 --binlog-format=ROW \
            --binlog-row-image=FULL --binlog-row-metadata=FULL \
            --skip-name-resolve --innodb-buffer-pool-size=16M \
            --innodb-log-file-size=16M --key-buffer-size=1M \
            --performance-schema=OFF \
            --max-allowed-packet=64M --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_general_ci --innodb-fast-shutdown=2 \
            </dev/null >/dev/null 2>&1 &
        pid=$!
        n=600
        while [ $n -gt 0 ]; do
            kill -0 "$pid" 2>/dev/null || break
            if [ -S "$sock" ] &&
                "$CLIENT" --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null 2>&1; then
                sed -i "s/^MARIADB_PID=.*/MARIADB_PID=$pid/" "$dir/env"
                exit 0
            fi
            sleep 0.05
            n=$((n - 1))
        done
        kill -0 "$pid" 2>/dev/null && die "mariadbd $pid did not answer within 30 s"
        # Exited: most likely the port is still held a moment after the old server; retry.
        sleep 0.5
    done
    die "mariadbd would not start again: $(tail -n 5 "$dir/mysqld.log")"
    ;;
*)
    die "usage: $0 down|up DIR"
    ;;
esac
