#!/usr/bin/env python3
"""grow_brain.py: train a grid RNN on Yang et al.'s 20 cognitive tasks with BIMT from Python,
analyse whether functional clusters became anatomical modules, and draw the figures with
matplotlib.

Writes into --out (default ./brain_py):
  brain.npz       the checkpoint (numpy.load() reads it; resume with --resume)
  overview.png    network on the grid, task-variance map, clusters on the grid, per-task
                  performance, |w| versus distance, anatomical metrics against their nulls,
                  training curve
  summary.json    the numbers behind the figures
  report/         with --report: libbimt's own SVG report (index.html)

The default budget (--steps 5000 on an 8x8 grid, about 1-2 minutes on one laptop core)
shows the pipeline on a partly trained network; the paper-scale run is --grid-side 16
--steps 40000 or more (about 40 minutes at ~1000 trials/s).

Examples:
  python3 grow_brain.py --steps 300 --grid-side 6 --out /tmp/brain
  python3 grow_brain.py --resume /tmp/brain/brain.npz --steps 500 --out /tmp/brain
"""

import argparse
import json
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))   # run from a source checkout without installing

import bimt  # noqa: E402


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    ap.add_argument("--steps", type=int, default=5000, help="training steps (default 5000)")
    ap.add_argument("--grid-side", type=int, default=8, help="n: n*n hidden neurons")
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--arm", choices=["bimt", "l1", "none"], default="bimt")
    ap.add_argument("--lambda", dest="lam", type=float, default=1e-4,
                    help="connection-cost weight")
    ap.add_argument("--A", type=float, default=1.0, help="distance weight of the cost")
    ap.add_argument("--learning-rate", type=float, default=1e-3)
    ap.add_argument("--swap-interval", type=int, default=200)
    ap.add_argument("--rules", default=None,
                    help="comma-separated rule names (default: all 20)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-trials", type=int, default=128,
                    help="trials per task for the final evaluation")
    ap.add_argument("--n-shuffles", type=int, default=1000, help="null sample size")
    ap.add_argument("--out", default="brain_py", help="output folder")
    ap.add_argument("--resume", default=None, help="continue from a checkpoint")
    ap.add_argument("--report", action="store_true",
                    help="also write libbimt's SVG report into OUT/report")
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args(argv)
    if a.steps < 0 or a.grid_side < 2 or a.batch_size < 1 or a.eval_trials < 1:
        ap.error("steps >= 0, grid-side >= 2, batch-size >= 1, eval-trials >= 1")
    return a


def build(a):
    if a.resume:
        tr = bimt.load_checkpoint(a.resume)
        print(f"resumed {a.resume} at step {tr.steps}")
        return tr
    rules = a.rules.split(",") if a.rules else None
    task = bimt.Task(rules=rules, seed=a.seed)
    model = bimt.Model(task=task, grid_side=a.grid_side, seed=a.seed)
    return bimt.Trainer(model, task, arm=a.arm, batch_size=a.batch_size, lam=a.lam, A=a.A,
                        learning_rate=a.learning_rate, swap_interval=a.swap_interval,
                        eval_interval=0, seed=a.seed)


