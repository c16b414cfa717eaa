/* SPDX-License-Identifier: Apache-2.0 */
/* Test helpers; see testlib.h. */
#include "testlib.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SL_FIXTURES_DIR
#define SL_FIXTURES_DIR "../shared/fixtures"
#endif
#ifndef SL_SOURCE_DIR
#define SL_SOURCE_DIR "."
#endif

char *sl_test_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            p = realloc(p, cap);
        }
        size_t r = fread(p + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    fclose(f);
    p[n] = '\0';
    if (len)
        *len = n;
    return p;
}

const char *sl_test_fixture(const char *rel)
{
    static char path[4096];
    const char *shared = getenv("SL_SHARED_DIR");
    if (shared)
        snprintf(path, sizeof(path), "%s/fixtures/%s", shared, rel);
    else
        snprintf(path, sizeof(path), "%s/%s", SL_FIXTURES_DIR, rel);
    return path;
}

const char *sl_test_src(const char *rel)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", SL_SOURCE_DIR, rel);
    return path;
}

char *sl_test_tmpdir(const char *prefix)
{
    const char *base = getenv("TMPDIR");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/%s-XXXXXX", base ? base : "/tmp", prefix);
    if (!mkdtemp(tmpl))
        return NULL;
    return strdup(tmpl);
}

void sl_test_rmtree(const char *path)
{
    char cmd[4200];
    if (!path || !*path || strcmp(path, "/") == 0)
        return;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
    if (system(cmd) != 0)
        fprintf(stderr, "testlib: could not remove %s\n", path);
}

int sl_test_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t sl = sizeof(sa);
    int port = -1;
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
        getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
        port = ntohs(sa.sin_port);
    close(fd);
    return port;
}

void sl_test_cloexec_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return;
    int self = dirfd(d);
    for (struct dirent *e = readdir(d); e; e = readdir(d)) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end || end == e->d_name || fd <= 2 || fd == self)
            continue;
        int fl = fcntl((int)fd, F_GETFD);
        if (fl >= 0 && !(fl & FD_CLOEXEC))
            fcntl((int)fd, F_SETFD, fl | FD_CLOEXEC);
    }
    closedir(d);
}

int sl_test_run(const char *cmd, char **out)
{
    sl_test_cloexec_fds();
    FILE *p = popen(cmd, "r");
    if (!p)
        return -1;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (n + 4096 + 1 > cap) {
            cap *= 2;
            buf = realloc(buf, cap);
        }
        size_t r = fread(buf + n, 1, cap - n - 1, p);
        n += r;
        if (r == 0)
            break;
    }
    buf[n] = '\0';
    int st = pclose(p);
    if (out)
        *out = buf;
    else
        free(buf);
    if (st == -1)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

char sl_test_ddb_endpoint[128];
static char group_dir[512];

int sl_test_dynalite_group_setup(void **state)
{
    (void)state;
    return sl_test_dynalite_start(group_dir, sizeof(group_dir), sl_test_ddb_endpoint,
                                  sizeof(sl_test_ddb_endpoint));
}

int sl_test_dynalite_group_teardown(void **state)
{
    (void)state;
    sl_test_dynalite_stop(group_dir);
    return 0;
}

int sl_test_ddb_call(const char *endpoint, const char *target, const char *body, const char *pipe,
                     char **out)
{
    size_t size = strlen(body) + (pipe ? strlen(pipe) : 0) + 1024;
    char *cmd = malloc(size);
    snprintf(cmd, size,
             "curl -s -X POST '%s/' -H 'Content-Type: application/x-amz-json-1.0' "
             "-H 'X-Amz-Target: DynamoDB_20120810.%s' -H 'X-Amz-Date: 20260101T000000Z' "
             "-H 'Authorization: AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/"
             "us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00' "
             "--data-binary '%s'%s%s",
             endpoint, target, body, pipe ? " | " : "", pipe ? pipe : "");
    int st = sl_test_run(cmd, out);
    free(cmd);
    return st;
}

int sl_test_timeout_mult(void)
{
    const char *m = getenv("SL_TEST_TIMEOUT_MULT");
    int v = m ? atoi(m) : 1;
    return v > 0 ? v : 1;
}

int sl_test_dynalite_start(char *dir, size_t dir_size, char *endpoint, size_t endpoint_size)
{
    char *tmp = sl_test_tmpdir("sl-dynalite");
    snprintf(dir, dir_size, "%s/d", tmp);
    free(tmp);
    char cmd[8192]; /* source path (up to 4 KB) plus dir */
    snprintf(cmd, sizeof(cmd), "bash '%s' start '%s'", sl_test_src("tests/lib/dynalite.sh"), dir);
    char *out = NULL;
    if (sl_test_run(cmd, &out) != 0) {
        fprintf(stderr, "cannot start dynalite (%s): %s\n", cmd, out ? out : "");
        free(out);
        return -1;
    }
    free(out);
    out = NULL;
    snprintf(cmd, sizeof(cmd), ". '%s/env' && printf %%s \"$DYNALITE_ENDPOINT\"", dir);
    sl_test_run(cmd, &out);
    snprintf(endpoint, endpoint_size, "%s", out ? out : "");
    free(out);
    return endpoint[0] ? 0 : -1;
}

void sl_test_dynalite_stop(const char *dir)
{
    char cmd[8192]; /* source path (up to 4 KB) plus dir */
    snprintf(cmd, sizeof(cmd), "bash '%s' stop '%s'", sl_test_src("tests/lib/dynalite.sh"), dir);
    sl_test_run(cmd, NULL);
}
