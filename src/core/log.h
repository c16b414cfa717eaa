/* SPDX-License-Identifier: Apache-2.0 */
/* Leveled logging to stderr, one line per message: ISO-8601 UTC timestamp with milliseconds,
 * level, facility, message. The level is checked before the arguments are evaluated.
 * Secrets must never be passed to it: callers mask them first. */
#ifndef SL_CORE_LOG_H
#define SL_CORE_LOG_H

typedef enum {
    SL_LOG_ERROR = 0,
    SL_LOG_WARN = 1,
    SL_LOG_INFO = 2,
    SL_LOG_DEBUG = 3,
} sl_log_level_t;

extern int sl_log_level_cur;

#define sl_log(level, fac, ...)                                                \
    do {                                                                       \
        if ((int)(level) <= sl_log_level_cur)                                  \
            sl_log_write((level), (fac), __VA_ARGS__);                         \
    } while (0)

void sl_log_write(sl_log_level_t level, const char *fac, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void sl_log_set_level(sl_log_level_t level);
/* Parses "error", "warn", "info", "debug" (case-insensitive). Returns -1 when unknown. */
int sl_log_level_parse(const char *name);

#endif
