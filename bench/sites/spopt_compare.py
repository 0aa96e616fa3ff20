#!/usr/bin/env python3
"""Side by side: PySAL spopt's MCLP (PuLP + CBC) against thirdplace-sites (issue 6).

Both sides get the same instance: demand points with weights, candidate sites,
coverage = haversine distance (R = 6371.0088 km) x detour factor <= radius,
no existing hubs. Each side is timed end to end: read the CSV text, compute
the distances, build the model, solve to proven optimality (CBC's default
relative gap is 0; we set it explicitly). The script checks that both reach
the same covered population.

  * Sweden: the shipped table (every locality as demand, every non-central
    town as candidate), radius 15 km, k = 10, 25, 50.
  * Europe: data/europe (eu_demand.csv, eu_candidates.csv), scaled down by a
    minimum population (demand points with at least that many inhabitants,
    candidates among them) until spopt's dense distance matrix and PuLP model
    no longer fit; reports how far spopt gets.

Usage (see bench/sites/README.md; bench/sites/run.sh --spopt runs it):
  python3 -m venv /tmp/spopt-venv && /tmp/spopt-venv/bin/pip install spopt==0.8.0 pulp
  /tmp/spopt-venv/bin/python bench/sites/spopt_compare.py --ours target/release/examples/mclp_bench
"""
import argparse
import csv
import io
import json
import math
import os
import platform
import subprocess
import sys
import time

import numpy as np
import pulp
from spopt.locate import MCLP

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
R_EARTH = 6371.0088


def haversine_matrix(dlat, dlon, clat, clon):
    """km, demand x candidates; the same formula as thirdplace_sites::haversine_km."""
    p1 = np.radians(dlat)[:, None]
    p2 = np.radians(clat)[None, :]
    dp = p2 - p1
    dl = np.radians(clon)[None, :] - np.radians(dlon)[:, None]
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * R_EARTH * np.arcsin(np.minimum(np.sqrt(h), 1.0))


def load_sweden(text):
    rows = list(csv.DictReader(io.StringIO(text)))
    d = [(float(r["latitude"]), float(r["longitude"]), float(r["population"])) for r in rows]
    c = [(float(r["latitude"]), float(r["longitude"])) for r in rows
         if r["is_central_town"] == "false"]
    return d, c


def load_files(dtext, ctext, min_weight):
    drows = [r for r in csv.DictReader(io.StringIO(dtext)) if float(r["weight"]) >= min_weight]
    keep = {r["id"] for r in drows}
    crows = [r for r in csv.DictReader(io.StringIO(ctext)) if min_weight <= 0 or r["id"] in keep]
    d = [(float(r["latitude"]), float(r["longitude"]), float(r["weight"])) for r in drows]
    c = [(float(r["latitude"]), float(r["longitude"])) for r in crows]
    return d, c


def spopt_run(load, k, radius, detour, time_limit, threads):
    """End to end with spopt; returns a dict of times and the covered weight."""
    t0 = time.perf_counter()
    d, c = load()
    t1 = time.perf_counter()
    d, c = np.array(d), np.array(c)
    cost = haversine_matrix(d[:, 0], d[:, 1], c[:, 0], c[:, 1]) * detour
    t2 = time.perf_counter()
    model = MCLP.from_cost_matrix(cost, d[:, 2], service_radius=radius, p_facilities=k)
    t3 = time.perf_counter()
    solver = pulp.PULP_CBC_CMD(msg=False, gapRel=0.0, timeLimit=time_limit, threads=threads)
    model.problem.solve(solver)
    t4 = time.perf_counter()
    status = pulp.LpStatus[model.problem.status]
    chosen = [j for j in range(len(c)) if (model.fac_vars[j].value() or 0) > 0.5]
    covered_mask = (cost[:, chosen] <= radius).any(axis=1) if chosen else np.zeros(len(d), bool)
    covered = float(d[covered_mask, 2].sum())
    return {
        "solver": "spopt+CBC", "k": k, "demand_points": len(d), "candidates": len(c),
        "parse_s": t1 - t0, "distances_s": t2 - t1, "model_s": t3 - t2, "solve_s": t4 - t3,
        "total_s": t4 - t0, "status": status, "covered": covered,
        "objective": pulp.value(model.problem.objective),
    }


