#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Throwaway in-memory dynalite (a DynamoDB implementation) for tests: 127.0.0.1, a free port,
# tables CREATING for 50 ms. Callers source DIR/env afterwards.
#
#   tests/lib/dynalite.sh start DIR [extra dynalite args...]
#   tests/lib/dynalite.sh stop DIR          stops it and removes DIR
#
# DIR/env defines DYNALITE_PORT DYNALITE_ENDPOINT DYNALITE_PID.
set -u

SRC=${SL_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
DYNALITE=${DYNALITE:-$SRC/.deps/node_modules/.bin/dynalite}

die() {
    echo "dynalite.sh: $*" >&2
    exit 1
}

port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

do_start() {
    local dir=$1
    shift
    [ -x "$DYNALITE" ] || die "dynalite not found at $DYNALITE (run scripts/install-deps.sh)"
    command -v node >/dev/null || die "node is not installed"
    [ -e "$dir/env" ] && die "$dir already holds a server (run stop first)"
    mkdir -p "$dir" || die "cannot create $dir"
    dir=$(cd "$dir" && pwd)
    local attempt port pid n
    for attempt in 1 2 3 4 5 6 7 8; do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
        port_in_use "$port" && continue
        # dynalite has no --host option in its CLI; bind to loopback through node.
        node -e "
            const d = require('$SRC/.deps/node_modules/dynalite');
            const s = d({createTableMs: 50, deleteTableMs: 50, updateTableMs: 50});
            s.listen($port, '127.0.0.1', () => console.log('listening'));
            s.on('error', e => { console.error(e.message); process.exit(3); });
        " "$@" >"$dir/dynalite.log" 2>&1 &
        pid=$!
        n=100
        while [ $n -gt 0 ]; do
            kill -0 "$pid" 2>/dev/null || break
            if curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null; then
                {
                    echo "DYNALITE_PORT=$port"
                    echo "DYNALITE_ENDPOINT=http://127.0.0.1:$port"
                    echo "DYNALITE_PID=$pid"
                } >"$dir/env"
                echo "$dir/env"
                return 0
            fi
            sleep 0.1
            n=$((n - 1))
        done
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    die "dynalite did not start; see $dir/dynalite.log: $(tail -n 3 "$dir/dynalite.log")"
}

do_stop() {
    local dir=$1
    if [ -f "$dir/env" ]; then
        # shellcheck disable=SC1091
        . "$dir/env"
        kill "$DYNALITE_PID" 2>/dev/null
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$DYNALITE_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$DYNALITE_PID" 2>/dev/null
    fi
    rm -rf "$dir"
}

case "${1:-}" in
start)
    [ $# -ge 2 ] || die "usage: $0 start DIR"
    shift
    do_start "$@"
    ;;
stop)
    [ $# -ge 2 ] || die "usage: $0 stop DIR"
    do_stop "$2"
    ;;
*)
    die "usage: $0 start|stop DIR"
    ;;
esac
