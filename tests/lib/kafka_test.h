/* SPDX-License-Identifier: Apache-2.0 */
/* Kafka helpers for integration tests (header-only: testlib links only sl_core). */
#ifndef SL_TEST_KAFKA_TEST_H
#define SL_TEST_KAFKA_TEST_H

#include <stddef.h>

#include "bus/consumer.h"
#include "bus/kconf.h"

/* A consumer of the mock cluster at boot in group, subscribed to topics (none: it only reads
 * the group's committed offsets). fetch.max.wait.ms=50 so records show up promptly. NULL with
 * why set on failure. */
static inline struct sl_consumer *sl_test_kafka_consumer(const char *boot, const char *group,
                                                         const char *const *topics, size_t ntopics,
                                                         char *why, size_t why_size)
{
    struct sl_kconf kc;
    sl_kconf_init(&kc, SL_KCONF_CONSUMER);
    struct sl_kv kv[] = {{"bootstrap.servers", boot}, {"fetch.max.wait.ms", "50"}};
    struct sl_consumer *cons = NULL;
    if (sl_kconf_add(&kc, kv, 2, why, why_size) == SL_OK)
        cons = sl_consumer_new(&kc, group, NULL, NULL, NULL, NULL, why, why_size);
    sl_kconf_fini(&kc);
    if (cons && ntopics && sl_consumer_subscribe(cons, topics, ntopics, why, why_size) != SL_OK) {
        sl_consumer_free(cons);
        cons = NULL;
    }
    return cons;
}

#endif
