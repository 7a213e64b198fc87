/* index.html of the report: the key numbers and every figure, self-contained (no scripts,
 * no external resources). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "bimt/status.h"
#include "common/common.h"
#include "report/report_internal.h"
#include "report/svg.h"

static void row(bimt__buf *b, const char *name, const char *value, const char *note)
{
    bimt__buf_fmt(b, "<tr><th>%s</th><td>%s</td><td class=\"note\">%s</td></tr>\n", name, value,
                  note ? note : "");
}

static void row_num(bimt__buf *b, const char *name, double v, int prec, const char *note)
{
    char t[BIMT__NUMBUF];
    if (!bimt__finite(v))
        snprintf(t, sizeof t, "n/a");
    else
        bimt__fmt_fixed(t, v, prec);
    row(b, name, t, note);
}

static void anat_row(bimt__buf *b, const char *name, double obs, double mean, double sd, double z,
                     double p, uint32_t n)
{
    char o[BIMT__NUMBUF], m[BIMT__NUMBUF], s[BIMT__NUMBUF], zz[BIMT__NUMBUF], pp[BIMT__NUMBUF];
    char note[320];
    if (!bimt__finite(obs)) {
        row(b, name, "n/a", "no clustered neurons");
        return;
    }
    bimt__fmt_fixed(o, obs, 4);
    bimt__fmt_fixed(m, mean, 4);
    bimt__fmt_fixed(s, sd, 4);
    bimt__fmt_fixed(zz, z, 2);
    bimt__fmt_short(pp, p);
    if (n)
        snprintf(note, sizeof note, "shuffled null (n = %u): %s &#177; %s; z = %s, p = %s",
                 (unsigned)n, m, s, zz, pp);
    else
        snprintf(note, sizeof note, "no null samples");
    /* note holds an entity, so it goes in raw; its numbers are our own text. */
    bimt__buf_fmt(b, "<tr><th>%s</th><td>%s</td><td class=\"note\">%r</td></tr>\n", name, o, note);
}

