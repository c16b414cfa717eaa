/* SPDX-License-Identifier: Apache-2.0 */
/* The standalone worker's connector table and the REST API over it. Each connector keeps
 * the config it was given, its parsed form, its Kafka client settings and its task. REST
 * callbacks (the REST thread) only read states and record requests under the lock; the
 * main thread (sl_worker_tick) does the slow parts: stopping and joining tasks, creating
 * new ones. Pausing a source stops its task (offsets are stored, so resume continues from
 * them); a sink just stops taking records and keeps its state (consumer group membership,
 * or the local bus records it holds, which would otherwise only come back after a source
 * restart). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "aws/msk.h"
#include "bus/kconf.h"
#include "bus/local.h"
#include "bus/offsets_file.h"
#include "conf/conf.h"
#include "conf/ddb_sink.h"
#include "conf/mysql_source.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "runtime/registry.h"
#include "runtime/sink_task.h"
#include "runtime/source_task.h"
#include "runtime/worker.h"

#define FAC "worker"
#define LOCAL_MAX_MSGS 100000
#define LOCAL_MAX_BYTES ((size_t)256 << 20)

struct conn {
    char *name;
    char *origin;
    const struct sl_connector_type *type;
    struct sl_props props; /* the config as given */
    void *conf;            /* struct sl_mysql_source_conf or struct sl_ddb_sink_conf */
    struct sl_kconf kc, dlq_kc;
    bool kc_init, dlq_kc_init;
    struct sl_aws_provider *msk_prov;
    struct sl_worker_msk msk;
    struct sl_source_task *src_task;
    struct sl_sink_task *sink_task;
    bool inplace_paused; /* embedded sink paused without stopping */
    bool finished;       /* the source task ended on purpose (snapshot.mode=initial_only) */
    /* Under the worker lock: */
    sl_worker_state_t state;
    char *trace;
    sl_worker_state_t target; /* RUNNING, PAUSED or STOPPED */
    bool want_restart, want_remove;
    struct conn *replacement; /* new config waiting to replace this one */
};

struct sl_worker {
    const char *path;
    const struct sl_worker_conf *conf;
    const struct sl_props *props;
    struct sl_metrics *metrics;
    pthread_mutex_t mu;
    struct conn *conns[SL_WORKER_MAX_CONNECTORS];
    size_t n;
    bool touched;      /* the REST API changed something */
    bool all_finished; /* last tick: nothing live, none failed, at least one finished */
    struct sl_local *local;
    struct sl_offsets_file *offsets;
    pthread_mutex_t offsets_mu;
    char dlq_dir[1024];
};

/* ---- MSK IAM ---- */

sl_err_t sl_worker_msk_token(char *tok, size_t tok_size, int64_t *expiry_ms, char *errstr,
                             size_t errstr_size, void *opaque)
{
    struct sl_worker_msk *msk = opaque;
    struct sl_aws_creds *creds = sl_xcalloc(1, sizeof(*creds));
    sl_err_t err = sl_aws_provider_get(msk->prov, creds, errstr, errstr_size);
    if (!err)
        err = sl_msk_iam_token(msk->region, creds, sl_time_now_ms(), tok, tok_size, expiry_ms,
                               errstr, errstr_size);
    sl_aws_creds_wipe(creds);
    sl_free(creds);
    return err;
}

/* ---- Building a connector from its config ---- */

static void conn_free(struct conn *c)
{
    if (!c)
        return;
    sl_source_task_free(c->src_task);
    sl_sink_task_free(c->sink_task);
    if (c->kc_init)
        sl_kconf_fini(&c->kc);
    if (c->dlq_kc_init)
        sl_kconf_fini(&c->dlq_kc);
    sl_aws_provider_free(c->msk_prov);
    if (c->conf) {
        sl_conf_fini(c->conf);
        sl_free(c->conf);
    }
    sl_props_fini(&c->props);
    conn_free(c->replacement);
    sl_free(c->trace);
    sl_free(c->name);
    sl_free(c->origin);
    sl_free(c);
}

static void copy_props(struct sl_props *dst, const struct sl_props *src)
{
    sl_props_init(dst);
    for (size_t i = 0; i < src->n; i++)
        sl_props_set(dst, src->items[i].key, src->items[i].value, src->items[i].line);
}

