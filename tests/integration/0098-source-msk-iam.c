/* SPDX-License-Identifier: Apache-2.0 */
/* MSK IAM for the MySQL source (unit level: the mock cluster has no SASL). A worker whose
 * bootstrap.servers name an MSK broker with security.protocol=SASL_SSL and
 * sasl.mechanism=AWS_MSK_IAM accepts a MySQL source connector (it used to be refused as not
 * wired) and starts its task with the token source; the token source itself, over static
 * credentials from the environment, returns a signed token for the broker's region with an
 * expiry in the future and never echoes the secret. Nothing here reaches a network. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "aws/creds.h"
#include "conf/properties.h"
#include "conf/worker.h"
#include "core/mem.h"
#include "core/time.h"
#include "runtime/metrics.h"
#include "runtime/worker.h"
#include "testlib.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "FATAL: cannot write %s\n", path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
}

int main(void)
{
    char *dir = sl_test_tmpdir("sl-it-0098");
    setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", 1);
    unsetenv("AWS_SESSION_TOKEN");
    unsetenv("AWS_PROFILE");

    /* The token source: region, expiry, no secret in the token. */
    struct sl_worker_msk msk = {.prov = sl_aws_provider_new(NULL)};
    snprintf(msk.region, sizeof(msk.region), "us-east-1");
    char *tok = sl_xmalloc(16384);
    char errstr[1024] = "";
    int64_t expiry = 0;
    sl_err_t err = sl_worker_msk_token(tok, 16384, &expiry, errstr, sizeof(errstr), &msk);
    CHECK(err == SL_OK, "token: %s", errstr);
    if (err == SL_OK) {
        CHECK(tok[0] != '\0', "empty token");
        CHECK(expiry > sl_time_now_ms(), "expiry %lld is not in the future", (long long)expiry);
        CHECK(!strstr(tok, "wJalrXUtnFEMI"), "the token shows the secret key");
    }
    sl_free(tok);
    sl_aws_provider_free(msk.prov);

    /* The worker wires it into the source task instead of refusing the connector. */
    char wpath[700], cpath[700], offpath[700], text[2048];
    snprintf(wpath, sizeof(wpath), "%s/worker.properties", dir);
    snprintf(cpath, sizeof(cpath), "%s/source.properties", dir);
    snprintf(offpath, sizeof(offpath), "%s/connect.offsets", dir);
    snprintf(text, sizeof(text),
             "bootstrap.servers=b-1.demo.abc123.c2.kafka.us-east-1.amazonaws.com:9098\n"
             "security.protocol=SASL_SSL\n"
             "sasl.mechanism=AWS_MSK_IAM\n"
             "sasl.jaas.config=software.amazon.msk.auth.iam.IAMLoginModule required;\n"
             "sasl.client.callback.handler.class="
             "software.amazon.msk.auth.iam.IAMClientCallbackHandler\n"
             "offset.storage.file.filename=%s\n"
             "listeners=\n",
             offpath);
    write_file(wpath, text);
    write_file(cpath, "name=msk-source\n"
                      "connector.class=io.debezium.connector.mysql.MySqlConnector\n"
                      "database.hostname=127.0.0.1\n"
                      "database.port=1\n"
                      "database.user=u\n"
                      "database.password=p\n"
                      "database.server.id=401\n"
                      "topic.prefix=m\n");
    struct sl_worker_conf conf;
    memset(&conf, 0, sizeof(conf));
    struct sl_props props, cprops;
    sl_props_init(&props);
    sl_props_init(&cprops);
    err = sl_conf_worker_load(&conf, wpath, NULL, errstr, sizeof(errstr));
    if (!err)
        err = sl_props_load(&props, wpath, errstr, sizeof(errstr));
    CHECK(err == SL_OK, "worker config: %s", errstr);
    struct sl_metrics *metrics = sl_metrics_new(0);
    struct sl_worker *w =
        err ? NULL : sl_worker_new(wpath, &conf, &props, metrics, errstr, sizeof(errstr));
    CHECK(w, "worker: %s", errstr);
    if (w) {
        err = sl_props_load(&cprops, cpath, errstr, sizeof(errstr));
        if (!err)
            err = sl_worker_add(w, &cprops, cpath, errstr, sizeof(errstr));
        CHECK(err == SL_OK, "source connector with AWS_MSK_IAM refused: %s", errstr);
        if (!err) {
            err = sl_worker_start(w, errstr, sizeof(errstr));
            CHECK(err == SL_OK, "start: %s", errstr);
            sl_worker_tick(w);
        }
        sl_worker_stop_all(w);
        sl_worker_free(w);
    }
    sl_metrics_free(metrics);
    sl_props_fini(&cprops);
    sl_props_fini(&props);
    sl_conf_fini(&conf);
    if (!getenv("SL_TEST_KEEP"))
        sl_test_rmtree(dir);
    free(dir);
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
