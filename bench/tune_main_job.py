#!/usr/bin/env python3
"""tune_main_job.py: learning curves of one training configuration of the main job.

Trains exactly as examples/grow_brain does with the same keys and the same defaults (same
model, task, trainer, rule weights, lambda warm-up and cosine learning-rate decay, so the
weights after N steps are the same bit for bit; tests/tools/check_tune_main_job.py), evaluates every --every steps on --eval-trials fresh trials per task, and
writes one JSON line per evaluation to OUT/NAME.jsonl: step, seconds, mean, min, number of
tasks >= 0.9 and the per-task performance. The last line says at which step every task first
stood at >= 0.9. This is the evidence behind the main job's defaults (docs/performance.md).

Runs under /usr/bin/python3 with python3-numpy; finds libbimt through BIMT_LIBRARY or the
build trees (see bindings/python). Two configurations can run side by side on two cores
with BIMT_NUM_THREADS=1 each.

    BIMT_NUM_THREADS=1 bench/tune_main_job.py --name default       # grow_brain's defaults
    BIMT_NUM_THREADS=1 bench/tune_main_job.py --name l5e5 --lambda 5e-5 --weight contextdm1=1
"""

import argparse
import json
import math
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bindings", "python"))

import bimt  # noqa: E402

DEFAULT_WEIGHTS = {"fdgo": 0.5, "reactgo": 0.5, "delaygo": 0.5, "fdanti": 0.5,
                   "reactanti": 0.5, "delayanti": 1.0, "dm1": 2.0, "dm2": 2.0,
                   "contextdm1": 4.0, "contextdm2": 4.0, "multidm": 5.0, "delaydm1": 2.0,
                   "delaydm2": 2.0, "contextdelaydm1": 2.0, "contextdelaydm2": 2.0,
                   "dmsgo": 1.5, "dmsnogo": 1.5}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n", 1)[1])
    ap.add_argument("--name", required=True, help="name of the run (output file stem)")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "build", "tune"))
    # Defaults: those of examples/grow_brain (its DEFAULTS table in grow_brain/config.c).
    ap.add_argument("--steps", type=int, default=28000, help="training steps (default: %(default)s)")
    ap.add_argument("--grid", type=int, default=16)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--lr-end", type=float, default=1e-4, help="cosine decay to this (= lr: constant)")
    ap.add_argument("--arm", choices=["bimt", "l1", "none"], default="bimt")
    ap.add_argument("--lambda", dest="lam", type=float, default=3e-5)
    ap.add_argument("--lambda-start", type=float, default=0.0)
    ap.add_argument("--warmup-frac", type=float, default=0.4)
    ap.add_argument("--A", type=float, default=1.0)
    ap.add_argument("--io", choices=["none", "edges"], default="edges",
                    help="positions of the inputs and outputs (grow_brain key io; default: "
                    "%(default)s)")
    ap.add_argument("--swap-interval", type=int, default=200)
    ap.add_argument("--top-k", type=int, default=30)
    ap.add_argument("--weight", action="append", default=[], metavar="RULE=W",
                    help="sampling weight of a rule (repeatable; defaults: DEFAULT_WEIGHTS, "
                    "as grow_brain: Go/Anti 0.5 but delayanti 1, dm1/2, delaydm1/2 and "
                    "contextdelaydm1/2 2, contextdm1/2 4, multidm 5, dmsgo/dmsnogo 1.5, "
                    "others 1)")
    ap.add_argument("--easy-frac", type=float, default=0.2,
                    help="train on easy coherences (x10 DM, x2 delayed DM) for this fraction of "
                    "the steps; evaluation always uses the real ones (default: %(default)s)")
    ap.add_argument("--every", type=int, default=2000, help="steps between evaluations")
    ap.add_argument("--eval-trials", type=int, default=256)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    if a.steps < 1 or a.every < 1 or a.batch < 1 or not 0.0 <= a.warmup_frac < 1.0 \
            or not (a.lr > 0 and a.lr_end > 0):
        ap.error("steps, every, batch >= 1, 0 <= warmup-frac < 1, lr and lr-end > 0")
    return a


def lr_at(a, step):
    """grow_brain's cosine schedule (examples/grow_brain.c, lr_at)."""
    if a.lr_end == a.lr:
        return a.lr
    f = step / a.steps
    return a.lr_end + 0.5 * (a.lr - a.lr_end) * (1.0 + math.cos(math.pi * f))


def build(a):
    task = bimt.Task(seed=a.seed)
    model = bimt.Model(task=task, grid_side=a.grid, seed=a.seed, activation="softplus",
                       init="diag", init_scale=0.5, alpha=0.2, sigma_rec=0.05,
                       io_layout=a.io)
    weights = {r: 1.0 for r in bimt.rules()}
    weights.update(DEFAULT_WEIGHTS)
    for kv in a.weight:
        rule, _, w = kv.partition("=")
        if rule not in weights:
            sys.exit(f"tune_main_job: unknown rule {rule!r}")
        weights[rule] = float(w)
    warm = int(a.warmup_frac * a.steps)
    schedule = [(0, a.lambda_start), (warm, a.lam)] if warm > 0 and a.arm != "none" else []
    tr = bimt.Trainer(model, task, arm=a.arm, batch_size=a.batch, learning_rate=a.lr,
                      lam=a.lam, A=a.A, schedule=schedule, swap_interval=a.swap_interval,
                      swap_top_k=a.top_k, eval_interval=0, rule_weight=weights, seed=a.seed,
                      grad_clip=1.0)
    return tr, model, schedule


def main(argv=None):
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    tr, model, schedule = build(a)
    names = bimt.rules()
    path = os.path.join(a.out, a.name + ".jsonl")
    first_all = None
    with open(path, "w") as log:
        log.write(json.dumps({"args": vars(a), "schedule": schedule}) + "\n")

        def set_lr(info):
            tr.set_param("learning_rate", lr_at(a, info.step))

        t0 = time.time()
        done = 0
        easy_steps = int(a.easy_frac * a.steps)
        while done < a.steps:
            n = min(a.every - done % a.every, a.steps - done)
            if done < easy_steps:
                n = min(n, easy_steps - done)
            tr.set_param("easy_train", 1 if done < easy_steps else 0)
            tr.run(n, set_lr if a.lr_end != a.lr else None)
            done += n
            if done < a.steps and done % a.every:
                continue
            secs = time.time() - t0
            perf = tr.evaluate(a.eval_trials)
            rec = {"step": done, "seconds": round(secs, 1), "mean": float(perf.mean()),
                   "min": float(perf.min()), "n_ge_0.9": int((perf >= 0.9).sum()),
                   "lambda": tr.lambda_at(done), "lr": lr_at(a, done),
                   "perf": {r: round(float(p), 4) for r, p in zip(names, perf)}}
            if first_all is None and rec["min"] >= 0.9:
                first_all = done
            log.write(json.dumps(rec) + "\n")
            log.flush()
            worst = min(rec["perf"], key=rec["perf"].get)
            print(f"{a.name} step {done} {secs:.0f}s mean {rec['mean']:.3f} min {rec['min']:.3f}"
                  f" ({worst}) >=0.9: {rec['n_ge_0.9']}/20", flush=True)
        log.write(json.dumps({"first_step_all_ge_0.9": first_all}) + "\n")
    tr.save(os.path.join(a.out, a.name + ".npz"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
