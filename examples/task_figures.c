/* task_figures: draws one trial of every task as SVG heat maps, one file per task family.
 *
 *   task_figures <output-dir> [seed]
 *
 * For each rule, one noise-free random-mode trial is shown: the inputs over time (fixation,
 * ring 1, ring 2, rule units), the MSE targets over time (fixation output, response ring)
 * and the cost mask of the ring outputs, with the epoch boundaries. Writes
 * tasks_goanti.svg, tasks_dm.svg, tasks_delaydm.svg and tasks_matching.svg. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"

#define PX_T 3.0    /* pixels per step */
#define PX_IN 2.0   /* pixels per input row */
#define PX_OUT 3.0  /* pixels per output row */
#define MASK_H 10.0 /* height of the mask strip */
#define LEFT 70.0   /* label margin of a panel */
#define PANEL_W 720.0
#define PANEL_H 420.0

/* Sequential colour map (approximation of viridis) for v in [0, 1]. */
static void colour(double v, int rgb[3])
{
    static const double anchors[5][3] = {
        {68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}};
    if (v < 0.0) v = 0.0;
    if (v > 1.0) v = 1.0;
    double p = v * 4.0;
    int i = (int)p;
    if (i > 3) i = 3;
    double f = p - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (int)(anchors[i][c] + f * (anchors[i + 1][c] - anchors[i][c]) + 0.5);
}

/* One heat map: rows of a [T][B][n] array for trial b, run-length encoded along time. */
static void heat(FILE *f, const float *a, size_t T, size_t B, size_t n, size_t b, double x0,
                 double y0, double row_h, double vmax)
{
    for (size_t r = 0; r < n; r++) {
        size_t t = 0;
        while (t < T) {
            float v = a[(t * B + b) * n + r];
            size_t e = t + 1;
            while (e < T && a[(e * B + b) * n + r] == v)
                e++;
            int rgb[3];
            colour((double)v / vmax, rgb);
            fprintf(f,
                    "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"rgb(%d,%d,%d)\"/>\n",
                    x0 + PX_T * (double)t, y0 + row_h * (double)r, PX_T * (double)(e - t), row_h,
                    rgb[0], rgb[1], rgb[2]);
            t = e;
        }
    }
}

static void label(FILE *f, double x, double y, const char *text, const char *anchor, int size)
{
    fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%d\" text-anchor=\"%s\">%s</text>\n", x, y,
            size, anchor, text);
}

static void panel(FILE *f, const bimt_batch *b, double px, double py)
{
    const size_t T = b->n_steps, B = b->batch_size, n_in = b->n_in, n_out = b->n_out;
    const size_t ring = (n_in - 21) / 2;
    const double x0 = px + LEFT, y_in = py + 40.0;
    const double y_out = y_in + PX_IN * (double)n_in + 20.0;
    const double y_mask = y_out + PX_OUT * (double)n_out + 12.0;
    char buf[96];

    int responds = b->y_loc[(T - 1) * B] >= 0.0f;
    snprintf(buf, sizeof(buf), "%s (T = %zu steps, go signal at %u, %s)", bimt_rule_name(b->rule),
             T, (unsigned)b->go_step, responds ? "must respond" : "must keep fixating");
    label(f, px + 4.0, py + 14.0, buf, "start", 14);

    heat(f, b->x, T, B, n_in, 0, x0, y_in, PX_IN, 1.25);
    heat(f, b->y, T, B, n_out, 0, x0, y_out, PX_OUT, 1.0);
    /* Mask of ring unit 1 (lsq weights 0, 1, 5), drawn as a grey strip. */
    for (size_t t = 0; t < T; t++) {
        double m = (double)b->mask[(t * B) * n_out + 1];
        int g = 255 - (int)(m * 40.0);
        fprintf(
            f,
            "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"rgb(%d,%d,%d)\"/>\n",
            x0 + PX_T * (double)t, y_mask, PX_T, MASK_H, g, g, g);
    }

    /* Row group labels. */
    label(f, x0 - 4.0, y_in + PX_IN * 0.5 + 3.0, "fixation", "end", 10);
    label(f, x0 - 4.0, y_in + PX_IN * (1.0 + (double)ring / 2.0) + 3.0, "ring 1", "end", 10);
    label(f, x0 - 4.0, y_in + PX_IN * (1.0 + 1.5 * (double)ring) + 3.0, "ring 2", "end", 10);
    label(f, x0 - 4.0, y_in + PX_IN * (1.0 + 2.0 * (double)ring + 10.0) + 3.0, "rule", "end", 10);
    label(f, x0 - 4.0, y_out + PX_OUT * 0.5 + 3.0, "fix out", "end", 10);
    label(f, x0 - 4.0, y_out + PX_OUT * (1.0 + (double)ring / 2.0) + 3.0, "response", "end", 10);
    label(f, x0 - 4.0, y_mask + MASK_H - 1.0, "mask", "end", 10);
    label(f, x0, y_in - 6.0, "inputs x", "start", 11);
    label(f, x0, y_out - 6.0, "targets y (MSE)", "start", 11);

    /* Epoch boundaries and names. */
    double y_end = y_mask + MASK_H;
    for (size_t e = 0; e < b->n_epochs; e++) {
        double xs = x0 + PX_T * (double)b->epochs[e].start;
        double xe = x0 + PX_T * (double)b->epochs[e].end;
        if (e > 0)
            fprintf(f,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#d62728\" "
                    "stroke-width=\"1\" stroke-dasharray=\"3,2\"/>\n",
                    xs, y_in - 2.0, xs, y_end + 2.0);
        label(f, 0.5 * (xs + xe), y_end + 14.0, b->epochs[e].name, "middle", 10);
    }
    snprintf(buf, sizeof(buf), "time (%zu steps of 20 ms)", T);
    label(f, x0, y_end + 30.0, buf, "start", 10);
}

