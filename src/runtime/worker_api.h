/* SPDX-License-Identifier: Apache-2.0 */
/* The interface between the REST server (rest.c) and the worker that owns the connectors.
 * The worker fills in a struct sl_worker_api (callbacks + opaque) and hands it to
 * sl_rest_new(); the REST server only ever calls these callbacks and renders their results
 * as Kafka Connect's JSON. The server masks secrets itself, checks names and request bodies,
 * and validates connector configs against the built-in tables before put_config is called,
 * so the worker receives well-formed, type-checked configs.
 *
 * Thread contract: every callback is called on the REST server's single thread (the
 * libmicrohttpd polling thread), never two at once, but concurrently with the worker's own
 * threads. The worker must therefore lock whatever state a callback reads or changes.
 * Callbacks must return quickly (no joins, no network waits): pause, resume, stop and
 * restart only request the change, as Kafka Connect's 202 Accepted says.
 *
 * Error codes a callback returns become HTTP statuses:
 *   SL_ERR_NOTFOUND                     404 (no such connector or task)
 *   SL_ERR_CONF, SL_ERR_INVALID,
 *   SL_ERR_PROTO, SL_ERR_UNSUPPORTED    400 (errstr is the message: name the key)
 *   SL_ERR_AGAIN                        409 (conflict: put_config with allow_update false
 *                                            on an existing name, or a concurrent change)
 *   SL_ERR_SHUTDOWN                     503
 *   anything else                       500
 * When errstr is left empty the server writes Kafka Connect's usual message. */
#ifndef SL_RUNTIME_WORKER_API_H
#define SL_RUNTIME_WORKER_API_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/properties.h"
#include "core/err.h"

/* Connector and task states, as Kafka Connect names them. */
typedef enum {
    SL_WSTATE_UNASSIGNED = 0,
    SL_WSTATE_RUNNING,
    SL_WSTATE_PAUSED,
    SL_WSTATE_FAILED,
    SL_WSTATE_RESTARTING,
    SL_WSTATE_STOPPED, /* connector only (KIP-875) */
} sl_worker_state_t;

typedef enum {
    SL_WTYPE_UNKNOWN = 0,
    SL_WTYPE_SOURCE,
    SL_WTYPE_SINK,
} sl_worker_type_t;

/* "RUNNING", ...; "UNASSIGNED" for unknown values. */
const char *sl_worker_state_name(sl_worker_state_t state);
/* "source", "sink" or "unknown". */
const char *sl_worker_type_name(sl_worker_type_t type);

#define SL_WORKER_MAX_TASKS 64
#define SL_WORKER_MAX_CONNECTORS 256

/* Connector names, filled by list(). */
struct sl_worker_names {
    char *items[SL_WORKER_MAX_CONNECTORS]; /* owned; use sl_worker_names_add */
    size_t n;
};

/* Appends a copy of name; past SL_WORKER_MAX_CONNECTORS returns SL_ERR_TOOBIG. */
sl_err_t sl_worker_names_add(struct sl_worker_names *names, const char *name);

/* What GET /connectors/{name} shows. The server calls sl_props_init(&config) before info()
 * and sl_props_fini after: the worker adds the stored config with sl_props_set (unmasked;
 * the server masks). Every task gets the connector's config, as Sluice's tasks do. */
struct sl_worker_info {
    struct sl_props config;
    sl_worker_type_t type;
    size_t ntasks; /* at most SL_WORKER_MAX_TASKS */
};

struct sl_worker_task_status {
    int id;
    sl_worker_state_t state;
    char *trace; /* owned (sl_xstrdup), NULL when none; e.g. the error that failed it */
};

/* What GET /connectors/{name}/status shows. Zeroed by the server before status() and
 * released with sl_worker_status_fini after. worker_id is filled by the server. */
struct sl_worker_status {
    sl_worker_state_t state;
    char *trace; /* owned (sl_xstrdup), NULL when none */
    sl_worker_type_t type;
    struct sl_worker_task_status tasks[SL_WORKER_MAX_TASKS];
    size_t ntasks;
};

/* Frees the traces and zeroes the struct. */
void sl_worker_status_fini(struct sl_worker_status *st);

/* One built-in connector plugin for GET /connector-plugins. */
struct sl_worker_plugin {
    const char *class_name; /* e.g. io.debezium.connector.mysql.MySqlConnector */
    sl_worker_type_t type;
    const char *version;
};

/* POST /connectors/{name}/restart and POST /connectors/{name}/tasks/{id}/restart. */
struct sl_worker_restart {
    int task;           /* -1: the connector (and tasks per the flags); >= 0: that task */
    bool include_tasks; /* ?includeTasks=true */
    bool only_failed;   /* ?onlyFailed=true */
};

struct sl_worker_api {
    /* Names of every connector (any order; the server sorts them). */
    sl_err_t (*list)(struct sl_worker_names *out, void *opaque);
    /* Config, type and task count of name; SL_ERR_NOTFOUND if none. */
    sl_err_t (*info)(const char *name, struct sl_worker_info *out, void *opaque);
    /* Current states of name and its tasks; SL_ERR_NOTFOUND if none. */
    sl_err_t (*status)(const char *name, struct sl_worker_status *out, void *opaque);
    /* Creates name with config (which includes "name" and a known "connector.class" and
     * passed the table checks) or, when allow_update, replaces an existing connector's
     * config and restarts it. Sets *created. SL_ERR_AGAIN when !allow_update and the name
     * exists; SL_ERR_CONF with errstr naming the key for configs the worker refuses. */
    sl_err_t (*put_config)(const char *name, const struct sl_props *config, bool allow_update,
                           bool *created, char *errstr, size_t errstr_size, void *opaque);
    /* Requests a state change of name (asynchronous). */
    sl_err_t (*pause)(const char *name, char *errstr, size_t errstr_size, void *opaque);
    sl_err_t (*resume)(const char *name, char *errstr, size_t errstr_size, void *opaque);
    sl_err_t (*stop)(const char *name, char *errstr, size_t errstr_size, void *opaque);
    /* Requests a restart; SL_ERR_NOTFOUND for an unknown connector or task id. */
    sl_err_t (*restart)(const char *name, const struct sl_worker_restart *req, char *errstr,
                        size_t errstr_size, void *opaque);
    /* Stops name and forgets its config (offsets are kept, as Kafka Connect does). */
    sl_err_t (*remove)(const char *name, char *errstr, size_t errstr_size, void *opaque);
    /* The built-in plugins: *out points at a static array of *n entries. May be NULL (then
     * the list is empty). */
    sl_err_t (*plugins)(const struct sl_worker_plugin **out, size_t *n, void *opaque);
    void *opaque;
};

#endif
