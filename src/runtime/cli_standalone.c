/* SPDX-License-Identifier: Apache-2.0 */
/* The standalone worker: configuration loading (one clear line per error), mode selection
 * (Kafka when the worker names bootstrap.servers, the local bus otherwise), task threads and
 * the lifecycle. Signals are blocked in every thread and taken synchronously by the main
 * thread with sigtimedwait, so shutdown runs as ordinary code: stop sources first (they
 * drain and store their offsets), then sinks (they flush and commit), each bounded by
 * task.shutdown.graceful.timeout.ms. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/kconf.h"
#include "bus/local.h"
#include "bus/offsets_file.h"
#include "conf/conf.h"
#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "conf/properties.h"
#include "conf/worker.h"
#include "core/log.h"
#include "core/mem.h"
#include "runtime/cli_standalone.h"
#include "runtime/registry.h"
#include "runtime/sink_task.h"
#include "runtime/source_task.h"

#define FAC "worker"
#define LOCAL_MAX_MSGS 100000
#define LOCAL_MAX_BYTES ((size_t)256 << 20)

struct connector {
    const struct sl_connector_type *type;
    const char *path;
    void *conf; /* struct sl_mysql_source_conf or struct sl_ddb_sink_conf */
    const char *name;
    struct sl_kconf kc;
    bool kc_init;
    struct sl_source_task *src_task;
    struct sl_sink_task *sink_task;
};

struct worker {
    const char *path;
    struct sl_props props;
    struct sl_worker_conf conf;
    struct connector *conns;
    size_t nconns;
    struct sl_local *local;
    struct sl_offsets_file *offsets;
    pthread_mutex_t offsets_mu;
};

static int usage(void)
{
    fprintf(stderr, "usage: sluice standalone WORKER.properties CONNECTOR.properties...\n");
    return 2;
}

/* Java-style key/value array over a properties file (borrowed strings). */
static struct sl_kv *props_kvs(const struct sl_props *props)
{
    struct sl_kv *kvs = sl_xcalloc(props->n ? props->n : 1, sizeof(*kvs));
    for (size_t i = 0; i < props->n; i++) {
        kvs[i].key = props->items[i].key;
        kvs[i].value = props->items[i].value;
    }
    return kvs;
}

static sl_err_t kafka_conf(struct worker *w, struct connector *c, sl_kconf_role_t role,
                           const struct sl_conf_kvlist *overrides, char *errstr, size_t errstr_size)
{
    sl_kconf_init(&c->kc, role);
    c->kc_init = true;
    struct sl_kv *kvs = props_kvs(&w->props);
    char why[768];
    sl_err_t err = sl_kconf_from_worker(&c->kc, kvs, w->props.n, why, sizeof(why));
    sl_free(kvs);
    if (err) {
        snprintf(errstr, errstr_size, "%s: %s", w->path, why);
        return err;
    }
    if (overrides->n) {
        kvs = sl_xcalloc(overrides->n, sizeof(*kvs));
        for (size_t i = 0; i < overrides->n; i++) {
            kvs[i].key = overrides->items[i].key;
            kvs[i].value = overrides->items[i].value;
        }
        err = sl_kconf_add(&c->kc, kvs, overrides->n, why, sizeof(why));
        sl_free(kvs);
        if (err) {
            snprintf(errstr, errstr_size, "%s: %s", c->path, why);
            return err;
        }
    }
    for (size_t i = 0; i < c->kc.note_cnt; i++)
        sl_log(SL_LOG_INFO, FAC, "%s: %s", c->name, c->kc.notes[i]);
    if (c->kc.msk_iam) {
        snprintf(errstr, errstr_size,
                 "%s: sasl.mechanism=AWS_MSK_IAM is not wired into "
                 "`sluice standalone` yet; use SCRAM or mTLS, or the local bus",
                 w->path);
        return SL_ERR_UNSUPPORTED;
    }
    err = sl_kconf_check(&c->kc, why, sizeof(why));
    if (err)
        snprintf(errstr, errstr_size, "%s: %s", w->path, why);
    return err;
}

