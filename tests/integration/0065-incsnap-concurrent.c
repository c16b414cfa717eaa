/* SPDX-License-Identifier: Apache-2.0 */
/* Incremental snapshot against a real MariaDB while streaming, without locks: a 20,000-row
 * table loaded before the stream starts (so only the snapshot can deliver those rows), a
 * signal table, and a writer thread on its own connection updating, deleting and inserting
 * rows of that table the whole time (half of its writes aimed at the keys the snapshot is
 * about to read, so the watermark windows see real races). The test process streams with
 * client.h + decode.h, hands every change to sl_incsnap_on_change, calls sl_incsnap_poll
 * between events, and applies every emitted event (streamed, then the READ rows at each close
 * watermark) to a model keyed by id. At the end the last event per key equals the table for
 * every key, deleted keys end deleted, no signal row was emitted, and the state document
 * says the snapshot is finished. Also checks a chunk's resume state mid-way. */
#include <mysql.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
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

#define NINIT 20000
#define MAXID 40000

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

/* ---- The writer ---- */

static atomic_int writer_stop;
static atomic_int progress; /* highest id emitted as READ so far */
static atomic_long writes;

static void *writer(void *arg)
{
    (void)arg;
    MYSQL *m = root_conn();
    unsigned seed = 12345;
    int next_new = NINIT + 1;
    char q[300];
    while (!atomic_load(&writer_stop)) {
        int r = (int)(rand_r(&seed) % 100);
        int id;
        if (r < 50) /* near what the snapshot reads next */
            id = atomic_load(&progress) + 1 + (int)(rand_r(&seed) % 1500);
        else
            id = 1 + (int)(rand_r(&seed) % NINIT);
        if (id > NINIT)
            id = 1 + (int)(rand_r(&seed) % NINIT);
        if (r % 10 < 6)
            snprintf(q, sizeof(q), "UPDATE shop.items SET v = CONCAT('u', %ld), n = n + 1 "
                     "WHERE id = %d", atomic_load(&writes), id);
        else if (r % 10 < 9)
            snprintf(q, sizeof(q), "DELETE FROM shop.items WHERE id = %d", id);
        else if (next_new < MAXID)
            snprintf(q, sizeof(q), "INSERT INTO shop.items VALUES (%d, 'new', 0)", next_new++);
        else
            continue;
        if (mysql_real_query(m, q, (unsigned long)strlen(q)))
            die("writer: %s: %s", mysql_error(m), q);
        atomic_fetch_add(&writes, 1);
        usleep(300);
    }
    mysql_close(m);
    return NULL;
}

/* ---- The model: last event per key ---- */

struct row {
    bool present;
    char v[48];
    int64_t n;
};
static struct row model[MAXID + 1];
static size_t reads, streamed;

static void apply(const struct sl_change *chg)
{
    const struct sl_value *img = chg->op == SL_OP_DELETE ? chg->before : chg->after;
    if (!img || chg->table->ncols != 3 || img[0].kind != SL_VAL_INT) {
        failf("unexpected change shape (op %d)", (int)chg->op);
        return;
    }
    int64_t id = img[0].v.i;
    if (id < 1 || id > MAXID) {
        failf("id %lld out of range", (long long)id);
        return;
    }
    struct row *r = &model[id];
    if (chg->op == SL_OP_DELETE) {
        r->present = false;
        return;
    }
    if (img[1].kind != SL_VAL_STRING || img[2].kind != SL_VAL_INT) {
        failf("id %lld: value kinds %d/%d", (long long)id, img[1].kind, img[2].kind);
        return;
    }
    r->present = true;
    snprintf(r->v, sizeof(r->v), "%.*s", (int)img[1].v.s.len, img[1].v.s.ptr);
    r->n = img[2].v.i;
}

