/* SPDX-License-Identifier: Apache-2.0 */
/* Every REST route against a fake worker that implements runtime/worker_api.h: the server
 * runs on 127.0.0.1 with a port the kernel picks, requests go through libcurl, and each
 * reply (status, Location, body) must equal tests/golden/data/rest/<case>.out. The cases
 * run in order and change the fake worker's state. No reply may contain a password or AWS
 * secret from the request bodies. SL_GOLDEN_UPDATE=1 rewrites the expected files (review
 * the diff before committing). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>

#include "core/mem.h"
#include "runtime/metrics.h"
#include "runtime/rest.h"
#include "../lib/fake_worker.h"
#include "testlib.h"

#define DATA SL_SOURCE_DIR "/tests/golden/data/rest/"
#define DB_PASSWORD "S3cretPwd99-db"
#define AWS_SECRET "wJalrXUtnFEMI-K7MDENG-secret"
#define JAAS_SECRET "IAMLoginModule-jaas-secret"

/* ---- HTTP client ---- */

struct resp {
    long status;
    struct sl_buf body;
    char location[512];
};

static size_t on_body(char *ptr, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    return sl_buf_add(&r->body, ptr, size * n) == SL_OK ? size * n : 0;
}

static size_t on_header(char *ptr, size_t size, size_t n, void *ud)
{
    struct resp *r = ud;
    size_t len = size * n;
    if (len > 10 && strncasecmp(ptr, "Location: ", 10) == 0) {
        size_t v = len - 10;
        while (v && (ptr[10 + v - 1] == '\r' || ptr[10 + v - 1] == '\n'))
            v--;
        if (v >= sizeof(r->location))
            v = sizeof(r->location) - 1;
        memcpy(r->location, ptr + 10, v);
        r->location[v] = '\0';
    }
    return len;
}

