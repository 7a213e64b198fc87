/* Graph metrics of the recurrent weights with the Brain Connectivity Toolbox's semantics:
 * proportional threshold, modularity_und (Newman's leading eigenvector with fine-tuning),
 * clustering_coef_bu, characteristic path length over connected pairs, small-worldness against
 * Erdos-Renyi nulls. Definitions in docs/analysis.md §6c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/graph.h"
#include "bimt/graph.h"
#include "common/blas.h"
#include "common/common.h"
#include "common/rng.h"
#include "model/model_internal.h"

#define GRAPH_MAX_W 65536u /* largest weight matrix of bimt_graph_threshold() */

static unsigned popcount64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (unsigned)__builtin_popcountll(x);
#else
    unsigned c = 0;
    for (; x; x &= x - 1)
        c++;
    return c;
#endif
}

static size_t ctz64(uint64_t x)
{
#if defined(__GNUC__) || defined(__clang__)
    return (size_t)__builtin_ctzll(x);
#else
    size_t c = 0;
    for (; !(x & 1u); x >>= 1)
        c++;
    return c;
#endif
}

void bimt_graph_params_init(bimt_graph_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->threshold_proportion = 0.1;
    p->n_null = 1000;
    p->seed = 0;
}

/* ------------------------------------------------------------------ threshold */

typedef struct pair_s {
    double s;
    size_t idx; /* row-major rank of the pair (i, j), i < j */
    uint32_t i, j;
} pair_s;

/* Strongest first; ties to the earlier pair in row-major order. */
static int pair_desc(const void *a, const void *b)
{
    const pair_s *x = a, *y = b;
    if (x->s != y->s) return x->s < y->s ? 1 : -1;
    return x->idx < y->idx ? -1 : (x->idx > y->idx);
}

int bimt_graph_threshold(const float *w, uint32_t n, const uint32_t *nodes, uint32_t n_nodes,
                         double threshold_proportion, uint8_t *adj, uint32_t *n_edges)
{
    const char *fn = "bimt_graph_threshold";
    if (!w || !adj || (!nodes && n_nodes > 0))
        return bimt__err(BIMT_E_INVALID_ARG, "%s: %s is NULL", fn,
                         !w     ? "w"
                         : !adj ? "adj"
                                : "nodes");
    if (n == 0 || n > GRAPH_MAX_W)
        return bimt__err(BIMT_E_INVALID_ARG, "%s: n must be in 1..%u (got %u)", fn, GRAPH_MAX_W,
                         (unsigned)n);
    if (n_nodes > BIMT_GRAPH_MAX_NODES)
        return bimt__err(BIMT_E_INVALID_ARG, "%s: n_nodes %u is above %u", fn, (unsigned)n_nodes,
                         BIMT_GRAPH_MAX_NODES);
    if (!(threshold_proportion > 0.0 && threshold_proportion <= 1.0))
        return bimt__err(BIMT_E_INVALID_ARG, "%s: threshold_proportion must be in (0, 1] (got %g)",
                         fn, threshold_proportion);
    const size_t k = n_nodes, np = k * (k - (k > 0)) / 2;
    uint8_t *seen = bimt__calloc(n, 1);
    pair_s *pairs = np ? bimt__malloc(np, sizeof(pair_s)) : NULL;
    if (!seen || (np && !pairs)) {
        free(seen);
        free(pairs);
        return bimt__err(BIMT_E_NOMEM, "%s: out of memory (%u nodes)", fn, (unsigned)n_nodes);
    }
    int rc = BIMT_OK;
    for (size_t a = 0; a < k && !rc; a++) {
        if (nodes[a] >= n || seen[nodes[a]])
            rc = bimt__err(BIMT_E_INVALID_ARG, "%s: nodes[%zu] = %u is %s", fn, a,
                           (unsigned)nodes[a], nodes[a] >= n ? "out of range" : "repeated");
        else
            seen[nodes[a]] = 1;
    }
    size_t m = 0, idx = 0;
    for (size_t a = 0; a < k && !rc; a++)
        for (size_t b = a + 1; b < k && !rc; b++, idx++) {
            size_t u = nodes[a], v = nodes[b];
            double wu = (double)w[u * n + v], wv = (double)w[v * n + u];
            if (!bimt__finite(wu) || !bimt__finite(wv)) {
                rc = bimt__err(BIMT_E_INVALID_ARG, "%s: w[%zu][%zu] is not finite", fn,
                               bimt__finite(wu) ? v : u, bimt__finite(wu) ? u : v);
                break;
            }
            double s = 0.5 * (fabs(wu) + fabs(wv));
            if (s > 0.0) pairs[m++] = (pair_s){s, idx, (uint32_t)a, (uint32_t)b};
        }
    if (!rc) {
        /* BCT: round((n^2 - n) p / 2) of the nonzero pairs, rounded half away from zero. */
        size_t keep = (size_t)floor(threshold_proportion * (double)np + 0.5);
        if (keep > m) keep = m;
        if (m > 1) qsort(pairs, m, sizeof(pair_s), pair_desc);
        memset(adj, 0, k * k);
        for (size_t e = 0; e < keep; e++) {
            adj[(size_t)pairs[e].i * k + pairs[e].j] = 1;
            adj[(size_t)pairs[e].j * k + pairs[e].i] = 1;
        }
        if (n_edges) *n_edges = (uint32_t)keep;
    }
    free(seen);
    free(pairs);
    return rc;
}

