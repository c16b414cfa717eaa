/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka record -> DynamoDB item, as the Confluent DynamoDB sink 1.2 ItemConverter does
 * (dynamodb-sink.md §1.3-1.7), with numbers kept exact and deletes understood. Pure: no I/O,
 * no foreign types. */
#ifndef SL_SINK_ITEM_H
#define SL_SINK_ITEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/err.h"
#include "sink/value.h"

#define SL_SINK_NAME_MAX 256      /* attribute and table names, with the NUL */
#define SL_SINK_ITEM_MAX 409600   /* DynamoDB item size limit (400 KB) */
#define SL_SINK_HASH_KEY_MAX 2048 /* partition key value bytes */
#define SL_SINK_SORT_KEY_MAX 1024 /* sort key value bytes */

/* Converter of the record key or value (Kafka Connect key.converter / value.converter). */
typedef enum {
    SL_SINK_CONV_JSON = 0, /* org.apache.kafka.connect.json.JsonConverter */
    SL_SINK_CONV_STRING,   /* org.apache.kafka.connect.storage.StringConverter */
} sl_sink_conv_t;

struct sl_sink_conv {
    sl_sink_conv_t type;
    bool schemas_enable; /* JsonConverter schemas.enable: {"schema":..,"payload":..} */
};

/* What one aws.dynamodb.pk.hash / pk.sort reference names. */
typedef enum {
    SL_SINK_PK_NONE = 0, /* empty sort key: hash-only table */
    SL_SINK_PK_PARTITION,
    SL_SINK_PK_OFFSET,
    SL_SINK_PK_KEY,   /* the whole key, or a path inside it */
    SL_SINK_PK_VALUE, /* the whole value, or a path inside it */
} sl_sink_pk_t;

struct sl_sink_pk {
    sl_sink_pk_t kind;
    char path[SL_SINK_NAME_MAX]; /* "a.b" after "key."/"value."; "" = whole key/value */
    char name[SL_SINK_NAME_MAX]; /* attribute name: alias, last path segment, or kind */
};

/* Parses a reference with the Confluent grammar
 * (partition|offset|key(.seg)*|value(.seg)*)(:alias)?, seg and alias [A-Za-z0-9_.-]{1,255}
 * (Confluent omits the digit 0 by mistake; it is allowed here). "" is SL_SINK_PK_NONE, valid
 * only for the sort key (the caller checks). SL_ERR_CONF with errstr naming the text. */
sl_err_t sl_sink_pk_parse(const char *text, struct sl_sink_pk *pk, char *errstr,
                          size_t errstr_size);

/* Conversion settings; plain values, fill then pass by pointer. */
struct sl_sink_item_conf {
    struct sl_sink_pk hash;
    struct sl_sink_pk sort;
    char table_format[SL_SINK_NAME_MAX]; /* table.name.format, "${topic}" replaced */
    struct sl_sink_conv key_conv;
    struct sl_sink_conv value_conv;
    /* Tombstones, Debezium op "d" and "__deleted":"true" become deletes. Off: tombstones and
     * op "d" are skipped, "__deleted" rows are written like any row (Confluent). */
    bool delete_enabled;
    /* behavior.on.null.values=fail: a tombstone is a bad record. */
    bool null_fail;
    /* A Debezium envelope (object with "op", "after" and "source") writes "after". */
    bool unwrap_envelope;
    /* Confluent 1.2 writes "" as NULL:true (legacy); false keeps {"S":""}. */
    bool empty_string_null;
};

/* Fills conf with the Confluent defaults: hash "partition", sort "offset", "${topic}",
 * JsonConverter with schemas for key and value, deletes off, envelopes unwrapped, empty
 * strings as NULL. */
void sl_sink_item_conf_defaults(struct sl_sink_item_conf *conf);

/* One consumed Kafka record; every pointer is borrowed. key/value NULL = null (tombstone). */
struct sl_sink_rec {
    const char *topic;
    int32_t partition;
    int64_t offset;
    const void *key;
    size_t key_len;
    const void *value;
    size_t value_len;
};

struct sl_sink_scratch;

typedef enum {
    SL_SINK_OP_SKIP = 0, /* nothing to write (ignored tombstone / delete) */
    SL_SINK_OP_PUT,
    SL_SINK_OP_DELETE,
} sl_sink_op_t;

/* A converted record. Initialise with sl_sink_item_init, reuse across calls, release with
 * sl_sink_item_fini. Fields are readable; only item.c writes them. */
struct sl_sink_item {
    sl_sink_op_t op;
    char table[SL_SINK_NAME_MAX];
    struct sl_buf key;  /* DynamoDB JSON of the key attributes: {"A":{"N":"1"},...} */
    struct sl_buf item; /* PUT: the whole item in DynamoDB JSON; DELETE: empty */
    size_t size;        /* DynamoDB size of the item (PUT) or key (DELETE), bytes */
    char hash_type;     /* 'S', 'N' or 'B' */
    char sort_type;     /* same, or 0 without a sort key */
    /* PUT of a Debezium envelope update (op "u") with deletes enabled whose DynamoDB key
     * differs between "before" and "after" (e.g. the sort key column changed): the key of
     * the item the before image names, to be deleted before the new item is written so no
     * stale item stays behind. Empty otherwise. An unwrapped value (ExtractNewRecordState)
     * has no before image: the old item then stays, as with Confluent. */
    struct sl_buf old_key;
    size_t old_size;                 /* DynamoDB size of old_key */
    struct sl_sink_scratch *scratch; /* private to item.c: buffers reused between records */
};

void sl_sink_item_init(struct sl_sink_item *item);
void sl_sink_item_fini(struct sl_sink_item *item);

/* Converts rec. On SL_OK item->op says what to do. A bad record gives SL_ERR_INVALID and a
 * one-line reason in errstr fit for a DLQ header (e.g. "value is not valid JSON at byte 7:
 * unexpected '}'"; "hash key attribute ORDER_ID: value.ORDER_ID not found"). Thread: any. */
sl_err_t sl_sink_item_convert(const struct sl_sink_item_conf *conf, const struct sl_sink_rec *rec,
                              struct sl_sink_item *item, char *errstr, size_t errstr_size);

/* Table name for a topic: conf->table_format with every "${topic}" replaced. SL_ERR_INVALID
 * when the result is empty or not a valid DynamoDB table name (3-255 of [A-Za-z0-9_.-]). */
sl_err_t sl_sink_table_name(const char *format, const char *topic, char *out, size_t out_size,
                            char *errstr, size_t errstr_size);

#endif