static void http(int port, const char *method, const char *path, const char *body, size_t body_len,
                 struct resp *r)
{
    char url[1024];
    snprintf(url, sizeof(url), "http://127.0.0.1:%d%s", port, path);
    memset(r, 0, sizeof(*r));
    sl_buf_init(&r->body, (size_t)4 << 20);
    CURL *curl = curl_easy_init();
    assert_non_null(curl);
    struct curl_slist *hdrs = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdrs);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 20L * sl_test_timeout_mult());
    if (body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    CURLcode rc = curl_easy_perform(curl);
    if (rc != CURLE_OK)
        fail_msg("%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(curl);
}

/* ---- Cases ---- */

#define SOURCE_CONFIG                                                                              \
    "\"connector.class\":\"io.debezium.connector.mysql.MySqlConnector\","                          \
    "\"tasks.max\":\"1\",\"database.hostname\":\"db.example\",\"database.port\":3306,"             \
    "\"database.user\":\"sluice\",\"database.password\":\"" DB_PASSWORD "\","                      \
    "\"database.server.id\":\"184054\",\"topic.prefix\":\"salesdb\","                              \
    "\"database.include.list\":\"salesdb\","                                                       \
    "\"schema.history.internal.producer.sasl.jaas.config\":\"" JAAS_SECRET "\""

#define SINK_CONFIG                                                                                \
    "\"connector.class\":\"DynamoDbSinkConnector\",\"tasks.max\":\"2\","                           \
    "\"topics\":\"salesdb.salesdb.SALES_ORDER\",\"aws.dynamodb.region\":\"us-east-1\","            \
    "\"aws.access.key.id\":\"AKIAEXAMPLE\",\"aws.secret.access.key\":\"" AWS_SECRET "\","          \
    "\"aws.dynamodb.pk.hash\":\"value.ORDER_ID\",\"fake.task.state\":\"FAILED\""

struct rest_case {
    const char *name; /* expected reply in DATA<name>.out */
    const char *method;
    const char *path;
    const char *body; /* NULL: none; "@big": 2 MiB */
};

static const struct rest_case cases[] = {
    {"01-root", "GET", "/", NULL},
    {"02-plugins", "GET", "/connector-plugins", NULL},
    {"03-list-empty", "GET", "/connectors", NULL},
    {"04-create-source", "POST", "/connectors",
     "{\"name\":\"mysql-src\",\"config\":{" SOURCE_CONFIG "}}"},
    {"05-create-conflict", "POST", "/connectors",
     "{\"name\":\"mysql-src\",\"config\":{" SOURCE_CONFIG "}}"},
    {"06-create-sink", "POST", "/connectors",
     "{\"name\":\" ddb-sink \",\"config\":{" SINK_CONFIG "}}"},
    {"07-create-bad-config", "POST", "/connectors",
     "{\"name\":\"bad\",\"config\":{\"connector.class\":\"MySqlConnector\",\"tasks.max\":\"many\","
     "\"database.hostname\":\"h\",\"database.user\":\"u\",\"database.password\":\"" DB_PASSWORD
     "\",\"database.port\":\"99999\"}}"},
    {"08-create-no-class", "POST", "/connectors",
     "{\"name\":\"x\",\"config\":{\"tasks.max\":\"1\"}}"},
    {"09-create-unknown-class", "POST", "/connectors",
     "{\"name\":\"x\",\"config\":{\"connector.class\":\"org.example.FileStreamSource\"}}"},
    {"10-malformed-json", "POST", "/connectors", "{\"name\": \"x\", \"config\": {"},
    {"11-config-not-string", "POST", "/connectors",
     "{\"name\":\"x\",\"config\":{\"connector.class\":\"MySqlConnector\",\"tasks.max\":[1]}}"},
    {"12-oversized-body", "POST", "/connectors", "@big"},
    {"13-empty-body", "POST", "/connectors", ""},
    {"14-unknown-field", "POST", "/connectors", "{\"name\":\"x\",\"config\":{},\"extra\":1}"},
    {"14b-config-file-reference", "POST", "/connectors",
     "{\"name\":\"x\",\"config\":{\"connector.class\":\"MySqlConnector\","
     "\"database.port\":\"${file:/etc/passwd:root}\"}}"},
    {"15-list", "GET", "/connectors", NULL},
    {"16-list-expand-status", "GET", "/connectors?expand=status", NULL},
    {"17-list-expand-info-status", "GET", "/connectors?expand=info&expand=status", NULL},
    {"18-info", "GET", "/connectors/mysql-src", NULL},
    {"19-config", "GET", "/connectors/mysql-src/config", NULL},
    {"20-status", "GET", "/connectors/mysql-src/status", NULL},
    {"21-status-failed-task", "GET", "/connectors/ddb-sink/status", NULL},
    {"22-tasks", "GET", "/connectors/ddb-sink/tasks", NULL},
    {"23-task-status", "GET", "/connectors/ddb-sink/tasks/0/status", NULL},
    {"24-task-status-unknown", "GET", "/connectors/ddb-sink/tasks/7/status", NULL},
    {"25-task-status-not-a-number", "GET", "/connectors/ddb-sink/tasks/abc/status", NULL},
    {"26-pause", "PUT", "/connectors/mysql-src/pause", NULL},
    {"27-status-paused", "GET", "/connectors/mysql-src/status", NULL},
    {"28-resume", "PUT", "/connectors/mysql-src/resume", NULL},
    {"29-stop", "PUT", "/connectors/mysql-src/stop", NULL},
    {"30-status-stopped", "GET", "/connectors/mysql-src/status", NULL},
    {"31-restart", "POST", "/connectors/mysql-src/restart", NULL},
    {"32-restart-include-tasks", "POST",
     "/connectors/mysql-src/restart?includeTasks=true&onlyFailed=false", NULL},
    {"33-task-restart", "POST", "/connectors/ddb-sink/tasks/1/restart", NULL},
    {"34-task-restart-unknown", "POST", "/connectors/ddb-sink/tasks/5/restart", NULL},
    {"35-put-config-update", "PUT", "/connectors/mysql-src/config",
     "{" SOURCE_CONFIG ",\"snapshot.mode\":\"never\"}"},
    {"36-put-config-create", "PUT", "/connectors/mysql-two/config", "{" SOURCE_CONFIG "}"},
    {"37-put-config-name-mismatch", "PUT", "/connectors/mysql-two/config",
     "{\"name\":\"other\"," SOURCE_CONFIG "}"},
    {"38-unknown-connector", "GET", "/connectors/nope", NULL},
    {"39-unknown-connector-config", "GET", "/connectors/nope/config", NULL},
    {"40-unknown-connector-status", "GET", "/connectors/nope/status", NULL},
    {"41-unknown-connector-pause", "PUT", "/connectors/nope/pause", NULL},
    {"42-unknown-connector-delete", "DELETE", "/connectors/nope", NULL},
    {"43-method-not-allowed", "DELETE", "/connectors", NULL},
    {"44-method-not-allowed-pause", "GET", "/connectors/mysql-src/pause", NULL},
    {"45-unknown-route", "GET", "/admin/nothing", NULL},
    {"46-validate", "PUT", "/connector-plugins/MySqlConnector/config/validate",
     "{\"connector.class\":\"io.debezium.connector.mysql.MySqlConnector\",\"tasks.max\":\"x\","
     "\"database.hostname\":\"h\",\"database.password\":\"" DB_PASSWORD "\"}"},
    {"47-delete", "DELETE", "/connectors/mysql-two", NULL},
    {"48-list-after-delete", "GET", "/connectors/", NULL},
};

static bool updating(void)
{
    const char *u = getenv("SL_GOLDEN_UPDATE");
    return u && *u && strcmp(u, "0") != 0;
}

struct env {
    struct fake fake;
    struct sl_metrics *metrics;
    struct sl_rest *rest;
};

static int setup(void **state)
{
    struct env *e = sl_xcalloc(1, sizeof(*e));
    fake_init(&e->fake);
    e->metrics = sl_metrics_new(16);
    struct sl_rest_conf conf = {
        .host = "127.0.0.1",
        .port = 0,
        .worker_id = "127.0.0.1:8083",
        .api = fake_api(&e->fake),
        .metrics = e->metrics,
        .commit = "0123abcd",
        .kafka_cluster_id = "sluice-local",
    };
    char errstr[512] = "";
    if (sl_rest_start(&conf, &e->rest, errstr, sizeof(errstr)) != SL_OK) {
        fprintf(stderr, "sl_rest_start: %s\n", errstr);
        return -1;
    }
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    struct env *e = *state;
    sl_rest_free(e->rest);
    sl_metrics_free(e->metrics);
    fake_fini(&e->fake);
    sl_free(e);
    return 0;
}

static void test_routes(void **state)
{
    struct env *e = *state;
    int port = sl_rest_port(e->rest);
    assert_true(port > 0);
    int failures = 0;
    char *big = sl_xmalloc((size_t)2 << 20);
    memset(big, ' ', (size_t)2 << 20);
    big[0] = '{';
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct rest_case *c = &cases[i];
        struct resp r;
        bool is_big = c->body && strcmp(c->body, "@big") == 0;
        http(port, c->method, c->path, is_big ? big : c->body,
             is_big    ? (size_t)2 << 20
             : c->body ? strlen(c->body)
                       : 0,
             &r);
        struct sl_buf got;
        sl_buf_init(&got, (size_t)8 << 20);
        (void)sl_buf_addf(&got, "%ld\n", r.status);
        if (r.location[0])
            (void)sl_buf_addf(&got, "Location: %s\n", r.location);
        (void)sl_buf_add(&got, r.body.data ? r.body.data : "", r.body.len);
        (void)sl_buf_addch(&got, '\n');
        /* Secrets never leave the server, whatever the route. */
        const char *text = sl_buf_cstr(&got);
        if (strstr(text, DB_PASSWORD) || strstr(text, AWS_SECRET) || strstr(text, JAAS_SECRET)) {
            fprintf(stderr, "%s: reply contains a secret:\n%s", c->name, text);
            failures++;
        }
        char path[512];
        snprintf(path, sizeof(path), DATA "%s.out", c->name);
        if (updating()) {
            FILE *f = fopen(path, "w");
            assert_non_null(f);
            fwrite(got.data, 1, got.len, f);
            fclose(f);
        } else {
            size_t len = 0;
            char *want = sl_test_read_file(path, &len);
            if (!want || len != got.len || memcmp(want, got.data, len) != 0) {
                fprintf(stderr, "%s: %s %s\n--- expected (%s)\n%s--- got\n%s", c->name, c->method,
                        c->path, path, want ? want : "(missing)\n", text);
                failures++;
            }
            free(want);
        }
        sl_buf_fini(&got);
        sl_buf_fini(&r.body);
    }
    sl_free(big);
    assert_int_equal(failures, 0);
}

