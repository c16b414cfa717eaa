/* SPDX-License-Identifier: Apache-2.0 */
/* Debezium 1.9 schema history and schema change records (see schema_change.h). A column's
 * Debezium description (type name, JDBC type, length, scale, charset, enum values, default)
 * is derived once into struct coldesc, from information_schema's COLUMN_TYPE when the
 * definition carries it and from the binlog type otherwise; the two writers then differ only
 * in which fields they print and how absent ones look (omitted vs null). */
#include "convert/schema_change.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "convert/convert.h"
#include "core/json.h"

struct jdbc_map {
    const char *name;
    int jdbc;
};

/* From Debezium's MySQL DDL parser type registrations (java.sql.Types codes). */
static const struct jdbc_map jdbc_types[] = {
    {"bit", -7},        {"tinyint", 5},      {"smallint", 5},      {"mediumint", 4},
    {"int", 4},         {"integer", 4},      {"bigint", -5},       {"float", 6},
    {"double", 8},      {"real", 8},         {"decimal", 3},       {"numeric", 3},
    {"dec", 3},         {"fixed", 3},        {"date", 91},         {"time", 92},
    {"datetime", 93},   {"timestamp", 2014}, {"year", 4},          {"char", 1},
    {"varchar", 12},    {"tinytext", 12},    {"text", 12},         {"mediumtext", 12},
    {"longtext", 12},   {"binary", -2},      {"varbinary", -3},    {"tinyblob", 2004},
    {"blob", 2004},     {"mediumblob", 2004}, {"longblob", 2004},  {"enum", 1},
    {"set", 1},         {"json", 1111},      {"geometry", 1111},   {"point", 1111},
    {"linestring", 1111}, {"polygon", 1111}, {"multipoint", 1111}, {"multilinestring", 1111},
    {"multipolygon", 1111}, {"geometrycollection", 1111}, {"geomcollection", 1111},
    {"bool", 16},       {"boolean", 16},
};

int sl_schema_change_jdbc_type(const char *type_name, size_t len)
{
    for (size_t i = 0; i < sizeof(jdbc_types) / sizeof(jdbc_types[0]); i++)
        if (strlen(jdbc_types[i].name) == len &&
            strncasecmp(jdbc_types[i].name, type_name, len) == 0)
            return jdbc_types[i].jdbc;
    return 1111;
}

/* A column as Debezium describes it. */
struct coldesc {
    char type_name[64];   /* "INT UNSIGNED" */
    struct sl_str type_expr_tail; /* "('a','b')" after the upper-cased base for ENUM/SET */
    int jdbc;
    bool has_length;
    int64_t length;
    bool has_scale;
    int64_t scale;
    bool character;       /* charsetName applies */
};

/* Base type name for a column known only from the binlog. */
static const char *binlog_base(const struct sl_column *col)
{
    bool bin = col->charset == SL_CHARSET_BINARY || col->charset == 0;
    switch (col->type) {
    case SL_MYSQL_TYPE_TINY: return "tinyint";
    case SL_MYSQL_TYPE_SHORT: return "smallint";
    case SL_MYSQL_TYPE_INT24: return "mediumint";
    case SL_MYSQL_TYPE_LONG: return "int";
    case SL_MYSQL_TYPE_LONGLONG: return "bigint";
    case SL_MYSQL_TYPE_FLOAT: return "float";
    case SL_MYSQL_TYPE_DOUBLE: return "double";
    case SL_MYSQL_TYPE_DECIMAL:
    case SL_MYSQL_TYPE_NEWDECIMAL: return "decimal";
    case SL_MYSQL_TYPE_DATE:
    case SL_MYSQL_TYPE_NEWDATE: return "date";
    case SL_MYSQL_TYPE_TIME:
    case SL_MYSQL_TYPE_TIME2: return "time";
    case SL_MYSQL_TYPE_DATETIME:
    case SL_MYSQL_TYPE_DATETIME2: return "datetime";
    case SL_MYSQL_TYPE_TIMESTAMP:
    case SL_MYSQL_TYPE_TIMESTAMP2: return "timestamp";
    case SL_MYSQL_TYPE_YEAR: return "year";
    case SL_MYSQL_TYPE_BIT: return "bit";
    case SL_MYSQL_TYPE_VARCHAR:
    case SL_MYSQL_TYPE_VAR_STRING: return bin ? "varbinary" : "varchar";
    case SL_MYSQL_TYPE_STRING: return bin ? "binary" : "char";
    case SL_MYSQL_TYPE_TINY_BLOB:
    case SL_MYSQL_TYPE_MEDIUM_BLOB:
    case SL_MYSQL_TYPE_LONG_BLOB:
    case SL_MYSQL_TYPE_BLOB: return bin ? "blob" : "text";
    case SL_MYSQL_TYPE_JSON: return "json";
    case SL_MYSQL_TYPE_ENUM: return "enum";
    case SL_MYSQL_TYPE_SET: return "set";
    case SL_MYSQL_TYPE_GEOMETRY: return "geometry";
    default: return "unknown";
    }
}

