/* SPDX-License-Identifier: Apache-2.0 */
/* Fault-injecting HTTP proxy for DynamoDB tests (HOUSE_STYLE §12 "faults/"): listens on
 * 127.0.0.1, forwards AWS JSON requests to an upstream (dynalite) and, at configured rates,
 * answers with throttling errors, 500/503 (before or after the upstream applied the request),
 * drops the connection (before or after forwarding), delays replies, or forwards only part of
 * a BatchWriteItem and returns the rest as UnprocessedItems, as DynamoDB does.
 * A test includes proxy.c directly (tests are single files). Thread: one thread per client
 * connection plus an acceptor; counters are atomic. */
#ifndef SL_TEST_FAULT_PROXY_H
#define SL_TEST_FAULT_PROXY_H

#include <stdint.h>

/* Rates in per-mille of requests; checked in this order, first match wins. */
struct sl_fault_rates {
    int throttle;     /* 400 ProvisionedThroughputExceededException, not forwarded */
    int err500;       /* 500 InternalServerError, not forwarded */
    int err503;       /* 503 ServiceUnavailable, not forwarded */
    int err500_after; /* forwarded (applied), then 500 */
    int drop_before;  /* connection closed without forwarding */
    int drop_after;   /* forwarded (applied), then connection closed */
    int unprocessed;  /* BatchWriteItem: a random part forwarded, the rest UnprocessedItems */
    int slow;         /* reply delayed by slow_ms */
    int slow_ms;
};

enum {
    SL_FAULT_THROTTLE,
    SL_FAULT_500,
    SL_FAULT_503,
    SL_FAULT_500_AFTER,
    SL_FAULT_DROP_BEFORE,
    SL_FAULT_DROP_AFTER,
    SL_FAULT_UNPROCESSED,
    SL_FAULT_SLOW,
    SL_FAULT_FORWARDED, /* requests that reached the upstream */
    SL_FAULT__COUNT
};

struct sl_fault_proxy;

/* Starts the proxy in front of upstream ("http://127.0.0.1:PORT"); *port gets its port.
 * NULL on failure. */
struct sl_fault_proxy *sl_fault_proxy_start(const char *upstream,
                                            const struct sl_fault_rates *rates, unsigned seed,
                                            int *port);
/* Changes the rates (e.g. to none for a final read-back). */
void sl_fault_proxy_set_rates(struct sl_fault_proxy *px, const struct sl_fault_rates *rates);
/* How many times each fault happened. */
uint64_t sl_fault_proxy_count(struct sl_fault_proxy *px, int fault);
void sl_fault_proxy_stop(struct sl_fault_proxy *px);

#endif
