/* SPDX-License-Identifier: Apache-2.0 */
/* The REST API of a running `sluice standalone` (Kafka mode against librdkafka's mock
 * cluster in this process, DynamoDB sink to dynalite): GET /connectors lists both
 * connectors; a source whose database does not answer shows FAILED with the reason while the
 * sink stays RUNNING; pause stops writes (records produced meanwhile stay out of DynamoDB)
 * and resume writes them; restart keeps the position; POST creates a new sink that writes
 * its topic; a bad config is a 400 naming the key; DELETE removes a connector; GET /metrics
 * has non-zero sluice_ counters; no response ever contains the database password; SIGTERM
 * exits 0. */
#include "0095-standalone.h"

#define PASSWORD "Pa55-w0rd-never-shown"

static void no_password(const char *body, const char *what)
{
    CHECK(!strstr(body, PASSWORD), "%s shows the database password: %s", what, body);
}

/* GET path, checks the status and that the password is not in it; returns the body. */
static char *get(const char *path, int want)
{
    int code = 0;
    char *b = http("GET", path, NULL, &code);
    CHECK(code == want, "GET %s: %d, want %d: %s", path, code, want, b);
    no_password(b, path);
    return b;
}

static void call(const char *method, const char *path, const char *body, int want,
                 const char *must)
{
    int code = 0;
    char *b = http(method, path, body, &code);
    CHECK(code == want, "%s %s: %d, want %d: %s", method, path, code, want, b);
    CHECK(!must || strstr(b, must), "%s %s: body lacks '%s': %s", method, path, must, b);
    no_password(b, path);
    free(b);
}

static int64_t metric(const char *text, const char *name)
{
    int64_t sum = 0;
    size_t len = strlen(name);
    for (const char *p = text; (p = strstr(p, name)); p += len) {
        if (p != text && p[-1] != '\n')
            continue;
        const char *sp = strchr(p, ' ');
        const char *nl = strchr(p, '\n');
        if (sp && (!nl || sp < nl))
            sum += strtoll(sp + 1, NULL, 10);
    }
    return sum;
}

