/* SPDX-License-Identifier: Apache-2.0 */
/* The one error enum of Sluice. Every fallible function returns sl_err_t; SL_OK is 0 so the
 * idiom `err = f(); if (err) return err;` reads naturally. */
#ifndef SL_CORE_ERR_H
#define SL_CORE_ERR_H

#include <stdbool.h>

typedef enum {
    SL_OK = 0,
    SL_ERR_TOOBIG,    /* a bounded buffer or queue would exceed its limit */
    SL_ERR_IO,        /* a file or socket operation failed */
    SL_ERR_PROTO,     /* bytes from the network or a file do not follow the format */
    SL_ERR_CONF,      /* configuration is invalid */
    SL_ERR_AGAIN,     /* try again later (backpressure, not ready) */
    SL_ERR_UPSTREAM,  /* a server we talk to failed or refused */
    SL_ERR_THROTTLED, /* a server asked us to slow down */
    SL_ERR_SHUTDOWN,  /* the process is stopping */
    SL_ERR_EOF,       /* end of stream: not an error for a reader at a clean boundary */
    SL_ERR_NOTFOUND,  /* the thing asked for does not exist */
    SL_ERR_CHECKSUM,  /* a checksum did not match */
    SL_ERR_UNSUPPORTED, /* valid input that this version does not handle */
    SL_ERR_AUTH,      /* credentials missing or rejected */
    SL_ERR_INVALID,   /* a value is well-formed but not acceptable (e.g. bad record) */
    SL_ERR__COUNT
} sl_err_t;

/* Short stable name, e.g. "SL_ERR_PROTO". Never NULL. */
const char *sl_err_name(sl_err_t err);
/* One-line human description. Never NULL. */
const char *sl_err_str(sl_err_t err);
/* Whether retrying the same operation later may succeed. */
bool sl_err_is_retriable(sl_err_t err);

#endif
