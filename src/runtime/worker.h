/* SPDX-License-Identifier: Apache-2.0 */
/* The standalone worker's connectors: builds each connector from its config (a file at
 * start-up or a REST body later), runs its task, and implements runtime/worker_api.h over
 * them. REST callbacks only record requests (pause, resume, stop, restart, new config,
 * delete) under the worker's lock; the main thread applies them in sl_worker_tick, which is
 * also where a task that stopped on its own is joined and shown as FAILED with its reason,
 * without touching the other connectors. */
#ifndef SL_RUNTIME_WORKER_H
#define SL_RUNTIME_WORKER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aws/creds.h"
#include "conf/properties.h"
#include "conf/worker.h"
#include "core/err.h"
#include "runtime/metrics.h"
#include "runtime/worker_api.h"

struct sl_worker;

/* A worker over the loaded worker config (conf, props and path must outlive it). metrics
 * may be NULL. Opens the offsets file when offset.storage.file.filename is set and creates
 * the local bus when there is no bootstrap.servers. NULL with errstr naming the file. */
struct sl_worker *sl_worker_new(const char *path, const struct sl_worker_conf *conf,
                                const struct sl_props *props, struct sl_metrics *metrics,
                                char *errstr, size_t errstr_size);

/* Adds a connector from its config (origin names the file in messages) without starting
 * it. SL_ERR_CONF (and others) with errstr "file:line: key: reason". Thread: main, before
 * sl_worker_start. */
sl_err_t sl_worker_add(struct sl_worker *w, const struct sl_props *config, const char *origin,
                       char *errstr, size_t errstr_size);

/* Creates every added connector's task (configuration errors are returned, naming the
 * file) and starts them, sinks first. A task that cannot start shows FAILED. */
sl_err_t sl_worker_start(struct sl_worker *w, char *errstr, size_t errstr_size);

/* Applies pending REST requests and notices tasks that stopped on their own. A source task
 * that ended on purpose (sl_source_task_finished: snapshot.mode=initial_only) leaves its
 * connector STOPPED with no task, not FAILED. Returns true while at least one connector is
 * still live (neither FAILED nor finished), or when the REST API has changed something
 * (then a human is in charge); false when every connector failed or finished by itself.
 * Thread: main. */
bool sl_worker_tick(struct sl_worker *w);

/* After sl_worker_tick returned false: whether that is because the work is done (at least
 * one connector finished, none failed), so the process should exit with status 0. */
bool sl_worker_finished(struct sl_worker *w);

/* The REST API callbacks over this worker. */
struct sl_worker_api sl_worker_api_of(struct sl_worker *w);

/* Stops every task (sources first, they drain and store their offsets; then sinks, they
 * flush and commit). Returns how many failed while stopping. Thread: main. */
int sl_worker_stop_all(struct sl_worker *w);

void sl_worker_free(struct sl_worker *w);

/* ---- MSK IAM ---- */

/* Token source for librdkafka's OAUTHBEARER with sasl.mechanism=AWS_MSK_IAM: credentials
 * from prov (the default chain when created with NULL options), signed for region. */
struct sl_worker_msk {
    char region[64];
    struct sl_aws_provider *prov; /* borrowed */
};

/* sl_bus_token_fn over struct sl_worker_msk (opaque): builds a fresh token valid 900 s.
 * Errors name the region or the credential problem, never the credentials. Thread: any. */
sl_err_t sl_worker_msk_token(char *tok, size_t tok_size, int64_t *expiry_ms, char *errstr,
                             size_t errstr_size, void *opaque);

#endif
