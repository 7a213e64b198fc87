/* A metric against its null distribution: running mean and variance (Welford) of the null
 * samples and the lower-tail p = (1 + #{null <= observed}) / (1 + n), shared by the
 * anatomical tests and the centrality diagnostic. Not installed. */
#ifndef BIMT_NULL_TEST_H
#define BIMT_NULL_TEST_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include "common/common.h"

/* The arguments a metric with a null test checks first, in this order: the model and its
 * input (named in_name) not NULL, the output struct out (bimt__out_check), n_shuffles at most
 * 10^7 (the documented bound, analysis.h). The messages start with fn. Returns 0 or the
 * error status (message set). */
static inline int bimt__null_test_args(const char *fn, const void *model, const void *in,
                                       const char *in_name, const void *out, uint32_t n_shuffles)
{
    if (!model || !in)
        return bimt__err(BIMT_E_INVALID_ARG, "%s: %s is NULL", fn, !model ? "model" : in_name);
    char out_name[96];
    snprintf(out_name, sizeof out_name, "%s: out", fn);
    int orc = bimt__out_check(out, out_name);
    if (orc) return orc;
    if (n_shuffles > 10000000u)
        return bimt__err(BIMT_E_INVALID_ARG, "%s: n_shuffles is %u, at most 10000000", fn,
                         (unsigned)n_shuffles);
    return BIMT_OK;
}

typedef struct bimt__null_acc {
    double mean, m2;
    uint64_t n, le;
} bimt__null_acc;

static inline void bimt__null_add(bimt__null_acc *s, double v, double observed)
{
    s->n++;
    double delta = v - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (v - s->mean);
    /* Ties within rounding (1e-12 relative) count as <=. */
    if (v <= observed + 1e-12 * fmax(1.0, fabs(observed))) s->le++;
}

static inline void bimt__null_finish(const bimt__null_acc *s, double observed, double *mean,
                                     double *sd, double *z, double *p)
{
    *mean = s->n > 0 ? s->mean : 0.0;
    *sd = s->n > 1 ? sqrt(s->m2 / (double)(s->n - 1)) : 0.0;
    *z = *sd > 0.0 ? (observed - *mean) / *sd : 0.0;
    *p = (1.0 + (double)s->le) / (1.0 + (double)s->n);
}

#endif /* BIMT_NULL_TEST_H */
