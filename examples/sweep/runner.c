/* Running one configuration (see runner.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "runner.h"

extern char **environ;

int sx_fmt(char *buf, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, len, fmt, ap);
    va_end(ap);
    return n;
}

double sx_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* In the child after fork(): output to log_fd, no stdin, die with the parent, exec. */
static void child_exec(const char *path, const char *const *argv, char **envp, int log_fd)
{
    int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
#ifdef __linux__
    /* A sweep killed with SIGKILL takes its runs with it (their folders are redone). */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    execve(path, (char *const *)argv, envp ? envp : environ);
    const char *msg = "bimt_sweep: cannot execute grow_brain\n";
    ssize_t w = write(STDERR_FILENO, msg, strlen(msg));
    (void)w;
    _exit(127);
}

static pid_t spawn(const char *path, const char *const *argv, char **envp, const char *logpath)
{
    int log_fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0644);
    if (log_fd < 0) return -1;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        if (getppid() != parent) _exit(126); /* the parent died before the death signal */
        child_exec(path, argv, envp, log_fd);
    }
    int e = errno;
    close(log_fd);
    errno = e;
    return pid;
}

int sx_run_capture(const char *path, const char *const *argv, const char *logpath, int *status)
{
    pid_t pid = spawn(path, argv, NULL, logpath);
    if (pid < 0) return -1;
    while (waitpid(pid, status, 0) < 0)
        if (errno != EINTR) return -1;
    return 0;
}

void sx_last_line(const char *path, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    while (fgets(line, sizeof line, f)) {
        size_t n = strlen(line);
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
            n--;
        line[n] = '\0';
        if (n) sx_fmt(buf, len, "%s", line);
    }
    fclose(f);
}

/* buf = a b c d (NULL parts are empty); buf must not overlap the parts. */
static int path_fmt(char *buf, const char *a, const char *b, const char *c, const char *d)
{
    int n = sx_fmt(buf, SX_PATH, "%s%s%s%s", a, b ? b : "", c ? c : "", d ? d : "");
    return n > 0 && n < SX_PATH ? 0 : -1;
}

int sx_mkdirs(const char *out, char *err, size_t len)
{
    static const char *const sub[] = {"", "/runs", "/failed", "/.work"};
    char p[SX_PATH];
    for (size_t i = 0; i < 4; i++) {
        if (i == 0) {
            /* parents of DIR too */
            sx_fmt(p, sizeof p, "%s", out);
            for (char *s = p + 1; *s; s++) {
                if (*s != '/') continue;
                *s = '\0';
                if (mkdir(p, 0777) != 0 && errno != EEXIST) break;
                *s = '/';
            }
        }
        if (path_fmt(p, out, sub[i], NULL, NULL) || (mkdir(p, 0777) != 0 && errno != EEXIST)) {
            sx_fmt(err, len, "cannot create %s: %s", p, strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* fcntl lock on path; returns the fd, -1 with errno (EAGAIN/EACCES: held elsewhere). */
static int lock_file(const char *path, int shared, pid_t *holder)
{
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) return -1;
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = shared ? F_RDLCK : F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) == 0) return fd;
    int e = errno;
    if (holder) {
        *holder = 0;
        if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK) *holder = fl.l_pid;
    }
    close(fd);
    errno = e;
    return -1;
}

int sx_lock_sweep(const char *out, int shared, char *err, size_t len)
{
    char p[SX_PATH];
    if (path_fmt(p, out, "/.lock", NULL, NULL)) {
        sx_fmt(err, len, "path too long: %s", out);
        return -1;
    }
    pid_t holder = 0;
    int fd = lock_file(p, shared, &holder);
    if (fd >= 0) return fd;
    if (errno == EAGAIN || errno == EACCES)
        sx_fmt(err, len,
               "%s is in use by another bimt_sweep (process %ld%s); wait for it to "
               "finish or choose another --out",
               out, (long)holder, shared ? ", a whole sweep" : "");
    else
        sx_fmt(err, len, "cannot lock %s: %s", p, strerror(errno));
    return -1;
}

int sx_make_env(sx_ctx *c, unsigned threads)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = calloc(n + 3, sizeof *env);
    static char bimt_threads[64], blas_threads[64];
    if (!env) return -1;
    sx_fmt(bimt_threads, sizeof bimt_threads, "BIMT_NUM_THREADS=%u", threads);
    sx_fmt(blas_threads, sizeof blas_threads, "OPENBLAS_NUM_THREADS=%u", threads);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "BIMT_NUM_THREADS=", 17) != 0 &&
            strncmp(environ[i], "OPENBLAS_NUM_THREADS=", 21) != 0)
            env[k++] = environ[i];
    env[k++] = bimt_threads;
    env[k++] = blas_threads;
    env[k] = NULL;
    c->envp = env;
    c->threads = threads;
    return 0;
}

void sx_free_env(sx_ctx *c)
{
    free(c->envp);
    c->envp = NULL;
}

/* Removes a folder of plain files (a run folder) and the folder. */
static void rm_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[SX_PATH];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
            !path_fmt(p, dir, "/", e->d_name, NULL))
            unlink(p);
    closedir(d);
    rmdir(dir);
}

