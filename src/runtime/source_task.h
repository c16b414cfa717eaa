/* SPDX-License-Identifier: Apache-2.0 */
/* The MySQL source task: one thread that first copies the captured tables when snapshot.mode
 * asks for it (initial snapshot, resumable from the checkpoint kept in the offset record), then
 * resumes from the stored source offset (GTID position on MariaDB, else file:pos; or the
 * server's current position), streams the binlog through the decoder, filters tables,
 * converts each row change into Debezium records and hands them to Kafka (producer) or to
 * the local bus. The offset it stores is always the end of the last transaction whose every
 * record was acknowledged (Kafka delivery report, or the sink's ack on the local bus), so a
 * restart repeats at most the unacknowledged tail and never skips a change. */
#ifndef SL_RUNTIME_SOURCE_TASK_H
#define SL_RUNTIME_SOURCE_TASK_H

#include <pthread.h>
#include <stddef.h>

#include "bus/kconf.h"
#include "bus/local.h"
#include "bus/offsets_file.h"
#include "conf/mysql_source.h"
#include "conf/worker.h"
#include "core/err.h"
#include "runtime/metrics.h"

struct sl_source_task_conf {
    const char *name; /* connector name (offset key) */
    const struct sl_worker_conf *worker;
    const struct sl_mysql_source_conf *src;
    const struct sl_kconf *kc; /* Kafka mode: producer settings; NULL in embedded mode */
    struct sl_local *local;    /* embedded mode: the local bus; NULL in Kafka mode */
    struct sl_offsets_file *offsets;
    pthread_mutex_t *offsets_mu; /* guards offsets (shared by tasks) */
    /* sasl.mechanism=AWS_MSK_IAM (kc->msk_iam): the token source of the producer (also used
     * for the schema history records); NULL otherwise. */
    sl_bus_token_fn token_fn;
    void *token_opaque;
    struct sl_metrics *metrics; /* the worker's registry (SOURCE_*, SNAPSHOT_*, KAFKA_PRODUCED_*
                                 * series of this connector); NULL: none */
};

struct sl_source_task;

/* Builds the converter and filters (no network yet). SL_ERR_CONF / SL_ERR_UNSUPPORTED with
 * errstr naming the key. conf and everything it points to must outlive the task. */
sl_err_t sl_source_task_new(const struct sl_source_task_conf *conf, struct sl_source_task **out,
                            char *errstr, size_t errstr_size);
/* Starts the task's thread. */
sl_err_t sl_source_task_start(struct sl_source_task *t, char *errstr, size_t errstr_size);
/* Asks the thread to drain and stop (returns at once). Thread: any. */
void sl_source_task_stop(struct sl_source_task *t);
/* Whether the thread has finished (stopped or failed). Thread: any. */
bool sl_source_task_done(struct sl_source_task *t);
/* Whether the thread ended on purpose and cleanly with nothing more to do: snapshot.mode=
 * initial_only after its snapshot (or with a completed one). The worker should then show the
 * connector as stopped, not failed. Thread: any. */
bool sl_source_task_finished(struct sl_source_task *t);
/* Waits for the thread; returns its result with errstr saying why it failed. */
sl_err_t sl_source_task_join(struct sl_source_task *t, char *errstr, size_t errstr_size);
void sl_source_task_free(struct sl_source_task *t);

#endif