def ours(binary, args, k, repeat):
    out = subprocess.run([binary, *args, "--k", str(k), "--repeat", str(repeat), "--json"],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def fmt_s(x):
    return f"{x * 1e3:.1f} ms" if x < 1 else f"{x:.2f} s"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True, help="path to the mclp_bench binary (release)")
    ap.add_argument("--radius-km", type=float, default=15.0)
    ap.add_argument("--detour", type=float, default=1.0)
    ap.add_argument("--sweden-k", default="10,25,50")
    ap.add_argument("--repeat", type=int, default=3, help="spopt runs per k (median)")
    ap.add_argument("--europe-min-pop", default="100000,50000,20000,10000",
                    help="Europe subsets to try with spopt, largest threshold first ('' = none)")
    ap.add_argument("--europe-k", type=int, default=500)
    ap.add_argument("--time-limit", type=float, default=600.0, help="CBC time limit per run, s")
    ap.add_argument("--max-matrix-gb", type=float, default=6.0,
                    help="skip spopt when its dense matrices would need more than this")
    ap.add_argument("--threads", type=int, default=1, help="CBC threads")
    ap.add_argument("--json", help="write all results to this file")
    a = ap.parse_args()

    load_avg = os.getloadavg()
    print(f"machine: {os.cpu_count()} cores, load average {load_avg[0]:.2f} {load_avg[1]:.2f} "
          f"{load_avg[2]:.2f}; Python {platform.python_version()}; spopt "
          f"{__import__('spopt').__version__}; PuLP {pulp.__version__} with CBC", flush=True)
    results = []
    ok = True

    with open(os.path.join(ROOT, "data", "localities", "se_localities.csv"), encoding="utf-8") as f:
        se_text = f.read()
    print(f"\nSweden, radius {a.radius_km} km, detour {a.detour}, no existing hubs")
    print(f"{'k':>4} {'spopt end to end':>17} {'(solve)':>10} {'ours end to end':>16} "
          f"{'ratio':>8}  covered (spopt / ours)")
    for k in [int(x) for x in a.sweden_k.split(",") if x]:
        runs = [spopt_run(lambda: load_sweden(se_text), k, a.radius_km, a.detour,
                          a.time_limit, a.threads) for _ in range(a.repeat)]
        runs.sort(key=lambda r: r["total_s"])
        sp = runs[len(runs) // 2]
        us = ours(a.ours, ["--sweden", "--radius-km", str(a.radius_km),
                           "--detour", str(a.detour)], k, 11)
        same = abs(sp["covered"] - us["covered"]) < 0.5 and sp["status"] == "Optimal" \
            and us["optimal"]
        ok &= same
        ratio = sp["total_s"] / us["total_s"]
        print(f"{k:>4} {fmt_s(sp['total_s']):>17} {fmt_s(sp['solve_s']):>10} "
              f"{fmt_s(us['total_s']):>16} {ratio:>7.0f}x  {sp['covered']:.0f} / "
              f"{us['covered']:.0f} {'same' if same else 'DIFFERENT'}", flush=True)
        results.append({"instance": "sweden", "k": k, "spopt": sp, "ours": us, "ratio": ratio,
                        "same_covered": same})

    dpath = os.path.join(ROOT, "data", "europe", "eu_demand.csv")
    cpath = os.path.join(ROOT, "data", "europe", "eu_candidates.csv")
    thresholds = [float(x) for x in a.europe_min_pop.split(",") if x]
    if thresholds:
        with open(dpath, encoding="utf-8") as f:
            dtext = f.read()
        with open(cpath, encoding="utf-8") as f:
            ctext = f.read()
        print(f"\nEurope subsets (population >= T), radius {a.radius_km} km, k = {a.europe_k} "
              f"(or fewer when there are fewer candidates)")
        print(f"{'T':>7} {'points':>7} {'cands':>6} {'spopt end to end':>17} {'status':>10} "
              f"{'ours end to end':>16} {'ratio':>8}  covered (spopt / ours)")
    for t in thresholds:
        d, c = load_files(dtext, ctext, t)
        k = min(a.europe_k, len(c))
        gb = len(d) * len(c) * 8 * 3 / 1e9
        us = ours(a.ours, ["--demand", dpath, "--candidates", cpath, "--min-weight", str(t),
                           "--radius-km", str(a.radius_km), "--detour", str(a.detour),
                           "--time-limit-s", "10"], k, 3)
        if gb > a.max_matrix_gb:
            print(f"{t:>7.0f} {len(d):>7} {len(c):>6} {'skipped':>17}: dense matrices "
                  f"~{gb:.0f} GB > --max-matrix-gb {a.max_matrix_gb}; ours "
                  f"{fmt_s(us['total_s'])}", flush=True)
            results.append({"instance": f"europe>={t:.0f}", "k": k, "spopt": None, "ours": us,
                            "skipped_gb": gb})
            continue
        sp = spopt_run(lambda: load_files(dtext, ctext, t), k, a.radius_km, a.detour,
                       a.time_limit, a.threads)
        same = abs(sp["covered"] - us["covered"]) < 0.5
        ratio = sp["total_s"] / us["total_s"]
        print(f"{t:>7.0f} {len(d):>7} {len(c):>6} {fmt_s(sp['total_s']):>17} "
              f"{sp['status']:>10} {fmt_s(us['total_s']):>16} {ratio:>7.0f}x  "
              f"{sp['covered']:.0f} / {us['covered']:.0f} "
              f"{'same' if same else 'DIFFERENT'}{'' if us['optimal'] else ' (ours: gap)'}",
              flush=True)
        results.append({"instance": f"europe>={t:.0f}", "k": k, "spopt": sp, "ours": us,
                        "ratio": ratio, "same_covered": same})
    full_gb = 61168 * 54579 * 8 / 1e9
    print(f"\nFull European instance: spopt's dense float64 distance matrix alone would be "
          f"~{full_gb:.0f} GB (61 168 x 54 579), more than this machine's memory; not attempted.")
    if a.json:
        with open(a.json, "w", encoding="utf-8") as f:
            json.dump({"load_average": load_avg, "results": results}, f, indent=1)
    if not ok:
        print("MISMATCH: spopt and thirdplace-sites disagree on Sweden", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
