/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for the REST server's pieces that need no client: the listener chosen from a
 * worker file (listeners, rest.host.name, rest.port; 127.0.0.1 unless told otherwise), a
 * clear error for a port in use, and the metrics registry (exact Prometheus text, label
 * escaping, the series bound, lock-free updates from several threads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>

#include "conf/worker.h"
#include "core/mem.h"
#include "runtime/metrics.h"
#include "runtime/rest.h"
#include "testlib.h"

/* ---- Listener ---- */

struct addr_case {
    const char *props; /* "key=value\n..." */
    sl_err_t err;
    const char *host;
    int port;
    bool enabled;
    const char *msg; /* substring of errstr when err */
};

static const struct addr_case addr_cases[] = {
    {"", SL_OK, "127.0.0.1", 8083, true, NULL},
    {"listeners=http://:8084\n", SL_OK, "127.0.0.1", 8084, true, NULL},
    {"listeners=http://0.0.0.0:9000\n", SL_OK, "0.0.0.0", 9000, true, NULL},
    {"listeners=http://[::1]:9001/\n", SL_OK, "::1", 9001, true, NULL},
    {"listeners=http://localhost:9002,http://10.0.0.1:9003\n", SL_OK, "localhost", 9002, true,
     NULL},
    {"rest.host.name=192.168.1.2\nrest.port=9100\n", SL_OK, "192.168.1.2", 9100, true, NULL},
    {"rest.port=9101\n", SL_OK, "127.0.0.1", 9101, true, NULL},
    {"listeners=\n", SL_OK, "127.0.0.1", 8083, false, NULL},
    {"listeners=https://:8443\n", SL_ERR_UNSUPPORTED, NULL, 0, true, "https is not supported"},
    {"listeners=http://host\n", SL_ERR_CONF, NULL, 0, true, "has no port"},
    {"listeners=http://host:70000\n", SL_ERR_CONF, NULL, 0, true, "port must be a number"},
    {"listeners=http://[::1:80\n", SL_ERR_CONF, NULL, 0, true, "missing ']'"},
};

static void test_listen_addr(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
        const struct addr_case *c = &addr_cases[i];
        struct sl_worker_conf w;
        struct sl_props props;
        char errstr[512] = "";
        sl_props_init(&props);
        assert_int_equal(sl_props_parse(&props, "worker.properties", c->props, strlen(c->props),
                                        errstr, sizeof(errstr)),
                         SL_OK);
        sl_conf_init(&sl_worker_table, &w);
        assert_int_equal(sl_conf_apply(&sl_worker_table, &w, &props, NULL, errstr, sizeof(errstr)),
                         SL_OK);
        char host[256] = "";
        int port = -1;
        bool enabled = true;
        sl_err_t err =
            sl_rest_listen_addr(&w, host, sizeof(host), &port, &enabled, errstr, sizeof(errstr));
        if (err != c->err)
            fail_msg("case %zu (%s): got %s (%s)", i, c->props, sl_err_name(err), errstr);
        if (err) {
            if (!strstr(errstr, c->msg))
                fail_msg("case %zu: '%s' lacks '%s'", i, errstr, c->msg);
            assert_non_null(strstr(errstr, "listeners"));
        } else {
            assert_string_equal(host, c->host);
            assert_int_equal(port, c->port);
            assert_int_equal(enabled, c->enabled);
        }
        sl_conf_fini(&w);
        sl_props_fini(&props);
    }
}

static void test_listen_addr_null_worker(void **state)
{
    (void)state;
    char host[64], errstr[128];
    int port;
    bool enabled;
    assert_int_equal(
        sl_rest_listen_addr(NULL, host, sizeof(host), &port, &enabled, errstr, sizeof(errstr)),
        SL_OK);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, SL_REST_DEFAULT_PORT);
    assert_true(enabled);
}

static void test_port_in_use(void **state)
{
    (void)state;
    struct sl_rest_conf conf = {.host = "127.0.0.1", .port = 0};
    struct sl_rest *a = NULL, *b = NULL;
    char errstr[256] = "";
    assert_int_equal(sl_rest_start(&conf, &a, errstr, sizeof(errstr)), SL_OK);
    conf.port = sl_rest_port(a);
    assert_int_equal(sl_rest_start(&conf, &b, errstr, sizeof(errstr)), SL_ERR_IO);
    assert_null(b);
    char want[64];
    snprintf(want, sizeof(want), "127.0.0.1:%d", conf.port);
    assert_non_null(strstr(errstr, want));
    assert_non_null(strstr(errstr, "in use"));
    sl_rest_free(a);
}

/* ---- Metrics ---- */