static bool is_character_base(const char *base)
{
    static const char *const names[] = {"char", "varchar", "tinytext", "text", "mediumtext",
                                        "longtext", "enum", "set"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(base, names[i]) == 0)
            return true;
    return false;
}

static void describe(const struct sl_column *col, const struct sl_column_def *cd,
                     struct coldesc *d)
{
    memset(d, 0, sizeof(*d));
    char base[48];
    size_t n = 0;
    bool is_unsigned = col->is_unsigned;
    struct sl_str ct = cd ? cd->column_type : SL_STR_NULL;
    if (ct.len) {
        while (n < ct.len && n + 1 < sizeof(base) && ct.ptr[n] != '(' && ct.ptr[n] != ' ') {
            base[n] = ct.ptr[n];
            n++;
        }
        base[n] = '\0';
        is_unsigned = false;
        for (size_t i = n; i + 8 <= ct.len; i++)
            if (strncasecmp(ct.ptr + i, "unsigned", 8) == 0)
                is_unsigned = true;
    } else {
        const char *b = binlog_base(col);
        n = strlen(b);
        memcpy(base, b, n + 1);
    }
    d->jdbc = sl_schema_change_jdbc_type(base, n);
    d->character = is_character_base(base);
    size_t k = 0;
    for (; k < n && k + 1 < sizeof(d->type_name); k++)
        d->type_name[k] = (char)toupper((unsigned char)base[k]);
    d->type_name[k] = '\0';
    if (is_unsigned && k + 10 < sizeof(d->type_name))
        memcpy(d->type_name + k, " UNSIGNED", 10);
    bool enumset = strcasecmp(base, "enum") == 0 || strcasecmp(base, "set") == 0;
    if (enumset) {
        if (ct.len > n && ct.ptr[n] == '(')
            d->type_expr_tail = (struct sl_str){ct.ptr + n, ct.len - n};
        d->has_length = true;
        d->length = strcasecmp(base, "enum") == 0 ? 1
                    : col->n_labels ? (int64_t)col->n_labels * 2 - 1 : 0;
        return;
    }
    if (ct.len) {
        /* "(M)" or "(M,D)" right after the base name. */
        if (n < ct.len && ct.ptr[n] == '(') {
            size_t i = n + 1;
            int64_t v = 0;
            bool digits = false;
            while (i < ct.len && isdigit((unsigned char)ct.ptr[i]) && v < 1000000000) {
                v = v * 10 + (ct.ptr[i++] - '0');
                digits = true;
            }
            if (digits) {
                d->has_length = true;
                d->length = v;
            }
            if (i < ct.len && ct.ptr[i] == ',') {
                int64_t s = 0;
                bool sd = false;
                i++;
                while (i < ct.len && isdigit((unsigned char)ct.ptr[i]) && s < 1000000000) {
                    s = s * 10 + (ct.ptr[i++] - '0');
                    sd = true;
                }
                d->has_scale = sd;
                d->scale = s;
            }
        }
        return;
    }
    switch (col->type) {
    case SL_MYSQL_TYPE_NEWDECIMAL:
        d->has_length = d->has_scale = true;
        d->length = col->meta >> 8;
        d->scale = col->meta & 0xff;
        break;
    case SL_MYSQL_TYPE_BIT:
        d->has_length = true;
        d->length = col->length;
        break;
    case SL_MYSQL_TYPE_TIME2:
    case SL_MYSQL_TYPE_DATETIME2:
    case SL_MYSQL_TYPE_TIMESTAMP2:
        if (col->fsp) {
            d->has_length = true;
            d->length = col->fsp;
        }
        break;
    default:
        break;
    }
}

