/* SPDX-License-Identifier: Apache-2.0 */
/* Thin wrapper over rdkafka_mock.h; see mock.h. The cluster needs a librdkafka handle to own
 * its threads, so an idle producer handle is created for it. */
#include "bus/mock.h"

#include <stdio.h>
#include <string.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/mem.h"

struct sl_mock {
    rd_kafka_t *rk;
    rd_kafka_mock_cluster_t *mcluster;
};

struct sl_mock *sl_mock_new(int brokers, char *errstr, size_t errstr_size)
{
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char rderr[512];
    rd_kafka_conf_set(conf, "log_level", "3", rderr, sizeof(rderr));
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, rderr, sizeof(rderr));
    if (!rk) {
        rd_kafka_conf_destroy(conf);
        snprintf(errstr, errstr_size, "mock cluster: %s", rderr);
        return NULL;
    }
    rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
    if (!mcluster) {
        rd_kafka_destroy(rk);
        snprintf(errstr, errstr_size, "mock cluster: cannot start %d broker(s)", brokers);
        return NULL;
    }
    struct sl_mock *mock = sl_xcalloc(1, sizeof(*mock));
    mock->rk = rk;
    mock->mcluster = mcluster;
    return mock;
}

void sl_mock_free(struct sl_mock *mock)
{
    if (!mock)
        return;
    rd_kafka_mock_cluster_destroy(mock->mcluster);
    rd_kafka_destroy(mock->rk);
    sl_free(mock);
}

const char *sl_mock_bootstraps(const struct sl_mock *mock)
{
    return rd_kafka_mock_cluster_bootstraps(mock->mcluster);
}

sl_err_t sl_mock_topic_create(struct sl_mock *mock, const char *topic, int partitions,
                              int replication, char *errstr, size_t errstr_size)
{
    rd_kafka_resp_err_t rerr =
        rd_kafka_mock_topic_create(mock->mcluster, topic, partitions, replication);
    if (rerr) {
        snprintf(errstr, errstr_size, "mock topic %s: %s", topic, rd_kafka_err2str(rerr));
        return SL_ERR_INVALID;
    }
    return SL_OK;
}

void sl_mock_push_errors(struct sl_mock *mock, int16_t api_key, size_t cnt, int kafka_err)
{
    rd_kafka_resp_err_t *errs = sl_xcalloc(cnt ? cnt : 1, sizeof(*errs));
    for (size_t i = 0; i < cnt; i++)
        errs[i] = (rd_kafka_resp_err_t)kafka_err;
    rd_kafka_mock_push_request_errors_array(mock->mcluster, api_key, cnt, errs);
    sl_free(errs);
}

void sl_mock_clear_errors(struct sl_mock *mock, int16_t api_key)
{
    rd_kafka_mock_clear_request_errors(mock->mcluster, api_key);
}

sl_err_t sl_mock_broker_down(struct sl_mock *mock, int32_t broker_id)
{
    return rd_kafka_mock_broker_set_down(mock->mcluster, broker_id) ? SL_ERR_INVALID : SL_OK;
}

sl_err_t sl_mock_broker_up(struct sl_mock *mock, int32_t broker_id)
{
    return rd_kafka_mock_broker_set_up(mock->mcluster, broker_id) ? SL_ERR_INVALID : SL_OK;
}

sl_err_t sl_mock_broker_rtt(struct sl_mock *mock, int32_t broker_id, int rtt_ms)
{
    return rd_kafka_mock_broker_set_rtt(mock->mcluster, broker_id, rtt_ms) ? SL_ERR_INVALID : SL_OK;
}

sl_err_t sl_mock_broker_push_errors(struct sl_mock *mock, int32_t broker_id, int16_t api_key,
                                    size_t cnt, int kafka_err, int rtt_ms)
{
    for (size_t i = 0; i < cnt; i++) {
        if (rd_kafka_mock_broker_push_request_error_rtts(mock->mcluster, broker_id, api_key, 1,
                                                         (rd_kafka_resp_err_t)kafka_err, rtt_ms))
            return SL_ERR_INVALID;
    }
    return SL_OK;
}

sl_err_t sl_mock_broker_errors_left(struct sl_mock *mock, int32_t broker_id, int16_t api_key,
                                    size_t *cnt)
{
    return rd_kafka_mock_broker_error_stack_cnt(mock->mcluster, broker_id, api_key, cnt)
               ? SL_ERR_INVALID
               : SL_OK;
}

sl_err_t sl_mock_partition_leader(struct sl_mock *mock, const char *topic, int32_t partition,
                                  int32_t broker_id)
{
    return rd_kafka_mock_partition_set_leader(mock->mcluster, topic, partition, broker_id)
               ? SL_ERR_INVALID
               : SL_OK;
}
