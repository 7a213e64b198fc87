/* positions_check CHECKPOINT POSITIONS_FILE [euclidean|manhattan]: loads a grow_brain
 * checkpoint and checks, against its own reading of the positions file, that the model has one
 * slot per point at exactly those positions, the given distance kind, and that the distance of
 * every pair of neurons (bimt_model_distance() and the cached matrix) is the distance of the
 * positions of their slots. Exit 0 when all hold, 1 otherwise (with a message). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bimt/bimt.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: positions_check CHECKPOINT POSITIONS_FILE [euclidean|manhattan]\n");
        return 2;
    }
    int euclid = argc < 4 || strcmp(argv[3], "euclidean") == 0;
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    double *p = malloc(65536 * 3 * sizeof(double));
    size_t n = 0, dim = 0;
    char line[1100];
    while (p && fgets(line, sizeof line, f)) {
        char *hash = strchr(line, '#');
        if (hash) *hash = '\0';
        double x[4];
        int k = sscanf(line, "%lf %lf %lf %lf", &x[0], &x[1], &x[2], &x[3]);
        if (k <= 0) continue;
        if (dim == 0) dim = (size_t)k;
        if ((size_t)k != dim || k > 3 || n == 65536) {
            fprintf(stderr, "positions_check: cannot read %s\n", argv[2]);
            return 1;
        }
        memcpy(p + n * dim, x, dim * sizeof(double));
        n++;
    }
    fclose(f);
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
    if (bimt_checkpoint_load(argv[1], &m, &t, &tr) != BIMT_OK) {
        fprintf(stderr, "positions_check: %s\n", bimt_last_error());
        return 1;
    }
    int bad = 0;
    if (bimt_model_n_hidden(m) != n || bimt_model_dim(m) != dim || bimt_model_grid_side(m) != 0 ||
        bimt_model_distance_kind(m) != (euclid ? BIMT_DIST_EUCLIDEAN : BIMT_DIST_MANHATTAN)) {
        fprintf(stderr, "positions_check: %zu slots in %zu-D, distance %d; expected %zu in %zu-D\n",
                (size_t)bimt_model_n_hidden(m), (size_t)bimt_model_dim(m),
                (int)bimt_model_distance_kind(m), n, dim);
        bad = 1;
    }
    if (!bad && memcmp(bimt_model_positions(m), p, n * dim * sizeof(double)) != 0) {
        fprintf(stderr, "positions_check: the model's positions differ from the file's\n");
        bad = 1;
    }
    const uint32_t *slots = bimt_model_slots(m);
    const float *D = bimt_model_distances(m);
    size_t moved = 0;
    for (size_t i = 0; i < n && !bad; i++) {
        moved += slots[i] != i;
        for (size_t j = 0; j < n && !bad; j++) {
            double acc = 0.0;
            for (size_t d = 0; d < dim; d++) {
                double u = p[slots[i] * dim + d] - p[slots[j] * dim + d];
                acc += euclid ? u * u : fabs(u);
            }
            double want = euclid ? sqrt(acc) : acc;
            if (fabs(bimt_model_distance(m, (uint32_t)i, (uint32_t)j) - want) >
                    1e-12 * (1.0 + want) ||
                D[i * n + j] != (float)want) {
                fprintf(stderr,
                        "positions_check: distance (%zu, %zu) is %.17g (cache %.9g), "
                        "expected %.17g\n",
                        i, j, bimt_model_distance(m, (uint32_t)i, (uint32_t)j),
                        (double)D[i * n + j], want);
                bad = 1;
            }
        }
    }
    if (!bad)
        printf("positions_check: %zu slots in %zu-D, %s distances of all %zu pairs agree "
               "(%zu neurons moved by swaps)\n",
               n, dim, euclid ? "euclidean" : "manhattan", n * n, moved);
    bimt_trainer_free(tr);
    bimt_task_free(t);
    bimt_model_free(m);
    free(p);
    return bad;
}
