/* SPDX-License-Identifier: Apache-2.0 */
/* Dead letter queue of the sink: produces a failed record's copy with Kafka Connect's
 * __connect.errors.* headers and waits for the broker's acknowledgement (Kafka mode), or
 * appends it as one JSON line to a file and fsyncs (embedded mode, where the local bus has
 * no consumer for it and unacknowledged records there would hold back source offsets). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bus/producer.h"
#include "core/buf.h"
#include "core/json.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/time.h"
#include "runtime/dlq.h"

#define FAC "dlq"
#define NHDR 10

struct sl_dlq {
    struct sl_dlq_conf conf;
    struct sl_producer *prod;
    int fd;
    char path[1024];
    unsigned long long count;
};

struct sl_dlq *sl_dlq_new(const struct sl_dlq_conf *conf, char *errstr, size_t errstr_size)
{
    struct sl_dlq *d = sl_xcalloc(1, sizeof(*d));
    d->conf = *conf;
    d->fd = -1;
    if (d->conf.timeout_ms <= 0)
        d->conf.timeout_ms = 30000;
    if (conf->kc) {
        char why[512];
        d->prod = sl_producer_new(conf->kc, 1024, conf->token_fn, conf->token_opaque, why,
                                  sizeof(why));
        if (!d->prod) {
            snprintf(errstr, errstr_size, "errors.deadletterqueue.topic.name=%s: %s", conf->topic,
                     why);
            sl_free(d);
            return NULL;
        }
        sl_err_t err = sl_producer_topic_create(d->prod, conf->topic, 1, conf->replication,
                                                d->conf.timeout_ms, why, sizeof(why));
        if (err)
            sl_log(SL_LOG_WARN, FAC, "%s: cannot create dead letter queue topic %s (%s); "
                   "relying on the broker to create it", conf->connector, conf->topic, why);
        return d;
    }
    snprintf(d->path, sizeof(d->path), "%s/%s.dlq.jsonl", conf->dir ? conf->dir : ".",
             conf->topic);
    d->fd = open(d->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (d->fd < 0) {
        snprintf(errstr, errstr_size, "errors.deadletterqueue.topic.name: cannot open %s: %s",
                 d->path, strerror(errno));
        sl_free(d);
        return NULL;
    }
    sl_log(SL_LOG_INFO, FAC, "%s: dead letter queue file %s", conf->connector, d->path);
    return d;
}

void sl_dlq_free(struct sl_dlq *d)
{
    if (!d)
        return;
    sl_producer_free(d->prod, d->conf.timeout_ms);
    if (d->fd >= 0)
        close(d->fd);
    sl_free(d);
}

unsigned long long sl_dlq_count(const struct sl_dlq *d)
{
    return d->count;
}

/* Kafka Connect's DeadLetterQueueReporter header set; values are UTF-8 strings. */
static size_t headers(const struct sl_dlq *d, const struct sl_bus_msg *orig,
                      const struct sl_dlq_error *e, struct sl_bus_header *h, char nums[3][32])
{
    snprintf(nums[0], sizeof(nums[0]), "%d", (int)orig->partition);
    snprintf(nums[1], sizeof(nums[1]), "%lld", (long long)orig->offset);
    snprintf(nums[2], sizeof(nums[2]), "%d", e->task);
    const char *vals[NHDR][2] = {
        {"__connect.errors.topic", orig->topic},
        {"__connect.errors.partition", nums[0]},
        {"__connect.errors.offset", nums[1]},
        {"__connect.errors.connector.name", d->conf.connector},
        {"__connect.errors.task.id", nums[2]},
        {"__connect.errors.stage", e->stage},
        {"__connect.errors.class.name", "io.confluent.connect.aws.dynamodb.DynamoDbSinkTask"},
        {"__connect.errors.exception.class.name", e->exclass},
        {"__connect.errors.exception.message", e->message},
        {"__connect.errors.exception.stacktrace", e->message},
    };
    for (size_t i = 0; i < NHDR; i++) {
        h[i].name = vals[i][0];
        h[i].value = vals[i][1];
        h[i].value_len = strlen(vals[i][1]);
    }
    return NHDR;
}

