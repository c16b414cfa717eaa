/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental snapshot resume against a real MariaDB, on a composite key whose first column
 * is text in a case-insensitive collation with a non-ASCII value and a quote (the chunk
 * bound is a charset-introduced hex literal): a first process completes 4 chunks of 250 and
 * stops; a second resumes from the state document and reads only the rest. Every key is
 * read exactly once and every value matches. */
#include <mysql.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/time.h"
#include "source/client.h"
#include "source/decode.h"
#include "source/incsnap.h"
#include "testlib.h"


static int failures;
static char dir[512];
static char host[64], user[64], password[128], sock[512];
static unsigned port;

static void failf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (failures < 40) {
        fprintf(stderr, "FAIL: ");
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, "\n");
    }
    va_end(ap);
    failures++;
}

static void stop_server(void)
{
    char cmd[1200];
    snprintf(cmd, sizeof(cmd), "bash %s stop %s", sl_test_src("tests/lib/mariadb.sh"), dir);
    sl_test_run(cmd, NULL);
}

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "FATAL: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    stop_server();
    exit(1);
}

static MYSQL *root_conn(void)
{
    MYSQL *m = mysql_init(NULL);
    if (!mysql_real_connect(m, NULL, "root", NULL, NULL, 0, sock, 0))
        die("root connect: %s", mysql_error(m));
    return m;
}

static void sql(MYSQL *m, const char *q)
{
    if (mysql_real_query(m, q, (unsigned long)strlen(q)))
        die("query failed: %s: %.300s", mysql_error(m), q);
}

static void env_get(const char *env, const char *key, char *out, size_t size)
{
    const char *p = strstr(env, key);
    if (!p)
        die("no %s in env", key);
    p += strlen(key) + 1;
    size_t n = strcspn(p, "\n");
    snprintf(out, size, "%.*s", (int)n, p);
}

/* Keys seen as READ rows: "region|id". */
#define NREG 4
#define NID 600
static const char *const regions[NREG] = {"eu", "us", "\xc3\xbcn\xc3\xaf", "a'b"};
static int hits[NREG][NID + 1];

static int region_ix(struct sl_str s)
{
    for (int i = 0; i < NREG; i++)
        if (sl_str_eq_c(s, regions[i]))
            return i;
    return -1;
}

/* Streams from the current position until the snapshot is inactive, or until stop_after
 * chunks completed in this run; returns the state document then (malloc'd). */
static char *run(MYSQL *root, const char *resume, uint64_t stop_after, size_t *emitted,
                 bool signal)
{
    char errstr[600];
    sql(root, "SHOW MASTER STATUS");
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (!row)
        die("no binlog position");
    char file[128];
    snprintf(file, sizeof(file), "%s", row[0]);
    uint64_t pos = strtoull(row[1], NULL, 10);
    mysql_free_result(res);
    struct sl_client_conf cc = {.db = {.host = host, .port = port, .user = user,
                                       .password = password},
                                .server_id = 4266, .heartbeat_ms = 500,
                                .from = SL_CLIENT_FROM_FILEPOS, .file = file, .pos = pos};
    struct sl_client *cl;
    sl_err_t err = sl_client_new(&cc, &cl, errstr, sizeof(errstr));
    if (!err)
        err = sl_client_start(cl, errstr, sizeof(errstr));
    if (err)
        die("client: %s", errstr);
    struct sl_decoder *dec = sl_decoder_new();
    sl_decoder_set_checksum(dec, sl_client_checksum(cl) ? SL_DECODER_CHECKSUM_CRC32
                                                        : SL_DECODER_CHECKSUM_NONE);
    struct sl_incsnap_opts io = {.db = cc.db, .signal_table = "shop.sl_signal",
                                 .chunk_rows = 250};
    struct sl_incsnap *inc = sl_incsnap_new(&io, errstr, sizeof(errstr));
    if (!inc)
        die("incsnap_new: %s", errstr);
    if (sl_incsnap_resume(inc, resume, errstr, sizeof(errstr)))
        die("resume: %s", errstr);
    if (signal)
        sql(root, "INSERT INTO shop.sl_signal VALUES ('go', 'execute-snapshot', "
                  "'{\"data-collections\":[\"shop.comp\"]}')");
    struct sl_arena arena;
    sl_arena_init(&arena, 1 << 16);
    int64_t deadline = sl_time_mono_ms() + 120000LL * sl_test_timeout_mult();
    uint64_t chunks = 0;
    bool started = !signal;
    *emitted = 0;
    while ((!started || sl_incsnap_active(inc)) && chunks < stop_after) {
        if (sl_time_mono_ms() > deadline)
            die("timed out");
        const uint8_t *data;
        size_t len;
        err = sl_client_fetch(cl, &data, &len, errstr, sizeof(errstr));
        if (err)
            die("fetch: %s", errstr);
        err = sl_decoder_put(dec, data, len, SL_DECODER_POS_AUTO, errstr, sizeof(errstr));
        struct sl_event ev;
        while (!err && (err = sl_decoder_next(dec, &arena, &ev, errstr, sizeof(errstr))) ==
                           SL_OK) {
            if (ev.kind != SL_EV_ROWS)
                continue;
            for (uint32_t i = 0; i < ev.u.rows.nchanges; i++) {
                struct sl_change *emit;
                size_t n;
                bool is_signal;
                err = sl_incsnap_on_change(inc, &ev.u.rows.changes[i], &arena, &emit, &n,
                                           &is_signal, errstr, sizeof(errstr));
                if (err)
                    die("on_change: %s", errstr);
                if (!is_signal)
                    failf("a streamed change of %.*s: nothing else writes",
                          SL_STR_FMT(ev.u.rows.changes[i].table->name));
                started |= sl_incsnap_active(inc);
                chunks += n > 0;
                for (size_t k = 0; k < n; k++) {
                    const struct sl_value *v = emit[k].after;
                    int r = region_ix(v[0].v.s);
                    int64_t id = v[1].v.i;
                    if (v[0].kind != SL_VAL_STRING || v[1].kind != SL_VAL_INT || r < 0 ||
                        id < 1 || id > NID) {
                        failf("unexpected READ row");
                        continue;
                    }
                    char want[40];
                    snprintf(want, sizeof(want), "p-%d-%d", r, (int)id);
                    if (!sl_str_eq_c(v[2].v.s, want))
                        failf("row %s|%d: payload %.*s", regions[r], (int)id,
                              SL_STR_FMT(v[2].v.s));
                    hits[r][id]++;
                    (*emitted)++;
                }
            }
        }
        if (err != SL_ERR_EOF)
            die("decode: %s", errstr);
        sl_arena_reset(&arena);
        if (chunks < stop_after) {
            err = sl_incsnap_poll(inc, errstr, sizeof(errstr));
            if (err)
                die("poll: %s: %s", sl_err_name(err), errstr);
        }
    }
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 16);
    sl_incsnap_state_json(inc, &buf);
    char *state = strdup(sl_buf_cstr(&buf));
    sl_buf_fini(&buf);
    sl_arena_fini(&arena);
    sl_incsnap_free(inc);
    sl_decoder_free(dec);
    sl_client_free(cl);
    return state;
}

