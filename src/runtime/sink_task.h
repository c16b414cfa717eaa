/* SPDX-License-Identifier: Apache-2.0 */
/* The DynamoDB sink task: tasks.max consumer threads reading the connector's topics (a Kafka
 * consumer group "connect-<name>", or the local bus in embedded mode), writing records to
 * DynamoDB through the sink writer, and committing Kafka offsets / acknowledging local-bus
 * records only after DynamoDB accepted every earlier record of the partition. Bad records
 * follow errors.tolerance (KIP-298): none fails the task naming topic, partition, offset and
 * reason; all logs them (errors.log.enable) and sends them to the dead letter queue (see
 * runtime/dlq.h) before their offset is committed. */
#ifndef SL_RUNTIME_SINK_TASK_H
#define SL_RUNTIME_SINK_TASK_H

#include <stdbool.h>
#include <stddef.h>

#include "bus/kconf.h"
#include "bus/local.h"
#include "runtime/metrics.h"
#include "conf/ddb_sink.h"
#include "conf/worker.h"
#include "core/err.h"

struct sl_sink_task_conf {
    const char *name; /* connector name (consumer group connect-<name>) */
    const struct sl_worker_conf *worker;
    const struct sl_ddb_sink_conf *sink;
    const struct sl_kconf *kc; /* Kafka mode: consumer settings; NULL in embedded mode */
    struct sl_local *local;    /* embedded mode: the local bus */
    struct sl_metrics *metrics; /* may be NULL */
    /* MSK IAM (kc->msk_iam): token provider for the consumer and the DLQ producer. */
    sl_bus_token_fn token_fn;
    void *token_opaque;
    /* Dead letter queue (errors.tolerance=all and errors.deadletterqueue.topic.name set):
     * Kafka mode produces with dlq_kc (producer settings); embedded mode appends to
     * <dlq_dir>/<topic>.dlq.jsonl. */
    const struct sl_kconf *dlq_kc;
    const char *dlq_dir;
};

struct sl_sink_task;

/* Validates the configuration (no network yet). SL_ERR_CONF / SL_ERR_UNSUPPORTED with errstr
 * naming the key. conf and everything it points to must outlive the task. */
sl_err_t sl_sink_task_new(const struct sl_sink_task_conf *conf, struct sl_sink_task **out,
                          char *errstr, size_t errstr_size);
/* Starts the task's threads (tasks.max). */
sl_err_t sl_sink_task_start(struct sl_sink_task *t, char *errstr, size_t errstr_size);
/* Asks the threads to flush, commit and stop (returns at once). Thread: any. */
void sl_sink_task_stop(struct sl_sink_task *t);
/* Paused threads stop taking records (from the local bus, or from Kafka: they stop polling,
 * so a pause longer than max.poll.interval.ms costs a rebalance on resume) but finish what
 * DynamoDB has in flight, commit it and keep their state; resume continues where they
 * were. Thread: any. */
void sl_sink_task_pause(struct sl_sink_task *t, bool paused);
/* Whether any thread has finished (stopped or failed). Thread: any. */
bool sl_sink_task_done(struct sl_sink_task *t);
/* Waits for the threads; returns the first failure with errstr saying why. */
sl_err_t sl_sink_task_join(struct sl_sink_task *t, char *errstr, size_t errstr_size);
void sl_sink_task_free(struct sl_sink_task *t);

#endif