int main(void)
{
    setup("sl-it-0095");
    const char *boot = sl_mock_bootstraps(mock);
    REQUIRE(sl_mock_topic_create(mock, "orders", 1, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);
    REQUIRE(sl_mock_topic_create(mock, "returns", 1, 1, errstr, sizeof(errstr)) == SL_OK, "%s",
            errstr);
    int port = sl_test_free_port();
    snprintf(api, sizeof(api), "http://127.0.0.1:%d", port);
    char text[4096], path[800];
    snprintf(text, sizeof(text),
             "bootstrap.servers=%s\n"
             "listeners=http://127.0.0.1:%d\n"
             "offset.storage.file.filename=%s/connect.offsets\n"
             "offset.flush.interval.ms=300\n"
             "consumer.fetch.max.wait.ms=50\n"
             "consumer.session.timeout.ms=6000\n"
             "consumer.heartbeat.interval.ms=500\n",
             boot, port, dir);
    snprintf(path, sizeof(path), "%s/worker.properties", dir);
    write_file(path, text);
    snprintf(text, sizeof(text), "name=orders-sink\ntopics=orders\naws.dynamodb.endpoint=%s\n%s",
             endpoint, sink_common);
    snprintf(path, sizeof(path), "%s/sink.properties", dir);
    write_file(path, text);
    snprintf(text, sizeof(text),
             "name=db-source\n"
             "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
             "database.hostname=127.0.0.1\n"
             "database.port=%d\n"
             "database.user=sluice\n"
             "database.password=" PASSWORD "\n"
             "database.server.id=5401\n"
             "topic.prefix=db\n"
             "snapshot.mode=never\n",
             sl_test_free_port());
    snprintf(path, sizeof(path), "%s/source.properties", dir);
    write_file(path, text);
    start_sluice((const char *const[]){"worker.properties", "sink.properties",
                                       "source.properties", NULL});

    REQUIRE(wait_body("/connectors", "orders-sink", 30), "REST API did not come up");
    char *b = get("/connectors", 200);
    CHECK(strstr(b, "\"db-source\"") && strstr(b, "\"orders-sink\""), "/connectors: %s", b);
    free(b);

    /* The source cannot reach its database: FAILED with the reason; the sink runs on. */
    CHECK(wait_body("/connectors/db-source/status", "FAILED", 30), "source never FAILED");
    b = get("/connectors/db-source/status", 200);
    CHECK(strstr(b, "cannot connect") || strstr(b, "connect"), "no reason in trace: %s", b);
    free(b);
    b = get("/connectors/db-source/config", 200);
    CHECK(strstr(b, "database.password"), "config lacks the password key: %s", b);
    free(b);
    free(get("/connectors/db-source", 200));
    free(get("/connectors?expand=status&expand=info", 200));
    CHECK(wait_body("/connectors/orders-sink/status", "\"RUNNING\"", 10), "sink not RUNNING");

    char items[4096];
    produce("orders", "1", "{\"id\":1,\"what\":\"a\"}", 19);
    produce("orders", "2", "{\"id\":2,\"what\":\"b\"}", 19);
    CHECK(wait_items("kafka_orders", 2, items, sizeof(items), 30) == 2, "items: %s", items);

    /* Pause: records produced meanwhile are not written; resume writes them. */
    call("PUT", "/connectors/orders-sink/pause", NULL, 202, NULL);
    CHECK(wait_body("/connectors/orders-sink/status", "\"PAUSED\"", 20), "not PAUSED");
    produce("orders", "3", "{\"id\":3,\"what\":\"c\"}", 19);
    sleep(2);
    CHECK(scan("kafka_orders", items, sizeof(items)) == 2, "written while paused: %s", items);
    call("PUT", "/connectors/orders-sink/resume", NULL, 202, NULL);
    CHECK(wait_body("/connectors/orders-sink/status", "\"RUNNING\"", 20), "not RUNNING again");
    CHECK(wait_items("kafka_orders", 3, items, sizeof(items), 30) == 3, "after resume: %s",
          items);

    /* Restart: continues from the committed offsets. */
    call("POST", "/connectors/orders-sink/restart", NULL, 204, NULL);
    CHECK(wait_body("/connectors/orders-sink/status", "\"RUNNING\"", 20), "not RUNNING after "
                                                                           "restart");
    produce("orders", "4", "{\"id\":4,\"what\":\"d\"}", 19);
    CHECK(wait_items("kafka_orders", 4, items, sizeof(items), 30) == 4, "after restart: %s",
          items);
    CHECK(strcmp(items, "1\n2\n3\n4\n") == 0, "items: %s", items);

    /* A new connector through POST. */
    snprintf(text, sizeof(text),
             "{\"name\":\"returns-sink\",\"config\":{"
             "\"connector.class\":\"io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector\","
             "\"topics\":\"returns\",\"aws.dynamodb.region\":\"us-east-1\","
             "\"aws.dynamodb.endpoint\":\"%s\",\"aws.access.key.id\":\"AKIDEXAMPLE\","
             "\"aws.secret.access.key\":\"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\","
             "\"value.converter\":\"org.apache.kafka.connect.json.JsonConverter\","
             "\"value.converter.schemas.enable\":\"false\","
             "\"key.converter\":\"org.apache.kafka.connect.storage.StringConverter\","
             "\"table.name.format\":\"kafka_${topic}\",\"aws.dynamodb.pk.hash\":\"value.id\","
             "\"aws.dynamodb.pk.sort\":\"\"}}",
             endpoint);
    call("POST", "/connectors", text, 201, "returns-sink");
    call("POST", "/connectors", text, 409, NULL);
    CHECK(wait_body("/connectors/returns-sink/status", "\"RUNNING\"", 20), "new sink not "
                                                                           "RUNNING");
    produce("returns", "7", "{\"id\":7}", 8);
    CHECK(wait_items("kafka_returns", 1, items, sizeof(items), 30) == 1, "returns: %s", items);

    /* A bad config: 400 naming the key. */
    call("PUT", "/connectors/bad-sink/config",
         "{\"connector.class\":\"DynamoDbSinkConnector\",\"topics\":\"x\","
         "\"tasks.max\":\"lots\"}",
         400, "tasks.max");

    /* Metrics after the writes. */
    b = get("/metrics", 200);
    CHECK(metric(b, "sluice_kafka_consumed_records_total") >= 5, "consumed: %s", b);
    CHECK(metric(b, "sluice_dynamodb_items_written_total") >= 5, "items written: %s", b);
    CHECK(metric(b, "sluice_dynamodb_write_requests_total") > 0, "requests: %s", b);
    /* The source's series exist although it never reached its database. */
    CHECK(strstr(b, "sluice_source_connected{connector=\"db-source\"} 0") != NULL &&
              strstr(b, "sluice_source_events_seen_total{connector=\"db-source\"} 0") != NULL,
          "source series: %s", b);
    free(b);

    /* DELETE. */
    call("DELETE", "/connectors/returns-sink", NULL, 204, NULL);
    int64_t deadline = sl_time_mono_ms() + 20000LL * sl_test_timeout_mult();
    int code = 0;
    do {
        usleep(100000);
        free(http("GET", "/connectors/returns-sink", NULL, &code));
    } while (code != 404 && sl_time_mono_ms() < deadline);
    CHECK(code == 404, "deleted connector still there: %d", code);
    b = get("/connectors", 200);
    CHECK(!strstr(b, "returns-sink") && strstr(b, "orders-sink"), "/connectors: %s", b);
    free(b);

    int rc = stop_sluice();
    CHECK(rc == 0, "exit status %d after SIGTERM", rc);
    char *log = sl_test_read_file(logpath, NULL);
    CHECK(log && !strstr(log, PASSWORD), "the log shows the password");
    if (failures)
        fprintf(stderr, "sluice log:\n%s\n", log ? log : "");
    free(log);
    cleanup();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