static sl_err_t kafka_conf(struct sl_worker *w, struct conn *c, struct sl_kconf *kc,
                           sl_kconf_role_t role, const struct sl_conf_kvlist *overrides,
                           char *errstr, size_t errstr_size)
{
    sl_kconf_init(kc, role);
    struct sl_kv *kvs = sl_xcalloc(w->props->n ? w->props->n : 1, sizeof(*kvs));
    for (size_t i = 0; i < w->props->n; i++) {
        kvs[i].key = w->props->items[i].key;
        kvs[i].value = w->props->items[i].value;
    }
    char why[768];
    sl_err_t err = sl_kconf_from_worker(kc, kvs, w->props->n, why, sizeof(why));
    sl_free(kvs);
    if (err) {
        snprintf(errstr, errstr_size, "%s: %s", w->path, why);
        return err;
    }
    if (overrides && overrides->n) {
        kvs = sl_xcalloc(overrides->n, sizeof(*kvs));
        for (size_t i = 0; i < overrides->n; i++) {
            kvs[i].key = overrides->items[i].key;
            kvs[i].value = overrides->items[i].value;
        }
        err = sl_kconf_add(kc, kvs, overrides->n, why, sizeof(why));
        sl_free(kvs);
        if (err) {
            snprintf(errstr, errstr_size, "%s: %s", c->origin, why);
            return err;
        }
    }
    err = sl_kconf_check(kc, why, sizeof(why));
    if (err)
        snprintf(errstr, errstr_size, "%s: %s", w->path, why);
    return err;
}

static sl_err_t msk_setup(struct conn *c, char *errstr, size_t errstr_size)
{
    if (!c->kc.msk_iam)
        return SL_OK;
    if (sl_kconf_msk_region(&c->kc, c->msk.region, sizeof(c->msk.region)) &&
        sl_aws_region_resolve(NULL, c->msk.region, sizeof(c->msk.region))) {
        snprintf(errstr, errstr_size,
                 "%s: sasl.mechanism=AWS_MSK_IAM: cannot tell the cluster's AWS region from "
                 "bootstrap.servers; set AWS_REGION",
                 c->origin);
        return SL_ERR_CONF;
    }
    c->msk_prov = sl_aws_provider_new(NULL);
    c->msk.prov = c->msk_prov;
    return SL_OK;
}

/* Parses config into a new connector. Does not look at other connectors' names. */
static sl_err_t conn_build(struct sl_worker *w, const struct sl_props *config, const char *origin,
                           struct conn **out, char *errstr, size_t errstr_size)
{
    struct conn *c = sl_xcalloc(1, sizeof(*c));
    c->origin = sl_xstrdup(origin);
    c->target = SL_WSTATE_RUNNING;
    c->state = SL_WSTATE_UNASSIGNED;
    copy_props(&c->props, config);
    sl_err_t err = SL_OK;
    const struct sl_prop *cls = sl_props_find(config, "connector.class");
    if (!cls) {
        snprintf(errstr, errstr_size, "%s: connector.class: missing (required)", origin);
        err = SL_ERR_CONF;
        goto fail;
    }
    c->type = sl_registry_find(cls->value);
    if (!c->type) {
        char known[512];
        sl_registry_known(known, sizeof(known));
        snprintf(errstr, errstr_size,
                 "%s:%u: connector.class: unknown connector class '%s' "
                 "(known: %s)",
                 origin, cls->line, cls->value, known);
        err = SL_ERR_CONF;
        goto fail;
    }
    c->conf = sl_xcalloc(1, c->type->table->size);
    sl_conf_init(c->type->table, c->conf);
    err = sl_conf_apply(c->type->table, c->conf, config, NULL, errstr, errstr_size);
    if (err)
        goto fail;
    const struct sl_connector_conf *common = c->type->kind == SL_CONNECTOR_MYSQL_SOURCE
                                                 ? &((struct sl_mysql_source_conf *)c->conf)->common
                                                 : &((struct sl_ddb_sink_conf *)c->conf)->common;
    if (!common->name || !*common->name) {
        snprintf(errstr, errstr_size,
                 "%s: name: missing (every connector needs a unique name; "
                 "its offsets are stored under it)",
                 origin);
        err = SL_ERR_CONF;
        goto fail;
    }
    c->name = sl_xstrdup(common->name);
    if (c->type->kind == SL_CONNECTOR_MYSQL_SOURCE && !w->offsets) {
        snprintf(errstr, errstr_size,
                 "%s: offset.storage.file.filename: missing (required by "
                 "source connectors to store their binlog position)",
                 w->path);
        err = SL_ERR_CONF;
        goto fail;
    }
    if (w->conf->bootstrap_servers) {
        bool src = c->type->kind == SL_CONNECTOR_MYSQL_SOURCE;
        err = kafka_conf(w, c, &c->kc, src ? SL_KCONF_PRODUCER : SL_KCONF_CONSUMER,
                         src ? &common->producer_override : &common->consumer_override, errstr,
                         errstr_size);
        c->kc_init = true;
        if (!err && !src) {
            /* The DLQ producer uses the worker's producer settings, as Kafka Connect's. */
            err = kafka_conf(w, c, &c->dlq_kc, SL_KCONF_PRODUCER, &common->producer_override,
                             errstr, errstr_size);
            c->dlq_kc_init = true;
        }
        if (!err)
            err = msk_setup(c, errstr, errstr_size);
        if (err)
            goto fail;
        for (size_t i = 0; i < c->kc.note_cnt; i++)
            sl_log(SL_LOG_INFO, FAC, "%s: %s", c->name, c->kc.notes[i]);
    }
    *out = c;
    return SL_OK;
fail:
    conn_free(c);
    return err;
}