int main(void)
{
    char *tmp = sl_test_tmpdir("sl-incsnap2");
    snprintf(dir, sizeof(dir), "%s/db", tmp);
    char cmd[1200];
    char *out = NULL;
    snprintf(cmd, sizeof(cmd), "bash %s start %s", sl_test_src("tests/lib/mariadb.sh"), dir);
    if (sl_test_run(cmd, &out) != 0)
        die("cannot start MariaDB");
    free(out);
    char envpath[700];
    snprintf(envpath, sizeof(envpath), "%s/env", dir);
    char *env = sl_test_read_file(envpath, NULL);
    if (!env)
        die("no env file");
    char portbuf[16];
    env_get(env, "MARIADB_HOST", host, sizeof(host));
    env_get(env, "MARIADB_PORT", portbuf, sizeof(portbuf));
    env_get(env, "MARIADB_USER", user, sizeof(user));
    env_get(env, "MARIADB_PASSWORD", password, sizeof(password));
    env_get(env, "MARIADB_SOCKET", sock, sizeof(sock));
    port = (unsigned)strtoul(portbuf, NULL, 10);
    free(env);

    MYSQL *root = root_conn();
    sql(root, "SET NAMES utf8mb4");
    sql(root, "CREATE DATABASE shop");
    sql(root, "CREATE TABLE shop.comp (region VARCHAR(20) CHARACTER SET utf8mb4 COLLATE "
              "utf8mb4_unicode_ci, id INT, payload VARCHAR(20) NOT NULL, "
              "PRIMARY KEY (region, id))");
    for (int r = 0; r < NREG; r++) {
        char q[400];
        snprintf(q, sizeof(q), "INSERT INTO shop.comp SELECT '%s', seq, "
                 "CONCAT('p-%d-', seq) FROM shop.seq_1_to_%d",
                 r == 3 ? "a''b" : regions[r], r, NID);
        sql(root, q);
    }
    sql(root, "CREATE TABLE shop.sl_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT "
              "NULL, data TEXT NULL)");
    sql(root, "GRANT INSERT ON shop.sl_signal TO 'sluice'@'%'");
    sql(root, "GRANT INSERT ON shop.sl_signal TO 'sluice'@'localhost'");

    /* First process: 4 chunks of 250, then it stops (the 5th chunk is never read). */
    size_t first, second;
    char *state = run(root, NULL, 4, &first, true);
    printf("state after 4 chunks: %s\n", state);
    if (first != 1000)
        failf("first run emitted %zu rows, want 1000", first);
    if (!strstr(state, "\"current\":\"shop.comp\",\"last_pk\":[") ||
        !strstr(state, "\"chunk\":4,\"rows\":1000}"))
        failf("state: %s", state);
    /* Second process resumes from the state. */
    char *final = run(root, state, UINT64_MAX, &second, false);
    printf("final state: %s\n", final);
    if (second != NREG * NID - 1000)
        failf("second run emitted %zu rows, want %d", second, NREG * NID - 1000);
    size_t missing = 0, twice = 0;
    for (int r = 0; r < NREG; r++)
        for (int id = 1; id <= NID; id++) {
            missing += hits[r][id] == 0;
            twice += hits[r][id] > 1;
        }
    if (missing || twice)
        failf("%zu keys never read, %zu read twice", missing, twice);
    if (!strstr(final, "\"tables\":[],\"current\":null"))
        failf("final state: %s", final);
    free(state);
    free(final);

    mysql_close(root);
    stop_server();
    sl_test_rmtree(tmp);
    free(tmp);
    if (failures) {
        fprintf(stderr, "%d failure(s)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
