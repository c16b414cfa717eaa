# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Helpers shared by the reliability tests 0110-0113 (sourced, not a test: the glob only runs
# NNNN-*.sh): MariaDB and dynalite in a temporary directory, `sluice standalone` in embedded
# mode (in-process bus, file offsets), SQL, DynamoDB calls and bounded waits.
# The caller sets NAME (directory prefix) before sourcing.
set -u
SRC=${SL_SOURCE_DIR:?run through ctest}
BIN=${SLUICE_BIN:?run through ctest}
MULT=${SL_TEST_TIMEOUT_MULT:-1}
DIR=$(mktemp -d "${TMPDIR:-/tmp}/sl-it-${NAME:?}.XXXXXX")
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
# shellcheck disable=SC1091
. "$DIR/db/env"
# shellcheck disable=SC1091
. "$DIR/ddb/env"

sql() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" -e "$1" || fail "SQL: $1"; }
sqlq() { mariadb --no-defaults -uroot -S "$MARIADB_SOCKET" -N -B -e "$1"; }

ddb() { # op body
    curl -s -X POST "$DYNALITE_ENDPOINT/" -H 'Content-Type: application/x-amz-json-1.0' \
        -H "X-Amz-Target: DynamoDB_20120810.$1" -H 'X-Amz-Date: 20260101T000000Z' \
        -H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00' \
        --data-binary "$2"
}

# All items of a table (first 1 MB page is enough here) as compact sorted JSON lines.
items() { # table [jq filter]
    ddb Scan "{\"TableName\":\"$1\"}" | jq -c "${2:-.}" 2>/dev/null | jq -c '.Items[]?' | sort
}

log_has() { grep -q -- "$1" "$DIR/sluice.log"; }

wait_for() { # description command... (up to WAIT seconds, default 30)
    local what=$1 end=$((SECONDS + ${WAIT:-30} * MULT))
    shift
    while [ $SECONDS -lt $end ]; do
        "$@" && return 0
        if [ -n "$PID" ] && ! kill -0 "$PID" 2>/dev/null; then
            fail "sluice exited while waiting for $what"
            return 1
        fi
        sleep 0.2
    done
    fail "timed out waiting for $what"
    return 1
}

worker_props() { # extra lines
    cat >"$DIR/worker.properties" <<EOF
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.storage.StringConverter
offset.storage.file.filename=$DIR/connect.offsets
offset.flush.interval.ms=300
${1:-}
EOF
}

source_props() { # file server-name server-id extra-lines
    cat >"$DIR/$1" <<EOF
name=$2-source
connector.class=io.debezium.connector.mysql.MySqlConnector
database.user=$MARIADB_USER
database.password=$MARIADB_PASSWORD
database.hostname=127.0.0.1
database.port=$MARIADB_PORT
database.server.id=$3
database.server.name=$2
tasks.max=1
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
${4:-}
EOF
}

sink_props() { # file name extra-lines
    cat >"$DIR/$1" <<EOF
name=$2
connector.class=io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector
tasks.max=1
aws.dynamodb.region=us-east-1
aws.dynamodb.endpoint=$DYNALITE_ENDPOINT
aws.access.key.id=AKIDEXAMPLE
aws.secret.access.key=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
key.converter=org.apache.kafka.connect.storage.StringConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
value.converter.schemas.enable=false
table.name.format=kafka_\${topic}
${3:-}
EOF
}

start() { # property files (in DIR)...
    local args=() f
    for f in "$@"; do args+=("$DIR/$f"); done
    "$BIN" standalone "${args[@]}" 2>>"$DIR/sluice.log" &
    PID=$!
}

# SIGTERM; sets RC to the exit status (-1 when it did not exit in 20 s).
stop() {
    RC=0
    kill -TERM "$PID"
    local n=$((200 * MULT))
    while [ $n -gt 0 ] && kill -0 "$PID" 2>/dev/null; do
        sleep 0.1
        n=$((n - 1))
    done
    if kill -0 "$PID" 2>/dev/null; then
        RC=-1
        kill -KILL "$PID"
    fi
    local st
    wait "$PID"
    st=$?
    [ "$RC" = -1 ] || RC=$st
    PID=""
}

# Waits for the process to exit by itself (up to seconds); sets RC (-1: still running).
wait_exit() { # seconds
    local n=$(($1 * 10 * MULT))
    while [ $n -gt 0 ] && kill -0 "$PID" 2>/dev/null; do
        sleep 0.1
        n=$((n - 1))
    done
    if kill -0 "$PID" 2>/dev/null; then
        RC=-1
        return 1
    fi
    wait "$PID"
    RC=$?
    PID=""
}

finish() {
    if [ $FAILS -ne 0 ]; then
        echo "sluice log:"
        tail -c 20000 "$DIR/sluice.log"
        echo "FAIL: $FAILS failure(s)"
        exit 1
    fi
    echo "ok"
    exit 0
}