/* ---- Tasks ---- */

static void set_state(struct sl_worker *w, struct conn *c, sl_worker_state_t state,
                      const char *trace)
{
    pthread_mutex_lock(&w->mu);
    c->state = state;
    sl_free(c->trace);
    c->trace = trace ? sl_xstrdup(trace) : NULL;
    pthread_mutex_unlock(&w->mu);
}

/* Creates c's task (no thread yet). Configuration errors name the file. */
static sl_err_t task_create(struct sl_worker *w, struct conn *c, char *errstr, size_t errstr_size)
{
    char why[1024];
    sl_err_t err;
    if (c->src_task || c->sink_task)
        return SL_OK;
    if (c->type->kind == SL_CONNECTOR_MYSQL_SOURCE) {
        struct sl_source_task_conf tc = {
            .name = c->name,
            .worker = w->conf,
            .src = c->conf,
            .kc = c->kc_init ? &c->kc : NULL,
            .local = w->local,
            .offsets = w->offsets,
            .offsets_mu = &w->offsets_mu,
            .metrics = w->metrics,
            .token_fn = c->kc_init && c->kc.msk_iam ? sl_worker_msk_token : NULL,
            .token_opaque = &c->msk,
        };
        err = sl_source_task_new(&tc, &c->src_task, why, sizeof(why));
    } else {
        struct sl_sink_task_conf tc = {
            .name = c->name,
            .worker = w->conf,
            .sink = c->conf,
            .kc = c->kc_init ? &c->kc : NULL,
            .local = w->local,
            .metrics = w->metrics,
            .token_fn = c->kc_init && c->kc.msk_iam ? sl_worker_msk_token : NULL,
            .token_opaque = &c->msk,
            .dlq_kc = c->dlq_kc_init ? &c->dlq_kc : NULL,
            .dlq_dir = w->dlq_dir,
        };
        err = sl_sink_task_new(&tc, &c->sink_task, why, sizeof(why));
    }
    if (err) {
        snprintf(errstr, errstr_size, "%s: %s", c->origin, why);
        set_state(w, c, SL_WSTATE_FAILED, why);
    }
    return err;
}

/* Creates (when needed) and starts c's task. Configuration errors are returned (errstr
 * names the file); any failure leaves c FAILED. */
static sl_err_t task_start(struct sl_worker *w, struct conn *c, char *errstr, size_t errstr_size)
{
    char why[1024];
    sl_err_t err = task_create(w, c, errstr, errstr_size);
    if (err)
        return err;
    if (c->src_task)
        err = sl_source_task_start(c->src_task, why, sizeof(why));
    else
        err = sl_sink_task_start(c->sink_task, why, sizeof(why));
    if (err) {
        snprintf(errstr, errstr_size, "%s: %s", c->origin, why);
        set_state(w, c, SL_WSTATE_FAILED, why);
        return err;
    }
    c->inplace_paused = false;
    c->finished = false;
    set_state(w, c, SL_WSTATE_RUNNING, NULL);
    sl_log(SL_LOG_INFO, FAC, "connector %s started", c->name);
    return SL_OK;
}

