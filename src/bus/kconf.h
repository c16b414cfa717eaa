/* SPDX-License-Identifier: Apache-2.0 */
/* Maps Java Kafka client settings (as written in a Kafka Connect worker file, with producer.* /
 * consumer.* overrides) to librdkafka properties. Names that differ are renamed, names librdkafka
 * shares are passed through, Java-only settings are either translated (sasl.jaas.config, PEM
 * stores, MSK IAM) or rejected with a reason; nothing is silently dropped. Secrets (passwords,
 * JAAS text, private keys) never appear in errors or notes. */
#ifndef SL_BUS_KCONF_H
#define SL_BUS_KCONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus/msg.h"
#include "core/err.h"

typedef enum {
    SL_KCONF_PRODUCER = 1,
    SL_KCONF_CONSUMER = 2,
    SL_KCONF_ADMIN = 4,
} sl_kconf_role_t;

/* Builds an MSK IAM OAUTHBEARER token (aws-auth.md §4.3) into tok (NUL-terminated), sets
 * *expiry_ms to the absolute wall-clock expiry in ms since the epoch. On failure fills errstr
 * (no secrets) and returns an error; librdkafka then retries in 10 s keeping the old token.
 * Thread: a librdkafka background thread (the SASL queue). */
typedef sl_err_t (*sl_bus_token_fn)(char *tok, size_t tok_size, int64_t *expiry_ms, char *errstr,
                                    size_t errstr_size, void *opaque);

/* One librdkafka property produced by the mapping. */
struct sl_kconf_prop {
    char *name; /* librdkafka name */
    char *value;
    char *from;  /* the user's key it came from, e.g. "producer.max.request.size" */
    bool secret; /* value must never be logged */
};

#define SL_KCONF_MAX_PROPS 128
/* Size of the buffer handed to sl_bus_token_fn (the AWS builder needs up to 16 KiB). */
#define SL_KCONF_TOKEN_MAX 16384
#define SL_KCONF_MAX_NOTES 32

/* The result of a mapping. Fields are readable; only kconf.c writes them. */
struct sl_kconf {
    sl_kconf_role_t role;
    struct sl_kconf_prop props[SL_KCONF_MAX_PROPS]; /* applied in order; later wins */
    size_t prop_cnt;
    char *notes[SL_KCONF_MAX_NOTES]; /* "key: why it has no effect" (INFO-level log lines) */
    size_t note_cnt;
    bool msk_iam;             /* AWS_MSK_IAM: needs a token provider (sl_bus_token_fn) */
    char *iam_profile;        /* IAMLoginModule awsProfileName, or NULL */
    char *iam_role_arn;       /* awsRoleArn, or NULL */
    char *iam_role_session;   /* awsRoleSessionName, or NULL */
    char *iam_sts_region;     /* awsStsRegion, or NULL */
    int64_t max_poll_records; /* consumer batch bound (Java max.poll.records, default 500) */
};

void sl_kconf_init(struct sl_kconf *kc, sl_kconf_role_t role);
void sl_kconf_fini(struct sl_kconf *kc);

/* Maps Java client settings, in order, on top of the role's defaults (producer: acks=all,
 * enable.idempotence=true, partitioner=murmur2_random, message.timeout.ms=0 as Connect's
 * infinite delivery.timeout.ms; consumer: enable.auto.commit=false, auto.offset.reset=earliest).
 * Keys are Java names without a role prefix; `kafka.<librdkafka name>` is passed verbatim.
 * Errors name the key (never the value of a secret) and say what to do. */
sl_err_t sl_kconf_add(struct sl_kconf *kc, const struct sl_kv *kvs, size_t n, char *errstr,
                      size_t errstr_size);

/* Maps a Kafka Connect worker configuration for one role: top-level client settings (the keys
 * Sluice knows as Java client keys; other top-level keys belong to the worker and are left
 * alone), then `producer.`/`consumer.` (and `admin.`) prefixed keys on top, stripped of the
 * prefix. Top-level group.id is the Connect cluster's group and is not used for consumers. */
sl_err_t sl_kconf_from_worker(struct sl_kconf *kc, const struct sl_kv *kvs, size_t n, char *errstr,
                              size_t errstr_size);

/* Last value of a librdkafka property in kc, or NULL. */
const char *sl_kconf_get(const struct sl_kconf *kc, const char *name);

/* The AWS region of an MSK cluster from its bootstrap host names
 * (b-1.x.y.c2.kafka.<region>.amazonaws.com or ...kafka-serverless.<region>.amazonaws.com), for
 * the token provider. SL_ERR_NOTFOUND when the names are not MSK's (set the region explicitly). */
sl_err_t sl_kconf_msk_region(const struct sl_kconf *kc, char *region, size_t region_size);

/* Sets (appends) a librdkafka property directly, e.g. the consumer's group.id. */
void sl_kconf_set(struct sl_kconf *kc, const char *name, const char *value, const char *from);

/* Applies every property to a fresh librdkafka configuration to validate it; librdkafka's
 * complaint becomes an error naming the user's key. */
sl_err_t sl_kconf_check(const struct sl_kconf *kc, char *errstr, size_t errstr_size);

/* The token provider of a client. Bus-internal: a client's librdkafka opaque points at a struct
 * whose first member is this, so the refresh callback can find it. */
struct sl_kconf_token {
    sl_bus_token_fn fn;
    void *opaque;
};

/* Bus-internal: builds a librdkafka rd_kafka_conf_t (returned as void * so that no foreign type
 * appears here) with every property applied, its opaque set to tok (the first member of the
 * client's own struct) and, for MSK IAM, the token refresh callback and SASL queue enabled.
 * NULL with errstr on failure (also when MSK IAM is on and tok->fn is NULL). */
void *sl_kconf_rd_new(const struct sl_kconf *kc, struct sl_kconf_token *tok, char *errstr,
                      size_t errstr_size);

/* Bus-internal: called with the new rd_kafka_t (as void *) right after rd_kafka_new, to start
 * background token refresh for MSK IAM. */
sl_err_t sl_kconf_rd_started(const struct sl_kconf *kc, void *rk, char *errstr, size_t errstr_size);

#endif
