/* A metric against its null distribution: running mean and variance (Welford) of the null
 * samples and the lower-tail p = (1 + #{null <= observed}) / (1 + n), shared by the
 * anatomical tests and the centrality diagnostic. Not installed. */
#ifndef BIMT_NULL_TEST_H
#define BIMT_NULL_TEST_H

#include <math.h>
#include <stdint.h>

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
