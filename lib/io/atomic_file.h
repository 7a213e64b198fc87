/* Replacing a file atomically, and creating folders (private; npz writer, report files).
 *
 * Why: a checkpoint or a figure is either the old file or the whole new one, never a part,
 * whatever fails (full disk, kill, power loss). The new content goes to a temporary file
 * "<path>.tmp-XXXXXX" in the destination's own folder (a rename cannot cross file systems),
 * is flushed and fsynced, renamed over path, and then the folder is fsynced so that the
 * rename itself is durable. Any failure removes the temporary file and leaves path as it was.
 *
 * Writers killed part-way (kill -9, power loss) leave their temporary file behind; the next
 * save of the same path removes those, and only those: each writer holds an exclusive flock(2)
 * on its temporary file from creation until after the rename, the kernel releases it when the
 * writer dies, and a save removes "<path>.tmp-XXXXXX" files whose lock it can take (never a
 * live writer's, in this process or another). Not installed. */
#ifndef BIMT_ATOMIC_FILE_H
#define BIMT_ATOMIC_FILE_H

#include <stddef.h>
#include <stdio.h>

/** A file being written: f is the open temporary file, committed or aborted exactly once. */
typedef struct bimt__atomic_file {
    FILE *f;     /* temporary file, open for writing ("wb") */
    char *path;  /* destination */
    char *tmp;   /* name of the temporary file */
    int lock_fd; /* > 0: a second descriptor of the temporary file, holding its flock */
} bimt__atomic_file;

/**
 * Removes stale temporary files of path (dead writers'), creates the temporary file beside
 * path (mode 0644, best effort), locks it and opens it in af.
 * err (errlen bytes, may be NULL) receives a message naming path.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL or empty path), BIMT_E_NOMEM, BIMT_E_IO; on
 *         failure nothing is left on disk and af holds no resources.
 */
int bimt__atomic_open(bimt__atomic_file *af, const char *path, char *err, size_t errlen);

/**
 * Flushes, fsyncs and closes the temporary file, renames it over the destination and fsyncs
 * the folder (best effort). On failure the temporary file is removed. Releases af either way.
 * @return BIMT_OK or BIMT_E_IO (message in err).
 */
int bimt__atomic_commit(bimt__atomic_file *af, char *err, size_t errlen);

/** Closes and removes the temporary file and releases af. Safe on a zeroed af. */
void bimt__atomic_abort(bimt__atomic_file *af);

/**
 * Writes len bytes to path atomically (open, one write, commit).
 * @param errbuf optional BIMT_ERRMSG_LEN buffer for a message.
 * @return BIMT_OK, BIMT_E_INVALID_ARG (NULL path or data with len > 0), BIMT_E_NOMEM,
 *         BIMT_E_IO.
 */
int bimt__write_atomic(const char *path, const void *data, size_t len, char *errbuf);

/** Creates a folder and its missing parents (mode 0777 & ~umask). Existing folders are fine.
 *  @return BIMT_OK, BIMT_E_INVALID_ARG, BIMT_E_IO (with a message), BIMT_E_NOMEM. */
int bimt__mkdir_p(const char *dir, char *errbuf);

#endif /* BIMT_ATOMIC_FILE_H */