static bool task_done(struct conn *c)
{
    if (c->src_task)
        return sl_source_task_done(c->src_task);
    if (c->sink_task)
        return sl_sink_task_done(c->sink_task);
    return false;
}

/* Stops (if asked) and joins c's task; returns its failure with why. */
static sl_err_t task_join(struct conn *c, char *why, size_t why_size)
{
    sl_err_t err = SL_OK;
    why[0] = '\0';
    if (c->src_task) {
        sl_source_task_stop(c->src_task);
        err = sl_source_task_join(c->src_task, why, why_size);
        sl_source_task_free(c->src_task);
        c->src_task = NULL;
    }
    if (c->sink_task) {
        sl_sink_task_stop(c->sink_task);
        err = sl_sink_task_join(c->sink_task, why, why_size);
        sl_sink_task_free(c->sink_task);
        c->sink_task = NULL;
    }
    return err;
}

/* Stops c's task for a requested change; a failure while stopping is logged. */
static void task_stop(struct conn *c)
{
    char why[1024];
    if (!c->src_task && !c->sink_task)
        return;
    if (task_join(c, why, sizeof(why)))
        sl_log(SL_LOG_ERROR, FAC, "connector %s failed while stopping: %s", c->name, why);
}

/* ---- Public lifecycle ---- */

struct sl_worker *sl_worker_new(const char *path, const struct sl_worker_conf *conf,
                                const struct sl_props *props, struct sl_metrics *metrics,
                                char *errstr, size_t errstr_size)
{
    struct sl_worker *w = sl_xcalloc(1, sizeof(*w));
    w->path = path;
    w->conf = conf;
    w->props = props;
    w->metrics = metrics;
    pthread_mutex_init(&w->mu, NULL);
    pthread_mutex_init(&w->offsets_mu, NULL);
    snprintf(w->dlq_dir, sizeof(w->dlq_dir), ".");
    if (conf->offset_storage_file_filename) {
        sl_err_t err = sl_offsets_file_open(conf->offset_storage_file_filename, &w->offsets, errstr,
                                            errstr_size);
        if (err) {
            sl_worker_free(w);
            return NULL;
        }
        /* Embedded mode's dead letter files sit next to the offsets. */
        const char *slash = strrchr(conf->offset_storage_file_filename, '/');
        if (slash)
            snprintf(w->dlq_dir, sizeof(w->dlq_dir), "%.*s",
                     (int)(slash - conf->offset_storage_file_filename),
                     conf->offset_storage_file_filename);
        if (!w->dlq_dir[0])
            snprintf(w->dlq_dir, sizeof(w->dlq_dir), "/");
    }
    if (!conf->bootstrap_servers)
        w->local = sl_local_new(LOCAL_MAX_MSGS, LOCAL_MAX_BYTES);
    return w;
}

static struct conn *find(struct sl_worker *w, const char *name)
{
    for (size_t i = 0; i < w->n; i++)
        if (strcmp(w->conns[i]->name, name) == 0)
            return w->conns[i];
    return NULL;
}

/* The embedded local bus has one queue that every sink reads: a second sink connector would
 * take (and acknowledge) records meant for the first, so embedded mode runs one sink
 * connector. Returns the existing sink nc would join, or NULL. Caller holds w->mu or runs
 * before the threads start. */
static const struct conn *embedded_second_sink(const struct sl_worker *w, const struct conn *nc)
{
    if (w->conf->bootstrap_servers || nc->type->kind != SL_CONNECTOR_DDB_SINK)
        return NULL;
    for (size_t i = 0; i < w->n; i++)
        if (w->conns[i]->type->kind == SL_CONNECTOR_DDB_SINK &&
            strcmp(w->conns[i]->name, nc->name) != 0)
            return w->conns[i];
    return NULL;
}

#define EMBEDDED_ONE_SINK_FMT                                                                 \
    "%s: embedded mode (no bootstrap.servers) runs one DynamoDB sink connector and %s is "   \
    "already one; list every topic in its topics/topics.regex, or set bootstrap.servers "    \
    "to run several sinks through Kafka"