/* The fake worker saw the changes the routes asked for. */
static void test_worker_state(void **state)
{
    struct env *e = *state;
    pthread_mutex_lock(&e->fake.mu);
    struct fake_conn *src = find(&e->fake, "mysql-src");
    assert_non_null(src);
    assert_string_equal(sl_props_get(&src->config, "snapshot.mode"), "never");
    assert_string_equal(sl_props_get(&src->config, "database.password"), DB_PASSWORD);
    assert_string_equal(sl_props_get(&src->config, "name"), "mysql-src");
    assert_int_equal(src->restarts, 2);
    assert_non_null(find(&e->fake, "ddb-sink"));
    assert_null(find(&e->fake, "mysql-two"));
    assert_null(find(&e->fake, "bad"));
    pthread_mutex_unlock(&e->fake.mu);
}

static void test_metrics_route(void **state)
{
    struct env *e = *state;
    struct sl_metric *s = sl_metrics_series(e->metrics, SL_M_SOURCE_EVENTS_SEEN, "mysql-src", 0);
    sl_metric_add(s, 42);
    struct resp r;
    http(sl_rest_port(e->rest), "GET", "/metrics", NULL, 0, &r);
    assert_int_equal(r.status, 200);
    const char *body = sl_buf_cstr(&r.body);
    assert_non_null(strstr(body, "# TYPE sluice_source_events_seen_total counter\n"
                                 "sluice_source_events_seen_total{connector=\"mysql-src\","
                                 "task=\"0\"} 42\n"));
    assert_non_null(strstr(body, "sluice_process_resident_memory_bytes "));
    sl_buf_fini(&r.body);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_routes),
        cmocka_unit_test(test_worker_state),
        cmocka_unit_test(test_metrics_route),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    curl_global_cleanup();
    return rc;
}
