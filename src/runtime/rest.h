/* SPDX-License-Identifier: Apache-2.0 */
/* The REST API, compatible with Kafka Connect's (routes, JSON shapes, status codes and
 * error bodies {"error_code":N,"message":"..."}), plus GET /metrics in Prometheus text.
 * It runs its own thread (libmicrohttpd's polling thread) and talks to the worker only
 * through struct sl_worker_api (runtime/worker_api.h). Every config it returns has its
 * secrets replaced by "[hidden]". Routes are documented in docs/API.md. */
#ifndef SL_RUNTIME_REST_H
#define SL_RUNTIME_REST_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/worker.h"
#include "core/err.h"
#include "runtime/metrics.h"
#include "runtime/worker_api.h"

#define SL_REST_MAX_BODY_DEFAULT ((size_t)1 << 20) /* 1 MiB */
#define SL_REST_DEFAULT_PORT 8083

struct sl_rest_conf {
    /* Listener: listeners / rest.host.name / rest.port, and rest.advertised.* for the
     * worker_id. NULL: 127.0.0.1:8083. Must outlive the server. */
    const struct sl_worker_conf *worker;
    const char *host;      /* overrides the worker's listener host when non-NULL */
    int port;              /* used with host: 0 = any free port (see sl_rest_port) */
    const char *worker_id; /* "host:port" in status replies; NULL: advertised or bound */
    struct sl_worker_api api;
    struct sl_metrics *metrics;   /* GET /metrics source; NULL: 404 */
    const char *commit;           /* GET / "commit"; NULL: "unknown" */
    const char *kafka_cluster_id; /* GET / "kafka_cluster_id"; NULL: "" */
    size_t max_body;              /* request body bound; 0: SL_REST_MAX_BODY_DEFAULT */
};

struct sl_rest;

/* Where the API should listen according to worker (NULL: defaults): the first of
 * `listeners` when set explicitly, else rest.host.name / rest.port, else 127.0.0.1:8083.
 * An empty host ("http://:8083") means 127.0.0.1, never all interfaces: write
 * http://0.0.0.0:8083 to listen on every interface. Sets *enabled false when listeners is
 * set to an empty list. SL_ERR_CONF / SL_ERR_UNSUPPORTED (https) with errstr naming the
 * key. */
sl_err_t sl_rest_listen_addr(const struct sl_worker_conf *worker, char *host, size_t host_size,
                             int *port, bool *enabled, char *errstr, size_t errstr_size);

/* Binds the listening socket (errors name the address and errno text) and starts the
 * server thread. conf is copied; what it points to must outlive the server. */
sl_err_t sl_rest_start(const struct sl_rest_conf *conf, struct sl_rest **out, char *errstr,
                       size_t errstr_size);

/* The TCP port actually bound. */
int sl_rest_port(const struct sl_rest *rest);

/* Stops the server thread (waits for the request in progress) and frees everything.
 * NULL-safe. After it returns no worker callback runs. */
void sl_rest_free(struct sl_rest *rest);

#endif
