/* SPDX-License-Identifier: Apache-2.0 */
/* The shared change model: what the source produces (typed row changes with their table
 * metadata and binlog position) and what convert/ turns into messages. Value types,
 * transparent, carved from the transaction's arena: nothing here is freed on its own. */
#ifndef SL_CORE_CHANGE_H
#define SL_CORE_CHANGE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/str.h"

/* MySQL column type codes as written in TABLE_MAP (enum_field_types). */
enum sl_mysql_type {
    SL_MYSQL_TYPE_DECIMAL = 0,
    SL_MYSQL_TYPE_TINY = 1,
    SL_MYSQL_TYPE_SHORT = 2,
    SL_MYSQL_TYPE_LONG = 3,
    SL_MYSQL_TYPE_FLOAT = 4,
    SL_MYSQL_TYPE_DOUBLE = 5,
    SL_MYSQL_TYPE_NULL = 6,
    SL_MYSQL_TYPE_TIMESTAMP = 7,
    SL_MYSQL_TYPE_LONGLONG = 8,
    SL_MYSQL_TYPE_INT24 = 9,
    SL_MYSQL_TYPE_DATE = 10,
    SL_MYSQL_TYPE_TIME = 11,
    SL_MYSQL_TYPE_DATETIME = 12,
    SL_MYSQL_TYPE_YEAR = 13,
    SL_MYSQL_TYPE_NEWDATE = 14,
    SL_MYSQL_TYPE_VARCHAR = 15,
    SL_MYSQL_TYPE_BIT = 16,
    SL_MYSQL_TYPE_TIMESTAMP2 = 17,
    SL_MYSQL_TYPE_DATETIME2 = 18,
    SL_MYSQL_TYPE_TIME2 = 19,
    SL_MYSQL_TYPE_TYPED_ARRAY = 20,
    SL_MYSQL_TYPE_VECTOR = 242,
    SL_MYSQL_TYPE_JSON = 245,
    SL_MYSQL_TYPE_NEWDECIMAL = 246,
    SL_MYSQL_TYPE_ENUM = 247,
    SL_MYSQL_TYPE_SET = 248,
    SL_MYSQL_TYPE_TINY_BLOB = 249,
    SL_MYSQL_TYPE_MEDIUM_BLOB = 250,
    SL_MYSQL_TYPE_LONG_BLOB = 251,
    SL_MYSQL_TYPE_BLOB = 252,
    SL_MYSQL_TYPE_VAR_STRING = 253,
    SL_MYSQL_TYPE_STRING = 254,
    SL_MYSQL_TYPE_GEOMETRY = 255,
};

/* Collation id 63 is "binary": BLOB/BINARY/VARBINARY rather than TEXT/CHAR/VARCHAR. */
#define SL_CHARSET_BINARY 63

/* One column of a table as known from TABLE_MAP (plus optional metadata) or from the server's
 * information_schema. */
struct sl_column {
    struct sl_str name;   /* empty when unknown: printers then use "@<1-based index>" */
    uint8_t type;         /* real type: ENUM/SET/STRING unwrapped from 254 */
    uint8_t binlog_type;  /* the type byte as written in TABLE_MAP */
    uint16_t meta;        /* TABLE_MAP metadata, decoded per type */
    bool nullable;
    bool is_unsigned;     /* from SIGNEDNESS metadata or the schema */
    bool is_pk;           /* part of the primary key */
    bool visible;         /* COLUMN_VISIBILITY (true when unknown) */
    uint16_t charset;     /* collation id; 0 when unknown */
    uint8_t precision;    /* DECIMAL */
    uint8_t scale;        /* DECIMAL */
    uint8_t fsp;          /* fractional seconds digits of TIME2/DATETIME2/TIMESTAMP2 */
    uint8_t geometry_type;
    uint32_t length;      /* max length in bytes of strings, bits of BIT, bytes of packed lengths */
    uint32_t vector_dim;  /* VECTOR_DIMENSIONALITY */
    uint32_t n_labels;    /* ENUM/SET labels, when known */
    struct sl_str *labels;
};