int bimt__report_html(const bimt__report *r, const char *dir, const char *path, char *errbuf)
{
    bimt__buf b;
    bimt__buf_init(&b);
    char t[BIMT__NUMBUF], line[400];
    const char *arm = r->tr ? bimt__arm_name((int)r->trp.arm) : "untrained or external";
    bimt__buf_puts(&b,
                   "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>libbimt report</title>\n<style>\n"
                   "body{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif;margin:24px;"
                   "color:#222;background:#fafafa}\n"
                   "h1{margin:0 0 4px 0;font-size:26px}\n.sub{color:#555;margin-bottom:18px}\n"
                   "table{border-collapse:collapse;background:#fff;margin-bottom:22px}\n"
                   "th,td{border:1px solid #ddd;padding:5px 10px;text-align:left;font-size:14px}\n"
                   "th{background:#f0f0f0;font-weight:600}\ntd.note{color:#555}\n"
                   ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(620px,1fr));"
                   "gap:18px}\n"
                   "figure{margin:0;background:#fff;border:1px solid #ddd;padding:10px}\n"
                   "figure img{width:100%;height:auto;display:block}\n"
                   "figcaption{font-size:13px;color:#444;margin-top:6px}\n"
                   "</style>\n</head>\n<body>\n<h1>Growing brains: libbimt report</h1>\n");
    char geo[96];
    if (r->mp.positions)
        snprintf(geo, sizeof geo, "%zu slots at given %u-D positions, %s distance", r->n_h,
                 bimt_model_dim(r->model), bimt_distance_name((int32_t)r->mp.distance));
    else
        snprintf(geo, sizeof geo, "%u x %u grid%s", (unsigned)r->mp.grid_side,
                 (unsigned)r->mp.grid_side, r->side ? "" : ", euclidean distance");
    snprintf(line, sizeof line,
             "arm %s, %s (%zu hidden neurons), %s, %llu training steps, libbimt %s", arm, geo,
             r->n_h, bimt__activation_name((int)r->mp.activation), (unsigned long long)r->steps,
             bimt_version_string());
    bimt__buf_fmt(&b, "<div class=\"sub\">%s</div>\n", line);

    bimt__buf_puts(&b, "<h2>Key numbers</h2>\n<table>\n");
    if (r->n_eval_rules) {
        snprintf(line, sizeof line, "%s", bimt__perf_source_name(r->perf_source));
        row_num(&b, "mean performance", r->mean_perf, 3, line);
        row_num(&b, "minimum performance", r->min_perf, 3, NULL);
        snprintf(t, sizeof t, "%u of %u", (unsigned)r->n_at_target, (unsigned)r->n_eval_rules);
        row(&b, "tasks at or above 0.9", t, NULL);
    } else {
        row(&b, "performance", "n/a", "no task evaluated");
    }
    snprintf(t, sizeof t, "%u of %zu", (unsigned)r->n_important, r->n_h);
    {
        char thr[BIMT__NUMBUF], note[120];
        bimt__fmt_short(thr, r->cp.importance_threshold);
        snprintf(note, sizeof note, "summed task variance above %s", thr);
        row(&b, "important neurons", t, note);
    }
    snprintf(t, sizeof t, "%u", (unsigned)r->n_clusters);
    row(&b, "functional clusters", t, "k-means on normalised task variance, k by silhouette");
    row_num(&b, "silhouette", r->silhouette, 3, NULL);
    anat_row(&b, "fraction of isolated neurons", r->anat.isolated_fraction,
             r->anat.isolated_null_mean, r->anat.isolated_null_sd, r->anat.isolated_z,
             r->anat.isolated_p, r->anat.n_shuffles);
    anat_row(&b, "average cluster size", r->anat.cluster_size, r->anat.size_null_mean,
             r->anat.size_null_sd, r->anat.size_z, r->anat.size_p, r->anat.n_shuffles);
    for (uint32_t i = 0; i < r->n_by_k; i++) {
        char name[64], pi[BIMT__NUMBUF], ps[BIMT__NUMBUF], v[2 * BIMT__NUMBUF + 32];
        bimt__fmt_short(pi, r->by_k[i].anat.isolated_p);
        bimt__fmt_short(ps, r->by_k[i].anat.size_p);
        snprintf(name, sizeof name, "tests at fixed k = %u", (unsigned)r->by_k[i].k);
        snprintf(v, sizeof v, "isolated p = %s, size p = %s", pi, ps);
        row(&b, name, v, "diagnostic: the clustering fixed at this k, same null");
    }
    anat_row(&b, "distance of important neurons to the centre",
             r->centrality.n_important ? r->centrality.observed : (double)NAN,
             r->centrality.null_mean, r->centrality.null_sd, r->centrality.z, r->centrality.p,
             r->centrality.n_shuffles);
    snprintf(t, sizeof t, "%zu pruned, %u cut off", r->n_h - r->n_important,
             (unsigned)r->n_disconnected);
    row(&b, "pruned neurons", t, "not important; cut off: every weight in and out exactly 0");
    snprintf(t, sizeof t, "%u", (unsigned)r->wiring.n_active_edges);
    row(&b, "active connections", t, "hidden-hidden |w| > 0.01");
    row_num(&b, "wiring length", r->wiring.wiring_length, 3,
            "sum of distances of active "
            "connections (grid units / n)");
    row_num(&b, "spectral radius of W_rec", r->wiring.spectral_radius, 3, NULL);
    if (r->have_graph) {
        const bimt_graph_metrics *g = &r->graph;
        char tp[BIMT__NUMBUF], note[200];
        bimt__fmt_short(tp, r->gp.threshold_proportion);
        snprintf(t, sizeof t, "%u nodes, %u edges", (unsigned)g->n_nodes, (unsigned)g->n_edges);
        snprintf(note, sizeof note, "important neurons, strongest %s of the pairs of W_rec", tp);
        row(&b, "graph", t, note);
        snprintf(note, sizeof note, "%u modules (leading eigenvector, BCT modularity_und)",
                 (unsigned)g->n_modules);
        row_num(&b, "modularity Q", g->modularity_q, 3, note);
        char cn[BIMT__NUMBUF], ln[BIMT__NUMBUF];
        bimt__fmt_fixed(cn, g->null_clustering_mean, 3);
        bimt__fmt_fixed(ln, g->null_char_path_mean, 3);
        snprintf(note, sizeof note, "Erdos-Renyi nulls (n = %u): C %s, L %s", (unsigned)g->n_null,
                 cn, ln);
        row_num(&b, "clustering C", g->clustering, 3, NULL);
        row_num(&b, "characteristic path length L", g->char_path_length, 3, "over connected pairs");
        row_num(&b, "small-worldness sigma", g->small_world_sigma, 3, note);
    }
    {
        double worst = 0.0;
        uint32_t wc = 0;
        int wr = 0;
        for (uint32_t c = 0; c < r->n_clusters; c++)
            for (int k = 0; k < BIMT_N_RULES; k++) {
                double d = r->lesion_base[k] - r->lesion_perf[(size_t)c * BIMT_N_RULES + (size_t)k];
                if (d > worst) {
                    worst = d;
                    wc = c;
                    wr = k;
                }
            }
        char note[160];
        snprintf(note, sizeof note, "cluster %u on %s (%u trials per task)", (unsigned)wc,
                 bimt_rule_name(wr), (unsigned)r->lp.trials_per_rule);
        row_num(&b, "largest lesion drop", worst, 3, r->n_clusters ? note : "no cluster");
    }
    bimt__buf_puts(&b, "</table>\n");

    bimt__buf_puts(&b, "<h2>Figures</h2>\n<div class=\"grid\">\n");
    for (size_t f = 0; f < BIMT__N_FIGURES; f++) {
        const bimt__figure *fig = &bimt__report_figures[f];
        bimt__buf_fmt(&b,
                      "<figure><a href=\"%s\"><img src=\"%s\" alt=\"%s\"></a>"
                      "<figcaption><b>%s.</b> %s</figcaption></figure>\n",
                      fig->file, fig->file, fig->caption, fig->panel, fig->caption);
    }
    bimt__buf_puts(&b, "</div>\n<h2>Files</h2>\n<ul>\n"
                       "<li><a href=\"metrics.json\">metrics.json</a>: every number of this "
                       "report, the configuration and the null samples</li>\n");
    /* The checkpoint is written by the training program; link it when it is there. */
    size_t dl = strlen(dir);
    char ck[4096];
    if (dl + 16 < sizeof ck) {
        struct stat st;
        snprintf(ck, sizeof ck, "%s/model.npz", dir);
        if (stat(ck, &st) == 0)
            bimt__buf_puts(&b, "<li><a href=\"model.npz\">model.npz</a>: final checkpoint "
                               "(numpy-readable .npz; load with bimt_checkpoint_load)</li>\n");
    }
    bimt__buf_puts(&b, "</ul>\n</body>\n</html>\n");
    return bimt__buf_save_free(&b, path, errbuf);
}
