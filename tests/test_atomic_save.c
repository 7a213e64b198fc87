/* Atomic saves (lib/io/atomic_file.c) under the failures a user meets: writers killed with
 * kill -9 at random moments (every file still loads, and the next save removes what the dead
 * left), several writers of one file at once (a live writer's temporary file is never taken), a
 * full file system and a read-only one (BIMT_E_IO with a message, the previous file intact).
 * The full and read-only file systems are small tmpfs mounts in a private mount namespace of a
 * child process (as root, or in a user namespace); where mounting is not allowed the case says
 * so and passes. */
#define _GNU_SOURCE 1 /* unshare, CLONE_NEWNS */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bimt/bimt.h"
#include "io/atomic_file.h"
#include "testutil.h"

typedef struct setup {
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
} setup;

/* A trainer whose checkpoint is big enough (grid side) that a save takes a while. */
static int make(setup *s, uint32_t side)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = 8;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1);
    if (bimt_task_create(&tp, &s->t)) return -1;
    bimt_model_params mp;
    bimt_test_model_params(&mp, s->t, side);
    if (bimt_model_create(&mp, &s->m)) return -1;
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 4;
    p.eval_interval = 0;
    return bimt_trainer_create(s->m, s->t, &p, &s->tr) ? -1 : 0;
}

static void drop(setup *s)
{
    bimt_trainer_free(s->tr);
    bimt_task_free(s->t);
    bimt_model_free(s->m);
    memset(s, 0, sizeof *s);
}

/* Entries of dir whose name contains ".tmp-". */
static int count_temps(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return -1;
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strstr(e->d_name, ".tmp-")) n++;
    closedir(d);
    return n;
}

static int loads(const char *path)
{
    bimt_model_t *m = NULL;
    bimt_task_t *t = NULL;
    bimt_trainer_t *tr = NULL;
    int rc = bimt_checkpoint_load(path, &m, &t, &tr);
    bimt_trainer_free(tr);
    bimt_task_free(t);
    bimt_model_free(m);
    return rc;
}

/* A "report file" of generation g: len bytes, all equal to 'a' + g % 26. */
static int write_gen(const char *path, char *buf, size_t len, unsigned g)
{
    memset(buf, 'a' + (int)(g % 26), len);
    return bimt__write_atomic(path, buf, len, NULL);
}

/* 1 when path is one whole generation (len bytes, all the same letter). */
static int whole_gen(const char *path, size_t len)
{
    size_t n;
    char *got = bimt_test_read_file(path, &n);
    int ok = n == len;
    for (size_t i = 1; ok && i < n; i++)
        ok = got[i] == got[0];
    free(got);
    return ok;
}

static void make_dir(char *dir, size_t len)
{
    bimt_test_tmppath(dir, len, "");
    ck_assert_int_eq(mkdir(dir, 0700), 0);
}

static void remove_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return;
    struct dirent *e;
    char p[1200];
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
    closedir(d);
    rmdir(dir);
}

START_TEST(stale_temps_go_live_ones_stay)
{
    char dir[512], path[700], p[800];
    make_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/out.svg", dir);
    /* Left by dead writers (nobody holds them), by this version or an older one. */
    const char *stale[] = {"out.svg.tmp-abc123", "out.svg.tmp-ZZZZZZ", "out.svg.tmp-000000"};
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, stale[i]);
        bimt_test_write_file(p, "x", 1);
    }
    /* Not temporary files of out.svg: another target's, other shapes, a folder. */
    const char *keep[] = {"other.svg.tmp-abc123", "out.svg.tmp-abc12",   "out.svg.tmp-abc1234",
                          "out.svg.tmp-abc-12",   "xout.svg.tmp-abc123", "out.svg"};
    for (int i = 0; i < 6; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, keep[i]);
        bimt_test_write_file(p, "y", 1);
    }
    snprintf(p, sizeof p, "%s/out.svg.tmp-folder", dir);
    ck_assert_int_eq(mkdir(p, 0700), 0);
    /* A live writer's: locked by another open file (in this process, as a second thread's
     * save would hold it). */
    snprintf(p, sizeof p, "%s/out.svg.tmp-live00", dir);
    bimt_test_write_file(p, "z", 1);
    int live = open(p, O_RDONLY);
    ck_assert_int_ge(live, 0);
    ck_assert_int_eq(flock(live, LOCK_EX | LOCK_NB), 0);

    ck_assert_int_eq(bimt__write_atomic(path, "new", 3, NULL), BIMT_OK);
    for (int i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, stale[i]);
        ck_assert_msg(access(p, F_OK) != 0, "stale %s survived the save", stale[i]);
    }
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, keep[i]);
        ck_assert_msg(access(p, F_OK) == 0, "%s was removed", keep[i]);
    }
    snprintf(p, sizeof p, "%s/out.svg.tmp-live00", dir);
    ck_assert_msg(access(p, F_OK) == 0, "a live writer's temporary file was removed");
    /* Once its writer is gone (the lock released), the next save removes it. */
    close(live);
    ck_assert_int_eq(bimt__write_atomic(path, "newer", 5, NULL), BIMT_OK);
    ck_assert_msg(access(p, F_OK) != 0, "the dead writer's file survived");
    size_t n;
    char *got = bimt_test_read_file(path, &n);
    ck_assert_uint_eq(n, 5);
    ck_assert_int_eq(memcmp(got, "newer", 5), 0);
    free(got);
    snprintf(p, sizeof p, "%s/out.svg.tmp-folder", dir);
    ck_assert_int_eq(rmdir(p), 0);
    remove_dir(dir);
}
END_TEST