def train(tr, steps, quiet):
    curve = []
    every = max(1, steps // 20)
    t0 = time.time()

    def progress(info):
        curve.append((info.step, info.loss, info.cost, info.n_swaps))
        if not quiet and (len(curve) % every == 0 or len(curve) == steps):
            print(f"step {info.step:7d}  loss {info.loss:.4f}  cost {info.cost:.4f}  "
                  f"{info.trials_per_s:8.0f} trials/s", flush=True)

    tr.run(steps, progress)
    if steps and not quiet:
        print(f"trained {steps} steps in {time.time() - t0:.1f} s")
    return np.array(curve, dtype=np.float64).reshape(-1, 4)


def draw(path, model, an, perf, curve, arm):
    import matplotlib
    matplotlib.use(os.environ.get("MPLBACKEND", "Agg"))
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    side = model.grid_side
    pos = model.positions()                     # (row, col) of each neuron
    labels = an.clustering.labels
    k = max(an.clustering.n_clusters, 1)
    cmap = plt.get_cmap("tab20" if k > 10 else "tab10")
    colours = np.array([cmap(int(c) % cmap.N) if c >= 0 else (0.8, 0.8, 0.8, 1.0)
                        for c in labels])
    fig, axes = plt.subplots(2, 4, figsize=(20, 9.5))
    fig.suptitle(f"libbimt brain ({arm} arm, {side}x{side} grid, "
                 f"{an.clustering.n_clusters} functional clusters)")

    # (a) network on the grid: recurrent connections, red positive, blue negative
    ax = axes[0, 0]
    W = model.W_rec
    i, j = np.nonzero((np.abs(W) > 1e-2) & ~np.eye(len(W), dtype=bool))
    if len(i):
        order = np.argsort(np.abs(W[i, j]))[-3000:]
        i, j = i[order], j[order]
        w = W[i, j]
        segs = np.stack([pos[j][:, ::-1], pos[i][:, ::-1]], axis=1)
        rgba = np.zeros((len(w), 4))
        rgba[w > 0] = (0.85, 0.1, 0.1, 0)
        rgba[w <= 0] = (0.1, 0.2, 0.85, 0)
        rgba[:, 3] = 0.15 + 0.85 * np.abs(w) / np.abs(w).max()
        ax.add_collection(LineCollection(segs, colors=rgba, linewidths=0.8))
    ax.scatter(pos[:, 1], pos[:, 0], c=colours, s=40, edgecolors="k", linewidths=0.3,
               zorder=3)
    ax.set(title="network (|w| > 0.01)", xlim=(-0.7, side - 0.3), ylim=(side - 0.3, -0.7),
           aspect="equal", xticks=[], yticks=[])

    # (b) normalised task variance, important neurons grouped by cluster
    ax = axes[0, 1]
    idx = np.nonzero(labels >= 0)[0]
    idx = idx[np.lexsort((np.argmax(an.ntv[:, idx], axis=0), labels[idx]))]
    if len(idx):
        im = ax.imshow(an.ntv[:, idx], aspect="auto", cmap="hot", vmin=0, vmax=1,
                       interpolation="nearest")
        fig.colorbar(im, ax=ax, fraction=0.046)
        for b in np.nonzero(np.diff(labels[idx]))[0]:
            ax.axvline(b + 0.5, color="c", lw=0.8)
    ax.set_yticks(range(bimt.N_RULES))
    ax.set_yticklabels(bimt.rules(), fontsize=6)
    ax.set(title="normalised task variance", xlabel="important neurons (by cluster)")

    # (c) clusters on the grid
    ax = axes[0, 2]
    img = np.ones((side, side, 4))
    img[pos[:, 0], pos[:, 1]] = colours
    ax.imshow(img, interpolation="nearest")
    ax.set(title=f"clusters on the grid (silhouette {an.clustering.silhouette:.2f})",
           xticks=[], yticks=[])

    # (d) per-task performance
    ax = axes[0, 3]
    ok = perf >= 0
    ax.barh(np.arange(bimt.N_RULES)[ok], perf[ok],
            color=np.where(perf[ok] >= 0.9, "tab:green", "tab:orange"))
    ax.axvline(0.9, ls="--", color="k", lw=0.8)
    ax.set_yticks(range(bimt.N_RULES))
    ax.set_yticklabels(bimt.rules(), fontsize=6)
    ax.invert_yaxis()
    ax.set(xlim=(0, 1), title=f"performance (mean {perf[ok].mean():.2f})",
           xlabel="fraction correct")

    # (e) mean |w| versus distance
    ax = axes[1, 0]
    sel = an.counts > 0
    ax.plot(an.distance[sel], an.mean_abs_w[sel], "o-")
    if np.all(an.mean_abs_w[sel] > 0):
        ax.set_yscale("log")
    ax.set(title="mean |W_rec| versus distance", xlabel="distance", ylabel="mean |w|")

    # (f, g) anatomical metrics against the shuffled nulls
    for ax, obs, null, p, name in (
            (axes[1, 1], an.anatomy.isolated_fraction, an.anatomy.isolated_null,
             an.anatomy.isolated_p, "fraction of isolated neurons"),
            (axes[1, 2], an.anatomy.cluster_size, an.anatomy.size_null, an.anatomy.size_p,
             "mean cluster size")):
        if len(null):
            ax.hist(null, bins=30, color="0.7")
        ax.axvline(obs, color="r", lw=2)
        ax.set(title=f"{name} (p = {p:.3g})", xlabel=name, ylabel="shuffles")

    # (h) training curve
    ax = axes[1, 3]
    if len(curve):
        win = max(1, len(curve) // 50)
        smooth = np.convolve(curve[:, 1], np.ones(win) / win, mode="valid")
        ax.plot(curve[:, 0], curve[:, 1], lw=0.4, color="tab:blue", alpha=0.3)
        ax.plot(curve[win - 1:, 0], smooth, lw=1.2, color="tab:blue",
                label=f"prediction loss ({win}-step mean)")
        ax.plot(curve[:, 0], curve[:, 2], lw=1.0, color="tab:orange", label="lambda * L_cc")
        ax.set_yscale("log")
        ax.legend()
    ax.set(title="training", xlabel="step")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv=None):
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    print(f"libbimt {bimt.library_version()} ({bimt.library_path()})")
    with build(a) as tr:
        model, task = tr.model, tr.task
        curve = train(tr, a.steps, a.quiet)
        ckpt = os.path.join(a.out, "brain.npz")
        tr.save(ckpt)
        perf = tr.evaluate(a.eval_trials)
        an = bimt.analyze(model, task, n_shuffles=a.n_shuffles, seed=a.seed)
        enabled = perf >= 0
        summary = {
            "steps": int(tr.steps), "arm": tr.get_params()["arm"],
            "grid_side": int(model.grid_side),
            "mean_performance": float(perf[enabled].mean()),
            "performance": {bimt.rule_name(r): float(perf[r])
                            for r in range(bimt.N_RULES) if perf[r] >= 0},
            "n_important": int(an.important.sum()),
            "n_clusters": an.clustering.n_clusters,
            "silhouette": an.clustering.silhouette,
            "isolated_fraction": an.anatomy.isolated_fraction,
            "isolated_p": an.anatomy.isolated_p,
            "cluster_size": an.anatomy.cluster_size, "cluster_size_p": an.anatomy.size_p,
            "active_edges": an.wiring.n_active_edges,
            "wiring_length": an.wiring.wiring_length,
        }
        with open(os.path.join(a.out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)
        draw(os.path.join(a.out, "overview.png"), model, an, perf, curve, summary["arm"])
        if a.report:
            index = bimt.write_report(os.path.join(a.out, "report"), model, task, tr,
                                      n_shuffles=a.n_shuffles)
            print(f"report: {index}")
    print(f"mean performance {summary['mean_performance']:.3f}; "
          f"{summary['n_clusters']} clusters of {summary['n_important']} important neurons; "
          f"isolated fraction {summary['isolated_fraction']:.3f} (p {summary['isolated_p']:.3g})"
          f", cluster size {summary['cluster_size']:.3f} (p {summary['cluster_size_p']:.3g})")
    print(f"wrote {ckpt}, {os.path.join(a.out, 'overview.png')}, "
          f"{os.path.join(a.out, 'summary.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
