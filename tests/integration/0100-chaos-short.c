/* SPDX-License-Identifier: Apache-2.0 */
/* The short chaos run (tests/chaos/chaos.h): the whole pipeline, first in embedded mode, then
 * in Kafka mode through the mock cluster in this process, each under a mixed insert/update/
 * delete load from three writers plus one large transaction (50,000 rows in embedded mode;
 * 20,000 in Kafka mode, SL_CHAOS_KAFKA_BIG_ROWS, since the mock keeps only 5 MiB per
 * partition) while sluice is SIGKILLed and restarted, MariaDB stopped and started, the
 * source's MySQL connections cut and stalled,
 * DynamoDB throttles, fails and drops requests, and (Kafka mode) the broker goes down and
 * answers with errors. After the load DynamoDB must equal MySQL row by row (inserts, updates
 * and deletes all applied, nothing lost, nothing stale); the summary prints the figures.
 * SL_CHAOS_SECONDS, SL_CHAOS_BIG_ROWS, SL_CHAOS_WRITERS, SL_CHAOS_KEYS, SL_CHAOS_PACE_MS,
 * SL_CHAOS_SEED, SL_CHAOS_CATCHUP_SECONDS, SL_CHAOS_FAULTS (kill,db,cut,stall,ddb,kdown,kerr)
 * and SL_CHAOS_MODES (embedded,kafka) override the short defaults; tests/chaos/run-long.sh
 * uses them for long runs. */
#include "../chaos/chaos.h"

int main(void)
{
    if (!getenv("SLUICE_BIN")) {
        fprintf(stderr, "SLUICE_BIN is not set (run through ctest)\n");
        return 1;
    }
    mysql_library_init(0, NULL, NULL);
    const char *modes = getenv("SL_CHAOS_MODES");
    if (!modes || !*modes)
        modes = "embedded,kafka";
    struct chaos_opts o = {.seconds = 40,
                           .writers = 3,
                           .keys = 3000,
                           .big_rows = 50000,
                           .catchup_s = 150,
                           .pace_ms = 12};
    o.seed = (unsigned)time(NULL);
    chaos_opts_from_env(&o);
    int failures = 0;
    if (strstr(modes, "embedded")) {
        o.kafka = false;
        failures += chaos_run(&o);
    }
    if (strstr(modes, "kafka")) {
        o.kafka = true;
        o.seed += 1;
        /* The mock cluster keeps 5 MiB per partition (see chaos.h): a smaller transaction. */
        const char *v = getenv("SL_CHAOS_KAFKA_BIG_ROWS");
        int kbig = v && *v ? (int)strtol(v, NULL, 10) : 20000;
        if (o.big_rows > kbig)
            o.big_rows = kbig;
        failures += chaos_run(&o);
    }
    mysql_library_end();
    printf("%s: %d failure(s)\n", failures ? "FAIL" : "ok", failures);
    return failures ? 1 : 0;
}