static int is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Removes DIR/.work/<id>.XXXXXX folders left by a killed sweep (the caller holds the lock). */
static void remove_stale(const sx_ctx *c, const char *id)
{
    char work[SX_PATH], p[SX_PATH];
    if (path_fmt(work, c->out, "/.work", NULL, NULL)) return;
    DIR *d = opendir(work);
    if (!d) return;
    size_t l = strlen(id);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, id, l) || e->d_name[l] != '.' || !strcmp(e->d_name + l, ".lock"))
            continue;
        if (!path_fmt(p, work, "/", e->d_name, NULL) && is_dir(p)) rm_flat(p);
    }
    closedir(d);
}

static int write_file(const char *path, const char *text, int sync)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int ok = fputs(text, f) >= 0;
    ok = fflush(f) == 0 && ok;
    if (sync) ok = fsync(fileno(f)) == 0 && ok;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : -1;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

int sx_start(const sx_ctx *c, const sweep_config *cfg, size_t i, sx_job *job, char *err, size_t len)
{
    memset(job, 0, sizeof *job);
    job->index = i;
    job->lock_fd = -1;
    char p[SX_PATH];
    if (path_fmt(p, c->out, "/.work/", cfg->id, ".lock")) {
        sx_fmt(err, len, "path too long");
        return -1;
    }
    job->lock_fd = lock_file(p, 0, NULL);
    if (job->lock_fd < 0) {
        if (errno == EAGAIN || errno == EACCES) return 1; /* another process runs it */
        sx_fmt(err, len, "cannot lock %s: %s", p, strerror(errno));
        return -1;
    }
    /* Holding the run's lock: any DIR/.work/<id>.XXXXXX is a dead process's (a live one holds
     * this lock while it runs), so it goes, also when the run has finished meanwhile. */
    remove_stale(c, cfg->id);
    path_fmt(p, c->out, "/runs/", cfg->id, NULL);
    if (is_dir(p)) {
        close(job->lock_fd);
        job->lock_fd = -1;
        return 1;
    }
    char conf[SX_PATH], log[SX_PATH], out_arg[SX_PATH];
    if (path_fmt(job->tmp, c->out, "/.work/", cfg->id, ".XXXXXX") || !mkdtemp(job->tmp) ||
        path_fmt(conf, job->tmp, "/grow_brain.conf", NULL, NULL) ||
        path_fmt(log, job->tmp, "/grow_brain.log", NULL, NULL) || write_file(conf, cfg->conf, 0)) {
        sx_fmt(err, len, "cannot prepare the run folder %s: %s", job->tmp, strerror(errno));
        if (job->tmp[0]) rm_flat(job->tmp);
        close(job->lock_fd);
        job->lock_fd = -1;
        return -1;
    }
    sx_fmt(out_arg, sizeof out_arg, "%s", job->tmp);
    const char *argv[] = {c->grow_brain, "--quiet", "--config", conf, "--out", out_arg, NULL};
    job->t0 = sx_now();
    job->pid = spawn(c->grow_brain, argv, c->envp, log);
    if (job->pid < 0) {
        sx_fmt(err, len, "cannot start %s: %s", c->grow_brain, strerror(errno));
        job->pid = 0;
        rm_flat(job->tmp);
        close(job->lock_fd);
        job->lock_fd = -1;
        return -1;
    }
    return 0;
}

static void release(sx_job *job)
{
    if (job->lock_fd >= 0) close(job->lock_fd);
    job->lock_fd = -1;
    job->pid = 0;
}

/* One line: newlines and tabs become spaces. */
static void one_line(char *s)
{
    for (; *s; s++)
        if (*s == '\n' || *s == '\r' || *s == '\t') *s = ' ';
}