static sl_err_t send_kafka(struct sl_dlq *d, const struct sl_bus_msg *copy, char *errstr,
                           size_t errstr_size)
{
    uint64_t seq = 0;
    int64_t deadline = sl_time_mono_ms() + d->conf.timeout_ms;
    sl_err_t err;
    for (;;) {
        err = sl_producer_send(d->prod, copy, &seq, errstr, errstr_size);
        if (err != SL_ERR_AGAIN)
            break;
        if (sl_time_mono_ms() > deadline)
            break;
        sl_producer_poll(d->prod, 50);
    }
    if (err)
        return err;
    while (sl_producer_acked(d->prod) < seq) {
        err = sl_producer_error(d->prod, errstr, errstr_size);
        if (err)
            return err;
        if (sl_time_mono_ms() > deadline) {
            snprintf(errstr, errstr_size, "%s: not acknowledged within %d ms", d->conf.topic,
                     d->conf.timeout_ms);
            return SL_ERR_AGAIN;
        }
        sl_producer_poll(d->prod, 50);
    }
    return sl_producer_error(d->prod, errstr, errstr_size);
}

static sl_err_t add_bytes(struct sl_buf *buf, const char *name, const void *p, size_t len)
{
    sl_err_t err = sl_buf_addf(buf, ",\"%s\":", name);
    if (err)
        return err;
    if (!p)
        return sl_buf_addstr(buf, "null");
    /* Text as it is; anything with a NUL byte as base64. */
    if (!memchr(p, '\0', len))
        return sl_json_str(buf, p, len);
    err = sl_buf_addf(buf, "{\"base64\":\"");
    if (!err)
        err = sl_base64_add(buf, p, len);
    if (!err)
        err = sl_buf_addstr(buf, "\"}");
    return err;
}

static sl_err_t send_file(struct sl_dlq *d, const struct sl_bus_msg *copy, char *errstr,
                          size_t errstr_size)
{
    struct sl_buf buf;
    sl_buf_init(&buf, (size_t)64 << 20);
    sl_err_t err = sl_buf_addstr(&buf, "{\"topic\":");
    if (!err)
        err = sl_json_str(&buf, d->conf.topic, strlen(d->conf.topic));
    if (!err)
        err = add_bytes(&buf, "key", copy->key, copy->key_len);
    if (!err)
        err = add_bytes(&buf, "value", copy->value, copy->value_len);
    if (!err)
        err = sl_buf_addstr(&buf, ",\"headers\":{");
    for (size_t i = 0; i < copy->header_cnt && !err; i++) {
        err = sl_buf_addstr(&buf, i ? "," : "");
        if (!err)
            err = sl_json_str(&buf, copy->headers[i].name, strlen(copy->headers[i].name));
        if (!err)
            err = sl_buf_addch(&buf, ':');
        if (!err)
            err = sl_json_str(&buf, copy->headers[i].value, copy->headers[i].value_len);
    }
    if (!err)
        err = sl_buf_addstr(&buf, "}}\n");
    if (err) {
        snprintf(errstr, errstr_size, "%s: record too large for the dead letter queue file",
                 d->path);
        goto out;
    }
    size_t off = 0;
    while (off < buf.len) {
        ssize_t n = write(d->fd, buf.data + off, buf.len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(errstr, errstr_size, "%s: %s", d->path, strerror(errno));
            err = SL_ERR_IO;
            goto out;
        }
        off += (size_t)n;
    }
    if (fsync(d->fd) != 0) {
        snprintf(errstr, errstr_size, "%s: fsync: %s", d->path, strerror(errno));
        err = SL_ERR_IO;
    }
out:
    sl_buf_fini(&buf);
    return err;
}

sl_err_t sl_dlq_send(struct sl_dlq *d, const struct sl_bus_msg *orig, const struct sl_dlq_error *e,
                     char *errstr, size_t errstr_size)
{
    struct sl_bus_header h[NHDR];
    char nums[3][32];
    struct sl_bus_msg copy = *orig;
    copy.topic = d->conf.topic;
    copy.partition = SL_BUS_PARTITION_ANY;
    copy.offset = -1;
    copy.headers = NULL;
    copy.header_cnt = 0;
    if (d->conf.context_headers || !d->prod) {
        /* The file has nothing else to say why, so it always carries the context. */
        copy.header_cnt = headers(d, orig, e, h, nums);
        copy.headers = h;
    }
    sl_err_t err = d->prod ? send_kafka(d, &copy, errstr, errstr_size)
                           : send_file(d, &copy, errstr, errstr_size);
    if (!err)
        d->count++;
    return err;
}
