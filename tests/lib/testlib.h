/* SPDX-License-Identifier: Apache-2.0 */
/* Small helpers shared by tests: read files, find fixtures, temp dirs, free ports, run a
 * command and capture its output. Include after <setjmp.h>/<cmocka.h> if cmocka is used. */
#ifndef SL_TESTLIB_H
#define SL_TESTLIB_H

#include <stddef.h>
#include <stdint.h>

/* Reads a whole file (NUL-terminated); returns NULL when it cannot be read. Free with free(). */
char *sl_test_read_file(const char *path, size_t *len);
/* Path of a file under ../shared/fixtures (static buffer, valid until the next call). */
const char *sl_test_fixture(const char *rel);
/* Path of a file under the source tree (static buffer, valid until the next call). */
const char *sl_test_src(const char *rel);
/* mkdtemp under $TMPDIR or /tmp; returns a malloc'd path. */
char *sl_test_tmpdir(const char *prefix);
/* Removes a directory tree (rm -rf). */
void sl_test_rmtree(const char *path);
/* A TCP port on 127.0.0.1 free at the time of the call. */
int sl_test_free_port(void);
/* Marks every descriptor above stderr close-on-exec. Call before starting a process that
 * must not inherit the test's sockets: librdkafka's mock cluster accept()s without
 * SOCK_CLOEXEC, and a child (sluice, or a MariaDB started by a script) holding a copy of the
 * broker's end of a connection keeps that connection open after the mock closes it when the
 * broker goes down, so the client never notices the outage and waits out its request timeout
 * (60 s) on a connection nobody serves. sl_test_run calls it. */
void sl_test_cloexec_fds(void);
/* Runs `sh -c cmd`, captures stdout (malloc'd, NUL-terminated) and returns the exit status
 * (-1 when it could not run). out may be NULL. */
int sl_test_run(const char *cmd, char **out);
/* Starts dynalite (tests/lib/dynalite.sh) in a new temporary directory, written to dir, and
 * writes its endpoint URL; 0, or -1 with the reason on stderr. */
int sl_test_dynalite_start(char *dir, size_t dir_size, char *endpoint, size_t endpoint_size);
/* Stops the dynalite of dir (and removes its data). */
void sl_test_dynalite_stop(const char *dir);
/* cmocka group fixtures: one dynalite for the whole group, at sl_test_ddb_endpoint. */
extern char sl_test_ddb_endpoint[128];
int sl_test_dynalite_group_setup(void **state);
int sl_test_dynalite_group_teardown(void **state);
/* Calls the DynamoDB API at endpoint (dynalite: any signature passes) with curl: target is the
 * operation ("Scan"), body its JSON (no single quotes), pipe an optional shell filter of the
 * reply ("jq -r ..."; NULL for none). Returns sl_test_run's status; *out as sl_test_run. */
int sl_test_ddb_call(const char *endpoint, const char *target, const char *body, const char *pipe,
                     char **out);
/* Timeout multiplier from SL_TEST_TIMEOUT_MULT (sanitizer builds are slower). */
int sl_test_timeout_mult(void);

#endif