#define N_KILLS 50
#define REP_LEN ((size_t)300000)

/* Saves the checkpoint and the report-like file in a loop until killed. */
static void save_forever(const setup *s, const char *ck, const char *rep, char *buf, size_t len)
{
    for (unsigned g = 1;; g++) {
        if (bimt_trainer_save(s->tr, ck) != BIMT_OK) _exit(3);
        if (write_gen(rep, buf, len, g) != BIMT_OK) _exit(4);
    }
}

/* A fresh folder with the names of its two files, a trainer and a report buffer. */
typedef struct bench {
    char dir[512], ck[700], rep[700];
    setup s;
    char *buf;
} bench;

static void bench_open(bench *b, uint32_t side)
{
    make_dir(b->dir, sizeof b->dir);
    snprintf(b->ck, sizeof b->ck, "%s/model.npz", b->dir);
    snprintf(b->rep, sizeof b->rep, "%s/report.svg", b->dir);
    ck_assert_int_eq(make(&b->s, side), 0);
    b->buf = malloc(REP_LEN);
    ck_assert_ptr_nonnull(b->buf);
}

static void bench_close(bench *b)
{
    free(b->buf);
    drop(&b->s);
    remove_dir(b->dir);
}

START_TEST(kill9_at_50_random_moments)
{
    bench b;
    bench_open(&b, 8);
    ck_assert_int_eq(bimt_trainer_save(b.s.tr, b.ck), BIMT_OK);
    ck_assert_int_eq(write_gen(b.rep, b.buf, REP_LEN, 0), BIMT_OK);
    uint64_t x = 0x9e3779b97f4a7c15u; /* fixed seed: the same 50 moments on every run */
    int left_behind = 0, max_left = 0;
    for (int k = 0; k < N_KILLS; k++) {
        pid_t pid = fork();
        ck_assert_int_ge(pid, 0);
        if (pid == 0) save_forever(&b.s, b.ck, b.rep, b.buf, REP_LEN);
        x = x * 6364136223846793005u + 1442695040888963407u;
        struct timespec ts = {0, (long)((x >> 33) % 40000000u)}; /* 0 .. 40 ms */
        nanosleep(&ts, NULL);
        ck_assert_int_eq(kill(pid, SIGKILL), 0);
        int ws;
        ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
        ck_assert_msg(WIFSIGNALED(ws), "the writer stopped by itself (status %d)", ws);
        ck_assert_msg(loads(b.ck) == BIMT_OK, "kill %d: the checkpoint does not load: %s", k,
                      bimt_last_error());
        ck_assert_msg(whole_gen(b.rep, REP_LEN), "kill %d: the report file is torn", k);
        int n = count_temps(b.dir);
        left_behind += n > 0;
        if (n > max_left) max_left = n;
        /* The next save of each file leaves nothing behind. */
        ck_assert_int_eq(bimt_trainer_save(b.s.tr, b.ck), BIMT_OK);
        ck_assert_int_eq(write_gen(b.rep, b.buf, REP_LEN, (unsigned)k), BIMT_OK);
        ck_assert_msg(count_temps(b.dir) == 0, "kill %d: %d temporary files after the next save", k,
                      count_temps(b.dir));
    }
    printf("kill -9 x %d: %d kills left temporary files (at most %d at once); all loads "
           "good, none left after the next save\n",
           N_KILLS, left_behind, max_left);
    /* The kills did land inside saves (else this test would prove nothing). */
    ck_assert_int_ge(left_behind, 5);
    bench_close(&b);
}
END_TEST

/* Three processes save the same two files 60 times each at once: a save's cleanup must never
 * take another live writer's temporary file (its rename would then fail). */
