/* Lesions of functional clusters (Yang et al. 2019): each cluster silenced in turn, every
 * rule scored on the same trials as the unlesioned network. Definition in docs/analysis.md. */
#include <stdlib.h>

#include "bimt/lesion.h"
#include "common/common.h"
#include "model/model_internal.h"

/* Trials per forward: the batch of one rule is drawn and forwarded in chunks of this many. */
#define LESION_CHUNK 128u

void bimt_lesion_params_init(bimt_lesion_params *p)
{
    if (!bimt__struct_init(p, sizeof *p)) return;
    p->trials_per_rule = 256;
    p->seed = 0;
}

/* Forward of one batch with the silenced set `mask` (NULL: none); adds the correct trials. */
static int score(bimt_model_t *m, const bimt_batch *b, const uint8_t *mask, float *correct,
                 uint64_t *hits)
{
    int rc = bimt_model_set_silenced(m, mask, m->n_h);
    if (!rc) rc = bimt_model_forward(m, b->x, b->n_steps, b->batch_size, 0);
    const float *o = NULL;
    if (!rc) rc = bimt_model_outputs(m, &o);
    if (!rc) rc = bimt_task_performance(b, o, m->p.loss, correct, NULL);
    if (rc) return rc;
    for (size_t i = 0; i < b->batch_size; i++)
        *hits += correct[i] > 0.5f;
    return BIMT_OK;
}

static int lesion_run(bimt_model_t *m, bimt_task_t *t, const int32_t *labels, uint32_t nc,
                      uint32_t n, uint8_t *mask, float *correct, uint64_t *base, uint64_t *hits)
{
    const size_t nh = m->n_h;
    for (int r = 0; r < BIMT_N_RULES; r++)
        for (uint32_t done = 0; done < n;) {
            uint32_t b = n - done < LESION_CHUNK ? n - done : LESION_CHUNK;
            bimt_batch batch;
            batch.struct_size = (uint32_t)sizeof batch;
            int rc = bimt_task_sample(t, r, b, &batch);
            if (rc)
                return bimt__fail(m->errmsg, rc, "bimt_lesion_clusters: trials of %s: %s",
                                  bimt_rule_name(r), bimt_task_errmsg(t));
            rc = score(m, &batch, NULL, correct, &base[r]);
            for (uint32_t c = 0; c < nc && !rc; c++) {
                for (size_t k = 0; k < nh; k++)
                    mask[k] = labels[k] == (int32_t)c;
                rc = score(m, &batch, mask, correct, &hits[(size_t)c * BIMT_N_RULES + (size_t)r]);
            }
            if (rc)
                return bimt__fail(m->errmsg, rc, "bimt_lesion_clusters: %s: %s", bimt_rule_name(r),
                                  bimt_last_error());
            done += b;
        }
    return BIMT_OK;
}

int bimt_lesion_clusters(bimt_model_t *model, const bimt_task_t *task, const int32_t *labels,
                         uint32_t n_clusters, const bimt_lesion_params *params, double *baseline,
                         double *perf)
{
    const char *fn = "bimt_lesion_clusters";
    if (!model || !task || !labels || !baseline || (!perf && n_clusters > 0))
        return bimt__err(BIMT_E_INVALID_ARG, "%s: %s is NULL", fn,
                         !model      ? "model"
                         : !task     ? "task"
                         : !labels   ? "labels"
                         : !baseline ? "baseline"
                                     : "perf");
    char *e = model->errmsg;
    bimt_lesion_params p;
    bimt_lesion_params_init(&p);
    int rc = bimt__params_in(&p, sizeof p, params, "bimt_lesion_params");
    if (rc) return bimt__fail(e, rc, "%s: %s", fn, bimt_last_error());
    const size_t nh = model->n_h;
    if (p.trials_per_rule == 0 || p.trials_per_rule > BIMT_LESION_MAX_TRIALS)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "%s: trials_per_rule must be in 1..%u (got %u)",
                          fn, BIMT_LESION_MAX_TRIALS, (unsigned)p.trials_per_rule);
    if (n_clusters > nh)
        return bimt__fail(e, BIMT_E_INVALID_ARG, "%s: n_clusters %u is above n_hidden %zu", fn,
                          (unsigned)n_clusters, nh);
    for (size_t k = 0; k < nh; k++)
        if (labels[k] < -1 || (labels[k] >= 0 && (uint32_t)labels[k] >= n_clusters))
            return bimt__fail(e, BIMT_E_INVALID_ARG,
                              "%s: labels[%zu] = %d is outside -1..%d (n_clusters %u)", fn, k,
                              (int)labels[k], (int)n_clusters - 1, (unsigned)n_clusters);
    if (model->n_silenced)
        return bimt__fail(e, BIMT_E_INVALID_ARG,
                          "%s: the model already has %zu silenced neurons; clear them first", fn,
                          model->n_silenced);
    if (bimt_task_n_in(task) != model->n_in || bimt_task_n_out(task) != model->n_out)
        return bimt__fail(
            e, BIMT_E_SHAPE,
            "%s: task n_in %u and n_out %u differ from the model's n_in %zu and n_out %zu", fn,
            bimt_task_n_in(task), bimt_task_n_out(task), model->n_in, model->n_out);
    bimt_task_params tp;
    tp.struct_size = (uint32_t)sizeof tp;
    bimt_task_get_params(task, &tp);
    tp.seed = p.seed;
    bimt_task_t *t = NULL;
    rc = bimt_task_create(&tp, &t);
    if (rc) return bimt__fail(e, rc, "%s: task copy: %s", fn, bimt_last_error());
    uint8_t *mask = bimt__malloc(nh, 1);
    float *correct = bimt__malloc(LESION_CHUNK, sizeof(float));
    uint64_t *base = bimt__calloc(BIMT_N_RULES, sizeof(uint64_t));
    uint64_t *hits = bimt__calloc((size_t)n_clusters * BIMT_N_RULES + 1, sizeof(uint64_t));
    if (!mask || !correct || !base || !hits)
        rc = bimt__fail(e, BIMT_E_NOMEM, "%s: out of memory (%u clusters)", fn,
                        (unsigned)n_clusters);
    if (!rc)
        rc = lesion_run(model, t, labels, n_clusters, p.trials_per_rule, mask, correct, base, hits);
    bimt_model_set_silenced(model, NULL, 0);
    if (!rc) {
        const double n = (double)p.trials_per_rule;
        for (int r = 0; r < BIMT_N_RULES; r++)
            baseline[r] = (double)base[r] / n;
        for (size_t i = 0; i < (size_t)n_clusters * BIMT_N_RULES; i++)
            perf[i] = (double)hits[i] / n;
    }
    bimt_task_free(t);
    free(mask);
    free(correct);
    free(base);
    free(hits);
    return rc;
}
