/* SPDX-License-Identifier: Apache-2.0 */
/* The sink's dead letter queue (KIP-298, errors.deadletterqueue.*): a record the sink cannot
 * write goes, with the reason, to a Kafka topic (Kafka mode, with Kafka Connect's
 * __connect.errors.* headers when context headers are on) or, in embedded mode, to a JSON
 * Lines file <dir>/<topic>.dlq.jsonl (one object per record: topic, partition, offset, key
 * and value as strings or base64, and the same headers). A send returns only once the record
 * is durable (Kafka acknowledged it / the file was fsync'ed), so the sink commits the
 * record's offset after its DLQ copy exists. */
#ifndef SL_RUNTIME_DLQ_H
#define SL_RUNTIME_DLQ_H

#include <stdbool.h>
#include <stddef.h>

#include "bus/kconf.h"
#include "bus/msg.h"
#include "core/err.h"

struct sl_dlq_conf {
    const char *connector; /* connector name (__connect.errors.connector.name) */
    const char *topic;     /* errors.deadletterqueue.topic.name */
    int replication;       /* errors.deadletterqueue.topic.replication.factor (-1: broker) */
    bool context_headers;  /* errors.deadletterqueue.context.headers.enable */
    const struct sl_kconf *kc; /* Kafka mode: producer settings; NULL: file mode */
    sl_bus_token_fn token_fn;  /* MSK IAM (kc->msk_iam); may be NULL otherwise */
    void *token_opaque;
    const char *dir;           /* file mode: directory of the file ("." when NULL) */
    int timeout_ms;            /* bound on one send (Kafka acknowledgement) */
};

/* What went wrong with one record. */
struct sl_dlq_error {
    int task;
    const char *stage;   /* Kafka Connect stage: "VALUE_CONVERTER", "TASK_PUT", ... */
    const char *exclass; /* exception class shown in the headers */
    const char *message; /* the reason */
};

struct sl_dlq;

/* Creates the queue (Kafka mode: a producer and, when missing, the topic with 1 partition).
 * NULL with errstr naming the topic or file. conf's strings must outlive the queue. */
struct sl_dlq *sl_dlq_new(const struct sl_dlq_conf *conf, char *errstr, size_t errstr_size);
void sl_dlq_free(struct sl_dlq *d);

/* Writes a copy of the original record with the error and waits until it is durable.
 * SL_ERR_UPSTREAM / SL_ERR_IO / SL_ERR_AGAIN (timeout) with errstr; the caller then fails the
 * task, as Kafka Connect does when its DLQ producer fails. Thread: the owning sink thread. */
sl_err_t sl_dlq_send(struct sl_dlq *d, const struct sl_bus_msg *orig, const struct sl_dlq_error *e,
                     char *errstr, size_t errstr_size);

/* Records written so far. */
unsigned long long sl_dlq_count(const struct sl_dlq *d);

#endif
