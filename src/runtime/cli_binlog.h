/* SPDX-License-Identifier: Apache-2.0 */
/* `sluice binlog dump FILE...` and `sluice binlog tail --host H ...`: print every row change
 * as one JSON object per line, and the row-JSON writer behind them:
 *
 *   {"pos":"binlog.000002:1234","gtid":null,"ts":1655279536,"db":"salesdb",
 *    "table":"SALES_ORDER","op":"insert","before":null,"after":{"ORDER_ID":29001,...}}
 *
 * pos is the binlog file and the start offset of the rows event; gtid the transaction's GTID
 * ("uuid:n" or "d-s-n") or null; ts the event time in seconds. Values: integers as numbers
 * (unsigned 64-bit exact), FLOAT/DOUBLE shortest round-trip numbers, DECIMAL as a string with
 * every digit, DATE "YYYY-MM-DD", TIME "[-]HH:MM:SS[.f]", DATETIME "YYYY-MM-DDTHH:MM:SS[.f]",
 * TIMESTAMP "...Z" in UTC (the fraction has the column's fsp digits; zero dates stay
 * "0000-00-00..."), YEAR a number, text a string (latin1 converted to UTF-8), binary data
 * base64, BIT a number (BIT is at most 64 bits), ENUM/SET the label(s) when known else the
 * index/bitmap number, JSON embedded, GEOMETRY base64 of the WKB (SRID dropped), VECTOR an
 * array of numbers. Columns absent from a partial image are omitted; unknown names are
 * "@1", "@2", ... */
#ifndef SL_RUNTIME_CLI_BINLOG_H
#define SL_RUNTIME_CLI_BINLOG_H

#include "core/buf.h"
#include "core/change.h"
#include "core/err.h"

/* Runs `sluice binlog ...`; argv[0] is "binlog". Returns the process exit status (0 ok,
 * 1 failure, 2 usage). Errors go to stderr as one line naming the file/host and position. */
int sl_cli_binlog(int argc, char **argv);

/* Called once per table version that lacks column names: cols is a writable copy of
 * table->cols; the callback may fill name, is_unsigned and labels (memory it keeps alive for
 * the writer's lifetime). */
typedef void sl_rowjson_resolve_fn(const struct sl_table *table, struct sl_column *cols,
                                   void *opaque);

struct sl_rowjson;

/* New writer; resolve may be NULL. Never NULL. */
struct sl_rowjson *sl_rowjson_new(sl_rowjson_resolve_fn *resolve, void *opaque);
void sl_rowjson_free(struct sl_rowjson *rj);

/* Appends one JSON line (with '\n') for chg. The table pointer is cached: it must stay valid
 * and unchanged while the writer lives. SL_ERR_TOOBIG when buf's limit is reached (buf is then
 * left at its previous length). */
sl_err_t sl_rowjson_write(struct sl_rowjson *rj, const struct sl_change *chg, struct sl_buf *buf);

/* Appends one value as JSON, as described above. */
sl_err_t sl_rowjson_value(struct sl_buf *buf, const struct sl_column *col,
                          const struct sl_value *val);

#endif