/* ------------------------------------------------------------------ clustering, paths */

double bimt__graph_clustering(const uint64_t *rows, size_t n)
{
    if (n == 0) return 0.0;
    const size_t words = bimt__graph_words(n);
    double sum = 0.0;
    for (size_t u = 0; u < n; u++) {
        const uint64_t *ru = rows + u * words;
        size_t deg = 0, links = 0;
        for (size_t q = 0; q < words; q++)
            deg += popcount64(ru[q]);
        if (deg < 2) continue;
        /* links = sum over neighbours v of |N(v) & N(u)| = twice the edges among N(u) */
        for (size_t q = 0; q < words; q++)
            for (uint64_t bits = ru[q]; bits; bits &= bits - 1) {
                const uint64_t *rv = rows + (q * 64 + ctz64(bits)) * words;
                for (size_t r = 0; r < words; r++)
                    links += popcount64(rv[r] & ru[r]);
            }
        sum += (double)links / ((double)deg * (double)(deg - 1));
    }
    return sum / (double)n;
}

double bimt__graph_char_path(const uint64_t *rows, size_t n, uint64_t *scratch)
{
    const size_t words = bimt__graph_words(n);
    uint64_t *visited = scratch, *frontier = scratch + words, *next = scratch + 2 * words;
    double total = 0.0, pairs = 0.0;
    for (size_t s = 0; s < n; s++) {
        memset(visited, 0, words * sizeof(uint64_t));
        memset(frontier, 0, words * sizeof(uint64_t));
        visited[s / 64] = frontier[s / 64] = (uint64_t)1 << (s % 64);
        for (size_t d = 1;; d++) {
            memset(next, 0, words * sizeof(uint64_t));
            for (size_t q = 0; q < words; q++)
                for (uint64_t bits = frontier[q]; bits; bits &= bits - 1) {
                    const uint64_t *ru = rows + (q * 64 + ctz64(bits)) * words;
                    for (size_t r = 0; r < words; r++)
                        next[r] |= ru[r];
                }
            size_t found = 0;
            for (size_t r = 0; r < words; r++) {
                next[r] &= ~visited[r];
                visited[r] |= next[r];
                found += popcount64(next[r]);
            }
            if (!found) break;
            total += (double)d * (double)found;
            pairs += (double)found;
            memcpy(frontier, next, words * sizeof(uint64_t));
        }
    }
    return pairs > 0.0 ? total / pairs : 0.0;
}

/* ------------------------------------------------------------------ modularity */

static void degrees(const uint8_t *adj, size_t n, double *K, double *m)
{
    *m = 0.0;
    for (size_t i = 0; i < n; i++) {
        size_t d = 0;
        for (size_t j = 0; j < n; j++)
            d += adj[i * n + j];
        K[i] = (double)d;
        *m += K[i];
    }
}

