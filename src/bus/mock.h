/* SPDX-License-Identifier: Apache-2.0 */
/* librdkafka's in-process mock Kafka cluster, for tests and `sluice dev-kafka`: N brokers on
 * 127.0.0.1 with a bootstrap string, topic creation, and fault injection (request errors,
 * brokers down, latency). The mock auto-creates unknown topics when produced to or asked for
 * in metadata (with its default partition count), unlike MSK. */
#ifndef SL_BUS_MOCK_H
#define SL_BUS_MOCK_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

struct sl_mock;

/* Kafka protocol API keys used with sl_mock_push_errors. */
#define SL_MOCK_API_PRODUCE 0
#define SL_MOCK_API_FETCH 1
#define SL_MOCK_API_OFFSET_COMMIT 8
#define SL_MOCK_API_OFFSET_FETCH 9
#define SL_MOCK_API_FIND_COORDINATOR 10
#define SL_MOCK_API_JOIN_GROUP 11
#define SL_MOCK_API_HEARTBEAT 12
#define SL_MOCK_API_SYNC_GROUP 14
#define SL_MOCK_API_INIT_PRODUCER_ID 22

/* Kafka protocol error codes useful for injection. */
#define SL_MOCK_ERR_NOT_LEADER 6
#define SL_MOCK_ERR_REQUEST_TIMED_OUT 7
#define SL_MOCK_ERR_NOT_ENOUGH_REPLICAS 19
#define SL_MOCK_ERR_COORDINATOR_NOT_AVAILABLE 15
#define SL_MOCK_ERR_NOT_COORDINATOR 16

/* Starts a mock cluster with brokers >= 1. NULL with errstr. */
struct sl_mock *sl_mock_new(int brokers, char *errstr, size_t errstr_size);
/* Stops the cluster. NULL-safe. */
void sl_mock_free(struct sl_mock *mock);
/* "127.0.0.1:port,..." (borrowed, valid while the cluster lives). */
const char *sl_mock_bootstraps(const struct sl_mock *mock);
sl_err_t sl_mock_topic_create(struct sl_mock *mock, const char *topic, int partitions,
                              int replication, char *errstr, size_t errstr_size);
/* Makes broker_id the leader of topic/partition. */
sl_err_t sl_mock_partition_leader(struct sl_mock *mock, const char *topic, int32_t partition,
                                  int32_t broker_id);
/* The next cnt requests of api_key (any broker) fail with kafka_err, one each. */
void sl_mock_push_errors(struct sl_mock *mock, int16_t api_key, size_t cnt, int kafka_err);
void sl_mock_clear_errors(struct sl_mock *mock, int16_t api_key);
/* The next cnt requests of api_key to broker_id fail with kafka_err (after rtt_ms latency). */
sl_err_t sl_mock_broker_push_errors(struct sl_mock *mock, int32_t broker_id, int16_t api_key,
                                    size_t cnt, int kafka_err, int rtt_ms);
/* How many injected errors of api_key broker_id has not yet returned. */
sl_err_t sl_mock_broker_errors_left(struct sl_mock *mock, int32_t broker_id, int16_t api_key,
                                    size_t *cnt);
/* Takes broker_id (1..brokers) down or back up. */
sl_err_t sl_mock_broker_down(struct sl_mock *mock, int32_t broker_id);
sl_err_t sl_mock_broker_up(struct sl_mock *mock, int32_t broker_id);
/* Adds rtt_ms of latency to every reply of broker_id. */
sl_err_t sl_mock_broker_rtt(struct sl_mock *mock, int32_t broker_id, int rtt_ms);

#endif