sl_err_t sl_worker_add(struct sl_worker *w, const struct sl_props *config, const char *origin,
                       char *errstr, size_t errstr_size)
{
    struct conn *c;
    sl_err_t err = conn_build(w, config, origin, &c, errstr, errstr_size);
    if (err)
        return err;
    const struct conn *o = find(w, c->name);
    if (o) {
        snprintf(errstr, errstr_size, "%s: name: '%s' is already used by %s", origin, c->name,
                 o->origin);
        conn_free(c);
        return SL_ERR_CONF;
    }
    if (w->n == SL_WORKER_MAX_CONNECTORS) {
        snprintf(errstr, errstr_size, "%s: more than %d connectors", origin,
                 SL_WORKER_MAX_CONNECTORS);
        conn_free(c);
        return SL_ERR_TOOBIG;
    }
    const struct conn *other = embedded_second_sink(w, c);
    if (other) {
        snprintf(errstr, errstr_size, EMBEDDED_ONE_SINK_FMT, origin, other->name);
        conn_free(c);
        return SL_ERR_CONF;
    }
    pthread_mutex_lock(&w->mu);
    w->conns[w->n++] = c;
    pthread_mutex_unlock(&w->mu);
    return SL_OK;
}

sl_err_t sl_worker_start(struct sl_worker *w, char *errstr, size_t errstr_size)
{
    bool have_source = false, have_sink = false;
    for (size_t i = 0; i < w->n; i++) {
        have_source |= w->conns[i]->type->kind == SL_CONNECTOR_MYSQL_SOURCE;
        have_sink |= w->conns[i]->type->kind == SL_CONNECTOR_DDB_SINK;
        if (w->conns[i]->type->kind == SL_CONNECTOR_MYSQL_SOURCE) {
            const struct sl_mysql_source_conf *src = w->conns[i]->conf;
            if (src->common.tasks_max > 1)
                sl_log(SL_LOG_INFO, FAC,
                       "%s: tasks.max=%u: the MySQL connector always runs "
                       "one task (one binlog reader)",
                       w->conns[i]->name, src->common.tasks_max);
        }
    }
    /* Every task first, so that configuration errors stop the worker before anything runs. */
    for (size_t i = 0; i < w->n; i++) {
        sl_err_t err = task_create(w, w->conns[i], errstr, errstr_size);
        if (err)
            return err;
    }
    if (!w->conf->bootstrap_servers && have_source && !have_sink)
        sl_log(SL_LOG_WARN, FAC,
               "no bootstrap.servers and no sink connector: records stay on "
               "the local bus and source offsets cannot advance");
    /* Sinks first, so that the local bus has its consumer before sources fill it. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < w->n; i++) {
            struct conn *c = w->conns[i];
            bool src = c->type->kind == SL_CONNECTOR_MYSQL_SOURCE;
            if (src != (pass == 1))
                continue;
            sl_err_t err = task_start(w, c, errstr, errstr_size);
            if (err)
                sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, c->trace);
        }
    }
    sl_log(SL_LOG_INFO, FAC, "started %zu connector%s (%s)", w->n, w->n == 1 ? "" : "s",
           w->conf->bootstrap_servers ? "Kafka" : "local bus");
    return SL_OK;
}

/* Applies c's pending requests. Thread: main. Returns true when c is to be removed. */
static bool apply(struct sl_worker *w, struct conn *c)
{
    pthread_mutex_lock(&w->mu);
    sl_worker_state_t target = c->target;
    bool restart = c->want_restart, remove = c->want_remove;
    struct conn *repl = c->replacement;
    c->want_restart = false;
    c->replacement = NULL;
    pthread_mutex_unlock(&w->mu);
    char errstr[1024];

    if (remove) {
        task_stop(c);
        conn_free(repl);
        sl_log(SL_LOG_INFO, FAC, "connector %s deleted", c->name);
        return true;
    }
    if (repl) {
        /* New config: stop the old task, move the new config in, start again. */
        task_stop(c);
        pthread_mutex_lock(&w->mu);
        for (size_t i = 0; i < w->n; i++)
            if (w->conns[i] == c)
                w->conns[i] = repl;
        repl->target = c->target;
        pthread_mutex_unlock(&w->mu);
        conn_free(c);
        c = repl;
        restart = true;
        target = c->target;
    }
    if (restart) {
        task_stop(c);
        if (target == SL_WSTATE_RUNNING || target == SL_WSTATE_PAUSED) {
            if (task_start(w, c, errstr, sizeof(errstr)))
                sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, errstr);
        }
    }
    bool running = c->src_task || c->sink_task;
    if (target == SL_WSTATE_PAUSED && running && c->state != SL_WSTATE_PAUSED &&
        c->state != SL_WSTATE_FAILED) {
        if (c->sink_task) {
            sl_sink_task_pause(c->sink_task, true);
            c->inplace_paused = true;
        } else {
            task_stop(c);
        }
        set_state(w, c, SL_WSTATE_PAUSED, NULL);
        sl_log(SL_LOG_INFO, FAC, "connector %s paused", c->name);
    } else if (target == SL_WSTATE_RUNNING && c->state == SL_WSTATE_PAUSED) {
        if (c->inplace_paused && c->sink_task) {
            sl_sink_task_pause(c->sink_task, false);
            c->inplace_paused = false;
            set_state(w, c, SL_WSTATE_RUNNING, NULL);
        } else if (task_start(w, c, errstr, sizeof(errstr))) {
            sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, errstr);
        }
        sl_log(SL_LOG_INFO, FAC, "connector %s resumed", c->name);
    } else if (target == SL_WSTATE_STOPPED && c->state != SL_WSTATE_STOPPED) {
        task_stop(c);
        set_state(w, c, SL_WSTATE_STOPPED, NULL);
        sl_log(SL_LOG_INFO, FAC, "connector %s stopped", c->name);
    }
    if (c->src_task && task_done(c) && sl_source_task_finished(c->src_task)) {
        /* Nothing more to do (initial_only): shown as STOPPED, as a connector whose work is
         * over, with no task assigned; not FAILED. */
        char why[1024];
        sl_err_t err = task_join(c, why, sizeof(why));
        if (!err) {
            c->finished = true;
            sl_log(SL_LOG_INFO, FAC, "connector %s finished its work and stopped", c->name);
            set_state(w, c, SL_WSTATE_STOPPED, NULL);
        } else {
            sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, why);
            set_state(w, c, SL_WSTATE_FAILED, why);
        }
    } else if ((c->src_task || c->sink_task) && task_done(c)) {
        char why[1024];
        sl_err_t err = task_join(c, why, sizeof(why));
        if (!err)
            snprintf(why, sizeof(why), "the task stopped on its own");
        sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, why);
        set_state(w, c, SL_WSTATE_FAILED, why);
    }
    return false;
}

