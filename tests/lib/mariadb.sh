#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Throwaway MariaDB for tests, benches and the demo: a fresh datadir under DIR, a server on
# 127.0.0.1 with a free port and its socket in DIR, row-based binlog with full metadata, and a
# replication user. Callers source DIR/env afterwards.
#
#   tests/lib/mariadb.sh start DIR [extra mariadbd args...]   e.g. --binlog-format=STATEMENT
#   tests/lib/mariadb.sh stop DIR                              shuts down and removes DIR
#
# DIR/env defines MARIADB_HOST MARIADB_PORT MARIADB_SOCKET MARIADB_USER MARIADB_PASSWORD
# MARIADB_DATADIR MARIADB_PID. The password comes from SLUICE_TEST_MYSQL_PASSWORD when set.
set -u

MARIADBD=${MARIADBD:-/usr/sbin/mariadbd}
INSTALL_DB=${MARIADB_INSTALL_DB:-mariadb-install-db}
CLIENT=${MARIADB_CLIENT:-mariadb}
USER_NAME=sluice
PASSWORD=${SLUICE_TEST_MYSQL_PASSWORD:-sluice-test-pw}

die() {
    echo "mariadb.sh: $*" >&2
    exit 1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_ready() { # sock pid deadline_tenths
    local sock=$1 pid=$2 n=$3
    while [ "$n" -gt 0 ]; do
        if ! kill -0 "$pid" 2>/dev/null; then
            return 2
        fi
        if [ -S "$sock" ] &&
            "$CLIENT" --no-defaults -uroot -S "$sock" -e 'SELECT 1' >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.1
        n=$((n - 1))
    done
    return 1
}

do_start() {
    local dir=$1
    shift
    [ -e "$dir/env" ] && die "$dir already holds a server (run stop first)"
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    local data=$dir/data sock=$dir/mysqld.sock log=$dir/mysqld.log
    local userarg=()
    [ "$(id -u)" = 0 ] && userarg=(--user=root)

    # A private tmpdir: servers starting at the same time clean each other's temporary
    # tables out of a shared /tmp and mariadb-install-db then fails.
    mkdir -p "$dir/tmp" || die "cannot create $dir/tmp"
    "$INSTALL_DB" --no-defaults "${userarg[@]}" --datadir="$data" --tmpdir="$dir/tmp" \
        --auth-root-authentication-method=normal --skip-test-db \
        --skip-name-resolve >"$dir/install.log" 2>&1 ||
        die "mariadb-install-db failed; see $dir/install.log: $(tail -n 3 "$dir/install.log")"

    local attempt port pid rc
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        port_in_use "$port" && continue
        "$MARIADBD" --no-defaults "${userarg[@]}" --datadir="$data" --tmpdir="$dir/tmp" \
            --bind-address=127.0.0.1 --port="$port" --socket="$sock" \
            --pid-file="$dir/mysqld.pid" --log-error="$log" \
            --log-bin=binlog --server-id=1 --binlog-format=ROW \
            --binlog-row-image=FULL --binlog-row-metadata=FULL \
            --skip-name-resolve --innodb-buffer-pool-size=16M \
            --innodb-log-file-size=16M --key-buffer-size=1M \
            --performance-schema=OFF \
            --max-allowed-packet=64M --character-set-server=utf8mb4 \
            --collation-server=utf8mb4_general_ci --innodb-fast-shutdown=2 \
            "$@" >/dev/null 2>&1 &
        pid=$!
        wait_ready "$sock" "$pid" 300
        rc=$?
        if [ $rc = 0 ]; then
            break
        fi
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        if [ $rc = 2 ] && grep -q "Address already in use\|Can't start server: Bind" "$log"; then
            rm -f "$log"
            continue
        fi
        die "mariadbd did not start (port $port): $(tail -n 5 "$log" 2>/dev/null)"
    done
    [ "${rc:-1}" = 0 ] || die "no free port found after $attempt attempts"

    "$CLIENT" --no-defaults -uroot -S "$sock" -e "
        CREATE USER '$USER_NAME'@'%' IDENTIFIED BY '$PASSWORD';
        CREATE USER '$USER_NAME'@'localhost' IDENTIFIED BY '$PASSWORD';
        GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, LOCK TABLES,
              SHOW VIEW ON *.* TO '$USER_NAME'@'%';
        GRANT REPLICATION SLAVE, REPLICATION CLIENT, SELECT, RELOAD, LOCK TABLES,
              SHOW VIEW ON *.* TO '$USER_NAME'@'localhost';
        FLUSH PRIVILEGES;" || die "cannot create user $USER_NAME"

    cat >"$dir/env" <<EOF
MARIADB_HOST=127.0.0.1
MARIADB_PORT=$port
MARIADB_SOCKET=$sock
MARIADB_USER=$USER_NAME
MARIADB_PASSWORD=$PASSWORD
MARIADB_DATADIR=$data
MARIADB_PID=$pid
EOF
    echo "$dir/env"
}

do_stop() {
    local dir=$1 pid=""
    [ -d "$dir" ] || return 0
    if [ -f "$dir/mysqld.pid" ]; then
        pid=$(cat "$dir/mysqld.pid")
    fi
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null
        local n=100
        while [ $n -gt 0 ] && kill -0 "$pid" 2>/dev/null; do
            sleep 0.1
            n=$((n - 1))
        done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start)
    [ $# -ge 2 ] || die "usage: $0 start DIR [mariadbd args...]"
    dir=$2
    shift 2
    do_start "$dir" "$@"
    ;;
stop)
    [ $# -ge 2 ] || die "usage: $0 stop DIR"
    do_stop "$2"
    ;;
*)
    die "usage: $0 start DIR [mariadbd args...] | stop DIR"
    ;;
esac