static sl_err_t load_connector(struct worker *w, struct connector *c, char *errstr,
                               size_t errstr_size)
{
    struct sl_props props;
    sl_props_init(&props);
    sl_err_t err = sl_props_load(&props, c->path, errstr, errstr_size);
    if (err)
        goto out;
    const struct sl_prop *cls = sl_props_find(&props, "connector.class");
    if (!cls) {
        snprintf(errstr, errstr_size, "%s: connector.class: missing (required)", c->path);
        err = SL_ERR_CONF;
        goto out;
    }
    c->type = sl_registry_find(cls->value);
    if (!c->type) {
        char known[512];
        sl_registry_known(known, sizeof(known));
        snprintf(errstr, errstr_size,
                 "%s:%u: connector.class: unknown connector class '%s' "
                 "(known: %s)",
                 c->path, cls->line, cls->value, known);
        err = SL_ERR_CONF;
        goto out;
    }
    c->conf = sl_xcalloc(1, c->type->table->size);
    err = sl_conf_load(c->type->table, c->conf, c->path, NULL, errstr, errstr_size);
    if (err)
        goto out;
    const struct sl_connector_conf *common = c->type->kind == SL_CONNECTOR_MYSQL_SOURCE
                                                 ? &((struct sl_mysql_source_conf *)c->conf)->common
                                                 : &((struct sl_ddb_sink_conf *)c->conf)->common;
    c->name = common->name;
    if (!c->name || !*c->name) {
        snprintf(errstr, errstr_size,
                 "%s: name: missing (every connector needs a unique name; "
                 "its offsets are stored under it)",
                 c->path);
        err = SL_ERR_CONF;
        goto out;
    }
    for (struct connector *o = w->conns; o < c; o++) {
        if (strcmp(o->name, c->name) == 0) {
            snprintf(errstr, errstr_size, "%s: name: '%s' is already used by %s", c->path, c->name,
                     o->path);
            err = SL_ERR_CONF;
            goto out;
        }
    }
    if (w->conf.bootstrap_servers) {
        if (c->type->kind == SL_CONNECTOR_MYSQL_SOURCE)
            err = kafka_conf(w, c, SL_KCONF_PRODUCER, &common->producer_override, errstr,
                             errstr_size);
        else
            err = kafka_conf(w, c, SL_KCONF_CONSUMER, &common->consumer_override, errstr,
                             errstr_size);
    }
out:
    sl_props_fini(&props);
    return err;
}

static sl_err_t setup(struct worker *w, char *errstr, size_t errstr_size)
{
    sl_err_t err;
    bool have_source = false, have_sink = false;
    for (size_t i = 0; i < w->nconns; i++) {
        have_source |= w->conns[i].type->kind == SL_CONNECTOR_MYSQL_SOURCE;
        have_sink |= w->conns[i].type->kind == SL_CONNECTOR_DDB_SINK;
    }
    if (have_source) {
        if (!w->conf.offset_storage_file_filename) {
            snprintf(errstr, errstr_size,
                     "%s: offset.storage.file.filename: missing (required "
                     "by source connectors to store their binlog position)",
                     w->path);
            return SL_ERR_CONF;
        }
        err = sl_offsets_file_open(w->conf.offset_storage_file_filename, &w->offsets, errstr,
                                   errstr_size);
        if (err)
            return err;
    }
    if (!w->conf.bootstrap_servers)
        w->local = sl_local_new(LOCAL_MAX_MSGS, LOCAL_MAX_BYTES);
    for (size_t i = 0; i < w->nconns; i++) {
        struct connector *c = &w->conns[i];
        if (c->type->kind == SL_CONNECTOR_MYSQL_SOURCE) {
            struct sl_mysql_source_conf *src = c->conf;
            if (src->common.tasks_max > 1)
                sl_log(SL_LOG_INFO, FAC,
                       "%s: tasks.max=%u: the MySQL connector always runs "
                       "one task (one binlog reader)",
                       c->name, src->common.tasks_max);
            struct sl_source_task_conf tc = {
                .name = c->name,
                .worker = &w->conf,
                .src = src,
                .kc = c->kc_init ? &c->kc : NULL,
                .local = w->local,
                .offsets = w->offsets,
                .offsets_mu = &w->offsets_mu,
            };
            char why[768];
            err = sl_source_task_new(&tc, &c->src_task, why, sizeof(why));
            if (err) {
                snprintf(errstr, errstr_size, "%s: %s", c->path, why);
                return err;
            }
        } else {
            struct sl_sink_task_conf tc = {
                .name = c->name,
                .worker = &w->conf,
                .sink = c->conf,
                .kc = c->kc_init ? &c->kc : NULL,
                .local = w->local,
            };
            char why[768];
            err = sl_sink_task_new(&tc, &c->sink_task, why, sizeof(why));
            if (err) {
                snprintf(errstr, errstr_size, "%s: %s", c->path, why);
                return err;
            }
        }
    }
    if (!w->conf.bootstrap_servers && have_source && !have_sink)
        sl_log(SL_LOG_WARN, FAC,
               "no bootstrap.servers and no sink connector: records stay on "
               "the local bus and source offsets cannot advance");
    return SL_OK;
}

static bool any_done(struct worker *w)
{
    for (size_t i = 0; i < w->nconns; i++) {
        struct connector *c = &w->conns[i];
        if (c->src_task && sl_source_task_done(c->src_task))
            return true;
        if (c->sink_task && sl_sink_task_done(c->sink_task))
            return true;
    }
    return false;
}