/* ---- JSON pieces ---- */

static sl_err_t key(struct sl_buf *out, const char *k)
{
    return sl_buf_addf(out, "\"%s\":", k);
}

static sl_err_t str_or_null(struct sl_buf *out, struct sl_str s, bool present)
{
    return present ? sl_json_str(out, s.ptr ? s.ptr : "", s.len) : sl_buf_addstr(out, "null");
}

static sl_err_t table_id(struct sl_buf *out, struct sl_str db, struct sl_str name)
{
    /* TableId.toDoubleQuotedString: "db"."table" as one JSON string. */
    struct sl_buf tmp;
    sl_buf_init(&tmp, out->max);
    sl_err_t err = sl_buf_addf(&tmp, "\"%.*s\".\"%.*s\"", SL_STR_FMT(db), SL_STR_FMT(name));
    if (!err)
        err = sl_json_str(out, tmp.data, tmp.len);
    sl_buf_fini(&tmp);
    return err;
}

/* MariaDB's information_schema shows defaults as SQL literals ('abc', NULL); MySQL shows the
 * bare value. Returns false when the column has no default expression. */
static bool default_expr(const struct sl_column_def *cd, struct sl_str *out)
{
    if (!cd || !cd->has_default)
        return false;
    struct sl_str v = cd->default_value;
    if (v.len == 4 && strncasecmp(v.ptr, "NULL", 4) == 0)
        return false;
    if (v.len >= 2 && v.ptr[0] == '\'' && v.ptr[v.len - 1] == '\'')
        v = (struct sl_str){v.ptr + 1, v.len - 2};
    *out = v;
    return true;
}

static sl_err_t column(struct sl_buf *out, const struct sl_column *col,
                       const struct sl_column_def *cd, uint32_t position, bool connect)
{
    struct coldesc d;
    describe(col, cd, &d);
    bool autoinc = cd && cd->auto_increment;
    sl_err_t err = sl_buf_addstr(out, "{\"name\":");
    if (!err)
        err = sl_json_str(out, col->name.ptr ? col->name.ptr : "", col->name.len);
    if (!err)
        err = sl_buf_addf(out, ",\"jdbcType\":%d,", d.jdbc);
    if (!err && connect)
        err = sl_buf_addstr(out, "\"nativeType\":null,");
    if (!err)
        err = key(out, "typeName");
    if (!err)
        err = sl_json_str(out, d.type_name, strlen(d.type_name));
    if (!err)
        err = sl_buf_addch(out, ',');
    if (!err)
        err = key(out, "typeExpression");
    if (!err) {
        struct sl_buf te;
        sl_buf_init(&te, 1 << 20);
        err = sl_buf_addstr(&te, d.type_name);
        if (!err && d.type_expr_tail.len)
            err = sl_buf_add(&te, d.type_expr_tail.ptr, d.type_expr_tail.len);
        if (!err)
            err = sl_json_str(out, te.data, te.len);
        sl_buf_fini(&te);
    }
    if (!err)
        err = sl_buf_addch(out, ',');
    if (!err)
        err = key(out, "charsetName");
    if (!err)
        err = str_or_null(out, cd ? cd->charset_name : SL_STR_NULL,
                          d.character && cd && cd->charset_name.len);
    if (!err && (d.has_length || connect))
        err = d.has_length ? sl_buf_addf(out, ",\"length\":%lld", (long long)d.length)
                           : sl_buf_addstr(out, ",\"length\":null");
    if (!err && (d.has_scale || connect))
        err = d.has_scale ? sl_buf_addf(out, ",\"scale\":%lld", (long long)d.scale)
                          : sl_buf_addstr(out, ",\"scale\":null");
    if (!err)
        err = sl_buf_addf(out,
                          ",\"position\":%u,\"optional\":%s,\"autoIncremented\":%s,"
                          "\"generated\":%s,\"comment\":",
                          (unsigned)position, col->nullable ? "true" : "false",
                          autoinc ? "true" : "false", autoinc ? "true" : "false");
    if (!err)
        err = str_or_null(out, cd ? cd->comment : SL_STR_NULL, cd && cd->comment.len);
    if (!err && !connect) {
        struct sl_str dv;
        bool has = default_expr(cd, &dv);
        err = sl_buf_addf(out, ",\"hasDefaultValue\":%s",
                          has || col->nullable ? "true" : "false");
        if (!err && has) {
            err = sl_buf_addstr(out, ",\"defaultValueExpression\":");
            if (!err)
                err = sl_json_str(out, dv.ptr, dv.len);
        }
        if (!err)
            err = sl_buf_addstr(out, ",\"enumValues\":[");
        bool enumset = col->type == SL_MYSQL_TYPE_ENUM || col->type == SL_MYSQL_TYPE_SET;
        for (uint32_t k = 0; !err && enumset && k < col->n_labels; k++) {
            if (k)
                err = sl_buf_addch(out, ',');
            if (!err)
                err = sl_json_str(out, col->labels[k].ptr, col->labels[k].len);
        }
        if (!err)
            err = sl_buf_addch(out, ']');
    }
    return err ? err : sl_buf_addch(out, '}');
}

