/* Reading, expanding and checking a sweep spec (see spec.h and docs/sweeps.md). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kv_lines.h"
#include "spec.h"
#include "runner.h"

static char *sdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

void spec_free(spec *s)
{
    for (size_t i = 0; i < s->n_keys; i++) {
        for (size_t v = 0; v < s->keys[i].n_vals; v++)
            free(s->keys[i].vals[v]);
        free(s->keys[i].vals);
        free(s->keys[i].key);
    }
    free(s->keys);
    free(s->path);
    memset(s, 0, sizeof *s);
}

/* Keys bimt_sweep sets itself or that are not settings of a run. */
static const char *reserved(const char *key)
{
    if (strcmp(key, "out") == 0) return "is set by bimt_sweep (each run writes DIR/runs/<id>)";
    if (strcmp(key, "config") == 0) return "cannot be nested (put its lines in the spec)";
    return NULL;
}

/* Splits v at commas into k->vals; 0 or -1 with a message. */
static int split_values(spec_key *k, char *v, char *why, size_t wl)
{
    size_t cap = 1;
    for (const char *p = v; *p; p++)
        cap += *p == ',';
    k->vals = calloc(cap, sizeof *k->vals);
    if (!k->vals) return sx_fmt(why, wl, "out of memory"), -1;
    for (char *item = v;;) {
        char *comma = strchr(item, ',');
        if (comma) *comma = '\0';
        char *t = kv_trim(item);
        if (!*t) {
            sx_fmt(why, wl, "%s: empty value%s", k->key, cap > 1 ? " in the list" : "");
            return -1;
        }
        if (!(k->vals[k->n_vals++] = sdup(t))) return sx_fmt(why, wl, "out of memory"), -1;
        if (!comma) break;
        item = comma + 1;
    }
    for (size_t i = 1; i < k->n_vals; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(k->vals[i], k->vals[j]) == 0) {
                sx_fmt(why, wl, "%s: value '%s' is listed twice", k->key, k->vals[i]);
                return -1;
            }
    k->varied = k->n_vals > 1;
    return 0;
}

int spec_read(spec *s, const char *path, char *err, size_t errlen)
{
    memset(s, 0, sizeof *s);
    char *text;
    size_t len;
    int frc = kv_read_file(path, &text, &len);
    if (frc == -1) {
        sx_fmt(err, errlen, "cannot read the spec %s: %s", path, strerror(errno));
        return -1;
    }
    kv_lines lines;
    kv_lines_init(&lines, text ? text : "", text ? len : 0, KV_LINE_MAX);
    s->path = sdup(path);
    char why[600] = "";
    int rc = 0;
    if (frc) {
        sx_fmt(why, sizeof why, "read error");
        rc = -1;
    } else if (!s->path) {
        sx_fmt(why, sizeof why, "out of memory");
        rc = -1;
    }
    char *key, *value;
    kv_status st = KV_END;
    while (!rc && (st = kv_lines_next(&lines, &key, &value)) == KV_PAIR) {
        if (!*key) {
            sx_fmt(why, sizeof why, "missing key before '='");
            rc = -1;
            break;
        }
        const char *r = reserved(key);
        if (r) {
            sx_fmt(why, sizeof why, "key '%s' %s", key, r);
            rc = -1;
            break;
        }
        for (size_t i = 0; i < s->n_keys; i++)
            if (strcmp(s->keys[i].key, key) == 0) {
                sx_fmt(why, sizeof why,
                       "key '%s' is already set on line %d (give a list: "
                       "%s = a, b)",
                       key, s->keys[i].line, key);
                rc = -1;
            }
        if (rc) break;
        spec_key *nk = realloc(s->keys, (s->n_keys + 1) * sizeof *nk);
        if (!nk) {
            sx_fmt(why, sizeof why, "out of memory");
            rc = -1;
            break;
        }
        s->keys = nk;
        spec_key *k = &s->keys[s->n_keys++];
        memset(k, 0, sizeof *k);
        k->line = lines.line;
        if (!(k->key = sdup(key))) {
            sx_fmt(why, sizeof why, "out of memory");
            rc = -1;
            break;
        }
        rc = split_values(k, value, why, sizeof why);
    }
    if (!rc && st != KV_END) {
        sx_fmt(why, sizeof why, "%s",
               st == KV_TOO_LONG    ? "line too long"
               : st == KV_NO_EQUALS ? "expected 'key = value' or 'key = value, value, ...'"
                                    : "NUL byte in the line");
        rc = -1;
    }
    free(text);
    s->n_lines = lines.line;
    if (rc) {
        sx_fmt(err, errlen, "%s:%d: %s", path, lines.line, why);
        spec_free(s);
    }
    return rc;
}

