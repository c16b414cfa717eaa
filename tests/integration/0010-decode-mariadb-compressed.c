/* SPDX-License-Identifier: Apache-2.0 */
/* MariaDB with log_bin_compress=ON writes zlib-compressed QUERY and rows events (types
 * 165-171). A throwaway server gets inserts (one wide multi-row statement and 2,000 rows from
 * the Sequence engine), an update and a delete with long text; the binlog file is then read
 * with the decoder, which must see compressed events and return every row with the values
 * SQL wrote: no row may be skipped. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "source/binlog_file.h"
#include "source/decode.h"
#include "testlib.h"

#define NSEQ 2000

static char dir[512];
static char *tmp;
static bool started;

static void stop_server(void)
{
    char cmd[1200];
    if (!started)
        return;
    snprintf(cmd, sizeof(cmd), "bash '%s' stop '%s' >/dev/null 2>&1",
             sl_test_src("tests/lib/mariadb.sh"), dir);
    (void)sl_test_run(cmd, NULL);
    started = false;
}

static void die(const char *msg, const char *detail)
{
    fprintf(stderr, "FAIL: %s%s%s\n", msg, detail ? ": " : "", detail ? detail : "");
    stop_server();
    if (tmp)
        sl_test_rmtree(tmp);
    exit(1);
}

static char *sql(const char *q)
{
    char cmd[4096];
    char *out = NULL;
    snprintf(cmd, sizeof(cmd), "mariadb --no-defaults -uroot -N -S '%s/mysqld.sock' -e \"%s\"",
             dir, q);
    if (sl_test_run(cmd, &out) != 0)
        die("SQL failed", out ? out : q);
    return out;
}

int main(void)
{
    tmp = sl_test_tmpdir("sl-it-mcompress");
    snprintf(dir, sizeof(dir), "%s/db", tmp);
    char cmd[1200];
    char *out = NULL;
    snprintf(cmd, sizeof(cmd),
             "bash '%s' start '%s' --log-bin-compress=ON --log-bin-compress-min-len=10",
             sl_test_src("tests/lib/mariadb.sh"), dir);
    if (sl_test_run(cmd, &out) != 0)
        die("cannot start MariaDB", out);
    started = true;
    free(out);

    free(sql("CREATE DATABASE cz; CREATE TABLE cz.t (id INT PRIMARY KEY, n BIGINT, "
             "s VARCHAR(300)) ENGINE=InnoDB;"
             "INSERT INTO cz.t VALUES (1, -5, REPEAT('a', 200)), (2, NULL, 'short'), "
             "(3, 9000000000, REPEAT('xyz', 90));"
             "INSERT INTO cz.t SELECT 100 + seq, seq * 3, CONCAT('row-', seq, '-', "
             "REPEAT('q', seq % 50)) FROM cz.seq_1_to_2000;"
             "UPDATE cz.t SET s = REPEAT('u', 250), n = 77 WHERE id = 2;"
             "DELETE FROM cz.t WHERE id = 3;"));
    char *file = sql("SHOW MASTER STATUS");
    char *tab = strchr(file, '\t');
    if (!tab)
        die("SHOW MASTER STATUS", file);
    *tab = '\0';
    free(sql("FLUSH BINARY LOGS"));
    char path[1200];
    snprintf(path, sizeof(path), "%s/data/%s", dir, file);

    char errstr[512];
    struct sl_binlog_file *bf;
    if (sl_binlog_file_open(path, &bf, errstr, sizeof(errstr)))
        die("open binlog", errstr);
    struct sl_decoder *dec = sl_decoder_new();
    sl_decoder_set_file(dec, sl_binlog_file_name(bf));
    struct sl_arena arena;
    sl_arena_init(&arena, 0);
    unsigned ncompressed_rows = 0, ncompressed_query = 0, nins = 0, nupd = 0, ndel = 0;
    unsigned long long idsum = 0;
    bool saw_create = false, long_ok = false, upd_ok = false, del_ok = false;
    sl_err_t err;
    while ((err = sl_binlog_file_feed(bf, dec, errstr, sizeof(errstr))) == SL_OK) {
        struct sl_event ev;
        while ((err = sl_decoder_next(dec, &arena, &ev, errstr, sizeof(errstr))) == SL_OK) {
            if (ev.type == SL_BINLOG_MARIA_QUERY_COMPRESSED) {
                ncompressed_query++;
                if (ev.kind == SL_EV_QUERY && strstr(ev.u.query.sql.ptr, "CREATE TABLE cz.t"))
                    saw_create = true;
            }
            if (ev.type >= SL_BINLOG_MARIA_WRITE_ROWS_COMPRESSED &&
                ev.type <= SL_BINLOG_MARIA_DELETE_ROWS_COMPRESSED_V1)
                ncompressed_rows++;
            if (ev.kind != SL_EV_ROWS || !ev.u.rows.table)
                continue;
            for (uint32_t i = 0; i < ev.u.rows.nchanges; i++) {
                const struct sl_change *chg = &ev.u.rows.changes[i];
                if (chg->op == SL_OP_INSERT) {
                    nins++;
                    int64_t id = chg->after[0].v.i;
                    idsum += (unsigned long long)id;
                    if (id == 1 && chg->after[1].v.i == -5 && chg->after[2].v.s.len == 200)
                        long_ok = true;
                    if (id > 100) {
                        char want[128];
                        int k = (int)(id - 100);
                        int n = snprintf(want, sizeof(want), "row-%d-", k);
                        memset(want + n, 'q', (size_t)(k % 50));
                        if (chg->after[1].v.i != 3 * (id - 100) ||
                            chg->after[2].v.s.len != (size_t)(n + k % 50) ||
                            memcmp(chg->after[2].v.s.ptr, want, (size_t)(n + k % 50)) != 0)
                            die("sequence row differs from what was inserted", want);
                    }
                } else if (chg->op == SL_OP_UPDATE) {
                    nupd++;
                    upd_ok = chg->before[0].v.i == 2 && chg->before[1].kind == SL_VAL_NULL &&
                             chg->after[1].v.i == 77 && chg->after[2].v.s.len == 250;
                } else {
                    ndel++;
                    del_ok = chg->before[0].v.i == 3 && chg->before[1].v.i == 9000000000LL &&
                             chg->before[2].v.s.len == 270;
                }
            }
        }
        if (err != SL_ERR_EOF)
            die("decode", errstr);
    }
    if (err != SL_ERR_EOF)
        die("read", errstr);
    printf("compressed rows events %u, compressed queries %u, inserts %u, updates %u, "
           "deletes %u\n", ncompressed_rows, ncompressed_query, nins, nupd, ndel);
    unsigned long long want_sum = 1 + 2 + 3 + 100ULL * NSEQ + (unsigned long long)NSEQ *
                                                                  (NSEQ + 1) / 2;
    if (ncompressed_rows < 3)
        die("expected compressed rows events", NULL);
    if (ncompressed_query < 1 || !saw_create)
        die("expected a compressed CREATE TABLE query", NULL);
    if (nins != 3 + NSEQ || idsum != want_sum)
        die("inserted rows missing or wrong", NULL);
    if (nupd != 1 || !upd_ok || ndel != 1 || !del_ok || !long_ok)
        die("update/delete/long values wrong", NULL);
    sl_decoder_free(dec);
    sl_binlog_file_free(bf);
    sl_arena_fini(&arena);
    free(file);
    stop_server();
    sl_test_rmtree(tmp);
    free(tmp);
    tmp = NULL;
    printf("ok\n");
    return 0;
}