static void source_metrics(struct sl_worker *w, struct conn *c)
{
    if (!w->metrics || !w->local || c->type->kind != SL_CONNECTOR_MYSQL_SOURCE)
        return;
    size_t msgs = 0, bytes = 0;
    sl_local_stats(w->local, &msgs, &bytes);
    sl_metric_set(sl_metrics_series(w->metrics, SL_M_QUEUE_DEPTH, c->name, -1), (int64_t)msgs);
    sl_metric_set(sl_metrics_series(w->metrics, SL_M_QUEUE_CAPACITY, c->name, -1), LOCAL_MAX_MSGS);
}

bool sl_worker_tick(struct sl_worker *w)
{
    size_t live = 0, nfinished = 0, nfailed = 0;
    for (size_t i = 0; i < w->n;) {
        struct conn *c = w->conns[i];
        if (apply(w, c)) {
            pthread_mutex_lock(&w->mu);
            w->conns[i] = w->conns[--w->n];
            pthread_mutex_unlock(&w->mu);
            conn_free(c);
            continue;
        }
        c = w->conns[i];
        source_metrics(w, c);
        if (c->state == SL_WSTATE_FAILED)
            nfailed++;
        else if (c->finished && c->state == SL_WSTATE_STOPPED)
            nfinished++;
        else
            live++;
        i++;
    }
    pthread_mutex_lock(&w->mu);
    bool touched = w->touched;
    w->all_finished = live == 0 && nfailed == 0 && nfinished > 0;
    pthread_mutex_unlock(&w->mu);
    return live > 0 || touched;
}

bool sl_worker_finished(struct sl_worker *w)
{
    pthread_mutex_lock(&w->mu);
    bool done = w->all_finished;
    pthread_mutex_unlock(&w->mu);
    return done;
}