static void test_metrics_render(void **state)
{
    (void)state;
    struct sl_metrics *m = sl_metrics_new(4);
    struct sl_metric *seen = sl_metrics_series(m, SL_M_SOURCE_EVENTS_SEEN, "src", 0);
    struct sl_metric *pos = sl_metrics_series(m, SL_M_BINLOG_POSITION, "src", 0);
    struct sl_metric *odd = sl_metrics_series(m, SL_M_SOURCE_EVENTS_SEEN, "a\"b\\c\nd", -1);
    struct sl_metric *glob = sl_metrics_series(m, SL_M_RETRIES, NULL, -1);
    /* The same key gives the same series. */
    assert_ptr_equal(sl_metrics_series(m, SL_M_SOURCE_EVENTS_SEEN, "src", 0), seen);
    /* Past the bound: a usable series that is not rendered, and a count of the misses. */
    struct sl_metric *over = sl_metrics_series(m, SL_M_THROTTLES, "src", 0);
    assert_non_null(over);
    sl_metric_add(over, 5);
    sl_metric_add(seen, 3);
    sl_metric_add(seen, 4);
    sl_metric_set(pos, 123456789012);
    sl_metric_set(odd, -1);
    sl_metric_add(glob, 2);
    assert_int_equal(sl_metric_get(seen), 7);

    struct sl_buf out;
    sl_buf_init(&out, 1 << 20);
    assert_int_equal(sl_metrics_render(m, &out), SL_OK);
    const char *want =
        "# HELP sluice_source_events_seen_total Binlog row events read (Debezium "
        "TotalNumberOfEventsSeen).\n"
        "# TYPE sluice_source_events_seen_total counter\n"
        "sluice_source_events_seen_total{connector=\"src\",task=\"0\"} 7\n"
        "sluice_source_events_seen_total{connector=\"a\\\"b\\\\c\\nd\"} -1\n"
        "# HELP sluice_source_binlog_position Position in the binlog file being read.\n"
        "# TYPE sluice_source_binlog_position gauge\n"
        "sluice_source_binlog_position{connector=\"src\",task=\"0\"} 123456789012\n"
        "# HELP sluice_retries_total Requests retried after a failure.\n"
        "# TYPE sluice_retries_total counter\n"
        "sluice_retries_total 2\n"
        "# HELP sluice_process_resident_memory_bytes Resident set size of the sluice process in "
        "bytes.\n"
        "# TYPE sluice_process_resident_memory_bytes gauge\n"
        "sluice_process_resident_memory_bytes ";
    const char *got = sl_buf_cstr(&out);
    if (strncmp(got, want, strlen(want)) != 0)
        fail_msg("got:\n%s\nwant prefix:\n%s", got, want);
    const char *rss = got + strlen(want);
    char *end;
    unsigned long long v = strtoull(rss, &end, 10);
    assert_true(v > 1024 * 1024); /* a process with libc mapped uses more than 1 MiB */
    assert_int_equal(v % (unsigned long long)sysconf(_SC_PAGESIZE), 0);
    assert_string_equal(end, "\n"
                             "# HELP sluice_metrics_series_dropped_total Series lookups refused "
                             "because the series bound was reached.\n"
                             "# TYPE sluice_metrics_series_dropped_total counter\n"
                             "sluice_metrics_series_dropped_total 1\n");
    assert_false(strstr(got, "sluice_throttles_total"));
    sl_buf_fini(&out);
    sl_metrics_free(m);
}

static void test_metrics_long_label(void **state)
{
    (void)state;
    struct sl_metrics *m = sl_metrics_new(0);
    char name[400];
    memset(name, 'x', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    struct sl_metric *s = sl_metrics_series(m, SL_M_QUEUE_DEPTH, name, 3);
    sl_metric_set(s, 9);
    struct sl_buf out;
    sl_buf_init(&out, 1 << 20);
    assert_int_equal(sl_metrics_render(m, &out), SL_OK);
    char want[300];
    snprintf(want, sizeof(want), "sluice_queue_depth{connector=\"%.*s\",task=\"3\"} 9\n",
             SL_METRICS_MAX_LABEL - 1, name);
    assert_non_null(strstr(sl_buf_cstr(&out), want));
    sl_buf_fini(&out);
    /* A bound hit while rendering is an error, not a crash. */
    sl_buf_init(&out, 64);
    assert_int_equal(sl_metrics_render(m, &out), SL_ERR_TOOBIG);
    sl_buf_fini(&out);
    sl_metrics_free(m);
}

struct adder {
    struct sl_metrics *m;
};

static void *add_many(void *arg)
{
    struct adder *a = arg;
    struct sl_metric *s = sl_metrics_series(a->m, SL_M_KAFKA_PRODUCED_RECORDS, "c", 0);
    for (int i = 0; i < 100000; i++)
        sl_metric_add(s, 1);
    return NULL;
}

static void test_metrics_threads(void **state)
{
    (void)state;
    struct adder a = {.m = sl_metrics_new(0)};
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, add_many, &a), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(sl_metric_get(sl_metrics_series(a.m, SL_M_KAFKA_PRODUCED_RECORDS, "c", 0)),
                     400000);
    sl_metrics_free(a.m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_listen_addr),        cmocka_unit_test(test_listen_addr_null_worker),
        cmocka_unit_test(test_port_in_use),        cmocka_unit_test(test_metrics_render),
        cmocka_unit_test(test_metrics_long_label), cmocka_unit_test(test_metrics_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
