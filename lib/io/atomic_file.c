/* Atomic file replacement and mkdir -p (see atomic_file.h). */
#if !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE 1 /* flock() in glibc under -std=c11 */
#endif
#include "io/atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "common/common.h"

static void release(bimt__atomic_file *af)
{
    if (af->lock_fd > 0) close(af->lock_fd);
    free(af->path);
    free(af->tmp);
    memset(af, 0, sizeof(*af));
}

#define TMP_TAG ".tmp-"
#define TMP_X 6 /* mkstemp's XXXXXX */

/* 1 when name is base + ".tmp-" + six characters of mkstemp's alphabet. */
static int is_temp_of(const char *name, const char *base, size_t blen)
{
    if (strncmp(name, base, blen) != 0 || strncmp(name + blen, TMP_TAG, 5) != 0) return 0;
    const char *x = name + blen + 5;
    size_t n = 0;
    for (; x[n]; n++) {
        char c = x[n];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return 0;
    }
    return n == TMP_X;
}

/* Removes the temporary file p if no live writer holds it: a writer holds an exclusive flock
 * on its temporary file from creation to rename (the kernel drops it when the writer dies, by
 * kill -9 too). The name is removed only while this process holds the lock and the name still
 * names the locked file, so a live writer's file and a file renamed meanwhile are never hit. */
static void remove_if_dead(const char *p)
{
    int fd = open(p, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return;
    struct stat a, b;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &a) == 0 && lstat(p, &b) == 0 &&
        S_ISREG(a.st_mode) && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        (void)unlink(p);
    close(fd); /* releases the lock */
}

/* Removes the stale temporary files of path left by writers that died (best effort: without
 * memory or on a folder that cannot be read, nothing is removed and the save goes on). Called
 * before a save, so a full disk gets the space of dead writers' files back first. */
static void remove_stale_temps(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t dlen = slash ? (size_t)(slash - path) + 1 : 0, blen = strlen(base);
    char *p = malloc(dlen + blen + 5 + TMP_X + 2);
    if (!p) return;
    memcpy(p, path, dlen);
    p[dlen] = '\0';
    DIR *d = opendir(dlen ? p : ".");
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL)
            if (is_temp_of(e->d_name, base, blen)) {
                memcpy(p + dlen, e->d_name, blen + 5 + TMP_X + 1);
                remove_if_dead(p);
            }
        closedir(d);
    }
    free(p);
}

/* Creates and locks the temporary file af->tmp (a template); returns the fd or -1 (errno). A
 * file created by mkstemp is unlocked until flock; if another save's cleanup took it in that
 * instant (lock refused, or the name gone or replaced), it is dropped and another is made. */
static int create_locked_temp(char *tmpl, size_t plen)
{
    for (int attempt = 0; attempt < 100; attempt++) {
        memcpy(tmpl + plen + 5, "XXXXXX", TMP_X + 1);
        int fd = mkstemp(tmpl);
        if (fd < 0) return -1;
        (void)fcntl(fd, F_SETFD, FD_CLOEXEC); /* a child process must not hold the lock */
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            if (errno != EWOULDBLOCK) return fd; /* no flock here: no cleanup either */
            close(fd);
            continue;
        }
        struct stat a, b;
        if (fstat(fd, &a) == 0 && lstat(tmpl, &b) == 0 && a.st_dev == b.st_dev &&
            a.st_ino == b.st_ino)
            return fd;
        close(fd);
    }
    errno = EEXIST;
    return -1;
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
    memcpy(af->tmp + plen, TMP_TAG "XXXXXX", 12);
    remove_stale_temps(path);
    int fd = create_locked_temp(af->tmp, plen);
    if (fd < 0) {
        int e = errno;
        release(af);
        return bimt__failn(err, errlen, BIMT_E_IO,
                           "cannot create a temporary file next to '%s': %s", path, strerror(e));
    }
    /* mkstemp makes the file 0600; a result file is meant to be read by others. Best effort:
     * some file systems refuse modes, and the content is right either way. */
    (void)fchmod(fd, S_IRUSR | S_IWUSR | S_IRGRP | S_IROTH);
    /* A second descriptor of the same open file keeps the lock from fclose until the rename. */
    af->lock_fd = fcntl(fd, F_DUPFD_CLOEXEC, 1);
    af->f = af->lock_fd > 0 ? fdopen(fd, "wb") : NULL;
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
