/* SPDX-License-Identifier: Apache-2.0 */
/* A fake worker behind runtime/worker_api.h for the REST tests (the golden test and the REST
 * fuzz target): up to 8 connectors held in memory, state changes applied at once, and the
 * config property fake.task.state=FAILED to make a connector's first task fail with a trace.
 * Callbacks run on the REST server's thread, so every one takes the mutex. */
#ifndef SL_TEST_FAKE_WORKER_H
#define SL_TEST_FAKE_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "conf/properties.h"
#include "core/mem.h"
#include "runtime/worker_api.h"

struct fake_conn {
    char *name;
    struct sl_props config;
    sl_worker_state_t state;
    sl_worker_state_t task_state;
    bool sink;
    size_t ntasks;
    int restarts;
};

struct fake {
    pthread_mutex_t mu; /* the contract: callbacks run on the server thread and must lock */
    struct fake_conn conns[8];
    size_t n;
};

static inline struct fake_conn *find(struct fake *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->conns[i].name, name) == 0)
            return &f->conns[i];
    return NULL;
}

static inline sl_err_t f_list(struct sl_worker_names *out, void *opaque)
{
    struct fake *f = opaque;
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&f->mu);
    /* Reverse order: the server must sort. */
    for (size_t i = f->n; i-- > 0 && !err;)
        err = sl_worker_names_add(out, f->conns[i].name);
    pthread_mutex_unlock(&f->mu);
    return err;
}

