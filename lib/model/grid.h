/* Geometry of the side x side grid of hidden-neuron slots (private): slot s sits at row
 * s / side, column s % side, and the wiring distance between two slots is their Manhattan
 * distance in slots divided by side (seed paper: neurons on a unit square). The one place
 * that defines the grid; model, cost, swap, wiring and anatomy all ask here (or, for caller
 * positions and Euclidean distance, model.c's bimt__model_slot_distance). Not installed. */
#ifndef BIMT_GRID_H
#define BIMT_GRID_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

static inline size_t bimt__slot_row(size_t side, uint32_t s)
{
    return s / side;
}
static inline size_t bimt__slot_col(size_t side, uint32_t s)
{
    return s % side;
}

/** Manhattan distance in slots (an exact integer) between slots a and b. */
static inline size_t bimt__slot_manhattan(size_t side, uint32_t a, uint32_t b)
{
    size_t ra = bimt__slot_row(side, a), ca = bimt__slot_col(side, a);
    size_t rb = bimt__slot_row(side, b), cb = bimt__slot_col(side, b);
    return (ra > rb ? ra - rb : rb - ra) + (ca > cb ? ca - cb : cb - ca);
}

/** The wiring distance D: Manhattan distance divided by side, in float (the distance cache). */
static inline float bimt__slot_distance(size_t side, uint32_t a, uint32_t b)
{
    return (float)bimt__slot_manhattan(side, a, b) / (float)side;
}

/** Distance from slot to input (output = 0) or output number index of count under
 *  BIMT_IO_EDGES (inputs along the left edge at column -1, outputs along the right at
 *  column side, rows spread evenly; see bimt_io_layout), divided by side; Manhattan, or
 *  Euclidean for euclidean != 0 (bimt_distance). */
static inline float bimt__io_distance(size_t side, uint32_t slot, size_t index, size_t count,
                                      int output, uint32_t euclidean)
{
    double row = ((double)index + 0.5) * (double)side / (double)count - 0.5;
    double col = output ? (double)side : -1.0;
    double dr = (double)bimt__slot_row(side, slot) - row;
    double dc = (double)bimt__slot_col(side, slot) - col;
    if (euclidean) return (float)(sqrt(dr * dr + dc * dc) / (double)side);
    return (float)(((dr < 0 ? -dr : dr) + (dc < 0 ? -dc : dc)) / (double)side);
}

#endif /* BIMT_GRID_H */
