/* SPDX-License-Identifier: Apache-2.0 */
/* Binlog file reader: the file is mapped read-only and walked event by event using the size
 * field of each 19-byte header, so files of hundreds of MB cost no copies. See
 * binlog_file.h. */
#include "source/binlog_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define HEADER_LEN 19

struct sl_binlog_file {
    const uint8_t *map; /* NULL for an empty file */
    uint64_t size;
    uint64_t off;       /* next event */
    char name[128];
};

sl_err_t sl_binlog_file_open(const char *path, struct sl_binlog_file **out, char *errstr,
                             size_t errstr_size)
{
    static const uint8_t magic[4] = {0xfe, 0x62, 0x69, 0x6e};
    sl_err_t err = SL_OK;
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        return SL_ERR_IO;
    }
    if (fstat(fd, &st) != 0) {
        snprintf(errstr, errstr_size, "%s: %s", path, strerror(errno));
        err = SL_ERR_IO;
        goto out;
    }
    if (st.st_size < 4) {
        snprintf(errstr, errstr_size, "%s: not a binlog file (%lld bytes, magic needs 4)", path,
                 (long long)st.st_size);
        err = SL_ERR_PROTO;
        goto out;
    }
    void *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        snprintf(errstr, errstr_size, "%s: mmap: %s", path, strerror(errno));
        err = SL_ERR_IO;
        goto out;
    }
    if (memcmp(map, magic, 4) != 0) {
        munmap(map, (size_t)st.st_size);
        snprintf(errstr, errstr_size, "%s: not a binlog file (bad magic at offset 0)", path);
        err = SL_ERR_PROTO;
        goto out;
    }
    (void)madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
    struct sl_binlog_file *bf = sl_xcalloc(1, sizeof(*bf));
    bf->map = map;
    bf->size = (uint64_t)st.st_size;
    bf->off = 4;
    const char *base = strrchr(path, '/');
    snprintf(bf->name, sizeof(bf->name), "%s", base ? base + 1 : path);
    *out = bf;
out:
    close(fd);
    return err;
}

void sl_binlog_file_free(struct sl_binlog_file *bf)
{
    if (!bf)
        return;
    munmap((void *)bf->map, (size_t)bf->size);
    sl_free(bf);
}

const char *sl_binlog_file_name(const struct sl_binlog_file *bf)
{
    return bf->name;
}

uint64_t sl_binlog_file_size(const struct sl_binlog_file *bf)
{
    return bf->size;
}

sl_err_t sl_binlog_file_seek(struct sl_binlog_file *bf, uint64_t offset, char *errstr,
                             size_t errstr_size)
{
    if (offset < 4 || offset > bf->size) {
        snprintf(errstr, errstr_size, "%s: offset %llu outside the file (4..%llu)", bf->name,
                 (unsigned long long)offset, (unsigned long long)bf->size);
        return SL_ERR_PROTO;
    }
    bf->off = offset;
    return SL_OK;
}

sl_err_t sl_binlog_file_next(struct sl_binlog_file *bf, const uint8_t **data, size_t *len,
                             uint64_t *offset, char *errstr, size_t errstr_size)
{
    uint64_t left = bf->size - bf->off;
    if (left == 0)
        return SL_ERR_EOF;
    if (left < HEADER_LEN) {
        snprintf(errstr, errstr_size,
                 "%s:%llu: truncated event header (%llu of %d bytes before end of file)",
                 bf->name, (unsigned long long)bf->off, (unsigned long long)left, HEADER_LEN);
        return SL_ERR_PROTO;
    }
    const uint8_t *p = bf->map + bf->off;
    uint32_t size = (uint32_t)p[9] | (uint32_t)p[10] << 8 | (uint32_t)p[11] << 16 |
                    (uint32_t)p[12] << 24;
    if (size < HEADER_LEN) {
        snprintf(errstr, errstr_size, "%s:%llu: event size %u is below the %d-byte header",
                 bf->name, (unsigned long long)bf->off, size, HEADER_LEN);
        return SL_ERR_PROTO;
    }
    if (size > left) {
        snprintf(errstr, errstr_size,
                 "%s:%llu: truncated event (size %u, %llu bytes before end of file)", bf->name,
                 (unsigned long long)bf->off, size, (unsigned long long)left);
        return SL_ERR_PROTO;
    }
    *data = p;
    *len = size;
    *offset = bf->off;
    bf->off += size;
    return SL_OK;
}

sl_err_t sl_binlog_file_feed(struct sl_binlog_file *bf, struct sl_decoder *dec, char *errstr,
                             size_t errstr_size)
{
    const uint8_t *data;
    size_t len;
    uint64_t offset;
    sl_err_t err = sl_binlog_file_next(bf, &data, &len, &offset, errstr, errstr_size);
    if (err)
        return err;
    return sl_decoder_put(dec, data, len, offset, errstr, errstr_size);
}