int sl_worker_stop_all(struct sl_worker *w)
{
    int failed = 0;
    char why[1024];
    for (size_t i = 0; i < w->n; i++)
        if (w->conns[i]->src_task)
            sl_source_task_stop(w->conns[i]->src_task);
    for (size_t i = 0; i < w->n; i++) {
        struct conn *c = w->conns[i];
        if (c->src_task && task_join(c, why, sizeof(why))) {
            sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, why);
            failed++;
        }
    }
    if (w->local)
        sl_local_close(w->local);
    for (size_t i = 0; i < w->n; i++)
        if (w->conns[i]->sink_task)
            sl_sink_task_stop(w->conns[i]->sink_task);
    for (size_t i = 0; i < w->n; i++) {
        struct conn *c = w->conns[i];
        if (c->sink_task && task_join(c, why, sizeof(why))) {
            sl_log(SL_LOG_ERROR, FAC, "connector %s failed: %s", c->name, why);
            failed++;
        }
    }
    return failed;
}

void sl_worker_free(struct sl_worker *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        conn_free(w->conns[i]);
    sl_local_free(w->local);
    sl_offsets_file_free(w->offsets);
    pthread_mutex_destroy(&w->offsets_mu);
    pthread_mutex_destroy(&w->mu);
    sl_free(w);
}

/* ---- REST callbacks (REST thread; everything under the lock) ---- */

static sl_err_t api_list(struct sl_worker_names *out, void *opaque)
{
    struct sl_worker *w = opaque;
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&w->mu);
    for (size_t i = 0; i < w->n && !err; i++)
        err = sl_worker_names_add(out, w->conns[i]->name);
    pthread_mutex_unlock(&w->mu);
    return err;
}

static sl_worker_type_t type_of(const struct conn *c)
{
    return c->type->kind == SL_CONNECTOR_MYSQL_SOURCE ? SL_WTYPE_SOURCE : SL_WTYPE_SINK;
}

static size_t ntasks(const struct conn *c)
{
    if (c->type->kind == SL_CONNECTOR_MYSQL_SOURCE)
        return 1;
    const struct sl_ddb_sink_conf *sc = c->conf;
    if (!c->kc_init)
        return 1;
    size_t n = sc->common.tasks_max ? sc->common.tasks_max : 1;
    return n > SL_WORKER_MAX_TASKS ? SL_WORKER_MAX_TASKS : n;
}

