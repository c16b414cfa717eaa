/* SPDX-License-Identifier: Apache-2.0 */
/* DynamoDB sink task: placeholder until the consumer -> writer loop lands; refuses to start
 * with a clear message so a configuration naming the sink fails fast instead of silently
 * leaving records unwritten. */
#include <stdio.h>

#include "core/mem.h"
#include "runtime/sink_task.h"

struct sl_sink_task {
    struct sl_sink_task_conf conf;
};

sl_err_t sl_sink_task_new(const struct sl_sink_task_conf *conf, struct sl_sink_task **out,
                          char *errstr, size_t errstr_size)
{
    (void)out;
    snprintf(errstr, errstr_size,
             "connector '%s': the DynamoDB sink is not available in "
             "`sluice standalone` yet",
             conf->name);
    return SL_ERR_UNSUPPORTED;
}

sl_err_t sl_sink_task_start(struct sl_sink_task *t, char *errstr, size_t errstr_size)
{
    (void)t;
    snprintf(errstr, errstr_size, "the DynamoDB sink is not available yet");
    return SL_ERR_UNSUPPORTED;
}

void sl_sink_task_stop(struct sl_sink_task *t)
{
    (void)t;
}

bool sl_sink_task_done(struct sl_sink_task *t)
{
    (void)t;
    return true;
}

sl_err_t sl_sink_task_join(struct sl_sink_task *t, char *errstr, size_t errstr_size)
{
    (void)t;
    (void)errstr;
    (void)errstr_size;
    return SL_OK;
}

void sl_sink_task_free(struct sl_sink_task *t)
{
    sl_free(t);
}
