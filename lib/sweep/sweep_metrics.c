/* bimt_sweep_read_metrics(): the numbers of one run, from its metrics.json. */
#include <math.h>
#include <string.h>

#include "bimt/status.h"
#include "common/common.h"
#include "sweep/json_read.h"
#include "sweep/sweep_internal.h"

typedef struct reader {
    const bimt__jv *root;
    const char *path;
    char *err;
    size_t errlen;
    int rc;
} reader;

static int missing(reader *r, const char *key, const char *what)
{
    if (!r->rc)
        r->rc = bimt__failn(r->err, r->errlen, BIMT_E_FORMAT, "%s: %s %s", r->path, key, what);
    return r->rc;
}

/* A number (null reads as NaN when nullable). */
static double number(reader *r, const char *key, int nullable)
{
    const bimt__jv *v = bimt__jv_path(r->root, key);
    if (v && v->kind == BIMT__J_NUM) return v->num;
    if (v && v->kind == BIMT__J_NULL && nullable) return (double)NAN;
    missing(r, key, v ? "is not a number" : "is missing");
    return (double)NAN;
}

/* A whole number 0 .. max. */
static uint64_t count(reader *r, const char *key, double max)
{
    double x = number(r, key, 0);
    if (r->rc) return 0;
    if (!(x >= 0.0 && x <= max) || x != floor(x)) {
        missing(r, key, "is not a whole number in range");
        return 0;
    }
    return (uint64_t)x;
}

static double member_num(const bimt__jv *o, const char *key)
{
    const bimt__jv *v = bimt__jv_get(o, key);
    return v && v->kind == BIMT__J_NUM ? v->num : (double)NAN;
}

static void anatomy_by_k(reader *r, bimt_sweep_metrics *m)
{
    const bimt__jv *a = bimt__jv_get(r->root, "anatomy_by_k");
    m->n_by_k = 0;
    if (!a || a->kind == BIMT__J_NULL) return;
    if (a->kind != BIMT__J_ARR) {
        missing(r, "anatomy_by_k", "is not an array");
        return;
    }
    for (size_t i = 0; i < a->n && m->n_by_k < BIMT_SWEEP_MAX_BY_K; i++) {
        const bimt__jv *e = &a->items[i];
        double k = member_num(e, "k");
        if (e->kind != BIMT__J_OBJ || !(k >= 0.0 && k <= 4294967295.0) || k != floor(k)) {
            missing(r, "anatomy_by_k", "has an entry without a whole number k");
            return;
        }
        bimt_sweep_anatomy_k *o = &m->by_k[m->n_by_k++];
        o->k = (uint32_t)k;
        o->isolated_fraction = member_num(e, "isolated_fraction");
        o->isolated_p = member_num(e, "isolated_p");
        o->cluster_size = member_num(e, "cluster_size");
        o->cluster_size_p = member_num(e, "cluster_size_p");
    }
}

/* The scalar graph metrics; a report without them (older, or too many nodes) leaves NaN. */
static void graph(const reader *r, bimt_sweep_metrics *m)
{
    const bimt__jv *g = bimt__jv_get(r->root, "graph");
    if (!g || g->kind != BIMT__J_OBJ) return;
    m->graph_modularity_q = member_num(g, "modularity_q");
    m->graph_clustering = member_num(g, "clustering");
    m->graph_char_path_length = member_num(g, "char_path_length");
    m->graph_small_world_sigma = member_num(g, "small_world_sigma");
}

int bimt_sweep_read_metrics(const char *path, bimt_sweep_metrics *out, char *errbuf,
                            size_t errbuf_len)
{
    if (!path || !out)
        return bimt__failn(errbuf, errbuf_len, BIMT_E_INVALID_ARG, "read_metrics: %s is NULL",
                           !path ? "path" : "out");
    if (bimt__out_check(out, "read_metrics: out"))
        return bimt__failn(errbuf, errbuf_len, BIMT_E_VERSION, "%s (use bimt_sweep_metrics_init())",
                           bimt_last_error());
    bimt__jv *root = NULL;
    int rc = bimt__json_read_file(path, &root, errbuf, errbuf_len);
    if (rc) return rc;
    reader r = {root, path, errbuf, errbuf_len, BIMT_OK};
    const bimt__jv *fmt = bimt__jv_get(root, "format");
    if (!fmt || fmt->kind != BIMT__J_STR || strcmp(fmt->str, "bimt-report") != 0) {
        missing(&r, "format", "is not \"bimt-report\" (not a libbimt metrics.json)");
        bimt__jv_free(root);
        return r.rc;
    }
    bimt_sweep_metrics m;
    bimt_sweep_metrics_init(&m);
    m.perf_mean = number(&r, "performance.mean", 1);
    m.perf_min = number(&r, "performance.min", 1);
    m.n_tasks_at_target = (uint32_t)count(&r, "performance.n_at_or_above_target", 1e9);
    m.n_important = (uint32_t)count(&r, "task_variance.n_important", 1e9);
    m.n_active_neurons = (uint32_t)count(&r, "wiring.n_active_neurons", 1e9);
    m.wiring_length = number(&r, "wiring.wiring_length", 1);
    m.n_clusters = (uint32_t)count(&r, "clusters.n_clusters", 1e9);
    m.isolated_p = number(&r, "anatomy.isolated_fraction.p", 1);
    m.cluster_size_p = number(&r, "anatomy.cluster_size.p", 1);
    m.steps = count(&r, "steps", 1e18);
    const bimt__jv *tr = bimt__jv_path(root, "config.trainer");
    if (tr && tr->kind == BIMT__J_OBJ) {
        const bimt__jv *arm = bimt__jv_get(tr, "arm");
        static const char *const arms[] = {"bimt", "l1", "none"};
        int a = -1;
        for (int i = 0; arm && arm->kind == BIMT__J_STR && i < 3; i++)
            if (strcmp(arm->str, arms[i]) == 0) a = i;
        if (a < 0)
            missing(&r, "config.trainer.arm", "is not bimt, l1 or none");
        else
            m.arm = (bimt_arm)a;
        m.lambda = number(&r, "config.trainer.lambda", 1);
        m.A = number(&r, "config.trainer.A", 1);
        m.seed = count(&r, "config.trainer.seed", 18446744073709549568.0);
    } else {
        m.arm = BIMT_ARM_NONE; /* a report without trainer: untrained */
    }
    anatomy_by_k(&r, &m);
    graph(&r, &m);
    rc = r.rc;
    bimt__jv_free(root);
    if (rc) return rc;
    return bimt__out_write(out, &m, sizeof m, "read_metrics: out");
}
