"""Batch evaluation benchmark: ``bcigui benchmark`` serially vs on a dask LocalCluster.

Usage: ``python benchmarks/bench_batch.py [--json] [--workers 2] [--subjects 1-10] [--repeat N]``

PhysioNet S001-S010 imagined left vs right fist (``physionet-lr``: runs 4/8/12, 64 channels, 0-3 s)
x 3 pipelines (csp_lda, ts_lr, mdm), within-session 5-fold: 30 tasks. Each run is the real command in
a fresh process (``--scheduler serial``, then ``--scheduler local --workers N``), so the wall times
include start-up, imports, cluster start and shutdown; the command's own "computed in" time (cluster
start to last result, without process start-up, planning and the summary) is printed too. Prints the wall times, the speed-up, the mean
cross-validation time per task in each run (from results.csv: ``time`` x folds; equal times mean
the workers do not slow each other down), the load average and a probe of how many cores were really
free (two CPU-bound processes vs one), since the machine is shared with other users.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PHYSIONET = ROOT.parent / "shared" / "data" / "physionet-eegmmidb"
PIPELINES = "csp_lda,ts_lr,mdm"


_PROBE = ("import os, time; os.environ['OPENBLAS_NUM_THREADS'] = '1'; import numpy as np; "
          "a = np.random.default_rng(0).random((150, 150)); t = time.perf_counter()\n"
          "for _ in range(300): np.linalg.eigh(a @ a.T)\n"
          "print(time.perf_counter() - t)")


def cpu_capacity() -> float:
    """How many cores this shared machine gives right now: a CPU-bound probe run alone, then two at once
    (2.0 on an idle 2-core machine; 1.0 when other users' work leaves room for one process only)."""
    def probe(n: int) -> float:
        procs = [subprocess.Popen([sys.executable, "-c", _PROBE], stdout=subprocess.PIPE, text=True) for _ in range(n)]
        return max(float(p.communicate()[0]) for p in procs)

    alone = probe(1)
    return round(2 * alone / probe(2), 2)


def _run(scheduler: list[str], subjects: str, out: Path) -> dict:
    from bcigui.core.batch.results import read_results

    cmd = [sys.executable, "-m", "bcigui", "benchmark", "--dataset", f"physionet-lr:{PHYSIONET}",
           "--pipelines", PIPELINES, "--subjects", subjects, "--results", str(out), *scheduler]
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "TQDM_DISABLE": "1"})
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr[-3000:]}")
    rows = read_results(out / "results.csv")
    found = re.search(r"computed in ([0-9.]+) s(?: on \d+ worker\(s\))?(?: \((\w+)\))?", proc.stdout)
    if not found:
        raise RuntimeError(f"no 'computed in' line in the output of {' '.join(cmd)}:\n{proc.stdout[-2000:]}")
    cv_task = [r["time"] * int(r["cv"]) for r in rows]
    return {"wall_s": wall, "run_s": float(found.group(1)), "worker_start": found.group(2) or "", "tasks": len(rows), "mean_task_cv_s": sum(cv_task) / len(cv_task),
            "load_before": load0, "load_after": os.getloadavg()[0],
            "scores": {(r["subject"], r["pipeline"]): r["score"] for r in rows}}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--workers", type=int, default=2, help="LocalCluster workers (default 2)")
    parser.add_argument("--subjects", default="1-10", help="PhysioNet subjects (default 1-10)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="pairs of runs, serial and parallel in turn (first one, then the other): the figures are "
                             "the medians, less at the mercy of other users' load (default 1)")
    args = parser.parse_args(argv)
    if not PHYSIONET.is_dir():
        print(f"shared data not found at {PHYSIONET}", file=sys.stderr)
        return 2
    capacity_before = cpu_capacity()
    runs = {"serial": ["--scheduler", "serial"], "parallel": ["--scheduler", "local", "--workers", str(args.workers)]}
    pairs: list[dict[str, dict]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(max(1, args.repeat)):
            pair = {}
            for kind in (("serial", "parallel") if i % 2 == 0 else ("parallel", "serial")):
                print(f"{kind} run {i + 1}...", file=sys.stderr, flush=True)
                pair[kind] = _run(runs[kind], args.subjects, Path(tmp) / f"{kind}{i}")
                print(f"  {pair[kind]['wall_s']:.1f} s", file=sys.stderr, flush=True)
            pairs.append(pair)
    capacity_after = cpu_capacity()
    scores = [run.pop("scores") for pair in pairs for run in pair.values()]
    same = all(sc == scores[0] for sc in scores)

    def median_run(kind: str) -> dict:
        ordered = sorted((p[kind] for p in pairs), key=lambda r: r["wall_s"])
        return ordered[len(ordered) // 2]

    serial, parallel = median_run("serial"), median_run("parallel")
    ratios = [p["serial"]["wall_s"] / p["parallel"]["wall_s"] for p in pairs]
    run_ratios = [p["serial"]["run_s"] / p["parallel"]["run_s"] for p in pairs]
    result = {"serial_s": round(serial["wall_s"], 2), "parallel_s": round(parallel["wall_s"], 2),
              "speedup": round(float(np.median(ratios)), 3), "workers": args.workers,
              "speedups": [round(r, 3) for r in ratios], "speedups_run": [round(r, 3) for r in run_ratios],
              "serial_run_s": serial["run_s"], "parallel_run_s": parallel["run_s"],
              "speedup_run": round(float(np.median(run_ratios)), 3), "worker_start": parallel["worker_start"],
              "tasks": serial["tasks"], "serial_task_cv_s": round(serial["mean_task_cv_s"], 3),
              "parallel_task_cv_s": round(parallel["mean_task_cv_s"], 3), "identical_scores": same,
              "load_avg_1min": [round(serial["load_before"], 2), round(serial["load_after"], 2),
                                round(parallel["load_after"], 2)], "cores": os.cpu_count(),
              "cpu_capacity": [capacity_before, capacity_after]}
    if args.json:
        print(json.dumps(result))
        return 0
    print(f"{result['tasks']} tasks (S{args.subjects} left/right x {PIPELINES}), {result['cores']} cores")
    print(f"serial             {result['serial_s']:7.1f} s   mean CV time per task {result['serial_task_cv_s']:.2f} s")
    print(f"LocalCluster x{args.workers}    {result['parallel_s']:7.1f} s   mean CV time per task "
          f"{result['parallel_task_cv_s']:.2f} s")
    print(f"run phase (cluster start to last result): serial {result['serial_run_s']:.1f} s, LocalCluster "
          f"{result['parallel_run_s']:.1f} s (workers {result['worker_start']}): x{result['speedup_run']:.2f}")
    if len(pairs) > 1:
        print(f"{len(pairs)} pairs (medians above): speed-ups {result['speedups']}, run phase {result['speedups_run']}")
    print(f"speed-up x{result['speedup']:.2f}; identical scores: {same}; 1-min load average "
          f"(start, after serial, after parallel): {result['load_avg_1min']}; cores free for us (probe, "
          f"before/after): {result['cpu_capacity']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
