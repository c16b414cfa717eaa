/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice standalone` with bad configuration exits non-zero with exactly one line on stderr
 * that names the file (and line where there is one) and the key: an unknown connector.class
 * (listing the known classes), a missing connector.class, a missing database.hostname, a
 * number that is not a number (connector and worker files), a bad table regex, a missing
 * offsets file setting, an unreadable file, and bad usage. No server is needed: every case
 * fails before any connection, except the last: a task that cannot reach its database makes
 * the worker exit 1 naming the connector and the address. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static int failures;
static char dir[512];

static void write_file(const char *name, const char *text)
{
    char path[700];
    snprintf(path, sizeof(path), "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

/* Runs sluice standalone with args (file names relative to dir) and checks the exit status
 * (want_rc) and that stderr is one line containing every string of must (NULL-terminated). */
static void check_lines(const char *what, const char *args, int want_rc, bool one_line,
                        const char *const *must)
{
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "cd %s && timeout 30 %s standalone %s 2>&1 >/dev/null </dev/null",
             dir, getenv("SLUICE_BIN"), args);
    char *out = NULL;
    int rc = sl_test_run(cmd, &out);
    const char *o = out ? out : "";
    size_t lines = 0;
    for (const char *p = o; *p; p++)
        lines += *p == '\n';
    bool ok = rc == want_rc && (lines == 1 || (!one_line && lines > 0));
    for (size_t i = 0; ok && must[i]; i++)
        ok = strstr(o, must[i]) != NULL;
    printf("%s %s: exit %d: %s", ok ? "ok  " : "FAIL", what, rc, o);
    if (!ok) {
        printf("     (want exit %d and %s containing:", want_rc, one_line ? "one line" : "lines");
        for (size_t i = 0; must[i]; i++)
            printf(" '%s'", must[i]);
        printf(")\n");
        failures++;
    }
    free(out);
}

static void check(const char *what, const char *args, int want_rc, const char *const *must)
{
    check_lines(what, args, want_rc, true, must);
}

#define MUST(...) ((const char *const[]){__VA_ARGS__, NULL})

static const char source_ok[] = "name=salesdb-source\n"
                                "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
                                "database.hostname=127.0.0.1\n"
                                "database.port=3306\n"
                                "database.user=sluice\n"
                                "database.server.name=salesdb\n";

int main(void)
{
    if (!getenv("SLUICE_BIN")) {
        fprintf(stderr, "SLUICE_BIN is not set (run through ctest)\n");
        return 1;
    }
    char *tmp = sl_test_tmpdir("sl-it-0031");
    snprintf(dir, sizeof(dir), "%s", tmp);
    free(tmp);

    write_file("worker.properties", "offset.storage.file.filename=offsets\n");
    write_file("worker-bad-number.properties", "offset.storage.file.filename=offsets\n"
                                               "offset.flush.interval.ms=often\n");
    write_file("worker-no-offsets.properties", "log.level=info\n");
    write_file("unknown-class.properties", "name=pg\n"
                                           "connector.class=io.debezium.connector.postgresql."
                                           "PostgresConnector\n");
    write_file("no-class.properties", "name=x\ndatabase.hostname=127.0.0.1\n");
    write_file("no-host.properties", "name=salesdb-source\n"
                                     "connector.class=MySqlConnector\n"
                                     "database.user=sluice\n"
                                     "database.server.name=salesdb\n");
    write_file("bad-port.properties", "name=salesdb-source\n"
                                      "connector.class=MySqlConnector\n"
                                      "database.hostname=127.0.0.1\n"
                                      "database.port=33o6\n"
                                      "database.user=sluice\n"
                                      "database.server.name=salesdb\n");
    write_file("bad-regex.properties", "name=salesdb-source\n"
                                       "connector.class=MySqlConnector\n"
                                       "database.hostname=127.0.0.1\n"
                                       "database.user=sluice\n"
                                       "database.server.name=salesdb\n"
                                       "table.include.list=salesdb\\\\.(orders\n");
    write_file("source.properties", source_ok);

    check("unknown connector.class", "worker.properties unknown-class.properties", 1,
          MUST("unknown-class.properties:2", "connector.class",
               "io.debezium.connector.postgresql.PostgresConnector",
               "io.debezium.connector.mysql.MySqlConnector",
               "io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector"));
    check("missing connector.class", "worker.properties no-class.properties", 1,
          MUST("no-class.properties", "connector.class", "missing"));
    check("missing database.hostname", "worker.properties no-host.properties", 1,
          MUST("no-host.properties", "database.hostname"));
    check("bad number", "worker.properties bad-port.properties", 1,
          MUST("bad-port.properties:4", "database.port", "33o6"));
    check("bad number in the worker file", "worker-bad-number.properties source.properties", 1,
          MUST("worker-bad-number.properties:2", "offset.flush.interval.ms"));
    check("bad table regex", "worker.properties bad-regex.properties", 1,
          MUST("bad-regex.properties", "table.include.list", "salesdb\\.(orders"));
    check("no offsets file", "worker-no-offsets.properties source.properties", 1,
          MUST("worker-no-offsets.properties", "offset.storage.file.filename"));
    check("missing connector file", "worker.properties nope.properties", 1,
          MUST("nope.properties"));
    check("duplicate name", "worker.properties source.properties source.properties", 1,
          MUST("source.properties", "name", "salesdb-source", "already used"));
    check("no connector file", "worker.properties", 2, MUST("usage"));
    /* Embedded mode has one local bus queue: a second sink would take the first one's
     * records, so it is refused up front. */
    write_file("sink-a.properties", "name=sink-a\n"
                                    "connector.class=io.confluent.connect.aws.dynamodb."
                                    "DynamoDbSinkConnector\n"
                                    "topics=salesdb.salesdb.A\n"
                                    "aws.dynamodb.pk.hash=value.ID\n");
    write_file("sink-b.properties", "name=sink-b\n"
                                    "connector.class=io.confluent.connect.aws.dynamodb."
                                    "DynamoDbSinkConnector\n"
                                    "topics=salesdb.salesdb.B\n"
                                    "aws.dynamodb.pk.hash=value.ID\n");
    check("two sinks in embedded mode", "worker.properties sink-a.properties sink-b.properties", 1,
          MUST("sink-b.properties", "one DynamoDB sink connector", "sink-a", "bootstrap.servers"));

    /* A task that fails at run time (nothing listens on the port): the worker stops with
     * exit 1 and logs the connector and the reason. */
    char unreachable[512], port[16];
    snprintf(port, sizeof(port), "%d", sl_test_free_port());
    snprintf(unreachable, sizeof(unreachable),
             "name=salesdb-source\n"
             "connector.class=MySqlConnector\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%s\n"
             "database.user=sluice\n"
             "database.server.name=salesdb\n"
             "snapshot.mode=never\n",
             port);
    write_file("unreachable.properties", unreachable);
    char where[64];
    snprintf(where, sizeof(where), "127.0.0.1:%s", port);
    check_lines("unreachable database", "worker.properties unreachable.properties", 1, false,
                MUST("connector salesdb-source failed", where));

    sl_test_rmtree(dir);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
