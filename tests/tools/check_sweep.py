#!/usr/bin/env python3
"""End-to-end checks of bimt_sweep (registered as CTest tests by examples/sweep/sweep.cmake).

  check_sweep.py local  SWEEP WORK   the tiny spec with --jobs 2: 10 runs ok, fronts, SVGs,
                                     index.html, grow_brain_args reproduce a run bit for bit
  check_sweep.py resume SWEEP WORK   SIGKILL part-way, restart: finished runs untouched,
                                     same metrics as `local`
  check_sweep.py mpi    SWEEP WORK MPIRUN   mpirun --oversubscribe -np 3: same metrics
  check_sweep.py cli    SWEEP WORK   bad specs (line numbers, nothing trained), --count,
                                     --list, --index, the lock, a failed run among good ones

SWEEP is the bimt_sweep program (grow_brain sits beside it); WORK a scratch folder shared by
the modes (`local` writes WORK/local, which `resume` and `mpi` compare with).
"""

import fcntl
import hashlib
import html.parser
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

TINY = """# the tiny spec of issue 16
arm = bimt, l1, none
lambda = 1e-4, 1e-3
seed = 1, 2
grid = 4
steps = 200
shuffles = 50
"""
IDS = sorted(["bimt_lambda1e-4_seed1", "bimt_lambda1e-4_seed2", "bimt_lambda1e-3_seed1",
              "bimt_lambda1e-3_seed2", "l1_lambda1e-4_seed1", "l1_lambda1e-4_seed2",
              "l1_lambda1e-3_seed1", "l1_lambda1e-3_seed2", "none_seed1", "none_seed2"])
ENV = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1",
           OMPI_MCA_rmaps_base_oversubscribe="1")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(cond, msg):
    if not cond:
        fail(msg)


