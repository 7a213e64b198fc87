#!/usr/bin/env python3
"""The tables of docs/science.md from a bimt_sweep sweep.json, and issue 17's must-show checks.

usage: /usr/bin/python3 bench/science_tables.py bench/results/science/sweep.json [--lambda]

Prints markdown: one row per run (performance, important neurons, the silhouette's k, both
anatomical tests at that k and at each fixed k of anatomy_by_k, wiring), a per-arm summary
(median, mean and range over seeds), and, unless --lambda, each criterion of the issue with
its count. Reads only sweep.json, so anyone can re-check the committed evidence.
"""
import json
import statistics
import sys

ALPHA = 0.05


def both(iso, size):
    return iso is not None and size is not None and iso < ALPHA and size < ALPHA


def fmt_p(p):
    return "–" if p is None else f"{p:.3f}"


def by_k(m, k):
    for e in m.get("anatomy_by_k") or []:
        if e["k"] == k:
            return e
    return None


def run_rows(runs):
    print("| arm | λ | seed | perf mean/min | ≥ 0.9 | important | k | isolated p | size p "
          "| k = 4 | k = 8 | k = 12 | k = 16 | wiring |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in runs:
        m = r["metrics"]
        ks = []
        for k in (4, 8, 12, 16):
            e = by_k(m, k)
            ks.append("–" if e is None else
                      f"{fmt_p(e['isolated_p'])}/{fmt_p(e['cluster_size_p'])}")
        lam = "–" if r["arm"] == "none" else f"{r['lambda']:g}"
        print(f"| {r['arm']} | {lam} | {r['seed']} | {m['perf_mean']:.3f}/{m['perf_min']:.3f} "
              f"| {m['n_tasks_at_target']} | {m['n_important']} | {m['n_clusters']} "
              f"| {fmt_p(m['isolated_p'])} | {fmt_p(m['cluster_size_p'])} | "
              + " | ".join(ks) + f" | {m['wiring_length']:,.0f} |")


def spread(xs, f="{:.3f}"):
    return (f"{f.format(statistics.median(xs))} ({f.format(statistics.mean(xs))}; "
            f"{f.format(min(xs))}–{f.format(max(xs))})")


def arm_summary(runs):
    print("| arm | λ | seeds | perf mean | important | k | both tests at the silhouette's k "
          "| both at k = 8 | both at every k of anatomy_by_k | wiring |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    groups = {}
    for r in runs:
        groups.setdefault((r["arm"], r["lambda"] if r["arm"] != "none" else 0.0), []).append(r)
    for (arm, lam), rs in groups.items():
        ms = [r["metrics"] for r in rs]
        sil = sum(both(m["isolated_p"], m["cluster_size_p"]) for m in ms)
        k8 = sum(both(*(lambda e: (e["isolated_p"], e["cluster_size_p"]) if e else (None, None))(
            by_k(m, 8))) for m in ms)
        every = sum(all(both(e["isolated_p"], e["cluster_size_p"])
                        for e in m.get("anatomy_by_k") or []) and bool(m.get("anatomy_by_k"))
                    for m in ms)
        n = len(ms)
        print(f"| {arm} | {'–' if arm == 'none' else f'{lam:g}'} | {n} "
              f"| {spread([m['perf_mean'] for m in ms])} "
              f"| {spread([m['n_important'] for m in ms], '{:.0f}')} "
              f"| {spread([m['n_clusters'] for m in ms], '{:.0f}')} "
              f"| {sil} of {n} | {k8} of {n} | {every} of {n} "
              f"| {spread([m['wiring_length'] for m in ms], '{:,.0f}')} |")


def criteria(runs):
    arm = {a: [r["metrics"] for r in runs if r["arm"] == a] for a in ("bimt", "l1", "none")}
    b = arm["bimt"]
    checks = []
    if b:
        n = len(b)
        perf = sum(m["perf_mean"] >= 0.95 for m in b)
        strong = sum(both(m["isolated_p"], m["cluster_size_p"]) and all(
            both(e["isolated_p"], e["cluster_size_p"]) for e in m.get("anatomy_by_k") or [])
            for m in b)
        med_imp = statistics.median(m["n_important"] for m in b)
        med_k = statistics.median(m["n_clusters"] for m in b)
        checks += [
            ("BIMT: every seed mean performance ≥ 0.95", f"{perf} of {n}", perf == n),
            ("BIMT: both tests p < 0.05 at the silhouette's k and at every k of anatomy_by_k",
             f"{strong} of {n}", strong >= 4),
            ("BIMT: median important neurons ≤ 150", f"{med_imp:g}", med_imp <= 150),
            ("BIMT: median silhouette clusters ≥ 4", f"{med_k:g}", med_k >= 4),
        ]
    for a in ("l1", "none"):
        ms = arm[a]
        if not ms:
            continue
        sil = sum(both(m["isolated_p"], m["cluster_size_p"]) for m in ms)
        e8 = [by_k(m, 8) for m in ms]
        k8 = sum(e is not None and both(e["isolated_p"], e["cluster_size_p"]) for e in e8)
        checks.append((f"{a}: both tests in at most 1 seed, at the silhouette's k / at k = 8",
                       f"{sil} / {k8} of {len(ms)}", sil <= 1 and k8 <= 1))
    print("| criterion (issue 17) | measured | met |")
    print("|---|---|---|")
    for name, val, ok in checks:
        print(f"| {name} | {val} | {'yes' if ok else '**no**'} |")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if len(args) != 1:
        sys.exit(__doc__)
    s = json.load(open(args[0]))
    runs = [r for r in s["runs"] if r["status"] == "ok"]
    runs.sort(key=lambda r: (["bimt", "l1", "none"].index(r["arm"]), r["lambda"], r["seed"]))
    print(f"{len(runs)} of {s['n_runs']} runs finished ({s['n_failed']} failed, "
          f"{s['n_pending']} pending).\n")
    run_rows(runs)
    print()
    arm_summary(runs)
    if "--lambda" not in sys.argv:
        print()
        criteria(runs)


if __name__ == "__main__":
    main()
