/* Running one configuration of a sweep: a grow_brain child process in a temporary folder
 * DIR/.work/<id>.XXXXXX, renamed to DIR/runs/<id> when complete (DIR/failed/<id> when not),
 * under a per-run lock; and reading a run's state back from disk. */
#ifndef BIMT_SWEEP_RUNNER_H
#define BIMT_SWEEP_RUNNER_H

#include <stddef.h>
#include <sys/types.h>

#include "bimt/bimt.h"
#include "spec.h"

#define SX_PATH 4096

typedef struct sx_ctx {
    const char *out;        /* the sweep folder DIR */
    const char *grow_brain; /* the grow_brain program */
    char **envp;            /* environment of the runs (thread counts set) */
    unsigned threads;       /* BIMT_NUM_THREADS and OPENBLAS_NUM_THREADS of each run */
} sx_ctx;

typedef struct sx_job {
    size_t index;
    pid_t pid;   /* 0: no child */
    int lock_fd; /* -1: none */
    char tmp[SX_PATH];
    double t0;
} sx_job;

/** A run's state on disk (or just finished). */
typedef struct sx_state {
    bimt_sweep_status status;
    char error[600];
    double elapsed_s;
    bimt_sweep_metrics m;
} sx_state;

/** snprintf into buf[len] (truncating; the result is always terminated); returns what
 *  vsnprintf returns. A function, so that truncation (checked by callers where it matters)
 *  is not a compile-time warning. */
int sx_fmt(char *buf, size_t len, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/** Monotonic seconds. */
double sx_now(void);

/** Runs argv (argv[0] = path) with stdout and stderr into logpath and waits: 0 and the
 *  wait status, or -1 (errno) when it cannot be started. */
int sx_run_capture(const char *path, const char *const *argv, const char *logpath, int *status);
/** The last non-empty line of a text file ("" if none). */
void sx_last_line(const char *path, char *buf, size_t len);

/** Creates DIR, DIR/runs, DIR/failed and DIR/.work. 0 or -1 with a message. */
int sx_mkdirs(const char *out, char *err, size_t len);
/** Locks DIR/.lock: exclusive (a whole sweep) or shared (--index runs). Returns the fd to
 *  keep open, or -1 with a message (held by another bimt_sweep, or an I/O error). */
int sx_lock_sweep(const char *out, int shared, char *err, size_t len);

/** Builds c->envp from the process environment with the thread counts set. 0 or -1. */
int sx_make_env(sx_ctx *c, unsigned threads);
void sx_free_env(sx_ctx *c);

/** Starts configuration cfg (index i): 0 started; 1 skipped (finished, or being run by
 *  another process); -1 could not start (message in err). */
int sx_start(const sx_ctx *c, const sweep_config *cfg, size_t i, sx_job *job, char *err,
             size_t len);
/** Completes a job whose child ended with wait status wstatus: records it (run.info), moves
 *  the folder to DIR/runs/<id> or DIR/failed/<id> and releases the lock; with discard (the
 *  sweep is being stopped) the half-made folder is removed instead. Fills st. */
void sx_finish(const sx_ctx *c, const sweep_config *cfg, sx_job *job, int wstatus, int discard,
               sx_state *st);
/** Stops a running job (SIGTERM, then wait) and discards it. */
void sx_abort(const sx_ctx *c, const sweep_config *cfg, sx_job *job);

/** Reads configuration cfg's state from DIR (pending when neither finished nor failed). */
void sx_read_state(const sx_ctx *c, const sweep_config *cfg, sx_state *st);

#endif /* BIMT_SWEEP_RUNNER_H */
