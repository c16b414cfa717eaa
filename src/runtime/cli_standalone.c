/* SPDX-License-Identifier: Apache-2.0 */
/* The standalone worker: configuration loading (one clear line per error), mode selection
 * (Kafka when the worker names bootstrap.servers, the local bus otherwise), task threads and
 * the lifecycle, and the REST API (runtime/worker.c implements it). Signals are blocked in
 * every thread and taken synchronously by the main thread with sigtimedwait, so shutdown
 * runs as ordinary code: stop sources first (they drain and store their offsets), then
 * sinks (they flush and commit), each bounded by task.shutdown.graceful.timeout.ms. A task
 * that fails shows FAILED in the REST status while the others go on; the process exits 1
 * only when every connector has failed (and nobody changed anything through REST). */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/properties.h"
#include "conf/worker.h"
#include "core/log.h"
#include "runtime/cli_standalone.h"
#include "runtime/metrics.h"
#include "runtime/rest.h"
#include "runtime/worker.h"

#define FAC "worker"

static int usage(void)
{
    fprintf(stderr, "usage: sluice standalone WORKER.properties CONNECTOR.properties...\n");
    return 2;
}

/* Bounds shutdown: sources drain for task.shutdown.graceful.timeout.ms, producers flush for
 * offset.flush.timeout.ms, sinks flush for the graceful timeout again; a task stuck beyond
 * that (e.g. a broker that never answers) must not keep the process alive. */
static void *watchdog(void *arg)
{
    int64_t ms = (int64_t)(intptr_t)arg;
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    sl_log(SL_LOG_ERROR, FAC, "tasks did not stop within %lld ms; exiting without waiting for them",
           (long long)ms);
    _exit(1);
    return NULL;
}

/* Starts the REST API. A listener the user did not ask for explicitly (the default
 * 127.0.0.1:8083) that is already taken only costs the API, with a warning. */
static sl_err_t rest_start(const char *path, const struct sl_worker_conf *conf,
                           struct sl_worker *wk, struct sl_metrics *metrics, struct sl_rest **out,
                           char *errstr, size_t errstr_size)
{
    char host[256], why[768];
    int port = 0;
    bool enabled = true;
    *out = NULL;
    sl_err_t err = sl_rest_listen_addr(conf, host, sizeof(host), &port, &enabled, why, sizeof(why));
    if (err) {
        snprintf(errstr, errstr_size, "%s: %s", path, why);
        return err;
    }
    if (!enabled) {
        sl_log(SL_LOG_INFO, FAC, "REST API disabled (listeners is empty)");
        return SL_OK;
    }
    struct sl_rest_conf rc = {
        .worker = conf,
        .host = host,
        .port = port,
        .api = sl_worker_api_of(wk),
        .metrics = metrics,
    };
    err = sl_rest_start(&rc, out, why, sizeof(why));
    if (err) {
        if (!sl_conf_is_set(conf, "listeners") && !sl_conf_is_set(conf, "rest.port") &&
            !sl_conf_is_set(conf, "rest.host.name")) {
            sl_log(SL_LOG_WARN, FAC,
                   "REST API not started: %s (set listeners= to choose "
                   "another address)",
                   why);
            return SL_OK;
        }
        snprintf(errstr, errstr_size, "%s: listeners: %s", path, why);
        return err;
    }
    sl_log(SL_LOG_INFO, FAC, "REST API on http://%s:%d", host, sl_rest_port(*out));
    return SL_OK;
}

static int run(const struct sl_worker_conf *conf, struct sl_worker *wk, sigset_t *set)
{
    int sig = 0;
    bool alive = true;
    for (;;) {
        alive = sl_worker_tick(wk);
        if (!alive)
            break;
        struct timespec ts = {0, 100 * 1000000L};
        sig = sigtimedwait(set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            break;
    }
    bool finished = !alive && sl_worker_finished(wk);
    if (sig == SIGINT || sig == SIGTERM)
        sl_log(SL_LOG_INFO, FAC, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    else if (finished)
        sl_log(SL_LOG_INFO, FAC, "every connector finished its work; stopping the worker");
    else
        sl_log(SL_LOG_ERROR, FAC,
               "every connector failed or finished, at least one failed; "
               "stopping the worker");
    pthread_t wd;
    int64_t bound =
        2 * conf->task_shutdown_graceful_timeout_ms + conf->offset_flush_timeout_ms + 5000;
    if (pthread_create(&wd, NULL, watchdog, (void *)(intptr_t)bound) == 0)
        pthread_detach(wd);
    int failed = sl_worker_stop_all(wk);
    if (!alive && !finished)
        return 1;
    return failed ? 1 : 0;
}

int sl_cli_standalone(int argc, char **argv)
{
    if (argc < 3)
        return usage();
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage();
            return 0;
        }
    const char *path = argv[1];
    struct sl_worker_conf conf;
    memset(&conf, 0, sizeof(conf));
    struct sl_props props;
    sl_props_init(&props);
    struct sl_worker *wk = NULL;
    struct sl_metrics *metrics = NULL;
    struct sl_rest *rest = NULL;
    char errstr[1024];
    int rc = 1;

    /* Block the signals before any thread exists, so every thread inherits the mask and
     * only sigtimedwait below sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    sl_err_t err = sl_conf_worker_load(&conf, path, NULL, errstr, sizeof(errstr));
    if (!err)
        err = sl_props_load(&props, path, errstr, sizeof(errstr));
    if (err)
        goto out;
    sl_log_set_level((sl_log_level_t)conf.log_level);
    metrics = sl_metrics_new(0);
    wk = sl_worker_new(path, &conf, &props, metrics, errstr, sizeof(errstr));
    if (!wk) {
        err = SL_ERR_CONF;
        goto out;
    }
    for (int i = 2; i < argc && !err; i++) {
        struct sl_props cprops;
        sl_props_init(&cprops);
        err = sl_props_load(&cprops, argv[i], errstr, sizeof(errstr));
        if (!err)
            err = sl_worker_add(wk, &cprops, argv[i], errstr, sizeof(errstr));
        sl_props_fini(&cprops);
    }
    if (!err)
        err = sl_worker_start(wk, errstr, sizeof(errstr));
    if (!err)
        err = rest_start(path, &conf, wk, metrics, &rest, errstr, sizeof(errstr));
    if (err) {
        if (wk)
            sl_worker_stop_all(wk);
        goto out;
    }
    rc = run(&conf, wk, &set);
out:
    if (err)
        fprintf(stderr, "sluice: %s\n", errstr);
    /* The REST thread calls into the worker: it goes first. */
    sl_rest_free(rest);
    sl_worker_free(wk);
    sl_metrics_free(metrics);
    sl_conf_fini(&conf);
    sl_props_fini(&props);
    return rc;
}