static sl_err_t table(struct sl_buf *out, const struct sl_table_def *def, bool connect)
{
    const struct sl_table *t = &def->table;
    sl_err_t err = sl_buf_addstr(out, "{\"defaultCharsetName\":");
    if (!err)
        err = str_or_null(out, def->default_charset, def->default_charset.len > 0);
    if (!err)
        err = sl_buf_addstr(out, ",\"primaryKeyColumnNames\":[");
    uint32_t npk = 0;
    for (uint32_t k = 0; !err && k < t->npk; k++) {
        if (t->pk[k] >= t->ncols)
            continue;
        const struct sl_column *col = &t->cols[t->pk[k]];
        if (npk++)
            err = sl_buf_addch(out, ',');
        if (!err)
            err = sl_json_str(out, col->name.ptr ? col->name.ptr : "", col->name.len);
    }
    if (!err)
        err = sl_buf_addstr(out, "],\"columns\":[");
    for (uint32_t i = 0; !err && i < t->ncols; i++) {
        if (i)
            err = sl_buf_addch(out, ',');
        if (!err)
            err = column(out, &t->cols[i], def->defs ? &def->defs[i] : NULL, i + 1, connect);
    }
    return err ? err : sl_buf_addstr(out, "],\"comment\":null}");
}

static sl_err_t changes_arr(struct sl_buf *out, const struct sl_table_change *changes,
                            uint32_t n, bool connect)
{
    static const char *const types[] = {"CREATE", "ALTER", "DROP"};
    sl_err_t err = sl_buf_addch(out, '[');
    for (uint32_t i = 0; !err && i < n; i++) {
        const struct sl_table_change *c = &changes[i];
        if (i)
            err = sl_buf_addch(out, ',');
        if (!err)
            err = sl_buf_addf(out, "{\"type\":\"%s\",\"id\":", types[c->type]);
        if (!err)
            err = table_id(out, c->db, c->name);
        if (!err && !connect && c->prev_name.len) {
            err = sl_buf_addstr(out, ",\"previousId\":");
            if (!err)
                err = table_id(out, c->prev_db, c->prev_name);
        }
        if (!err && c->def) {
            err = sl_buf_addstr(out, ",\"table\":");
            if (!err)
                err = table(out, c->def, connect);
        } else if (!err && connect) {
            /* The Connect schema's table is not optional: an empty one for DROP. */
            err = sl_buf_addstr(out, ",\"table\":{\"defaultCharsetName\":null,"
                                     "\"primaryKeyColumnNames\":[],\"columns\":[],"
                                     "\"comment\":null}");
        }
        if (!err)
            err = sl_buf_addch(out, '}');
    }
    return err ? err : sl_buf_addch(out, ']');
}

