/* Atomic file replacement and mkdir -p (see atomic_file.h). */
#include "io/atomic_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/common.h"

static void release(bimt__atomic_file *af)
{
    free(af->path);
    free(af->tmp);
    memset(af, 0, sizeof(*af));
}

int bimt__atomic_open(bimt__atomic_file *af, const char *path, char *err, size_t errlen)
{
    memset(af, 0, sizeof(*af));
    if (!path || !*path)
        return bimt__failn(err, errlen, BIMT_E_INVALID_ARG, "write: NULL or empty path");
    size_t plen = strlen(path);
    af->path = malloc(plen + 1);
    af->tmp = malloc(plen + 12);
    if (!af->path || !af->tmp) {
        release(af);
        return bimt__failn(err, errlen, BIMT_E_NOMEM, "out of memory");
    }
    memcpy(af->path, path, plen + 1);
    memcpy(af->tmp, path, plen);
    memcpy(af->tmp + plen, ".tmp-XXXXXX", 12);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        int e = errno;
        release(af);
        return bimt__failn(err, errlen, BIMT_E_IO,
                           "cannot create a temporary file next to '%s': %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600; a result file is meant to be read by others. Best effort:
     * some file systems refuse modes, and the content is right either way. */
    (void)fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
    af->f = fdopen(fd, "wb");
    if (!af->f) {
        int e = errno;
        close(fd);
        unlink(af->tmp);
        int rc = bimt__failn(err, errlen, BIMT_E_IO, "cannot open '%s': %s", af->tmp, strerror(e));
        release(af);
        return rc;
    }
    return BIMT_OK;
}

/* fsync of the folder holding path: the rename is durable once the folder is synced. */
static void fsync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t n = !slash ? 1 : slash == path ? 1 : (size_t)(slash - path);
    char *dir = malloc(n + 1);
    if (!dir) return;
    if (!slash)
        memcpy(dir, ".", 1);
    else
        memcpy(dir, path, n);
    dir[n] = '\0';
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        (void)fsync(fd); /* best effort: some file systems refuse fsync on folders */
        close(fd);
    }
    free(dir);
}

int bimt__atomic_commit(bimt__atomic_file *af, char *err, size_t errlen)
{
    const char *what = NULL;
    int e = 0;
    if (fflush(af->f) != 0)
        what = "write";
    else if (fsync(fileno(af->f)) != 0)
        what = "sync";
    if (what) e = errno;
    if (fclose(af->f) != 0 && !what) {
        what = "close";
        e = errno;
    }
    af->f = NULL;
    int rc = BIMT_OK;
    if (what) {
        rc = bimt__failn(err, errlen, BIMT_E_IO, "cannot %s '%s': %s", what, af->tmp, strerror(e));
    } else if (rename(af->tmp, af->path) != 0) {
        e = errno;
        rc = bimt__failn(err, errlen, BIMT_E_IO, "cannot rename '%s' to '%s': %s", af->tmp,
                         af->path, strerror(e));
    }
    if (rc != BIMT_OK)
        unlink(af->tmp);
    else
        fsync_parent(af->path);
    release(af);
    return rc;
}

void bimt__atomic_abort(bimt__atomic_file *af)
{
    if (af->f) fclose(af->f);
    if (af->tmp) unlink(af->tmp);
    release(af);
}

int bimt__write_atomic(const char *path, const void *data, size_t len, char *errbuf)
{
    if (!path || !*path || (!data && len > 0))
        return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "write: NULL or empty path or data");
    bimt__atomic_file af;
    int rc = bimt__atomic_open(&af, path, errbuf, errbuf ? BIMT_ERRMSG_LEN : 0);
    if (rc) return rc;
    if (len > 0 && fwrite(data, 1, len, af.f) != len) {
        int e = errno;
        bimt__atomic_abort(&af);
        return bimt__fail(errbuf, BIMT_E_IO, "cannot write '%s': %s", path, strerror(e));
    }
    return bimt__atomic_commit(&af, errbuf, errbuf ? BIMT_ERRMSG_LEN : 0);
}

int bimt__mkdir_p(const char *dir, char *errbuf)
{
    if (!dir || !*dir) return bimt__fail(errbuf, BIMT_E_INVALID_ARG, "empty folder name");
    size_t n = strlen(dir);
    char *d = malloc(n + 1);
    if (!d) return bimt__fail(errbuf, BIMT_E_NOMEM, "out of memory");
    memcpy(d, dir, n + 1);
    while (n > 1 && d[n - 1] == '/')
        d[--n] = '\0';
    for (char *p = d + 1;; p++) {
        int last = (*p == '\0');
        if (*p == '/' || last) {
            char save = *p;
            *p = '\0';
            if (mkdir(d, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                bimt__fail(errbuf, BIMT_E_IO, "cannot create folder %s: %s", d, strerror(e));
                free(d);
                return BIMT_E_IO;
            }
            *p = save;
        }
        if (last) break;
    }
    struct stat st;
    int ok = stat(d, &st) == 0 && S_ISDIR(st.st_mode);
    free(d);
    if (!ok) return bimt__fail(errbuf, BIMT_E_IO, "%s exists and is not a folder", dir);
    return BIMT_OK;
}