START_TEST(concurrent_writers_never_collide)
{
    bench b;
    bench_open(&b, 4);
    pid_t kids[2];
    for (int c = 0; c < 3; c++) {
        pid_t pid = c < 2 ? fork() : 0;
        ck_assert_int_ge(pid, 0);
        if (pid > 0) {
            kids[c] = pid;
            continue;
        }
        int failed = 0;
        for (unsigned g = 0; g < 60; g++) {
            failed += bimt_trainer_save(b.s.tr, b.ck) != BIMT_OK;
            failed += write_gen(b.rep, b.buf, REP_LEN / 10, g) != BIMT_OK;
        }
        if (c < 2) _exit(failed);
        ck_assert_msg(failed == 0, "%d saves failed in the parent: %s", failed, bimt_last_error());
    }
    for (int c = 0; c < 2; c++) {
        int ws;
        ck_assert_int_eq(waitpid(kids[c], &ws, 0), kids[c]);
        ck_assert_msg(WIFEXITED(ws) && WEXITSTATUS(ws) == 0, "writer %d: %d saves failed", c,
                      WEXITSTATUS(ws));
    }
    ck_assert_int_eq(count_temps(b.dir), 0);
    ck_assert_int_eq(loads(b.ck), BIMT_OK);
    ck_assert(whole_gen(b.rep, REP_LEN / 10));
    bench_close(&b);
}
END_TEST

/* ------------------------------------------------------------- full and read-only disks */

#define SKIPPED 77
#define REQUIRE(cond, ...)                                                                         \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "line %d: ", __LINE__);                                                \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fprintf(stderr, "\n");                                                                 \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A private mount namespace for this (child) process: directly as root, else inside a user
 * namespace. Returns 0, or -1 with the reason in why. */
static int private_mounts(char *why, size_t len)
{
    if (unshare(CLONE_NEWNS) != 0) {
        uid_t uid = getuid();
        gid_t gid = getgid();
        char map[64];
        if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0) {
            snprintf(why, len, "no mount namespace (unshare: %s)", strerror(errno));
            return -1;
        }
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)uid);
        int bad = write_text("/proc/self/uid_map", map);
        bad |= write_text("/proc/self/setgroups", "deny");
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)gid);
        bad |= write_text("/proc/self/gid_map", map);
        if (bad) {
            snprintf(why, len, "cannot map the user namespace's ids");
            return -1;
        }
    }
    if (mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
        snprintf(why, len, "cannot make the mounts private: %s", strerror(errno));
        return -1;
    }
    return 0;
}

/* Files of a report folder, and a copy of each file's content. */
#define N_REPORT 11
static const char *const report_files[N_REPORT] = {
    "network.svg",    "task_variance.svg",   "clusters.svg",      "performance.svg",
    "importance.svg", "weight_distance.svg", "null_isolated.svg", "null_cluster_size.svg",
    "metrics.json",   "index.html",          "model.npz"};

typedef struct snapshot {
    char *data[N_REPORT];
    size_t len[N_REPORT];
} snapshot;

static void take(snapshot *s, const char *dir)
{
    char p[1200];
    for (int i = 0; i < N_REPORT; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, report_files[i]);
        FILE *f = fopen(p, "rb");
        s->data[i] = NULL;
        s->len[i] = 0;
        if (!f) continue;
        fclose(f);
        s->data[i] = bimt_test_read_file(p, &s->len[i]);
    }
}

static int same(const snapshot *s, int i, const char *p)
{
    FILE *f = fopen(p, "rb");
    if (!f) return s->data[i] == NULL;
    fclose(f);
    size_t n;
    char *got = bimt_test_read_file(p, &n);
    int eq = s->data[i] && n == s->len[i] && memcmp(got, s->data[i], n) == 0;
    free(got);
    return eq;
}

/* Every file of dir is the old version or the whole new one, never a part; no temporary file. */
static void check_intact(const char *dir, const snapshot *old, const snapshot *fresh)
{
    char p[1200];
    for (int i = 0; i < N_REPORT; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, report_files[i]);
        REQUIRE(same(old, i, p) || same(fresh, i, p), "%s is neither the old nor the new file",
                report_files[i]);
    }
    REQUIRE(count_temps(dir) == 0, "temporary files left in %s", dir);
}

/* One training step, a checkpoint and a report of the trainer into dir. */
static int save_all(const setup *s, const char *dir, int *which)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/model.npz", dir);
    *which = 0;
    int rc = bimt_trainer_save(s->tr, p);
    if (rc) return rc;
    *which = 1;
    return bimt_report_write(dir, s->m, s->t, s->tr, NULL, 4);
}