int spec_key_ignored(const char *key, bimt_arm arm)
{
    static const char *const not_bimt[] = {"A", "swap_interval", "top_k"};
    static const char *const none_too[] = {"lambda", "lambda_start", "warmup_frac", "l1_step"};
    if (arm == BIMT_ARM_BIMT) return 0;
    for (size_t i = 0; i < sizeof not_bimt / sizeof not_bimt[0]; i++)
        if (strcmp(key, not_bimt[i]) == 0) return 1;
    for (size_t i = 0; arm == BIMT_ARM_NONE && i < sizeof none_too / sizeof none_too[0]; i++)
        if (strcmp(key, none_too[i]) == 0) return 1;
    return 0;
}

static void config_clear(sweep_config *c)
{
    free(c->vals);
    free(c->conf);
    memset(c, 0, sizeof *c);
}

void configs_free(sweep_config *c, size_t n)
{
    for (size_t i = 0; c && i < n; i++)
        config_clear(&c[i]);
    free(c);
}

static bimt_arm arm_of(const char *v)
{
    return strcmp(v, "l1") == 0     ? BIMT_ARM_L1
           : strcmp(v, "none") == 0 ? BIMT_ARM_NONE
                                    : BIMT_ARM_BIMT;
}

/* Appends "<sep><key><value>" to an id, with characters outside [A-Za-z0-9._+-] as '-'. */
static void id_append(char *id, size_t len, const char *sep, const char *key, const char *val)
{
    size_t n = strlen(id);
    const char *parts[3] = {sep, key, val};
    for (int p = 0; p < 3; p++)
        for (const char *c = parts[p]; *c && n + 1 < len; c++) {
            int ok = (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                     (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '+' || *c == '-';
            id[n++] = ok ? *c : '-';
        }
    id[n] = '\0';
}

/* Fills c from the value choice pick[] (indices into each key's list). */
static int make_config(const spec *s, const size_t *pick, sweep_config *c)
{
    memset(c, 0, sizeof *c);
    c->vals = calloc(s->n_keys ? s->n_keys : 1, sizeof *c->vals);
    if (!c->vals) return -1;
    c->arm = BIMT_ARM_BIMT;
    for (size_t k = 0; k < s->n_keys; k++)
        if (strcmp(s->keys[k].key, "arm") == 0) c->arm = arm_of(s->keys[k].vals[pick[k]]);
    const char *arm_name = c->arm == BIMT_ARM_L1 ? "l1" : c->arm == BIMT_ARM_NONE ? "none" : "bimt";
    sx_fmt(c->id, sizeof c->id, "%s", arm_name);
    size_t len = 64;
    for (size_t k = 0; k < s->n_keys; k++) {
        const spec_key *sk = &s->keys[k];
        int ign = spec_key_ignored(sk->key, c->arm);
        c->vals[k] = sk->vals[ign ? 0 : pick[k]];
        len += strlen(sk->key) + strlen(c->vals[k]) + 4;
        if (!sk->varied || ign || strcmp(sk->key, "arm") == 0) continue;
        id_append(c->id, sizeof c->id, "_", sk->key, c->vals[k]);
        if (strcmp(sk->key, "lambda") && strcmp(sk->key, "A") && strcmp(sk->key, "seed")) {
            size_t g = strlen(c->group);
            sx_fmt(c->group + g, sizeof c->group - g, "%s%s=%s", g ? " " : "", sk->key, c->vals[k]);
        }
    }
    c->conf = malloc(len);
    if (!c->conf) return -1;
    size_t n = (size_t)sx_fmt(c->conf, len, "# grow_brain settings of one bimt_sweep run\n");
    for (size_t k = 0; k < s->n_keys; k++)
        n += (size_t)sx_fmt(c->conf + n, len - n, "%s = %s\n", s->keys[k].key, c->vals[k]);
    return 0;
}

int spec_expand(const spec *s, sweep_config **out, size_t *n_out, char *err, size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    size_t total = 1;
    for (size_t k = 0; k < s->n_keys; k++) {
        if (total > 10000000 / s->keys[k].n_vals) {
            sx_fmt(err, errlen, "%s: more than 10^7 combinations", s->path);
            return -1;
        }
        total *= s->keys[k].n_vals;
    }
    size_t *pick = calloc(s->n_keys ? s->n_keys : 1, sizeof *pick);
    sweep_config *c = calloc(total, sizeof *c);
    if (!pick || !c) {
        free(pick);
        free(c);
        sx_fmt(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t t = 0; t < total; t++) {
        /* pick from t, the last key varying fastest */
        size_t r = t;
        for (size_t k = s->n_keys; k-- > 0;) {
            pick[k] = r % s->keys[k].n_vals;
            r /= s->keys[k].n_vals;
        }
        if (make_config(s, pick, &c[n])) {
            configs_free(c, n + 1);
            free(pick);
            sx_fmt(err, errlen, "out of memory");
            return -1;
        }
        int dup_cfg = 0;
        for (size_t j = 0; j < n && !dup_cfg; j++)
            dup_cfg = strcmp(c[j].conf, c[n].conf) == 0;
        if (dup_cfg) {
            config_clear(&c[n]);
            continue;
        }
        /* ids are unique by construction unless sanitising merged two values */
        char base[sizeof c[n].id];
        sx_fmt(base, sizeof base, "%s", c[n].id);
        for (int suffix = 2;; suffix++) {
            int clash = 0;
            for (size_t j = 0; j < n && !clash; j++)
                clash = strcmp(c[j].id, c[n].id) == 0;
            if (!clash) break;
            char num[24];
            sx_fmt(num, sizeof num, "%d", suffix);
            sx_fmt(c[n].id, sizeof c[n].id, "%s", base);
            id_append(c[n].id, sizeof c[n].id, "-", "", num);
        }
        n++;
    }
    free(pick);
    *out = c;
    *n_out = n;
    return 0;
}

/* Copies src into dst[len], truncated. */
static void copy_trunc(char *dst, size_t len, const char *src)
{
    size_t n = strlen(src);
    if (n >= len) n = len - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Replaces every occurrence of from in msg by to (in place, msg of len bytes). */
static void replace_all(char *msg, size_t len, const char *from, const char *to)
{
    char out[2048];
    size_t o = 0, fl = strlen(from);
    for (const char *p = msg; *p && o + 1 < sizeof out;) {
        if (fl && strncmp(p, from, fl) == 0) {
            o += (size_t)sx_fmt(out + o, sizeof out - o, "%s", to);
            if (o >= sizeof out) o = sizeof out - 1;
            p += fl;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    copy_trunc(msg, len, out);
}

int spec_validate(const spec *s, const char *grow_brain, const char *tmpdir, char *err,
                  size_t errlen)
{
    size_t rounds = 1;
    for (size_t k = 0; k < s->n_keys; k++)
        rounds = s->keys[k].n_vals > rounds ? s->keys[k].n_vals : rounds;
    char conf[1024], log[1024];
    sx_fmt(conf, sizeof conf, "%s/bimt_sweep-check-%ld.conf", tmpdir, (long)getpid());
    sx_fmt(log, sizeof log, "%s/bimt_sweep-check-%ld.log", tmpdir, (long)getpid());
    int rc = 0;
    /* Round r gives each key its value r mod n on the key's own line number. */
    for (size_t r = 0; r < rounds && !rc; r++) {
        FILE *f = fopen(conf, "w");
        if (!f) {
            sx_fmt(err, errlen, "cannot write %s: %s", conf, strerror(errno));
            return -1;
        }
        int line = 1;
        for (size_t k = 0; k < s->n_keys; k++) {
            for (; line < s->keys[k].line; line++)
                fputc('\n', f);
            fprintf(f, "%s = %s\n", s->keys[k].key, s->keys[k].vals[r % s->keys[k].n_vals]);
            line++;
        }
        if (fclose(f) != 0) {
            sx_fmt(err, errlen, "cannot write %s", conf);
            rc = -1;
            break;
        }
        const char *argv[] = {grow_brain, "--check", "--config", conf, NULL};
        int status = 0;
        if (sx_run_capture(grow_brain, argv, log, &status)) {
            sx_fmt(err, errlen, "cannot run %s: %s", grow_brain, strerror(errno));
            rc = -1;
            break;
        }
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) continue;
        char msg[1024] = "";
        sx_last_line(log, msg, sizeof msg);
        replace_all(msg, sizeof msg, conf, s->path);
        replace_all(msg, sizeof msg, "grow_brain: ", "");
        if (!strstr(msg, s->path)) {
            char tmp[1100];
            sx_fmt(tmp, sizeof tmp,
                   "%s: grow_brain refuses the combination of values "
                   "number %zu of each list: %s",
                   s->path, r + 1, *msg ? msg : "(no message)");
            copy_trunc(msg, sizeof msg, tmp);
        }
        sx_fmt(err, errlen, "%s", msg);
        rc = -1;
    }
    unlink(conf);
    unlink(log);
    return rc;
}