sl_err_t sl_schema_history_record(struct sl_buf *out, const struct sl_schema_change_pos *pos,
                                  struct sl_str database, struct sl_str ddl,
                                  const struct sl_table_change *changes, uint32_t nchanges)
{
    sl_err_t err = sl_buf_addstr(out, "{\"source\":{\"server\":");
    if (!err)
        err = sl_json_str(out, pos->server, strlen(pos->server));
    if (!err)
        err = sl_buf_addf(out, "},\"position\":{\"ts_sec\":%lld,\"file\":",
                          (long long)pos->ts_sec);
    if (!err)
        err = sl_json_str(out, pos->file ? pos->file : "", pos->file ? strlen(pos->file) : 0);
    if (!err)
        err = sl_buf_addf(out, ",\"pos\":%llu", (unsigned long long)pos->pos);
    if (!err && pos->gtids && pos->gtids[0]) {
        err = sl_buf_addstr(out, ",\"gtids\":");
        if (!err)
            err = sl_json_str(out, pos->gtids, strlen(pos->gtids));
    }
    if (!err && pos->server_id)
        err = sl_buf_addf(out, ",\"server_id\":%u", (unsigned)pos->server_id);
    if (!err && pos->snapshot)
        err = sl_buf_addstr(out, ",\"snapshot\":true");
    if (!err)
        err = sl_buf_addstr(out, "},\"databaseName\":");
    if (!err)
        err = sl_json_str(out, database.ptr ? database.ptr : "", database.len);
    if (!err)
        err = sl_buf_addstr(out, ",\"ddl\":");
    if (!err)
        err = sl_json_str(out, ddl.ptr ? ddl.ptr : "", ddl.len);
    if (!err)
        err = sl_buf_addstr(out, ",\"tableChanges\":");
    if (!err)
        err = changes_arr(out, changes, nchanges, false);
    return err ? err : sl_buf_addch(out, '}');
}

/* JsonConverter schemas (schemas.enable=true) of the schema change topic, as Debezium 1.9's
 * EventDispatcher and ConnectTableChangeSerializer declare them. */
static const char key_schema[] =
    "{\"type\":\"struct\",\"fields\":[{\"type\":\"string\",\"optional\":false,"
    "\"field\":\"databaseName\"}],\"optional\":false,"
    "\"name\":\"io.debezium.connector.mysql.SchemaChangeKey\"}";

static const char value_schema[] =
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"version\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"connector\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"ts_ms\"},"
    "{\"type\":\"string\",\"optional\":true,\"name\":\"io.debezium.data.Enum\",\"version\":1,"
    "\"parameters\":{\"allowed\":\"true,last,false,incremental\"},\"default\":\"false\","
    "\"field\":\"snapshot\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"db\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"sequence\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"table\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"server_id\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"gtid\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"file\"},"
    "{\"type\":\"int64\",\"optional\":false,\"field\":\"pos\"},"
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"row\"},"
    "{\"type\":\"int64\",\"optional\":true,\"field\":\"thread\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"query\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.mysql.Source\",\"field\":\"source\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"databaseName\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"schemaName\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"ddl\"},"
    "{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"type\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"id\"},"
    "{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":true,\"field\":\"defaultCharsetName\"},"
    "{\"type\":\"array\",\"items\":{\"type\":\"string\",\"optional\":false},"
    "\"optional\":true,\"field\":\"primaryKeyColumnNames\"},"
    "{\"type\":\"array\",\"items\":{\"type\":\"struct\",\"fields\":["
    "{\"type\":\"string\",\"optional\":false,\"field\":\"name\"},"
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"jdbcType\"},"
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"nativeType\"},"
    "{\"type\":\"string\",\"optional\":false,\"field\":\"typeName\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"typeExpression\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"charsetName\"},"
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"length\"},"
    "{\"type\":\"int32\",\"optional\":true,\"field\":\"scale\"},"
    "{\"type\":\"int32\",\"optional\":false,\"field\":\"position\"},"
    "{\"type\":\"boolean\",\"optional\":true,\"field\":\"optional\"},"
    "{\"type\":\"boolean\",\"optional\":true,\"field\":\"autoIncremented\"},"
    "{\"type\":\"boolean\",\"optional\":true,\"field\":\"generated\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"comment\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.schema.Column\"},"
    "\"optional\":false,\"field\":\"columns\"},"
    "{\"type\":\"string\",\"optional\":true,\"field\":\"comment\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.schema.Table\",\"field\":\"table\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.schema.Change\"},"
    "\"optional\":false,\"field\":\"tableChanges\"}],"
    "\"optional\":false,\"name\":\"io.debezium.connector.mysql.SchemaChangeValue\"}";

static sl_err_t change_key(struct sl_buf *out, struct sl_str database)
{
    sl_err_t err = sl_buf_addstr(out, "{\"databaseName\":");
    if (!err)
        err = sl_json_str(out, database.ptr ? database.ptr : "", database.len);
    return err ? err : sl_buf_addch(out, '}');
}