struct sl_table {
    uint64_t table_id;
    struct sl_str db;
    struct sl_str name;
    uint32_t ncols;
    struct sl_column *cols;
    uint32_t npk;          /* primary key columns, in key order */
    uint32_t *pk;          /* column indexes */
    bool has_names;        /* every column has a name */
};

typedef enum {
    SL_VAL_ABSENT = 0, /* not part of this row image (partial image) */
    SL_VAL_NULL,
    SL_VAL_INT,        /* i: signed integers, YEAR */
    SL_VAL_UINT,       /* u: unsigned integers */
    SL_VAL_FLOAT,      /* f */
    SL_VAL_DOUBLE,     /* d */
    SL_VAL_DECIMAL,    /* s: exact decimal text, e.g. "-12.50" (every digit kept) */
    SL_VAL_DATE,       /* tm: year, month, day (zero dates allowed: 0000-00-00) */
    SL_VAL_TIME,       /* tm: neg, hour (may exceed 23), minute, second, usec */
    SL_VAL_DATETIME,   /* tm: y m d h mi s usec, no time zone */
    SL_VAL_TIMESTAMP,  /* ts: seconds since the epoch (UTC), usec */
    SL_VAL_STRING,     /* s: character data in charset `charset` of its column */
    SL_VAL_BYTES,      /* s: binary data (BINARY, VARBINARY, BLOB) */
    SL_VAL_BIT,        /* s: big-endian bytes; bits in column length */
    SL_VAL_ENUM,       /* u: 1-based index, 0 = '' */
    SL_VAL_SET,        /* u: bitmap, bit 0 = first label */
    SL_VAL_JSON,       /* s: JSON text (converted from MySQL binary JSON) */
    SL_VAL_JSON_DIFF,  /* s: JSON text of the diff list of a PARTIAL_UPDATE_ROWS column */
    SL_VAL_GEOMETRY,   /* s: SRID (4 bytes LE) + WKB, as stored */
    SL_VAL_VECTOR,     /* s: little-endian float32 array */
} sl_val_kind_t;

struct sl_tm {
    int32_t year;
    uint32_t hour; /* TIME can exceed 23 */
    uint8_t month;
    uint8_t day;
    uint8_t minute;
    uint8_t second;
    uint32_t usec;
    bool neg;      /* TIME only */
};

struct sl_value {
    uint8_t kind; /* sl_val_kind_t */
    union {
        int64_t i;
        uint64_t u;
        float f;
        double d;
        struct sl_str s;
        struct sl_tm tm;
        struct {
            int64_t sec;
            uint32_t usec;
        } ts;
    } v;
};

typedef enum {
    SL_OP_INSERT = 0,
    SL_OP_UPDATE,
    SL_OP_DELETE,
    SL_OP_READ, /* snapshot */
} sl_op_t;

/* Where an event sits in the binlog, in Debezium's terms. */
struct sl_pos {
    char file[128];    /* binlog file name */
    uint64_t pos;      /* start of the transaction's (or event's) position */
    uint64_t event_pos;/* position of the rows event */
    uint32_t row;      /* row index within the rows event */
    uint32_t server_id;
    int64_t ts_sec;    /* event timestamp (seconds) */
    struct sl_str gtid;/* "uuid:n" or "d-s-n"; empty when none */
};

struct sl_change {
    sl_op_t op;
    const struct sl_table *table;
    struct sl_value *before; /* table->ncols values, or NULL (insert) */
    struct sl_value *after;  /* table->ncols values, or NULL (delete) */
    struct sl_pos pos;
    uint64_t thread_id;      /* from the QUERY BEGIN event, 0 when unknown */
    struct sl_str query;     /* ROWS_QUERY / ANNOTATE_ROWS text, when present */
};

#endif
