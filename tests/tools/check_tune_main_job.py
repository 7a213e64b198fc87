#!/usr/bin/env python3
"""Checks bench/tune_main_job.py against examples/grow_brain.

1. The same configuration trained by both (tiny grid, cosine learning rate, lambda warm-up,
   easy-coherence curriculum, rule weights, swaps) ends with the same parameters, neuron slots, Adam moments and
   learning rate, bit for bit: the tuning script's learning curves are those of the main job.
2. Left at their defaults, both use the same rule weights, step count and curriculum.
3. Bad input (unknown rule, impossible step count) exits non-zero with a message.

usage: check_tune_main_job.py GROW_BRAIN WORKDIR   (BIMT_LIBRARY must point at libbimt)
"""
import os
import re
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
TUNE = os.path.join(HERE, "..", "..", "bench", "tune_main_job.py")

STEPS, GRID, BATCH = 40, 4, 8
WEIGHTS = {"contextdm1": 5, "fdgo": 0.5}


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def tune_default_steps(helptext):
    """The --steps default that tune_main_job.py --help prints."""
    m = re.search(r"--steps STEPS\s+training steps \(default: (\d+)\)", helptext)
    assert m, helptext
    return m.group(1)


def json_io(path):
    """The io layout a grow_brain report was made with."""
    import json
    with open(path) as f:
        return json.load(f)["config"]["model"]["io_layout"]


def main():
    grow_brain, work = sys.argv[1], sys.argv[2]
    os.makedirs(work, exist_ok=True)
    cfg = os.path.join(work, "tune.conf")
    with open(cfg, "w") as f:
        f.write(f"steps = {STEPS}\ngrid = {GRID}\nbatch = {BATCH}\nlr = 3e-3\nlr_end = 1e-4\n"
                "lambda = 1e-4\nlambda_start = 0\nwarmup_frac = 0.4\nswap_interval = 10\n"
                "top_k = 4\neval_interval = 0\nshuffles = 2\neasy_frac = 0.3\n")
        for r, w in WEIGHTS.items():
            f.write(f"weight.{r} = {w}\n")
    rc, out = run([grow_brain, "--config", cfg, "--quiet", "--out", os.path.join(work, "gb")])
    assert rc == 0, out
    tune = [sys.executable, TUNE, "--out", work, "--steps", str(STEPS), "--grid", str(GRID),
            "--batch", str(BATCH), "--lr", "3e-3", "--lr-end", "1e-4", "--lambda", "1e-4",
            "--lambda-start", "0", "--warmup-frac", "0.4", "--swap-interval", "10",
            "--top-k", "4", "--every", "20", "--eval-trials", "8", "--easy-frac", "0.3"]
    for r, w in WEIGHTS.items():
        tune += ["--weight", f"{r}={w}"]
    rc, out = run(tune + ["--name", "same"])
    assert rc == 0, out
    a = np.load(os.path.join(work, "gb", "model.npz"))
    b = np.load(os.path.join(work, "same.npz"))
    for key in ("model.params", "model.slots", "adam.m", "adam.v", "trainer.learning_rate",
                "trainer.rule_weight", "trainer.step", "trainer.easy_train"):
        assert a[key].tobytes() == b[key].tobytes(), f"{key} differs"
    assert float(b["trainer.learning_rate"]) == 1e-4, "the cosine schedule did not end at lr_end"
    with open(os.path.join(work, "same.jsonl")) as f:
        lines = f.read().splitlines()
    assert len(lines) == 1 + STEPS // 20 + 1, lines  # header, evaluations, summary

    # 2. Left at their defaults, both sample the rules with the same weights and default to
    #    the same step count (grow_brain --help prints its DEFAULTS).
    rc, out = run([grow_brain, "--steps", "2", "--grid", "3", "--shuffles", "2", "--quiet",
                   "--out", os.path.join(work, "gb_default")])
    assert rc == 0, out
    rc, out = run([sys.executable, TUNE, "--out", work, "--name", "default", "--steps", "2",
                   "--grid", "3", "--every", "2", "--eval-trials", "2"])
    assert rc == 0, out
    a = np.load(os.path.join(work, "gb_default", "model.npz"))
    b = np.load(os.path.join(work, "default.npz"))
    assert a["trainer.rule_weight"].tobytes() == b["trainer.rule_weight"].tobytes(), (
        a["trainer.rule_weight"], b["trainer.rule_weight"])
    _, helptext = run([grow_brain, "--help"])
    _, tunehelp = run([sys.executable, TUNE, "--help"])
    steps = [ln for ln in helptext.splitlines() if ln.strip().startswith("--steps")][0]
    assert f"default {tune_default_steps(tunehelp)})" in steps, (steps, tunehelp)
    # the curriculum is a config key only: read grow_brain's DEFAULTS table from its source
    with open(os.path.join(HERE, "..", "..", "examples", "grow_brain", "config.c")) as f:
        m = re.search(r"\.easy_frac = ([0-9.e+-]+),", f.read())
    t = re.search(r"--easy-frac EASY_FRAC\s+(?:.|\n)*?\(default: ([0-9.e+-]+)\)", tunehelp)
    assert m and t and float(m.group(1)) == float(t.group(1)), (m, t)
    a_io = json_io(os.path.join(work, "gb_default", "metrics.json"))
    t_io = re.search(r"^\s+--io \{none,edges\}\s+(?:.|\n)*?default: (\w+)\)", tunehelp,
                     re.M)
    assert t_io and a_io == t_io.group(1), (a_io, t_io)

    # 3. Bad input.
    rc, out = run(tune + ["--name", "bad", "--weight", "nosuchrule=2"])
    assert rc != 0 and "unknown rule 'nosuchrule'" in out, out
    rc, out = run([sys.executable, TUNE, "--name", "bad", "--steps", "0", "--out", work])
    assert rc == 2 and "steps" in out, out
    print("tune_main_job.py: same network and defaults as grow_brain; bad input rejected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