double bimt__graph_modularity_q(const uint8_t *adj, size_t n, const int32_t *ci)
{
    double *K = bimt__malloc(n + 1, sizeof(double)), m = 0.0, q = 0.0;
    if (!K) return (double)NAN;
    degrees(adj, n, K, &m);
    for (size_t i = 0; i < n && m > 0.0; i++)
        for (size_t j = 0; j < n; j++)
            if (ci[i] == ci[j]) q += (double)adj[i * n + j] - K[i] * K[j] / m;
    free(K);
    return m > 0.0 ? q / m : 0.0;
}

/* The leading eigenvector of the symmetric g x g matrix Bg, its sign fixed so that its entry
 * of largest magnitude (the first such) is positive; entries within 1e-10 of that one in
 * magnitude are set to 0 (a node with a zero row, e.g. without edges, has a zero entry whose
 * computed sign is rounding noise that may depend on the BLAS threads). */
static int leading_vector(const double *Bg, size_t g, double *work, double *v)
{
    memcpy(work, Bg, g * g * sizeof(double));
    double lambda = 0.0;
    int rc = bimt__sym_top_eigvec(work, g, &lambda, v);
    if (rc) return rc;
    size_t big = 0;
    for (size_t i = 1; i < g; i++)
        if (fabs(v[i]) > fabs(v[big])) big = i;
    const double sign = v[big] < 0.0 ? -1.0 : 1.0, tiny = 1e-10 * fabs(v[big]);
    for (size_t i = 0; i < g; i++)
        v[i] = fabs(v[i]) <= tiny ? 0.0 : sign * v[i];
    return BIMT_OK;
}

/* Splits the group of g nodes with modularity matrix Bg (destroyed) into s [g] = +-1: BCT's
 * leading-eigenvector split and its fine-tuning. Returns 1 if the group divides, 0 if not. */
static int split_group(double *Bg, size_t g, double *work, double *v, double *bs, int8_t *sit,
                       uint8_t *moved, int8_t *s, int *rc)
{
    *rc = leading_vector(Bg, g, work, v);
    if (*rc) return 0;
    for (size_t i = 0; i < g; i++)
        s[i] = v[i] < 0.0 ? -1 : 1;
    double q = 0.0;
    for (size_t i = 0; i < g; i++) {
        double row = 0.0;
        for (size_t j = 0; j < g; j++)
            row += Bg[i * g + j] * (double)s[j];
        q += (double)s[i] * row;
    }
    if (!(q > 1e-10)) return 0;
    /* Fine-tuning: move every node once, each time the one whose move gives the largest
     * contribution (first on ties), and keep the best configuration seen. */
    for (size_t i = 0; i < g; i++)
        Bg[i * g + i] = 0.0;
    memcpy(sit, s, g);
    memset(moved, 0, g);
    for (size_t i = 0; i < g; i++) {
        double row = 0.0;
        for (size_t j = 0; j < g; j++)
            row += Bg[i * g + j] * (double)sit[j];
        bs[i] = row;
    }
    double qmax = q;
    for (size_t it = 0; it < g; it++) {
        size_t imax = g;
        double best = 0.0;
        for (size_t i = 0; i < g; i++) {
            if (moved[i]) continue;
            double qi = qmax - 4.0 * (double)sit[i] * bs[i];
            if (imax == g || qi > best) {
                best = qi;
                imax = i;
            }
        }
        qmax = best;
        double flip = -2.0 * (double)sit[imax];
        sit[imax] = (int8_t)-sit[imax];
        moved[imax] = 1;
        for (size_t i = 0; i < g; i++)
            bs[i] += flip * Bg[i * g + imax];
        if (qmax > q) {
            q = qmax;
            memcpy(s, sit, g);
        }
    }
    long sum = 0;
    for (size_t i = 0; i < g; i++)
        sum += s[i];
    return (size_t)labs(sum) != g;
}

