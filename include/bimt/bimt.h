/**
 * @file bimt.h
 * @brief Umbrella header of libbimt: include this one.
 *
 * libbimt grows "brains" in recurrent neural networks: it trains an RNN whose hidden neurons
 * sit on a 2D grid on Yang et al.'s 20 cognitive tasks with brain-inspired modular training
 * (distance-weighted L1 connection cost plus neuron swapping), then measures whether neurons
 * with the same function end up next to each other.
 */
#ifndef BIMT_BIMT_H
#define BIMT_BIMT_H

#include "bimt/export.h"
#include "bimt/version.h"
#include "bimt/status.h"
#include "bimt/task.h"
#include "bimt/model.h"
#include "bimt/regularizer.h"
#include "bimt/swap.h"
#include "bimt/optim.h"
#include "bimt/trainer.h"
#include "bimt/analysis.h"
#include "bimt/graph.h"
#include "bimt/lesion.h"
#include "bimt/report.h"
#include "bimt/plot.h"
#include "bimt/sweep.h"

#endif /* BIMT_BIMT_H */
