#!/usr/bin/env python3
"""Wiring of each functional cluster of a grow_brain report (docs/science.md §5, §7).

usage: /usr/bin/python3 bench/science_hubs.py REPORT_DIR...

REPORT_DIR is a grow_brain --out folder (metrics.json and model.npz). For each cluster of the
silhouette's k, and for the unimportant ("silent") neurons, prints the number of neurons, the
median summed task variance and the mean absolute weights a neuron of the group has: from the
fixation input, each stimulus ring (summed over its units) and the rule inputs; to the fixation
output and the output ring; recurrent in and out (and the recurrent in-degree, |w| > 1e-3); and
the mean hidden bias. A diagnostic only: it reads what the analysis computed and changes nothing.
"""
import json
import sys

import numpy as np


def groups_of(metrics):
    labels = np.array(metrics["clusters"]["labels"])
    out = [(str(c), np.where(labels == c)[0]) for c in range(metrics["clusters"]["n_clusters"])]
    return out + [("silent", np.where(labels < 0)[0])]


def tensors(model, n_hidden, n_in, n_out):
    # The flat buffer of docs/checkpoint-format.md: W_rec [H][H], W_in [H][I], W_out [O][H], b_h.
    p = model["model.params"].astype(np.float64)
    sizes = [n_hidden * n_hidden, n_hidden * n_in, n_out * n_hidden, n_hidden]
    w_rec, w_in, w_out, b_h = np.split(p, np.cumsum(sizes))[:4]
    return (w_rec.reshape(n_hidden, n_hidden), w_in.reshape(n_hidden, n_in),
            w_out.reshape(n_out, n_hidden), b_h)


def main(dirs):
    for d in dirs:
        try:
            metrics = json.load(open(f"{d}/metrics.json"))
            model = np.load(f"{d}/model.npz")
        except (OSError, ValueError) as err:
            sys.exit(f"science_hubs: {d}: not a readable grow_brain report ({err})")
        n_in, n_out = int(model["model.n_in"]), int(model["model.n_out"])
        summed = np.array(metrics["task_variance"]["summed"])
        n_hidden = summed.size
        ring = (n_in - 1 - 20) // 2  # fixation, two rings, 20 rule inputs (spec §2)
        w_rec, w_in, w_out, b_h = tensors(model, n_hidden, n_in, n_out)
        a_rec, a_in, a_out = np.abs(w_rec), np.abs(w_in), np.abs(w_out)
        print(f"{d}: k = {metrics['clusters']['n_clusters']}")
        print("  group neurons TV(med) | in: fix ring1 ring2 rules | out: fix ring | "
              "rec in out indeg | b_h")
        for name, ix in groups_of(metrics):
            if ix.size == 0:
                continue
            print(f"  {name:>6} {ix.size:4d} {np.median(summed[ix]):8.3g} | "
                  f"{a_in[ix, 0].mean():.3f} {a_in[ix, 1:1 + ring].sum(1).mean():.3f} "
                  f"{a_in[ix, 1 + ring:1 + 2 * ring].sum(1).mean():.3f} "
                  f"{a_in[ix, 1 + 2 * ring:].sum(1).mean():.3f} | "
                  f"{a_out[0, ix].mean():.3f} {a_out[1:, ix].sum(0).mean():.3f} | "
                  f"{a_rec[ix].sum(1).mean():.2f} {a_rec[:, ix].sum(0).mean():.2f} "
                  f"{(a_rec[ix] > 1e-3).sum(1).mean():.1f} | {b_h[ix].mean():+.2f}")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