static sl_err_t api_info(const char *name, struct sl_worker_info *out, void *opaque)
{
    struct sl_worker *w = opaque;
    pthread_mutex_lock(&w->mu);
    struct conn *c = find(w, name);
    if (c) {
        const struct conn *cur = c->replacement ? c->replacement : c;
        for (size_t i = 0; i < cur->props.n; i++)
            sl_props_set(&out->config, cur->props.items[i].key, cur->props.items[i].value, 0);
        out->type = type_of(c);
        out->ntasks = ntasks(cur);
    }
    pthread_mutex_unlock(&w->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static sl_err_t api_status(const char *name, struct sl_worker_status *out, void *opaque)
{
    struct sl_worker *w = opaque;
    pthread_mutex_lock(&w->mu);
    struct conn *c = find(w, name);
    if (c) {
        out->state = c->state;
        out->trace = c->trace ? sl_xstrdup(c->trace) : NULL;
        out->type = type_of(c);
        if (c->state != SL_WSTATE_STOPPED) {
            out->ntasks = ntasks(c);
            for (size_t i = 0; i < out->ntasks; i++) {
                out->tasks[i].id = (int)i;
                out->tasks[i].state = c->state;
                out->tasks[i].trace = c->trace ? sl_xstrdup(c->trace) : NULL;
            }
        }
    }
    pthread_mutex_unlock(&w->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static sl_err_t api_put_config(const char *name, const struct sl_props *config, bool allow_update,
                               bool *created, char *errstr, size_t errstr_size, void *opaque)
{
    struct sl_worker *w = opaque;
    struct conn *nc;
    char origin[300];
    snprintf(origin, sizeof(origin), "connector %s (REST)", name);
    sl_err_t err = conn_build(w, config, origin, &nc, errstr, errstr_size);
    if (err)
        return err == SL_ERR_TOOBIG ? SL_ERR_CONF : err;
    if (strcmp(nc->name, name) != 0) {
        snprintf(errstr, errstr_size, "name: '%s' does not match the connector name '%s'", nc->name,
                 name);
        conn_free(nc);
        return SL_ERR_CONF;
    }
    pthread_mutex_lock(&w->mu);
    struct conn *c = find(w, name);
    if (c && !allow_update) {
        err = SL_ERR_AGAIN;
        snprintf(errstr, errstr_size, "Connector %s already exists", name);
    } else if (c && c->type != nc->type) {
        err = SL_ERR_CONF;
        snprintf(errstr, errstr_size, "connector.class: cannot change the class of %s", name);
    } else if (c) {
        conn_free(c->replacement);
        c->replacement = nc;
        nc = NULL;
        *created = false;
        w->touched = true;
    } else if (w->n == SL_WORKER_MAX_CONNECTORS) {
        err = SL_ERR_CONF;
        snprintf(errstr, errstr_size, "more than %d connectors", SL_WORKER_MAX_CONNECTORS);
    } else if (embedded_second_sink(w, nc)) {
        err = SL_ERR_CONF;
        snprintf(errstr, errstr_size, EMBEDDED_ONE_SINK_FMT, "connector.class",
                 embedded_second_sink(w, nc)->name);
    } else {
        nc->want_restart = true; /* the main thread starts it */
        w->conns[w->n++] = nc;
        nc = NULL;
        *created = true;
        w->touched = true;
    }
    pthread_mutex_unlock(&w->mu);
    conn_free(nc);
    return err;
}

/* Records a request for name under the lock. */
static sl_err_t request(struct sl_worker *w, const char *name, sl_worker_state_t target,
                        bool restart, bool remove)
{
    pthread_mutex_lock(&w->mu);
    struct conn *c = find(w, name);
    if (c) {
        if (target != SL_WSTATE_UNASSIGNED)
            c->target = target;
        c->want_restart |= restart;
        c->want_remove |= remove;
        w->touched = true;
    }
    pthread_mutex_unlock(&w->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static sl_err_t api_pause(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr, (void)errstr_size;
    return request(opaque, name, SL_WSTATE_PAUSED, false, false);
}

static sl_err_t api_resume(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr, (void)errstr_size;
    struct sl_worker *w = opaque;
    pthread_mutex_lock(&w->mu);
    struct conn *c = find(w, name);
    /* Resuming a stopped connector starts it again (KIP-875). */
    bool restart = c && c->state == SL_WSTATE_STOPPED;
    pthread_mutex_unlock(&w->mu);
    return request(w, name, SL_WSTATE_RUNNING, restart, false);
}

static sl_err_t api_stop(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr, (void)errstr_size;
    return request(opaque, name, SL_WSTATE_STOPPED, false, false);
}

static sl_err_t api_restart(const char *name, const struct sl_worker_restart *req, char *errstr,
                            size_t errstr_size, void *opaque)
{
    struct sl_worker *w = opaque;
    pthread_mutex_lock(&w->mu);
    struct conn *c = find(w, name);
    sl_err_t err = SL_OK;
    bool skip = false;
    if (!c) {
        err = SL_ERR_NOTFOUND;
    } else if (req->task >= (int)ntasks(c)) {
        err = SL_ERR_NOTFOUND;
        snprintf(errstr, errstr_size, "Unknown task: %s-%d", name, req->task);
    } else {
        skip = req->only_failed && c->state != SL_WSTATE_FAILED;
    }
    pthread_mutex_unlock(&w->mu);
    if (err || skip)
        return err;
    /* A connector's tasks restart together (one task object holds them). */
    return request(w, name, SL_WSTATE_UNASSIGNED, true, false);
}

static sl_err_t api_remove(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr, (void)errstr_size;
    return request(opaque, name, SL_WSTATE_UNASSIGNED, false, true);
}

static const struct sl_worker_plugin plugins[] = {
    {"io.debezium.connector.mysql.MySqlConnector", SL_WTYPE_SOURCE, "1.9.7.Final"},
    {"io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector", SL_WTYPE_SINK, "1.5.3"},
};

static sl_err_t api_plugins(const struct sl_worker_plugin **out, size_t *n, void *opaque)
{
    (void)opaque;
    *out = plugins;
    *n = sizeof(plugins) / sizeof(plugins[0]);
    return SL_OK;
}

struct sl_worker_api sl_worker_api_of(struct sl_worker *w)
{
    struct sl_worker_api api = {
        .list = api_list,
        .info = api_info,
        .status = api_status,
        .put_config = api_put_config,
        .pause = api_pause,
        .resume = api_resume,
        .stop = api_stop,
        .restart = api_restart,
        .remove = api_remove,
        .plugins = api_plugins,
        .opaque = w,
    };
    return api;
}