/* Stops sources (which drain and store offsets), then sinks. Returns the number of failed
 * tasks; each failure is logged once. */
static int shutdown_tasks(struct worker *w)
{
    int failed = 0;
    char why[1024];
    for (size_t i = 0; i < w->nconns; i++)
        if (w->conns[i].src_task)
            sl_source_task_stop(w->conns[i].src_task);
    for (size_t i = 0; i < w->nconns; i++) {
        struct connector *c = &w->conns[i];
        if (c->src_task && sl_source_task_join(c->src_task, why, sizeof(why))) {
            sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, why);
            failed++;
        }
    }
    if (w->local)
        sl_local_close(w->local);
    for (size_t i = 0; i < w->nconns; i++)
        if (w->conns[i].sink_task)
            sl_sink_task_stop(w->conns[i].sink_task);
    for (size_t i = 0; i < w->nconns; i++) {
        struct connector *c = &w->conns[i];
        if (c->sink_task && sl_sink_task_join(c->sink_task, why, sizeof(why))) {
            sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, why);
            failed++;
        }
    }
    return failed;
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

static int run(struct worker *w)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    char errstr[1024];
    size_t started = 0;
    sl_err_t err = SL_OK;
    for (size_t i = 0; i < w->nconns && !err; i++) {
        struct connector *c = &w->conns[i];
        if (c->sink_task)
            err = sl_sink_task_start(c->sink_task, errstr, sizeof(errstr));
        started += !err;
    }
    for (size_t i = 0; i < w->nconns && !err; i++) {
        struct connector *c = &w->conns[i];
        if (c->src_task)
            err = sl_source_task_start(c->src_task, errstr, sizeof(errstr));
    }
    if (err) {
        sl_log(SL_LOG_ERROR, FAC, "%s", errstr);
        shutdown_tasks(w);
        return 1;
    }
    sl_log(SL_LOG_INFO, FAC, "started %zu connector%s (%s)", w->nconns, w->nconns == 1 ? "" : "s",
           w->conf.bootstrap_servers ? "Kafka" : "local bus");
    int sig = 0;
    while (!any_done(w)) {
        struct timespec ts = {0, 200 * 1000000L};
        sig = sigtimedwait(&set, NULL, &ts);
        if (sig == SIGINT || sig == SIGTERM)
            break;
    }
    if (sig == SIGINT || sig == SIGTERM)
        sl_log(SL_LOG_INFO, FAC, "%s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
    else
        sl_log(SL_LOG_ERROR, FAC, "a task stopped on its own; stopping the worker");
    pthread_t wd;
    int64_t bound =
        2 * w->conf.task_shutdown_graceful_timeout_ms + w->conf.offset_flush_timeout_ms + 5000;
    if (pthread_create(&wd, NULL, watchdog, (void *)(intptr_t)bound) == 0)
        pthread_detach(wd);
    int failed = shutdown_tasks(w);
    if (failed)
        return 1;
    return sig == SIGINT || sig == SIGTERM ? 0 : 1;
}

static void worker_fini(struct worker *w)
{
    for (size_t i = 0; i < w->nconns; i++) {
        struct connector *c = &w->conns[i];
        sl_source_task_free(c->src_task);
        sl_sink_task_free(c->sink_task);
        if (c->kc_init)
            sl_kconf_fini(&c->kc);
        if (c->conf) {
            sl_conf_fini(c->conf);
            sl_free(c->conf);
        }
    }
    sl_free(w->conns);
    sl_local_free(w->local);
    sl_offsets_file_free(w->offsets);
    pthread_mutex_destroy(&w->offsets_mu);
    sl_conf_fini(&w->conf);
    sl_props_fini(&w->props);
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
    struct worker w = {0};
    w.path = argv[1];
    pthread_mutex_init(&w.offsets_mu, NULL);
    sl_props_init(&w.props);
    char errstr[1024];
    int rc = 1;
    sl_err_t err = sl_conf_worker_load(&w.conf, w.path, NULL, errstr, sizeof(errstr));
    if (!err)
        err = sl_props_load(&w.props, w.path, errstr, sizeof(errstr));
    if (err)
        goto out;
    sl_log_set_level((sl_log_level_t)w.conf.log_level);
    w.nconns = (size_t)argc - 2;
    w.conns = sl_xcalloc(w.nconns, sizeof(*w.conns));
    for (size_t i = 0; i < w.nconns && !err; i++) {
        w.conns[i].path = argv[2 + i];
        err = load_connector(&w, &w.conns[i], errstr, sizeof(errstr));
    }
    if (!err)
        err = setup(&w, errstr, sizeof(errstr));
    if (err)
        goto out;
    rc = run(&w);
out:
    if (err)
        fprintf(stderr, "sluice: %s\n", errstr);
    worker_fini(&w);
    return rc;
}
