/* Helper of the npz_numpy CTest: writes an .npz with libbimt's writer, or checks one
 * written by numpy, using value formulas that tests/tools/npz_numpy_check.py repeats.
 *   npz_tool write PATH   -> exit 0 on success
 *   npz_tool read PATH    -> exit 0 if every member has the expected dtype, shape and values
 *   npz_tool checkpoint PATH SIDE RING STEPS -> trains a small BIMT model STEPS steps and saves a
 *                                             checkpoint (grid SIDE x SIDE, RING units per ring)
 *   npz_tool loadck PATH  -> loads a checkpoint, trains one more step, prints
 *                            "step S zeros Z" (S before that step, Z zero parameters loaded) */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <stdlib.h>

#include "bimt/bimt.h"
#include "io/npz.h"

static float f4[3][4];
static double f8[5];
static uint32_t u4[4];
static uint64_t u8[3];
static int32_t i4[2][2];
static int64_t i8[3];
static const char *meta = "{\"library\": \"libbimt\", \"value\": 1.5}";

static void fill(void)
{
    for (int i = 0; i < 12; i++)
        f4[i / 4][i % 4] = (float)i * 0.5f - 1.0f;
    for (int i = 0; i < 5; i++)
        f8[i] = 1.0 / (double)(i + 1);
    for (uint32_t i = 0; i < 4; i++)
        u4[i] = 0xfffffff0u + i;
    for (uint64_t i = 0; i < 3; i++)
        u8[i] = (UINT64_C(1) << 63) + i;
    i4[0][0] = INT32_MIN;
    i4[0][1] = -1;
    i4[1][0] = 0;
    i4[1][1] = INT32_MAX;
    i8[0] = INT64_MIN;
    i8[1] = -5;
    i8[2] = INT64_MAX;
}

static int do_write(const char *path)
{
    char err[256] = "";
    bimt_npz_writer *w;
    size_t s34[2] = {3, 4}, s5 = 5, s4 = 4, s3 = 3, s22[2] = {2, 2};
    double scalar = -2.5;
    if (bimt__npz_writer_open(&w, path, err, sizeof err)) goto fail;
    bimt__npz_write(w, "a_f4", BIMT_NPZ_F4, 2, s34, f4);
    bimt__npz_write(w, "a_f8", BIMT_NPZ_F8, 1, &s5, f8);
    bimt__npz_write(w, "a_u4", BIMT_NPZ_U4, 1, &s4, u4);
    bimt__npz_write(w, "a_u8", BIMT_NPZ_U8, 1, &s3, u8);
    bimt__npz_write(w, "a_i4", BIMT_NPZ_I4, 2, s22, i4);
    bimt__npz_write(w, "a_i8", BIMT_NPZ_I8, 1, &s3, i8);
    bimt__npz_write(w, "scalar", BIMT_NPZ_F8, 0, NULL, &scalar);
    bimt__npz_write_text(w, "meta", meta);
    if (bimt__npz_writer_commit(w)) goto fail;
    return 0;
fail:
    fprintf(stderr, "write failed: %s\n", err);
    return 1;
}

