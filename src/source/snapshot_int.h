/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by snapshot.c and snapshot_ckpt.c: per-table scan state and the
 * checkpoint document (write and parse). Not for other modules. */
#ifndef SL_SOURCE_SNAPSHOT_INT_H
#define SL_SOURCE_SNAPSHOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/change.h"
#include "core/err.h"

enum { SL_SNAP_PENDING = 0, SL_SNAP_RUNNING, SL_SNAP_DONE };

struct sl_snap_table {
    struct sl_table t;  /* arrays carved from the snapshot's schema arena */
    char *db, *name;    /* owned */
    char *override;     /* owned SELECT, or NULL */
    char **csname;      /* per column CHARACTER_SET_NAME (arena) or NULL */
    uint64_t estimated; /* TABLE_ROWS */
    uint64_t rows;      /* rows copied, resumed ones included */
    int state;
    int64_t ts_sec; /* scan start */
    bool has_last;  /* last_pk valid */
    uint32_t nlast;
    char **last_pk; /* owned copies of the pk columns' text, key order */
    size_t *last_pk_len;
};

void sl_snap_table_fini(struct sl_snap_table *st);
/* Remembers the key of the last row handed out (or of a checkpoint): the key columns' texts
 * in key order, npk entries (MySQL keys have at most 16 parts). */
#define SL_SNAP_KEY_MAX 64
void sl_snap_table_set_last_key(struct sl_snap_table *st, const char *const *keys,
                                const size_t *lens);

struct sl_snap_ckpt_table {
    char *db, *name;
    int state;
    uint64_t rows;
    uint32_t nlast;
    char **last;
    size_t *last_len;
};

struct sl_snap_ckpt {
    char *file;
    uint64_t pos;
    char *gtids;
    struct sl_snap_ckpt_table *tabs;
    size_t ntabs;
};

void sl_snap_ckpt_init(struct sl_snap_ckpt *ck);
void sl_snap_ckpt_fini(struct sl_snap_ckpt *ck);
/* Parses a progress document; SL_ERR_INVALID with errstr naming the offset or key. */
sl_err_t sl_snap_ckpt_parse(const char *json, struct sl_snap_ckpt *ck, char *errstr,
                            size_t errstr_size);
/* Carries the checkpoint's state of st's table over (matched by db and name); a running table
 * without a usable key (no primary key, an override SELECT, key width changed) starts over.
 * Adds the rows kept to *rows_resumed. */
void sl_snap_ckpt_apply(const struct sl_snap_ckpt *ck, struct sl_snap_table *st,
                        uint64_t *rows_resumed);
sl_err_t sl_snap_ckpt_write(struct sl_buf *out, const char *file, uint64_t pos, const char *gtids,
                            const char *method, uint64_t rows, double rows_per_sec,
                            const struct sl_snap_table *tabs, size_t ntabs);

#endif