sl_err_t sl_schema_change_key(struct sl_buf *out, struct sl_str database, bool schemas)
{
    if (!schemas)
        return change_key(out, database);
    sl_err_t err = sl_buf_addf(out, "{\"schema\":%s,\"payload\":", key_schema);
    if (!err)
        err = change_key(out, database);
    return err ? err : sl_buf_addch(out, '}');
}

static sl_err_t change_value(struct sl_buf *out, const struct sl_schema_change_pos *pos,
                             struct sl_str database, struct sl_str ddl,
                             const struct sl_table_change *changes, uint32_t nchanges);

sl_err_t sl_schema_change_value(struct sl_buf *out, const struct sl_schema_change_pos *pos,
                                struct sl_str database, struct sl_str ddl,
                                const struct sl_table_change *changes, uint32_t nchanges,
                                bool schemas)
{
    if (!schemas)
        return change_value(out, pos, database, ddl, changes, nchanges);
    sl_err_t err = sl_buf_addf(out, "{\"schema\":%s,\"payload\":", value_schema);
    if (!err)
        err = change_value(out, pos, database, ddl, changes, nchanges);
    return err ? err : sl_buf_addch(out, '}');
}

static sl_err_t change_value(struct sl_buf *out, const struct sl_schema_change_pos *pos,
                             struct sl_str database, struct sl_str ddl,
                             const struct sl_table_change *changes, uint32_t nchanges)
{
    const char *version = pos->version ? pos->version : SL_CONV_DEBEZIUM_VERSION;
    const char *file = pos->event_file ? pos->event_file : (pos->file ? pos->file : "");
    sl_err_t err = sl_buf_addstr(out, "{\"source\":{\"version\":");
    if (!err)
        err = sl_json_str(out, version, strlen(version));
    if (!err)
        err = sl_buf_addstr(out, ",\"connector\":\"mysql\",\"name\":");
    if (!err)
        err = sl_json_str(out, pos->server, strlen(pos->server));
    if (!err)
        err = sl_buf_addf(out, ",\"ts_ms\":%lld,\"snapshot\":\"%s\",\"db\":",
                          (long long)pos->ts_sec * 1000, pos->snapshot ? "true" : "false");
    if (!err)
        err = sl_json_str(out, database.ptr ? database.ptr : "", database.len);
    if (!err)
        err = sl_buf_addstr(out, ",\"sequence\":null,\"table\":");
    if (!err && nchanges) {
        struct sl_buf names;
        sl_buf_init(&names, out->max);
        for (uint32_t i = 0; !err && i < nchanges; i++)
            err = sl_buf_addf(&names, "%s%.*s", i ? "," : "", SL_STR_FMT(changes[i].name));
        if (!err)
            err = sl_json_str(out, names.data ? names.data : "", names.len);
        sl_buf_fini(&names);
    } else if (!err) {
        err = sl_buf_addstr(out, "null");
    }
    if (!err)
        err = sl_buf_addf(out, ",\"server_id\":%u,\"gtid\":", (unsigned)pos->server_id);
    if (!err)
        err = pos->gtid && pos->gtid[0] ? sl_json_str(out, pos->gtid, strlen(pos->gtid))
                                        : sl_buf_addstr(out, "null");
    if (!err)
        err = sl_buf_addstr(out, ",\"file\":");
    if (!err)
        err = sl_json_str(out, file, strlen(file));
    if (!err)
        err = sl_buf_addf(out, ",\"pos\":%llu,\"row\":0,\"thread\":null,\"query\":null},"
                               "\"databaseName\":",
                          (unsigned long long)pos->event_pos);
    if (!err)
        err = sl_json_str(out, database.ptr ? database.ptr : "", database.len);
    if (!err)
        err = sl_buf_addstr(out, ",\"schemaName\":null,\"ddl\":");
    if (!err)
        err = sl_json_str(out, ddl.ptr ? ddl.ptr : "", ddl.len);
    if (!err)
        err = sl_buf_addstr(out, ",\"tableChanges\":");
    if (!err)
        err = changes_arr(out, changes, nchanges, true);
    return err ? err : sl_buf_addch(out, '}');
}