def run(cmd, timeout=1200, **kw):
    print("$ " + " ".join(cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=ENV, **kw)
    sys.stdout.write(p.stdout)
    sys.stdout.write(p.stderr)
    return p


def fresh(path):
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def load(d):
    with open(os.path.join(d, "sweep.json")) as f:
        return json.load(f)


def metrics_by_id(d):
    return {r["id"]: r["metrics"] for r in load(d)["runs"]}


def check_complete(d):
    """All ten runs ok, every arm with non-empty fronts; returns sweep.json."""
    s = load(d)
    check(s["format"] == "bimt-sweep" and s["n_runs"] == 10, "10 runs in sweep.json")
    bad = [(r["id"], r["status"], r["error"]) for r in s["runs"] if r["status"] != "ok"]
    check(not bad, "runs not ok: %s" % bad)
    check(sorted(r["id"] for r in s["runs"]) == IDS, "run ids")
    for arm in ("bimt", "l1", "none"):
        for axis in ("neurons", "wiring"):
            front = s["frontier"][arm][axis]
            check(front, "empty %s front of arm %s" % (axis, arm))
            check(all(i.startswith(arm) for i in front), "front of %s holds other arms" % arm)
    for r in s["runs"]:
        m = r["metrics"]
        for k in ("perf_mean", "perf_min", "n_tasks_at_target", "n_important",
                  "n_active_neurons", "wiring_length", "n_clusters", "isolated_p",
                  "cluster_size_p", "anatomy_by_k"):
            check(k in m, "metrics.%s missing in %s" % (k, r["id"]))
        for k in ("id", "arm", "lambda", "A", "seed", "steps", "status", "grow_brain_args"):
            check(k in r, "run record without %s" % k)
        check(os.path.isfile(os.path.join(d, "runs", r["id"], "metrics.json")), "metrics.json")
        check(os.path.isfile(os.path.join(d, "runs", r["id"], "model.npz")), "model.npz")
        if r["arm"] == "none":
            check(r["lambda"] == 0 and r["A"] == 0, "arm none records lambda 0")
    check(len(s["summary"]) == 5, "5 summary groups (bimt x2, l1 x2, none)")
    for g in s["summary"]:
        check(g["n_ok"] == 2 and g["perf_mean"]["n"] == 2, "two seeds per group")
    check(not os.listdir(os.path.join(d, ".work")) or
          all(n.endswith(".lock") for n in os.listdir(os.path.join(d, ".work"))),
          "temporary run folders left in .work")
    return s


class Imgs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.imgs, self.links = [], []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "img":
            self.imgs.append(a.get("src"))
        if tag == "a":
            self.links.append(a.get("href"))


def check_report(d):
    for name in ("pareto_neurons.svg", "pareto_wiring.svg"):
        root = ET.parse(os.path.join(d, name)).getroot()
        check(root.tag.endswith("svg"), name + " is not an SVG")
        circles = [e for e in root.iter() if e.tag.endswith("circle")]
        check(len(circles) == 10, "%s: %d points, expected 10" % (name, len(circles)))
        text = " ".join(e.text or "" for e in root.iter() if e.tag.endswith("text"))
        check("error" in text and ("active neurons" in text or "wiring" in text), name + " axes")
        check("bimt" in text and "l1" in text and "none" in text, name + " legend")
    p = Imgs()
    with open(os.path.join(d, "index.html")) as f:
        p.feed(f.read())
    check("pareto_neurons.svg" in p.imgs and "pareto_wiring.svg" in p.imgs,
          "index.html does not show both figures: %s" % p.imgs)
    for i in IDS:
        check("runs/%s/index.html" % i in p.links, "index.html links run " + i)


def tree_state(d):
    """(inode, mtime_ns, sha256) of every file of every finished run."""
    out = {}
    for run_id in sorted(os.listdir(os.path.join(d, "runs"))):
        rd = os.path.join(d, "runs", run_id)
        st = os.stat(rd)
        out[run_id] = {"": (st.st_ino, st.st_mtime_ns)}
        for name in sorted(os.listdir(rd)):
            p = os.path.join(rd, name)
            st = os.stat(p)
            with open(p, "rb") as f:
                out[run_id][name] = (st.st_ino, st.st_mtime_ns,
                                     hashlib.sha256(f.read()).hexdigest())
    return out


def mode_local(sweep, work):
    d = fresh(os.path.join(work, "local"))
    spec = write(os.path.join(work, "tiny.spec"), TINY)
    p = run([sweep, "--spec", spec, "--out", d, "--jobs", "2"])
    check(p.returncode == 0, "exit code %d" % p.returncode)
    check(p.stderr.count(" ok in ") == 10 and "ETA" in p.stderr, "one progress line per run")
    check_complete(d)
    check_report(d)
    # grow_brain_args reproduce a run bit for bit (from DIR, with a new --out)
    gb = os.path.join(os.path.dirname(sweep), "grow_brain")
    s = load(d)
    for r in (s["runs"][0], s["runs"][-1]):
        again = fresh(os.path.join(work, "again"))
        q = run([gb] + r["grow_brain_args"] + ["--quiet", "--out", again], cwd=d)
        check(q.returncode == 0, "grow_brain with grow_brain_args failed")
        with open(os.path.join(again, "metrics.json"), "rb") as f1, \
                open(os.path.join(d, "runs", r["id"], "metrics.json"), "rb") as f2:
            check(f1.read() == f2.read(), "grow_brain_args do not reproduce " + r["id"])


def reference(work):
    ref = os.path.join(work, "local")
    check(os.path.isfile(os.path.join(ref, "sweep.json")), "run the `local` mode first")
    return metrics_by_id(ref)


def mode_resume(sweep, work):
    ref = reference(work)
    d = fresh(os.path.join(work, "resume"))
    spec = write(os.path.join(work, "tiny.spec"), TINY)
    cmd = [sweep, "--spec", spec, "--out", d, "--jobs", "1"]
    print("$ " + " ".join(cmd), flush=True)
    proc = subprocess.Popen(cmd, env=ENV, stderr=subprocess.DEVNULL)
    runs = os.path.join(d, "runs")
    t0 = time.time()
    while time.time() - t0 < 900:
        if os.path.isdir(runs) and len(os.listdir(runs)) >= 3:
            break
        if proc.poll() is not None:
            fail("the sweep ended before it could be killed")
        time.sleep(0.05)
    time.sleep(0.3)  # part-way into the next run
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    before = tree_state(d)
    n_before = len(before)
    check(3 <= n_before < 10, "killed after %d runs" % n_before)
    work_dir = os.listdir(os.path.join(d, ".work"))
    print("after SIGKILL: %d finished, .work holds %s" % (n_before, work_dir))
    time.sleep(0.5)  # the killed sweep's child dies with it (PR_SET_PDEATHSIG)
    p = run(cmd)
    check(p.returncode == 0, "restart exit code %d" % p.returncode)
    check("%d finished before" % n_before in p.stderr, "restart skips the finished runs")
    check(p.stderr.count(" ok in ") == 10 - n_before, "restart runs only the rest")
    after = tree_state(d)
    for run_id, files in before.items():
        check(after[run_id] == files, "finished run %s was touched by the restart" % run_id)
    check_complete(d)
    check(metrics_by_id(d) == ref, "metrics after kill + restart differ from --jobs 2")


def mode_mpi(sweep, work, mpirun):
    ref = reference(work)
    d = fresh(os.path.join(work, "mpi"))
    spec = write(os.path.join(work, "tiny.spec"), TINY)
    p = run([mpirun, "--oversubscribe", "-np", "3", sweep, "--spec", spec, "--out", d])
    check(p.returncode == 0, "mpirun exit code %d" % p.returncode)
    check("3 MPI ranks" in p.stderr, "the sweep did not run on 3 ranks")
    check(p.stderr.count(" ok in ") == 10, "one progress line per run (rank 0)")
    check_complete(d)
    check_report(d)
    check(metrics_by_id(d) == ref, "metrics under mpirun differ from --jobs 2")
    # the ranks shared the work (dynamic scheduling): the run records name their hosts/pids
    p = run([mpirun, "--oversubscribe", "-np", "2", sweep, "--spec", spec, "--out", d])
    check(p.returncode == 0 and "10 finished before" in p.stderr, "a finished sweep is kept")


def mode_cli(sweep, work):
    base = fresh(os.path.join(work, "cli"))
    os.makedirs(base)
    spec = write(os.path.join(base, "tiny.spec"), TINY)
    p = run([sweep, "--spec", spec, "--count"])
    check(p.returncode == 0 and p.stdout.strip() == "10", "--count prints 10")
    p = run([sweep, "--spec", spec, "--list"])
    check(sorted(line.split("\t")[1] for line in p.stdout.splitlines()) == IDS, "--list ids")

    # bad specs: file and line named, exit 2, nothing created or trained
    bad = {
        "unknown_key": ("grid = 4\nnonsense = 3\nseed = 1, 2\n", ":2:", "unknown key 'nonsense'"),
        "bad_value": ("# c\n\nsteps = 10, many\n", ":3:", "steps: 'many' is not a whole number"),
        "empty_item": ("seed = 1,,2\n", ":1:", "empty value"),
        "empty_list": ("arm = bimt\nlambda =\n", ":2:", "empty value"),
        "no_equals": ("grid 4\n", ":1:", "expected 'key = value'"),
        "duplicate": ("seed = 1\nseed = 2\n", ":2:", "already set on line 1"),
        "out_key": ("out = x\n", ":1:", "set by bimt_sweep"),
        "bad_arm": ("arm = bimt, foo\n", ":1:", "arm: 'foo' is not one of"),
    }
    for name, (text, line, msg) in bad.items():
        path = write(os.path.join(base, name + ".spec"), text)
        d = os.path.join(base, "never_" + name)
        p = run([sweep, "--spec", path, "--out", d])
        check(p.returncode == 2, "%s: exit code %d, expected 2" % (name, p.returncode))
        check(path + line in p.stderr and msg in p.stderr,
              "%s: message should name %s%s and say %r" % (name, path, line, msg))
        check(not os.path.exists(d), name + ": the sweep folder was created")
    p = run([sweep, "--spec", os.path.join(base, "missing.spec"), "--out", base + "/x"])
    check(p.returncode == 2 and "cannot read the spec" in p.stderr, "missing spec")
    p = run([sweep, "--spec", spec, "--out", base + "/x", "--jobs", "0"])
    check(p.returncode == 2, "--jobs 0 refused")
    p = run([sweep, "--spec", spec, "--out", base + "/x", "--index", "10"])
    check(p.returncode == 2 and "out of range" in p.stderr, "--index 10 refused")

    small = write(os.path.join(base, "small.spec"),
                  "arm = none\nseed = 1, 2, 3\ngrid = 3\nsteps = 20\nshuffles = 5\n"
                  "eval_trials = 16\nfinal_eval_trials = 16\n")
    # --index runs one configuration; the report lists the others as pending
    d = os.path.join(base, "index")
    p = run([sweep, "--spec", small, "--out", d, "--index", "2"])
    check(p.returncode == 0, "--index 2 exit code %d" % p.returncode)
    s = load(d)
    check(os.listdir(os.path.join(d, "runs")) == ["none_seed3"], "--index 2 ran only seed 3")
    check([r["status"] for r in s["runs"]] == ["pending", "pending", "ok"], "statuses")
    p = run([sweep, "--spec", small, "--out", d, "--index", "2"])
    check(p.returncode == 0 and "already finished" in p.stderr, "--index again: nothing to do")

    # a spec that leaves lambda and A at grow_brain's defaults: the pending seed is summarised
    # with the finished one (same lambda and A), not as a group of unknown lambda and A
    silent = write(os.path.join(base, "silent.spec"),
                   "arm = bimt\nseed = 1, 2\ngrid = 3\nsteps = 20\nshuffles = 5\n"
                   "eval_trials = 16\nfinal_eval_trials = 16\n")
    d = os.path.join(base, "silent")
    p = run([sweep, "--spec", silent, "--out", d, "--index", "0"])
    check(p.returncode == 0, "silent spec --index 0 exit code %d" % p.returncode)
    s = load(d)
    done, pend = s["runs"]
    check(done["status"] == "ok" and pend["status"] == "pending", "silent spec statuses")
    check(pend["lambda"] == done["lambda"] and pend["A"] == done["A"],
          "a pending run has the finished run's lambda and A (%r %r)" % (pend, done))
    check(len(s["summary"]) == 1, "one summary group for the two seeds, not %d"
          % len(s["summary"]))

    # the lock: a whole sweep is refused while DIR is locked, --index allowed beside others
    with open(os.path.join(d, ".lock"), "a+") as f:
        fcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        p = run([sweep, "--spec", small, "--out", d])
        check(p.returncode == 3 and "in use by another bimt_sweep" in p.stderr, "lock (ex)")
        p = run([sweep, "--spec", small, "--out", d, "--index", "0"])
        check(p.returncode == 3, "--index refused beside a whole sweep")
        fcntl.lockf(f, fcntl.LOCK_UN)
        fcntl.lockf(f, fcntl.LOCK_SH | fcntl.LOCK_NB)  # as an --index task holds it
        p = run([sweep, "--spec", small, "--out", d])
        check(p.returncode == 3, "a whole sweep refused beside --index tasks")
        p = run([sweep, "--spec", small, "--out", d, "--index", "0"])
        check(p.returncode == 0, "--index beside another --index task")
        fcntl.lockf(f, fcntl.LOCK_UN)

    # a failed run is recorded and does not stop the others
    real = os.path.join(os.path.dirname(sweep), "grow_brain")
    # a wrapper that fails the run whose config has seed = 2 (and passes --check through)
    fake = os.path.join(base, "grow_brain_fails_seed2")
    write(fake, "#!/bin/sh\n"
                "case \" $* \" in *' --check '*) exec \"%s\" \"$@\";; esac\n"
                "for a; do [ \"$prev\" = --config ] && conf=$a; prev=$a; done\n"
                "if grep -q '^seed = 2$' \"$conf\"; then echo 'grow_brain: boom (test)' >&2; "
                "exit 1; fi\n"
                "exec \"%s\" \"$@\"\n" % (real, real))
    os.chmod(fake, 0o755)
    d = os.path.join(base, "failing")
    p = run([sweep, "--spec", small, "--out", d, "--jobs", "2", "--grow-brain", fake])
    check(p.returncode == 1, "a failed run gives exit code 1 (got %d)" % p.returncode)
    s = load(d)
    st = {r["id"]: r for r in s["runs"]}
    check(st["none_seed1"]["status"] == "ok" and st["none_seed3"]["status"] == "ok",
          "the other runs finished")
    check(st["none_seed2"]["status"] == "failed" and "boom (test)" in st["none_seed2"]["error"]
          and "exit code 1" in st["none_seed2"]["error"], "the failure and its message")
    check(s["n_failed"] == 1 and s["n_ok"] == 2, "counts")
    check(os.path.isfile(os.path.join(d, "failed", "none_seed2", "grow_brain.log")),
          "the failed run's log is kept")
    p = run([sweep, "--spec", small, "--out", d])  # with the real grow_brain: redone
    check(p.returncode == 0 and load(d)["n_ok"] == 3, "the failed run is redone on restart")
    check(not os.path.exists(os.path.join(d, "failed", "none_seed2")), "failure record cleared")

    # the spec changed under a finished run: refused, the run kept
    changed = write(os.path.join(base, "changed.spec"), open(small).read().replace(
        "steps = 20", "steps = 21"))
    p = run([sweep, "--spec", changed, "--out", d])
    check(p.returncode == 1 and "other settings" in json.dumps(load(d)), "changed settings")


def main():
    mode, sweep, work = sys.argv[1], os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3])
    os.makedirs(work, exist_ok=True)
    if mode == "local":
        mode_local(sweep, work)
    elif mode == "resume":
        mode_resume(sweep, work)
    elif mode == "mpi":
        mode_mpi(sweep, work, sys.argv[4])
    elif mode == "cli":
        mode_cli(sweep, work)
    else:
        fail("unknown mode " + mode)
    print("OK: " + mode)


if __name__ == "__main__":
    main()
