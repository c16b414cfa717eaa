/* SPDX-License-Identifier: Apache-2.0 */
/* Memory stays bounded under a large transaction (ARCHITECTURE invariant 4): one 200,000-row
 * INSERT transaction (about 38 MB of row images) goes through `sluice standalone` in embedded
 * mode into dynalite, which writes far slower than the binlog arrives, so the source must wait
 * for the sink (backpressure) instead of buffering the transaction. The peak resident size of
 * the sluice process (VmHWM in /proc/PID/status, sampled until every row is in DynamoDB) must
 * stay under SL_MEM_BOUND_MB (default 256 MB); the rows must all arrive, equal to MySQL.
 * SL_MEM_ROWS overrides the row count. Uses the chaos engine's setup (tests/chaos/chaos.h)
 * with no faults. */
#include "../chaos/chaos.h"

static long status_kb(pid_t pid, const char *field)
{
    char path[64];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    char *text = sl_test_read_file(path, NULL);
    long kb = -1;
    const char *p = text ? strstr(text, field) : NULL;
    if (p)
        kb = strtol(p + strlen(field) + 1, NULL, 10);
    free(text);
    return kb;
}

int main(void)
{
    if (!getenv("SLUICE_BIN")) {
        fprintf(stderr, "SLUICE_BIN is not set (run through ctest)\n");
        return 1;
    }
    mysql_library_init(0, NULL, NULL);
    const char *v = getenv("SL_MEM_ROWS");
    int rows = v && *v ? (int)strtol(v, NULL, 10) : 200000;
    v = getenv("SL_MEM_BOUND_MB");
    long bound_mb = v && *v ? strtol(v, NULL, 10) : 256;

    static struct chaos cs;
    struct chaos *c = &cs;
    c->o.seed = 1;
    c->o.big_rows = rows;
    if (!chaos_setup(c)) {
        chaos_teardown(c);
        return 1;
    }
    chaos_sluice_start(c);
    int64_t deadline = sl_time_mono_ms() + 60000LL * sl_test_timeout_mult();
    while (!chaos_log_has(c, "streaming from") && sl_time_mono_ms() < deadline)
        usleep(100000);
    if (!chaos_log_has(c, "streaming from")) {
        chaos_say("FAIL the source never started streaming");
        chaos_log_tail(c, 40);
        c->failures++;
        chaos_teardown(c);
        return 1;
    }
    long base_kb = status_kb(c->child, "VmRSS:");
    pthread_t bt;
    pthread_create(&bt, NULL, chaos_big_main, c);
    pthread_join(bt, NULL);
    if (atomic_load(&c->big_state) != 2) {
        chaos_say("FAIL the transaction did not commit");
        c->failures++;
    }

    /* Sample until every row is in DynamoDB (or the timeout). */
    int64_t t0 = sl_time_mono_ms(), next_count = t0;
    deadline = t0 + 480000LL * sl_test_timeout_mult();
    long max_rss = 0, hwm = 0, n = 0;
    int samples = 0;
    while (sl_time_mono_ms() < deadline) {
        int st;
        if (waitpid(c->child, &st, WNOHANG) == c->child) {
            c->child = 0;
            chaos_say("FAIL sluice exited (status %d)", st);
            chaos_log_tail(c, 30);
            c->failures++;
            break;
        }
        long rss = status_kb(c->child, "VmRSS:");
        hwm = status_kb(c->child, "VmHWM:");
        if (rss > max_rss)
            max_rss = rss;
        samples++;
        if (sl_time_mono_ms() >= next_count) {
            n = chaos_ddb_count(c);
            chaos_say("%ld of %d rows in DynamoDB; RSS %ld kB, peak %ld kB", n, rows, rss, hwm);
            if (n >= rows)
                break;
            next_count = sl_time_mono_ms() + 5000;
        }
        usleep(200000);
    }
    int64_t took = sl_time_mono_ms() - t0;
    if (n < rows) {
        chaos_say("FAIL only %ld of %d rows reached DynamoDB in %" PRId64 " ms", n, rows, took);
        chaos_log_tail(c, 30);
        c->failures++;
    } else {
        struct chaos_rows my, dd;
        if (chaos_mysql_rows(c, &my) && chaos_ddb_rows(c, &dd)) {
            size_t diff = chaos_diff(&my, &dd, true);
            if (diff) {
                chaos_say("FAIL %zu rows differ", diff);
                c->failures++;
            }
        } else {
            chaos_say("FAIL cannot read the rows back");
            c->failures++;
        }
        chaos_rows_free(&my);
        chaos_rows_free(&dd);
    }
    if (hwm > bound_mb * 1024) {
        chaos_say("FAIL peak RSS %ld kB exceeds the bound of %ld MB", hwm, bound_mb);
        c->failures++;
    }
    printf("memory: %d-row transaction (committed in %lld ms) through embedded mode in %" PRId64
           " ms (%.0f rows/s); sluice RSS before %ld kB, max sampled %ld kB over %d samples, "
           "VmHWM %ld kB; bound %ld MB\n",
           rows, (long long)atomic_load(&c->big_ms), took,
           took > 0 ? rows * 1000.0 / (double)took : 0.0, base_kb, max_rss, samples, hwm,
           bound_mb);
    int f = c->failures;
    chaos_teardown(c);
    mysql_library_end();
    printf("%s: %d failure(s)\n", f ? "FAIL" : "ok", f);
    return f ? 1 : 0;
}