int bimt__graph_modularity_und(const uint8_t *adj, size_t n, int32_t *ci, uint32_t *n_modules,
                               double *q)
{
    *n_modules = n ? 1u : 0u;
    *q = 0.0;
    for (size_t i = 0; i < n; i++)
        ci[i] = 0;
    if (n == 0) return BIMT_OK;
    double *K = bimt__malloc(n, sizeof(double));
    double *B = bimt__malloc(n * n, sizeof(double));
    double *Bg = bimt__malloc(n * n, sizeof(double));
    double *work = bimt__malloc(n * n, sizeof(double));
    double *v = bimt__malloc(n, sizeof(double));
    double *bs = bimt__malloc(n, sizeof(double));
    size_t *ind = bimt__malloc(n, sizeof(size_t));
    int32_t *stack = bimt__malloc(n + 1, sizeof(int32_t));
    int8_t *s = bimt__malloc(n, 1), *sit = bimt__malloc(n, 1);
    uint8_t *moved = bimt__malloc(n, 1);
    int rc = BIMT_OK;
    if (!K || !B || !Bg || !work || !v || !bs || !ind || !stack || !s || !sit || !moved) {
        rc = bimt__err(BIMT_E_NOMEM, "modularity: out of memory (%zu nodes)", n);
        goto done;
    }
    double m = 0.0;
    degrees(adj, n, K, &m);
    if (m == 0.0) goto done; /* no edge: one module, Q = 0 */
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            B[i * n + j] = (double)adj[i * n + j] - K[i] * K[j] / m;
    /* Labels 1.. as BCT's Ci while dividing; the stack holds the unexamined groups. */
    for (size_t i = 0; i < n; i++)
        ci[i] = 1;
    int32_t cn = 1;
    size_t top = 0, g = n;
    stack[top++] = 1;
    for (size_t i = 0; i < n; i++)
        ind[i] = i;
    memcpy(Bg, B, n * n * sizeof(double)); /* the whole graph: B itself */
    while (top > 0) {
        int32_t u = stack[top - 1];
        int divides = split_group(Bg, g, work, v, bs, sit, moved, s, &rc);
        if (rc) goto done;
        if (divides) {
            cn++;
            for (size_t a = 0; a < g; a++)
                ci[ind[a]] = s[a] == 1 ? u : cn;
            stack[top++] = cn;
        } else {
            top--;
        }
        if (top == 0) break;
        /* The next group: B restricted to it, minus the diagonal of its row sums. */
        u = stack[top - 1];
        g = 0;
        for (size_t i = 0; i < n; i++)
            if (ci[i] == u) ind[g++] = i;
        for (size_t a = 0; a < g; a++) {
            double rs = 0.0;
            for (size_t b = 0; b < g; b++) {
                Bg[a * g + b] = B[ind[a] * n + ind[b]];
                rs += Bg[a * g + b];
            }
            Bg[a * g + a] -= rs;
        }
    }
    {
        /* Q = sum over same-module pairs of B / m, then labels renumbered by first node. */
        double acc = 0.0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                if (ci[i] == ci[j]) acc += B[i * n + j];
        *q = acc / m;
        int32_t *map = stack; /* reused: n + 1 >= cn + 1 entries */
        for (int32_t c = 0; c <= cn; c++)
            map[c] = -1;
        int32_t next = 0;
        for (size_t i = 0; i < n; i++) {
            if (map[ci[i]] < 0) map[ci[i]] = next++;
            ci[i] = map[ci[i]];
        }
        *n_modules = (uint32_t)next;
    }
done:
    if (rc)
        for (size_t i = 0; i < n; i++)
            ci[i] = 0;
    free(K);
    free(B);
    free(Bg);
    free(work);
    free(v);
    free(bs);
    free(ind);
    free(stack);
    free(s);
    free(sit);
    free(moved);
    return rc;
}

/* ------------------------------------------------------------------ metrics and nulls */

/* Bitset rows of the graph adj [n][n]. */
static void to_rows(const uint8_t *adj, size_t n, uint64_t *rows)
{
    const size_t words = bimt__graph_words(n);
    memset(rows, 0, n * words * sizeof(uint64_t));
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            if (adj[i * n + j]) rows[i * words + j / 64] |= (uint64_t)1 << (j % 64);
}

