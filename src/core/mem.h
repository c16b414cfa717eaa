/* SPDX-License-Identifier: Apache-2.0 */
/* Allocation that aborts on out-of-memory (Redis zmalloc, librdkafka rd_malloc): a daemon with
 * at-least-once checkpoints restarts safely, and untested OOM branches are worse than a crash.
 * Raw malloc/free are used only in core/. */
#ifndef SL_CORE_MEM_H
#define SL_CORE_MEM_H

#include <stddef.h>

void *sl_xmalloc(size_t n);
void *sl_xcalloc(size_t nmemb, size_t size);
void *sl_xrealloc(void *p, size_t n);
char *sl_xstrdup(const char *s);
char *sl_xstrndup(const char *s, size_t n);
void *sl_xmemdup(const void *p, size_t n);
void sl_free(void *p);

#endif
