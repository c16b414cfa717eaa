/* SPDX-License-Identifier: Apache-2.0 */
/* A plain TCP proxy for chaos tests: listens on 127.0.0.1 and forwards every connection to an
 * upstream port byte for byte, with two faults under the test's control: cut (close every open
 * connection at once, as a network reset does) and stall (stop moving bytes in both directions
 * until resumed, as a black-holed link does; new connections are accepted but not served).
 * Header-only: a test includes it (tests are single files). Threads: one acceptor and one per
 * connection; each polls with a 50 ms timeout and checks the controls, which are atomics. */
#ifndef SL_CHAOS_TCPPROXY_H
#define SL_CHAOS_TCPPROXY_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct sl_tcpproxy {
    int lfd;
    int port;
    int upstream_port;
    atomic_int stop;
    atomic_int stalled;
    atomic_uint cut_gen;     /* bumped by a cut; connections from older generations close */
    atomic_int open;         /* connections being served */
    atomic_ulong accepted;   /* connections accepted */
    atomic_ulong cut_conns;  /* connections closed by cuts */
    pthread_t acceptor;
};

struct sl_tcpproxy_conn {
    struct sl_tcpproxy *px;
    int cfd;
};

static int sl_tcpproxy_connect_up(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    return fd;
}

/* Writes all of buf; false when the peer is gone. */
static bool sl_tcpproxy_write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        buf += n;
        len -= (size_t)n;
    }
    return true;
}

static void *sl_tcpproxy_serve(void *arg)
{
    struct sl_tcpproxy_conn *c = arg;
    struct sl_tcpproxy *px = c->px;
    unsigned gen = atomic_load(&px->cut_gen);
    int cfd = c->cfd, ufd = -1;
    free(c);
    static __thread char buf[65536];
    /* While stalled, even the upstream connection waits. */
    while (atomic_load(&px->stalled) && !atomic_load(&px->stop) &&
           atomic_load(&px->cut_gen) == gen)
        usleep(50000);
    if (atomic_load(&px->cut_gen) == gen && !atomic_load(&px->stop))
        ufd = sl_tcpproxy_connect_up(px->upstream_port);
    while (ufd >= 0 && !atomic_load(&px->stop)) {
        if (atomic_load(&px->cut_gen) != gen) {
            atomic_fetch_add(&px->cut_conns, 1);
            break;
        }
        if (atomic_load(&px->stalled)) {
            usleep(50000);
            continue;
        }
        struct pollfd p[2] = {{cfd, POLLIN, 0}, {ufd, POLLIN, 0}};
        int n = poll(p, 2, 50);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            break;
        bool done = false;
        for (int i = 0; i < 2 && !done; i++) {
            if (!(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            ssize_t r = recv(p[i].fd, buf, sizeof(buf), 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r <= 0 || !sl_tcpproxy_write_all(p[1 - i].fd, buf, (size_t)r))
                done = true;
        }
        if (done)
            break;
    }
    /* An abortive close (RST), as a cut network or a dead peer gives. */
    struct linger lg = {1, 0};
    setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
    close(cfd);
    if (ufd >= 0)
        close(ufd);
    atomic_fetch_sub(&px->open, 1);
    return NULL;
}

static void *sl_tcpproxy_accept(void *arg)
{
    struct sl_tcpproxy *px = arg;
    while (!atomic_load(&px->stop)) {
        struct pollfd p = {px->lfd, POLLIN, 0};
        if (poll(&p, 1, 100) <= 0)
            continue;
        int cfd = accept(px->lfd, NULL, NULL);
        if (cfd < 0)
            continue;
        int one = 1;
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        struct sl_tcpproxy_conn *c = malloc(sizeof(*c));
        if (!c) {
            close(cfd);
            continue;
        }
        c->px = px;
        c->cfd = cfd;
        atomic_fetch_add(&px->open, 1);
        atomic_fetch_add(&px->accepted, 1);
        pthread_t t;
        pthread_attr_t at;
        pthread_attr_init(&at);
        pthread_attr_setdetachstate(&at, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &at, sl_tcpproxy_serve, c) != 0) {
            atomic_fetch_sub(&px->open, 1);
            close(cfd);
            free(c);
        }
        pthread_attr_destroy(&at);
    }
    return NULL;
}

/* Starts a proxy to 127.0.0.1:upstream_port on a free port (px->port). NULL on failure. */
static struct sl_tcpproxy *sl_tcpproxy_start(int upstream_port)
{
    struct sl_tcpproxy *px = calloc(1, sizeof(*px));
    if (!px)
        return NULL;
    px->upstream_port = upstream_port;
    px->lfd = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(px->lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    struct sockaddr_in a;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t alen = sizeof(a);
    if (px->lfd < 0 || bind(px->lfd, (struct sockaddr *)&a, sizeof(a)) != 0 ||
        listen(px->lfd, 64) != 0 || getsockname(px->lfd, (struct sockaddr *)&a, &alen) != 0) {
        if (px->lfd >= 0)
            close(px->lfd);
        free(px);
        return NULL;
    }
    px->port = ntohs(a.sin_port);
    if (pthread_create(&px->acceptor, NULL, sl_tcpproxy_accept, px) != 0) {
        close(px->lfd);
        free(px);
        return NULL;
    }
    return px;
}

/* Closes every open connection (with RST) now. */
static void sl_tcpproxy_cut(struct sl_tcpproxy *px)
{
    atomic_fetch_add(&px->cut_gen, 1);
}

static void sl_tcpproxy_stall(struct sl_tcpproxy *px, bool on)
{
    atomic_store(&px->stalled, on ? 1 : 0);
}

static void sl_tcpproxy_stop(struct sl_tcpproxy *px)
{
    if (!px)
        return;
    atomic_store(&px->stop, 1);
    pthread_join(px->acceptor, NULL);
    close(px->lfd);
    for (int i = 0; i < 100 && atomic_load(&px->open) > 0; i++)
        usleep(20000);
    if (atomic_load(&px->open) == 0)
        free(px); /* else leak: a thread still holds it, and the process ends soon */
}

#endif