/* Erdos-Renyi G(n, m): m distinct pairs drawn uniformly (partial Fisher-Yates over the pair
 * ranks `perm`, which stays a permutation between calls) into rows. */
static void er_graph(bimt_rng *rng, size_t n, size_t m, uint32_t *perm, size_t np,
                     const uint32_t *pi, const uint32_t *pj, uint64_t *rows)
{
    const size_t words = bimt__graph_words(n);
    memset(rows, 0, n * words * sizeof(uint64_t));
    for (size_t e = 0; e < m; e++) {
        size_t r = e + (size_t)bimt__rng_below(rng, (uint64_t)(np - e));
        uint32_t t = perm[e];
        perm[e] = perm[r];
        perm[r] = t;
        size_t i = pi[perm[e]], j = pj[perm[e]];
        rows[i * words + j / 64] |= (uint64_t)1 << (j % 64);
        rows[j * words + i / 64] |= (uint64_t)1 << (i % 64);
    }
}

static int check_adj(const uint8_t *adj, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++) {
            uint8_t a = adj[i * n + j];
            if (a > 1 || a != adj[j * n + i] || (i == j && a))
                return bimt__err(BIMT_E_INVALID_ARG,
                                 "bimt_graph_analyze: adj[%zu][%zu] = %u (entries must be 0 or "
                                 "1, symmetric, with a zero diagonal)",
                                 i, j, (unsigned)a);
        }
    return BIMT_OK;
}

/* The null graphs: their mean clustering and characteristic path length. */
static int null_means(size_t n, size_t m, const bimt_graph_params *p, uint64_t *rows,
                      uint64_t *scratch, double *c_mean, double *l_mean)
{
    *c_mean = *l_mean = 0.0;
    const size_t np = n * (n - (n > 0)) / 2;
    if (p->n_null == 0 || np == 0) return BIMT_OK;
    uint32_t *perm = bimt__malloc(np, sizeof(uint32_t));
    uint32_t *pi = bimt__malloc(np, sizeof(uint32_t));
    uint32_t *pj = bimt__malloc(np, sizeof(uint32_t));
    if (bimt__alloc_failed((void *[]){perm, pi, pj}, 3))
        return bimt__err(BIMT_E_NOMEM, "bimt_graph_analyze: out of memory (%zu pairs)", np);
    size_t idx = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++, idx++) {
            perm[idx] = (uint32_t)idx;
            pi[idx] = (uint32_t)i;
            pj[idx] = (uint32_t)j;
        }
    bimt_rng rng;
    bimt__rng_seed(&rng, p->seed, BIMT_STREAM_GRAPH);
    double cs = 0.0, ls = 0.0;
    for (uint32_t t = 0; t < p->n_null; t++) {
        er_graph(&rng, n, m, perm, np, pi, pj, rows);
        cs += bimt__graph_clustering(rows, n);
        ls += bimt__graph_char_path(rows, n, scratch);
    }
    *c_mean = cs / (double)p->n_null;
    *l_mean = ls / (double)p->n_null;
    free(perm);
    free(pi);
    free(pj);
    return BIMT_OK;
}