static void check_table(MYSQL *root)
{
    static bool in_table[MAXID + 1];
    sql(root, "SELECT id, v, n FROM shop.items");
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row;
    size_t rows = 0;
    while ((row = mysql_fetch_row(res)) != NULL) {
        int id = (int)strtol(row[0], NULL, 10);
        rows++;
        in_table[id] = true;
        struct row *r = &model[id];
        if (!r->present)
            failf("id %d is in the table but its last event is a delete or missing", id);
        else if (strcmp(r->v, row[1]) != 0 || r->n != strtoll(row[2], NULL, 10))
            failf("id %d: table (%s, %s), last event (%s, %lld)", id, row[1], row[2], r->v,
                  (long long)r->n);
    }
    mysql_free_result(res);
    size_t ghosts = 0;
    for (int id = 1; id <= MAXID; id++)
        if (model[id].present && !in_table[id])
            ghosts++;
    if (ghosts)
        failf("%zu deleted keys are present in the events", ghosts);
    printf("table rows %zu, READ rows %zu, streamed rows %zu, writes %ld\n", rows, reads,
           streamed, atomic_load(&writes));
}

/* ---- Streaming loop ---- */

static bool is_marker(const struct sl_change *chg)
{
    return sl_str_eq_c(chg->table->name, "done");
}

static void run(MYSQL *root, const char *file, uint64_t pos)
{
    char errstr[600];
    struct sl_client_conf cc = {.db = {.host = host, .port = port, .user = user,
                                       .password = password},
                                .server_id = 4265, .heartbeat_ms = 500,
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
                                 .chunk_rows = 500};
    struct sl_incsnap *inc = sl_incsnap_new(&io, errstr, sizeof(errstr));
    if (!inc)
        die("incsnap_new: %s", errstr);
    if (sl_incsnap_resume(inc, NULL, errstr, sizeof(errstr)))
        die("resume: %s", errstr);

    pthread_t th;
    pthread_create(&th, NULL, writer, NULL);
    usleep(100 * 1000);
    sql(root, "INSERT INTO shop.sl_signal VALUES ('ad-hoc-1', 'execute-snapshot', "
              "'{\"data-collections\": [\"shop.items\"], \"type\": \"incremental\"}')");

    struct sl_arena arena;
    sl_arena_init(&arena, 1 << 16);
    int64_t deadline = sl_time_mono_ms() + 180000LL * sl_test_timeout_mult();
    bool started = false, writer_done = false, marker = false, state_checked = false;
    long writes_during = 0;
    while (!marker) {
        if (sl_time_mono_ms() > deadline)
            die("timed out (snapshot active %d, rows %zu)", sl_incsnap_active(inc), reads);
        const uint8_t *data;
        size_t len;
        err = sl_client_fetch(cl, &data, &len, errstr, sizeof(errstr));
        if (err)
            die("fetch: %s: %s", sl_err_name(err), errstr);
        err = sl_decoder_put(dec, data, len, SL_DECODER_POS_AUTO, errstr, sizeof(errstr));
        struct sl_event ev;
        while (!err && (err = sl_decoder_next(dec, &arena, &ev, errstr, sizeof(errstr))) ==
                           SL_OK) {
            if (ev.kind != SL_EV_ROWS)
                continue;
            for (uint32_t i = 0; i < ev.u.rows.nchanges; i++) {
                const struct sl_change *chg = &ev.u.rows.changes[i];
                struct sl_change *emit;
                size_t n;
                bool is_signal;
                err = sl_incsnap_on_change(inc, chg, &arena, &emit, &n, &is_signal, errstr,
                                           sizeof(errstr));
                if (err)
                    die("on_change: %s", errstr);
                if (is_marker(chg)) {
                    marker = true;
                } else if (!is_signal) {
                    if (!sl_str_eq_c(chg->table->name, "items"))
                        failf("a change of %.*s was not flagged", SL_STR_FMT(chg->table->name));
                    apply(chg);
                    streamed++;
                } else if (n == 0 && chg->op == SL_OP_INSERT && !started) {
                    started = sl_incsnap_active(inc);
                }
                for (size_t k = 0; k < n; k++) {
                    if (emit[k].op != SL_OP_READ || emit[k].before)
                        failf("emitted row %zu is not a READ", k);
                    if (strcmp(emit[k].pos.file, chg->pos.file) != 0)
                        failf("READ row pos %s, close row %s", emit[k].pos.file,
                              chg->pos.file);
                    apply(&emit[k]);
                    if (emit[k].after[0].v.i > atomic_load(&progress))
                        atomic_store(&progress, (int)emit[k].after[0].v.i);
                    reads++;
                }
            }
        }
        if (err != SL_ERR_EOF)
            die("decode: %s: %s", sl_err_name(err), errstr);
        sl_arena_reset(&arena);
        err = sl_incsnap_poll(inc, errstr, sizeof(errstr));
        if (err)
            die("poll: %s: %s", sl_err_name(err), errstr);
        if (started && !state_checked && reads >= 5000) {
            struct sl_buf buf;
            sl_buf_init(&buf, 1 << 16);
            sl_incsnap_state_json(inc, &buf);
            if (!strstr(sl_buf_cstr(&buf), "\"current\":\"shop.items\",\"last_pk\":[\""))
                failf("mid-way state: %s", sl_buf_cstr(&buf));
            sl_buf_fini(&buf);
            state_checked = true;
        }
        if (started && !sl_incsnap_active(inc) && !writer_done) {
            writes_during = atomic_load(&writes);
            atomic_store(&writer_stop, 1);
            pthread_join(th, NULL);
            writer_done = true;
            sql(root, "INSERT INTO shop.done VALUES (1)");
        }
    }
    struct sl_incsnap_stats st;
    sl_incsnap_stats(inc, &st);
    printf("chunks %llu, READ %llu, dropped by the windows %llu, signals %llu, writes while "
           "snapshotting %ld\n", (unsigned long long)st.chunks, (unsigned long long)st.rows,
           (unsigned long long)st.dropped, (unsigned long long)st.signals, writes_during);
    if (!state_checked)
        failf("the state was never checked mid-way");
    if (st.chunks < 35)
        failf("only %llu chunks", (unsigned long long)st.chunks);
    if (writes_during < 100)
        failf("the writer did not overlap the snapshot (%ld writes)", writes_during);
    if (reads < NINIT / 2)
        failf("only %zu READ rows", reads);
    struct sl_buf buf;
    sl_buf_init(&buf, 1 << 16);
    sl_incsnap_state_json(inc, &buf);
    if (!strstr(sl_buf_cstr(&buf), "\"tables\":[],\"current\":null"))
        failf("final state: %s", sl_buf_cstr(&buf));
    sl_buf_fini(&buf);
    sl_arena_fini(&arena);
    sl_incsnap_free(inc);
    sl_decoder_free(dec);
    sl_client_free(cl);
}