/* The scenario, in a child: mode 0 = full disk, 1 = read-only folder. */
static void disk_child(int mode, const char *base)
{
    char why[256], dir[700], ref[700], p[800];
    if (private_mounts(why, sizeof why) != 0) {
        fprintf(stderr, "%s\n", why);
        _exit(SKIPPED);
    }
    snprintf(dir, sizeof dir, "%s/fs", base);
    snprintf(ref, sizeof ref, "%s/ref", base);
    REQUIRE(mkdir(dir, 0700) == 0 && mkdir(ref, 0700) == 0, "mkdir: %s", strerror(errno));
    if (mount("tmpfs", dir, "tmpfs", 0, "size=2m,mode=0700") != 0) {
        fprintf(stderr, "cannot mount a tmpfs: %s\n", strerror(errno));
        _exit(SKIPPED);
    }
    setup s;
    REQUIRE(make(&s, 4) == 0, "setup: %s", bimt_last_error());
    int which;
    REQUIRE(save_all(&s, dir, &which) == BIMT_OK, "first save: %s", bimt_last_error());
    snapshot old, fresh;
    take(&old, dir);
    REQUIRE(bimt_trainer_run(s.tr, 1, NULL, NULL) == BIMT_OK, "train: %s", bimt_last_error());
    REQUIRE(save_all(&s, ref, &which) == BIMT_OK, "reference save: %s", bimt_last_error());
    take(&fresh, ref);
    if (mode == 0) {
        /* Fill the file system up: a filler file takes every free block. */
        snprintf(p, sizeof p, "%s/filler", dir);
        int fd = open(p, O_WRONLY | O_CREAT, 0600);
        REQUIRE(fd >= 0, "filler: %s", strerror(errno));
        char block[4096];
        memset(block, 0, sizeof block);
        while (write(fd, block, sizeof block) > 0) {
        }
        REQUIRE(errno == ENOSPC, "filling up: %s", strerror(errno));
        close(fd);
    } else {
        REQUIRE(mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "remount ro: %s",
                strerror(errno));
    }
    for (int rep = 0; rep < 2; rep++) {
        bimt_clear_error();
        int rc = save_all(&s, dir, &which);
        REQUIRE(rc == BIMT_E_IO, "%s save returned %d (%s), not BIMT_E_IO",
                which ? "report" : "checkpoint", rc, bimt_status_str(rc));
        REQUIRE(strlen(bimt_last_error()) > 0, "no message");
        fprintf(stderr, "%s, %s: %s\n", mode ? "read-only" : "full disk",
                which ? "report" : "checkpoint", bimt_last_error());
        check_intact(dir, &old, &fresh);
        snprintf(p, sizeof p, "%s/model.npz", dir);
        REQUIRE(loads(p) == BIMT_OK, "the previous checkpoint does not load");
        /* The report alone too (the checkpoint's failure stops save_all before it). */
        rc = bimt_report_write(dir, s.m, s.t, s.tr, NULL, 4);
        REQUIRE(rc == BIMT_E_IO, "report returned %d (%s)", rc, bimt_status_str(rc));
        fprintf(stderr, "%s, report: %s\n", mode ? "read-only" : "full disk", bimt_last_error());
        check_intact(dir, &old, &fresh);
    }
    if (mode == 0) {
        /* Space again: the next save succeeds. */
        snprintf(p, sizeof p, "%s/filler", dir);
        REQUIRE(unlink(p) == 0, "unlink filler");
        REQUIRE(save_all(&s, dir, &which) == BIMT_OK, "save after freeing space: %s",
                bimt_last_error());
        check_intact(dir, &fresh, &fresh);
    }
    drop(&s);
    _exit(0);
}

static void run_disk_case(int mode)
{
    char base[512];
    make_dir(base, sizeof base);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) disk_child(mode, base);
    int ws;
    ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
    ck_assert_msg(WIFEXITED(ws), "the child died (status %d)", ws);
    if (WEXITSTATUS(ws) == SKIPPED)
        printf("%s: skipped (mounting a tmpfs is not allowed here)\n",
               mode ? "read-only folder" : "full disk");
    else
        ck_assert_msg(WEXITSTATUS(ws) == 0, "the %s case failed (see stderr)",
                      mode ? "read-only" : "full-disk");
    char p[700];
    snprintf(p, sizeof p, "%s/fs", base);
    rmdir(p); /* the tmpfs went with the child's namespace */
    snprintf(p, sizeof p, "%s/ref", base);
    remove_dir(p);
    rmdir(base);
}

START_TEST(full_disk_fails_cleanly)
{
    run_disk_case(0);
}
END_TEST

START_TEST(read_only_folder_fails_cleanly)
{
    run_disk_case(1);
}
END_TEST

static Suite *atomic_suite(void)
{
    Suite *s = suite_create("atomic_save");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, stale_temps_go_live_ones_stay);
    tcase_add_test(tc, kill9_at_50_random_moments);
    tcase_add_test(tc, concurrent_writers_never_collide);
    tcase_add_test(tc, full_disk_fails_cleanly);
    tcase_add_test(tc, read_only_folder_fails_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return bimt_test_run(atomic_suite());
}