int bimt_graph_analyze(const uint8_t *adj, uint32_t n, const bimt_graph_params *params,
                       int32_t *modules, bimt_graph_metrics *out)
{
    if (!out || (!adj && n > 0))
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_graph_analyze: %s is NULL",
                         !out ? "out" : "adj");
    bimt_graph_params p;
    bimt_graph_params_init(&p);
    int rc = bimt__params_in(&p, sizeof p, params, "bimt_graph_params");
    if (rc) return rc;
    if (n > BIMT_GRAPH_MAX_NODES)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_graph_analyze: n %u is above %u", (unsigned)n,
                         BIMT_GRAPH_MAX_NODES);
    if (p.n_null > BIMT_GRAPH_MAX_NULL)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_graph_analyze: n_null %u is above %u",
                         (unsigned)p.n_null, BIMT_GRAPH_MAX_NULL);
    if ((rc = check_adj(adj, n))) return rc;
    const size_t words = bimt__graph_words(n);
    uint64_t *rows = bimt__malloc(n * words + 1, sizeof(uint64_t));
    uint64_t *scratch = bimt__malloc(3 * words + 1, sizeof(uint64_t));
    int32_t *ci = bimt__malloc(n + 1, sizeof(int32_t));
    if (!rows || !scratch || !ci) {
        rc = bimt__err(BIMT_E_NOMEM, "bimt_graph_analyze: out of memory (%u nodes)", (unsigned)n);
        goto done;
    }
    bimt_graph_metrics res;
    memset(&res, 0, sizeof res);
    res.struct_size = (uint32_t)sizeof res;
    res.n_nodes = n;
    size_t m = 0;
    for (size_t i = 0; i < (size_t)n * n; i++)
        m += adj[i];
    m /= 2;
    res.n_edges = (uint32_t)m;
    rc = bimt__graph_modularity_und(adj, n, ci, &res.n_modules, &res.modularity_q);
    if (rc) goto done;
    to_rows(adj, n, rows);
    res.clustering = bimt__graph_clustering(rows, n);
    res.char_path_length = bimt__graph_char_path(rows, n, scratch);
    rc = null_means(n, m, &p, rows, scratch, &res.null_clustering_mean, &res.null_char_path_mean);
    if (rc) goto done;
    res.n_null = n > 1 ? p.n_null : 0;
    res.small_world_sigma = (double)NAN;
    if (res.n_null > 0 && res.null_clustering_mean > 0.0 && res.char_path_length > 0.0 &&
        res.null_char_path_mean > 0.0)
        res.small_world_sigma = (res.clustering / res.null_clustering_mean) /
                                (res.char_path_length / res.null_char_path_mean);
    if (modules) memcpy(modules, ci, (size_t)n * sizeof(int32_t));
    *out = res;
done:
    free(rows);
    free(scratch);
    free(ci);
    return rc;
}

int bimt_model_graph_metrics(const bimt_model_t *model, const uint8_t *important,
                             const bimt_graph_params *params, int32_t *modules,
                             bimt_graph_metrics *out)
{
    if (!model || !important || !out)
        return bimt__err(BIMT_E_INVALID_ARG, "bimt_model_graph_metrics: %s is NULL",
                         !model       ? "model"
                         : !important ? "important"
                                      : "out");
    bimt_graph_params p;
    bimt_graph_params_init(&p);
    int rc = bimt__params_in(&p, sizeof p, params, "bimt_graph_params");
    if (rc) return rc;
    const size_t nh = model->n_h;
    uint32_t k = 0;
    for (size_t i = 0; i < nh; i++)
        k += important[i] != 0;
    if (k > BIMT_GRAPH_MAX_NODES)
        return bimt__err(BIMT_E_INVALID_ARG,
                         "bimt_model_graph_metrics: %u important neurons, above the %u nodes a "
                         "graph may have",
                         (unsigned)k, BIMT_GRAPH_MAX_NODES);
    uint32_t *nodes = bimt__malloc((size_t)k + 1, sizeof(uint32_t));
    uint8_t *adj = bimt__malloc((size_t)k * k + 1, 1);
    int32_t *ci = bimt__malloc((size_t)k + 1, sizeof(int32_t));
    if (!nodes || !adj || !ci) {
        rc = bimt__err(BIMT_E_NOMEM, "bimt_model_graph_metrics: out of memory (%u nodes)",
                       (unsigned)k);
        goto done;
    }
    k = 0;
    for (size_t i = 0; i < nh; i++)
        if (important[i]) nodes[k++] = (uint32_t)i;
    rc = bimt_graph_threshold(bimt__W(model), (uint32_t)nh, nodes, k, p.threshold_proportion, adj,
                              NULL);
    bimt_graph_metrics res;
    if (!rc) rc = bimt_graph_analyze(adj, k, &p, ci, &res);
    if (rc) goto done;
    if (modules) {
        for (size_t i = 0; i < nh; i++)
            modules[i] = -1;
        for (uint32_t a = 0; a < k; a++)
            modules[nodes[a]] = ci[a];
    }
    *out = res;
done:
    free(nodes);
    free(adj);
    free(ci);
    return rc;
}