static int write_family(const char *dir, const char *file, const char *title, const int *rules,
                        int n, bimt_task_t *task)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, file);
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "task_figures: cannot write %s\n", path);
        return 1;
    }
    const int cols = 2;
    int rows = (n + cols - 1) / cols;
    double W = cols * PANEL_W, H = 40.0 + rows * PANEL_H;
    fprintf(f,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.0f\" height=\"%.0f\" "
            "viewBox=\"0 0 %.0f %.0f\" font-family=\"sans-serif\">\n",
            W, H, W, H);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    label(f, 10.0, 24.0, title, "start", 18);
    /* Colour bar: 0 .. 1 (targets) and 0 .. 1.25 (inputs); mask greys 0 / 1 / 5. */
    for (int i = 0; i < 100; i++) {
        int rgb[3];
        colour(i / 99.0, rgb);
        fprintf(f, "<rect x=\"%.1f\" y=\"10\" width=\"2\" height=\"12\" fill=\"rgb(%d,%d,%d)\"/>\n",
                W - 420.0 + 2.0 * i, rgb[0], rgb[1], rgb[2]);
    }
    label(f, W - 424.0, 20.0, "0", "end", 10);
    label(f, W - 216.0, 20.0, "1 (targets), 1.25 (inputs)", "start", 10);
    label(f, W - 420.0, 36.0, "mask (ring unit): white 0, light 1, dark 5", "start", 10);
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        bimt_batch b;
        b.struct_size = (uint32_t)sizeof b; /* an output struct */
        if (bimt_task_sample(task, rules[i], 1, &b) != BIMT_OK) {
            fprintf(stderr, "task_figures: %s\n", bimt_task_errmsg(task));
            rc = 1;
            break;
        }
        panel(f, &b, (i % cols) * PANEL_W, 40.0 + (i / cols) * PANEL_H);
    }
    fprintf(f, "</svg>\n");
    if (fclose(f) != 0) rc = 1;
    if (!rc) printf("wrote %s\n", path);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s <output-dir> [seed]\n", argv[0]);
        return 2;
    }
    bimt_task_params p;
    bimt_task_params_init(&p);
    p.input_noise = 0; /* show the structure; training batches add N(0, 0.0316^2) everywhere */
    p.seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 2019;
    bimt_task_t *task = NULL;
    if (bimt_task_create(&p, &task) != BIMT_OK) {
        fprintf(stderr, "task_figures: bimt_task_create failed\n");
        return 1;
    }
    static const int goanti[] = {BIMT_RULE_FDGO,      BIMT_RULE_FDANTI,  BIMT_RULE_REACTGO,
                                 BIMT_RULE_REACTANTI, BIMT_RULE_DELAYGO, BIMT_RULE_DELAYANTI};
    static const int dm[] = {BIMT_RULE_DM1, BIMT_RULE_DM2, BIMT_RULE_CONTEXTDM1,
                             BIMT_RULE_CONTEXTDM2, BIMT_RULE_MULTIDM};
    static const int dly[] = {BIMT_RULE_DELAYDM1, BIMT_RULE_DELAYDM2, BIMT_RULE_CONTEXTDELAYDM1,
                              BIMT_RULE_CONTEXTDELAYDM2, BIMT_RULE_MULTIDELAYDM};
    static const int match[] = {BIMT_RULE_DMSGO, BIMT_RULE_DMSNOGO, BIMT_RULE_DMCGO,
                                BIMT_RULE_DMCNOGO};
    int rc = 0;
    rc |= write_family(argv[1], "tasks_goanti.svg", "Go / Anti family (one trial each, noise off)",
                       goanti, 6, task);
    rc |= write_family(argv[1], "tasks_dm.svg",
                       "Decision-making family (one trial each, noise off)", dm, 5, task);
    rc |= write_family(argv[1], "tasks_delaydm.svg",
                       "Delayed decision-making family (one trial each, noise off)", dly, 5, task);
    rc |= write_family(argv[1], "tasks_matching.svg", "Matching family (one trial each, noise off)",
                       match, 4, task);
    bimt_task_free(task);
    return rc;
}