int main(void)
{
    char *tmp = sl_test_tmpdir("sl-incsnap");
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
    /* commits without fsync: the writer then races the chunks more often */
    sql(root, "SET GLOBAL innodb_flush_log_at_trx_commit = 0, sync_binlog = 0");
    sql(root, "CREATE DATABASE shop");
    sql(root, "CREATE TABLE shop.items (id INT PRIMARY KEY, v VARCHAR(40) NOT NULL, n INT NOT "
              "NULL)");
    sql(root, "INSERT INTO shop.items SELECT seq, CONCAT('row-', seq), 0 FROM "
              "shop.seq_1_to_20000");
    sql(root, "CREATE TABLE shop.sl_signal (id VARCHAR(42) PRIMARY KEY, type VARCHAR(32) NOT "
              "NULL, data VARCHAR(2048) NULL)");
    sql(root, "CREATE TABLE shop.done (id INT PRIMARY KEY)");
    sql(root, "GRANT INSERT ON shop.sl_signal TO 'sluice'@'%'");
    sql(root, "GRANT INSERT ON shop.sl_signal TO 'sluice'@'localhost'");
    sql(root, "SHOW MASTER STATUS");
    MYSQL_RES *res = mysql_store_result(root);
    MYSQL_ROW row = res ? mysql_fetch_row(res) : NULL;
    if (!row)
        die("no binlog position");
    char file[128];
    snprintf(file, sizeof(file), "%s", row[0]);
    uint64_t pos = strtoull(row[1], NULL, 10);
    mysql_free_result(res);

    run(root, file, pos);
    check_table(root);

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
