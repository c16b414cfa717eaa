/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to convert/: the converter object shared by options.c and convert.c. */
#ifndef SL_CONVERT_CONV_INT_H
#define SL_CONVERT_CONV_INT_H

#include <regex.h>

#include "convert/convert.h"
#include "convert/types.h"

#define SL_CONV_MAX_KEY_RULES 64
#define SL_CONV_MAX_KEY_COLS 64

/* Fields that add.fields / add.headers can name. */
typedef enum {
    SL_FLD_OP = 0,
    SL_FLD_TS_MS,
    SL_FLD_TXN_ID,
    SL_FLD_TXN_TOTAL,
    SL_FLD_TXN_DCO,
    SL_FLD_SRC_VERSION,
    SL_FLD_SRC_CONNECTOR,
    SL_FLD_SRC_NAME,
    SL_FLD_SRC_TS_MS,
    SL_FLD_SRC_SNAPSHOT,
    SL_FLD_SRC_DB,
    SL_FLD_SRC_SEQUENCE,
    SL_FLD_SRC_TABLE,
    SL_FLD_SRC_SERVER_ID,
    SL_FLD_SRC_GTID,
    SL_FLD_SRC_FILE,
    SL_FLD_SRC_POS,
    SL_FLD_SRC_ROW,
    SL_FLD_SRC_THREAD,
    SL_FLD_SRC_QUERY,
} sl_fld_t;

struct sl_addfld {
    sl_fld_t fld;
    char name[256]; /* output name, prefix included */
};

struct sl_keyrule {
    regex_t re; /* anchored "db.table" regex */
    char *cols; /* "c1,c2" */
};

struct sl_conv {
    struct sl_conv_opts opts; /* borrowed strings cleared; see below for kept copies */
    char *prefix;
    char *version;
    char *txn_topic;
    struct sl_keyrule keyrules[SL_CONV_MAX_KEY_RULES];
    uint32_t nkeyrules;
    struct sl_addfld addf[SL_CONV_MAX_HEADERS];
    uint32_t naddf;
    struct sl_addfld addh[SL_CONV_MAX_HEADERS];
    uint32_t naddh;
    char deleted_name[96];
    struct sl_buf scratch; /* charset conversion, label joins */
    struct sl_buf fqn;     /* "db.table" for key rule matching */
    /* The last topic name built, for the db and table in topic_of ("db\0table"): rows come
     * in runs per table, and building the name checks every character. */
    struct sl_buf topic_of;
    struct sl_buf topic;
    /* The JSON field names ("name": escaped, with the colon) of the last table's columns, and
     * the raw names they were made from: escaping every column name of every record was a
     * quarter of the conversion. Valid while the current table's names equal names_raw
     * (compared by content each change). */
    struct sl_buf names_raw, names_json;
    uint32_t *raw_off, *raw_len, *json_off, *json_len;
    uint32_t names_n, names_cap;
    bool names_built; /* names_raw holds names_n names */
    bool names_ok;    /* names_json is usable */
    sl_ck_t *cks;     /* column kinds of the current table */
    uint32_t cks_cap;
    char errstr[256];
};

#endif