static int do_read(const char *path)
{
    char err[256] = "";
    bimt_npz *z;
    float rf4[3][4];
    double rf8[5], scalar;
    uint32_t ru4[4];
    uint64_t ru8[3];
    int32_t ri4[2][2];
    int64_t ri8[3];
    size_t s34[2] = {3, 4}, s5 = 5, s4 = 4, s3 = 3, s22[2] = {2, 2};
    int bad = 0;
    if (bimt__npz_open(&z, path, 0, err, sizeof err)) goto fail;
    if (bimt__npz_get(z, "a_f4", BIMT_NPZ_F4, 2, s34, rf4, err, sizeof err) ||
        bimt__npz_get(z, "a_f8", BIMT_NPZ_F8, 1, &s5, rf8, err, sizeof err) ||
        bimt__npz_get(z, "a_u4", BIMT_NPZ_U4, 1, &s4, ru4, err, sizeof err) ||
        bimt__npz_get(z, "a_u8", BIMT_NPZ_U8, 1, &s3, ru8, err, sizeof err) ||
        bimt__npz_get(z, "a_i4", BIMT_NPZ_I4, 2, s22, ri4, err, sizeof err) ||
        bimt__npz_get(z, "a_i8", BIMT_NPZ_I8, 1, &s3, ri8, err, sizeof err) ||
        bimt__npz_get(z, "scalar", BIMT_NPZ_F8, 0, NULL, &scalar, err, sizeof err)) {
        bimt__npz_close(z);
        goto fail;
    }
    bad |= memcmp(rf4, f4, sizeof f4) != 0;
    bad |= memcmp(rf8, f8, sizeof f8) != 0;
    bad |= memcmp(ru4, u4, sizeof u4) != 0;
    bad |= memcmp(ru8, u8, sizeof u8) != 0;
    bad |= memcmp(ri4, i4, sizeof i4) != 0;
    bad |= memcmp(ri8, i8, sizeof i8) != 0;
    bad |= scalar != -2.5;
    const bimt_npz_array *m = bimt__npz_find(z, "meta");
    bad |= !m || m->dtype != BIMT_NPZ_U1 || m->count != strlen(meta) ||
           memcmp(m->data, meta, m->count) != 0;
    bimt__npz_close(z);
    if (bad) fprintf(stderr, "values differ\n");
    return bad;
fail:
    fprintf(stderr, "read failed: %s\n", err);
    return 1;
}

static int do_checkpoint(const char *path, int side, int ring, int steps)
{
    bimt_task_params tp;
    bimt_task_params_init(&tp);
    tp.n_eachring = (uint32_t)ring;
    tp.rule_mask = (1u << BIMT_RULE_FDGO) | (1u << BIMT_RULE_DM1);
    bimt_model_params mp;
    bimt_model_params_init(&mp);
    mp.grid_side = (uint32_t)side;
    mp.n_in = 1u + 2u * (uint32_t)ring + BIMT_N_RULES;
    mp.n_out = 1u + (uint32_t)ring;
    bimt_trainer_params p;
    bimt_trainer_params_init(&p);
    p.batch_size = 8;
    p.eval_interval = 2;
    p.eval_batch = 8;
    p.swap_interval = 2;
    bimt_task_t *t = NULL;
    bimt_model_t *m = NULL;
    bimt_trainer_t *tr = NULL;
    int rc = bimt_task_create(&tp, &t);
    if (!rc) rc = bimt_model_create(&mp, &m);
    if (!rc) rc = bimt_trainer_create(m, t, &p, &tr);
    if (!rc) rc = bimt_trainer_run(tr, (uint32_t)steps, NULL, NULL);
    if (!rc) rc = bimt_trainer_save(tr, path);
    if (rc)
        fprintf(stderr, "checkpoint failed: %s (%s)\n", bimt_status_str(rc),
                tr  ? bimt_trainer_errmsg(tr)
                : m ? bimt_model_errmsg(m)
                    : "");
    bimt_trainer_free(tr);
    bimt_model_free(m);
    bimt_task_free(t);
    return rc ? 1 : 0;
}

static int do_loadck(const char *path)
{
    bimt_model_t *m;
    bimt_task_t *t;
    bimt_trainer_t *tr;
    char err[256] = "";
    int rc = bimt_checkpoint_load(path, &m, &t, &tr);
    if (rc) {
        fprintf(stderr, "load failed: %s\n", err);
        return 1;
    }
    size_t zeros = 0, n = bimt_model_n_params(m);
    const float *p = bimt_model_params_view(m);
    for (size_t i = 0; i < n; i++)
        zeros += p[i] == 0.0f;
    printf("step %llu zeros %zu\n", (unsigned long long)bimt_trainer_steps(tr), zeros);
    rc = bimt_trainer_step(tr, NULL);
    bimt_trainer_free(tr);
    bimt_task_free(t);
    bimt_model_free(m);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "loadck") == 0) return do_loadck(argv[2]);
    if (argc == 6 && strcmp(argv[1], "checkpoint") == 0)
        return do_checkpoint(argv[2], atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
    if (argc != 3) {
        fprintf(stderr, "usage: npz_tool write|read PATH\n");
        return 2;
    }
    fill();
    if (strcmp(argv[1], "write") == 0) return do_write(argv[2]);
    if (strcmp(argv[1], "read") == 0) return do_read(argv[2]);
    fprintf(stderr, "unknown command %s\n", argv[1]);
    return 2;
}
