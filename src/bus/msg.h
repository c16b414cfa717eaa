/* SPDX-License-Identifier: Apache-2.0 */
/* The message shape shared by the Kafka producer and consumer and the local in-process bus:
 * topic, partition, key, value, headers, timestamp, offset. Fields are borrowed views; who owns
 * the bytes is stated by the function that hands a message out. */
#ifndef SL_BUS_MSG_H
#define SL_BUS_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

/* Partition value meaning "choose by key" (Kafka's default partitioner). */
#define SL_BUS_PARTITION_ANY (-1)

struct sl_bus_header {
    const char *name;  /* NUL-terminated */
    const void *value; /* NULL for a null header value */
    size_t value_len;
};

struct sl_bus_msg {
    const char *topic; /* NUL-terminated */
    int32_t partition; /* SL_BUS_PARTITION_ANY when producing by key */
    int64_t offset;    /* set on consumed messages; -1 otherwise */
    const void *key;   /* NULL for a null key */
    size_t key_len;
    const void *value; /* NULL for a tombstone */
    size_t value_len;
    const struct sl_bus_header *headers;
    size_t header_cnt;
    int64_t timestamp_ms; /* 0 = now (producer) / unknown (consumer) */
};

/* A key/value setting in the order it was written (a .properties file or a JSON config map).
 * Both strings are borrowed. */
struct sl_kv {
    const char *key;
    const char *value;
};

#endif