static inline sl_err_t f_info(const char *name, struct sl_worker_info *out, void *opaque)
{
    struct fake *f = opaque;
    pthread_mutex_lock(&f->mu);
    struct fake_conn *c = find(f, name);
    if (c) {
        for (size_t i = 0; i < c->config.n; i++)
            sl_props_set(&out->config, c->config.items[i].key, c->config.items[i].value, 0);
        out->type = c->sink ? SL_WTYPE_SINK : SL_WTYPE_SOURCE;
        out->ntasks = c->ntasks;
    }
    pthread_mutex_unlock(&f->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static inline sl_err_t f_status(const char *name, struct sl_worker_status *out, void *opaque)
{
    struct fake *f = opaque;
    pthread_mutex_lock(&f->mu);
    struct fake_conn *c = find(f, name);
    if (c) {
        out->state = c->state;
        out->type = c->sink ? SL_WTYPE_SINK : SL_WTYPE_SOURCE;
        out->ntasks = c->ntasks;
        for (size_t i = 0; i < c->ntasks; i++) {
            out->tasks[i].id = (int)i;
            out->tasks[i].state = c->task_state;
            if (c->task_state == SL_WSTATE_FAILED && i == 0)
                out->tasks[i].trace =
                    sl_xstrdup("sl.DdbWriteError: table \"orders\" not found\n\tat task 0");
        }
    }
    pthread_mutex_unlock(&f->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static inline sl_err_t f_put(const char *name, const struct sl_props *config, bool allow_update,
                             bool *created, char *errstr, size_t errstr_size, void *opaque)
{
    struct fake *f = opaque;
    sl_err_t err = SL_OK;
    pthread_mutex_lock(&f->mu);
    struct fake_conn *c = find(f, name);
    *created = c == NULL;
    if (c && !allow_update) {
        err = SL_ERR_AGAIN;
        goto out;
    }
    if (!c) {
        if (f->n == 8) {
            snprintf(errstr, errstr_size, "fake worker is full");
            err = SL_ERR_TOOBIG;
            goto out;
        }
        c = &f->conns[f->n++];
        c->name = sl_xstrdup(name);
        sl_props_init(&c->config);
    } else {
        sl_props_fini(&c->config);
        sl_props_init(&c->config);
    }
    for (size_t i = 0; i < config->n; i++)
        sl_props_set(&c->config, config->items[i].key, config->items[i].value, 0);
    const char *cls = sl_props_get(config, "connector.class");
    c->sink = strstr(cls, "Sink") != NULL;
    c->ntasks = c->sink ? 2 : 1;
    c->state = SL_WSTATE_RUNNING;
    const char *ts = sl_props_get(config, "fake.task.state");
    c->task_state = ts && strcmp(ts, "FAILED") == 0 ? SL_WSTATE_FAILED : SL_WSTATE_RUNNING;
out:
    pthread_mutex_unlock(&f->mu);
    return err;
}

static inline sl_err_t set_state(void *opaque, const char *name, sl_worker_state_t st)
{
    struct fake *f = opaque;
    pthread_mutex_lock(&f->mu);
    struct fake_conn *c = find(f, name);
    if (c) {
        c->state = st;
        c->task_state = st == SL_WSTATE_STOPPED ? SL_WSTATE_UNASSIGNED : st;
    }
    pthread_mutex_unlock(&f->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static inline sl_err_t f_pause(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr;
    (void)errstr_size;
    return set_state(opaque, name, SL_WSTATE_PAUSED);
}

static inline sl_err_t f_resume(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr;
    (void)errstr_size;
    return set_state(opaque, name, SL_WSTATE_RUNNING);
}

static inline sl_err_t f_stop(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    (void)errstr;
    (void)errstr_size;
    return set_state(opaque, name, SL_WSTATE_STOPPED);
}

static inline sl_err_t f_restart(const char *name, const struct sl_worker_restart *req,
                                 char *errstr, size_t errstr_size, void *opaque)
{
    struct fake *f = opaque;
    (void)errstr;
    (void)errstr_size;
    pthread_mutex_lock(&f->mu);
    struct fake_conn *c = find(f, name);
    sl_err_t err = c ? SL_OK : SL_ERR_NOTFOUND;
    if (c && req->task >= (int)c->ntasks)
        err = SL_ERR_NOTFOUND;
    if (!err) {
        c->restarts++;
        if (req->task < 0)
            c->state = SL_WSTATE_RESTARTING;
        if (req->task >= 0 || req->include_tasks)
            c->task_state = SL_WSTATE_RESTARTING;
    }
    pthread_mutex_unlock(&f->mu);
    return err;
}

static inline sl_err_t f_remove(const char *name, char *errstr, size_t errstr_size, void *opaque)
{
    struct fake *f = opaque;
    (void)errstr;
    (void)errstr_size;
    pthread_mutex_lock(&f->mu);
    struct fake_conn *c = find(f, name);
    if (c) {
        sl_free(c->name);
        sl_props_fini(&c->config);
        *c = f->conns[--f->n];
    }
    pthread_mutex_unlock(&f->mu);
    return c ? SL_OK : SL_ERR_NOTFOUND;
}

static const struct sl_worker_plugin plugin_table[] = {
    {"io.confluent.connect.aws.dynamodb.DynamoDbSinkConnector", SL_WTYPE_SINK, "0.1.0"},
    {"io.debezium.connector.mysql.MySqlConnector", SL_WTYPE_SOURCE, "0.1.0"},
};

static inline sl_err_t f_plugins(const struct sl_worker_plugin **out, size_t *n, void *opaque)
{
    (void)opaque;
    *out = plugin_table;
    *n = 2;
    return SL_OK;
}

static inline void fake_fini(struct fake *f)
{
    for (size_t i = 0; i < f->n; i++) {
        sl_free(f->conns[i].name);
        sl_props_fini(&f->conns[i].config);
    }
    pthread_mutex_destroy(&f->mu);
}

static inline void fake_init(struct fake *f)
{
    memset(f, 0, sizeof(*f));
    pthread_mutex_init(&f->mu, NULL);
}

/* Forgets every connector (between fuzz inputs). */
static inline void fake_reset(struct fake *f)
{
    pthread_mutex_lock(&f->mu);
    for (size_t i = 0; i < f->n; i++) {
        sl_free(f->conns[i].name);
        sl_props_fini(&f->conns[i].config);
    }
    f->n = 0;
    pthread_mutex_unlock(&f->mu);
}

/* The worker API wired to f. */
static inline struct sl_worker_api fake_api(struct fake *f)
{
    struct sl_worker_api api = {.list = f_list,
                                .info = f_info,
                                .status = f_status,
                                .put_config = f_put,
                                .pause = f_pause,
                                .resume = f_resume,
                                .stop = f_stop,
                                .restart = f_restart,
                                .remove = f_remove,
                                .plugins = f_plugins,
                                .opaque = f};
    return api;
}

#endif