void sx_finish(const sx_ctx *c, const sweep_config *cfg, sx_job *job, int wstatus, int discard,
               sx_state *st)
{
    memset(st, 0, sizeof *st);
    bimt_sweep_metrics_init(&st->m);
    st->elapsed_s = sx_now() - job->t0;
    if (discard) {
        rm_flat(job->tmp);
        release(job);
        st->status = BIMT_SWEEP_PENDING;
        return;
    }
    char p[SX_PATH], last[600] = "";
    path_fmt(p, job->tmp, "/grow_brain.log", NULL, NULL);
    sx_last_line(p, last, sizeof last);
    st->status = BIMT_SWEEP_FAILED;
    if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
        char why[600];
        path_fmt(p, job->tmp, "/metrics.json", NULL, NULL);
        if (bimt_sweep_read_metrics(p, &st->m, why, sizeof why) != BIMT_OK) {
            sx_fmt(st->error, sizeof st->error, "grow_brain exited 0 but %s", why);
        } else {
            path_fmt(p, job->tmp, "/model.npz", NULL, NULL);
            struct stat sb;
            if (stat(p, &sb) != 0 || sb.st_size == 0)
                sx_fmt(st->error, sizeof st->error, "grow_brain exited 0 without model.npz");
            else
                st->status = BIMT_SWEEP_OK;
        }
    } else if (WIFEXITED(wstatus)) {
        sx_fmt(st->error, sizeof st->error, "grow_brain exit code %d%s%s", WEXITSTATUS(wstatus),
               *last ? ": " : "", last);
    } else {
        sx_fmt(st->error, sizeof st->error, "grow_brain killed by signal %d%s%s",
               WIFSIGNALED(wstatus) ? WTERMSIG(wstatus) : 0, *last ? ": " : "", last);
    }
    one_line(st->error);
    char info[1200], host[256] = "?";
    gethostname(host, sizeof host - 1);
    sx_fmt(info, sizeof info,
           "# bimt_sweep record of run %s\nstatus = %s\nelapsed_s = %.3f\n"
           "threads = %u\nhost = %s\nerror = %s\n",
           cfg->id, st->status == BIMT_SWEEP_OK ? "ok" : "failed", st->elapsed_s, c->threads, host,
           st->error);
    path_fmt(p, job->tmp, "/run.info", NULL, NULL);
    if (write_file(p, info, 1) != 0 && st->status == BIMT_SWEEP_OK) {
        st->status = BIMT_SWEEP_FAILED;
        sx_fmt(st->error, sizeof st->error, "cannot write %s: %s", p, strerror(errno));
    }
    char dest[SX_PATH], parent[SX_PATH];
    const char *sub = st->status == BIMT_SWEEP_OK ? "/runs" : "/failed";
    path_fmt(parent, c->out, sub, NULL, NULL);
    path_fmt(dest, c->out, sub, "/", cfg->id);
    if (st->status != BIMT_SWEEP_OK) rm_flat(dest); /* the previous failed attempt */
    if (rename(job->tmp, dest) != 0) {
        int e = errno;
        rm_flat(job->tmp);
        if (st->status == BIMT_SWEEP_OK && is_dir(dest)) {
            /* finished meanwhile by another process: keep that one untouched */
        } else {
            st->status = BIMT_SWEEP_FAILED;
            sx_fmt(st->error, sizeof st->error, "cannot move the run to %s: %s", dest, strerror(e));
        }
    }
    sync_dir(parent);
    if (st->status == BIMT_SWEEP_OK) {
        path_fmt(dest, c->out, "/failed/", cfg->id, NULL);
        rm_flat(dest);
    }
    release(job);
}

void sx_abort(const sx_ctx *c, const sweep_config *cfg, sx_job *job)
{
    if (job->pid > 0) {
        kill(job->pid, SIGTERM);
        int ws;
        while (waitpid(job->pid, &ws, 0) < 0 && errno == EINTR) {
        }
    }
    sx_state st;
    sx_finish(c, cfg, job, 0, 1, &st);
}

/* Value of key in a run.info file ("" if absent). */
static void info_value(const char *path, const char *key, char *buf, size_t len)
{
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f) return;
    char line[1024];
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, kl) || strncmp(line + kl, " = ", 3)) continue;
        sx_fmt(buf, len, "%s", line + kl + 3);
        size_t n = strlen(buf);
        while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
            buf[--n] = '\0';
    }
    fclose(f);
}

static int same_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "r");
    if (!f) return 0;
    size_t n = strlen(text);
    char *buf = malloc(n + 2);
    size_t got = buf ? fread(buf, 1, n + 1, f) : 0;
    fclose(f);
    int same = buf && got == n && memcmp(buf, text, n) == 0;
    free(buf);
    return same;
}

void sx_read_state(const sx_ctx *c, const sweep_config *cfg, sx_state *st)
{
    memset(st, 0, sizeof *st);
    bimt_sweep_metrics_init(&st->m);
    st->elapsed_s = (double)NAN;
    st->status = BIMT_SWEEP_PENDING;
    char dir[SX_PATH], p[SX_PATH], v[64];
    path_fmt(dir, c->out, "/runs/", cfg->id, NULL);
    if (is_dir(dir)) {
        st->status = BIMT_SWEEP_FAILED;
        path_fmt(p, dir, "/grow_brain.conf", NULL, NULL);
        if (!same_text(p, cfg->conf)) {
            sx_fmt(st->error, sizeof st->error,
                   "%s was made with other settings (the spec "
                   "changed?); move it away to run this configuration",
                   dir);
            return;
        }
        path_fmt(p, dir, "/run.info", NULL, NULL);
        info_value(p, "elapsed_s", v, sizeof v);
        if (*v) st->elapsed_s = strtod(v, NULL);
        path_fmt(p, dir, "/metrics.json", NULL, NULL);
        if (bimt_sweep_read_metrics(p, &st->m, st->error, sizeof st->error) == BIMT_OK)
            st->status = BIMT_SWEEP_OK;
        one_line(st->error);
        return;
    }
    path_fmt(p, c->out, "/failed/", cfg->id, "/run.info");
    if (access(p, R_OK) == 0) {
        st->status = BIMT_SWEEP_FAILED;
        info_value(p, "error", st->error, sizeof st->error);
        info_value(p, "elapsed_s", v, sizeof v);
        if (*v) st->elapsed_s = strtod(v, NULL);
    }
}
