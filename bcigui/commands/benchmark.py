"""``bcigui benchmark``: evaluate decoder pipelines across the subjects of declared data sets, serially
or on a dask.distributed cluster, with results in MOABB's format (docs/batch.md)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

NAME = "benchmark"
HELP = "cross-validate pipelines on many subjects of data sets (local or dask cluster), MOABB-style results"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--dataset", action="append", required=True, metavar="NAME[:ROOT]",
                   help="data set (repeatable): a dataset plugin (physionet-lr, physionet-hf, kalunga; see "
                        "`bcigui plugins --kind dataset`) or a .toml/.json definition, with its ROOT folder")
    p.add_argument("--pipelines", required=True, help="comma-separated decoder pipelines (see `bcigui pipelines`)")
    p.add_argument("--subjects", help="subject numbers and ranges, e.g. 1-10,42 (default: all found under ROOT)")
    p.add_argument("--cv", default="5", help="k (stratified k-fold, shuffled with --seed) or 'runs' (leave one run out)")
    p.add_argument("--seed", type=int, default=42, help="seed of the fold split (default 42, as `bcigui train`)")
    p.add_argument("--scheduler", default="local",
                   help="'local' (a dask LocalCluster, default), 'tcp://HOST:PORT' (a running dask scheduler) "
                        "or 'serial' (this process, no dask)")
    p.add_argument("--workers", type=int, help="LocalCluster worker processes (default: number of cores)")
    p.add_argument("--results", required=True, type=Path, metavar="DIR",
                   help="folder for results.csv, errors.jsonl, summary.md, summary.png")
    p.add_argument("--resume", action="store_true", help="complete an interrupted run: compute only missing rows")


def run(args: argparse.Namespace) -> int:
    import tqdm as tqdm_module
    from tqdm import tqdm

    from bcigui.core.batch.definition import parse_subjects, resolve_dataset
    from bcigui.core.batch.runner import run_batch

    if args.plugins_dir:  # LocalCluster workers (spawned processes) discover the same user plugins
        os.environ["BCIGUI_PLUGINS_DIR"] = str(args.plugins_dir)
    datasets = [resolve_dataset(a) for a in args.dataset]
    pipelines = [p.strip() for p in args.pipelines.split(",") if p.strip()]
    subjects = parse_subjects(args.subjects) if args.subjects else None
    bar: dict = {}
    tqdm_module.tqdm.monitor_interval = 0  # no monitor thread: LocalCluster workers can then be forked

    def on_plan(plan) -> None:
        for name, subject, session, missing in plan.incomplete:
            print(f"note: {name} subject {subject} session {session}: no {', '.join(missing)}; "
                  "evaluated on the files present", file=sys.stderr)
        print(f"{plan.total} task(s): {plan.skipped} already in {args.results / 'results.csv'}, "
              f"{plan.total - plan.skipped} to run ({args.scheduler})", file=sys.stderr)
        bar["bar"] = tqdm(total=plan.total, initial=plan.skipped, unit="task", file=sys.stderr, dynamic_ncols=True,
                          bar_format="{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}]{postfix}")

    def on_outcome(outcome) -> None:
        b = bar["bar"]
        if outcome.ok:
            b.set_postfix_str(f"{outcome.key}: {outcome.row['score']:.3f}", refresh=False)
        else:
            b.write(f"FAILED {outcome.key}: {outcome.error}", file=sys.stderr)
        b.update(1)

    try:
        report = run_batch(datasets, pipelines, args.results, subjects, args.cv, args.seed, args.scheduler,
                           args.workers, args.resume, on_plan=on_plan, on_outcome=on_outcome)
    finally:
        if "bar" in bar:
            bar["bar"].close()
    where = f" on {report.workers} worker(s)" + (f" ({report.worker_start}ed)" if report.worker_start else "")
    print(f"{report.completed} task(s) computed in {report.seconds:.1f} s{where}, {report.skipped} already done, "
          f"{len(report.failures)} failed; results in {args.results / 'results.csv'}, "
          f"summary in {args.results / 'summary.md'}")
    if report.failures:
        print(f"failed tasks (details in {args.results / 'errors.jsonl'}; rerun with --resume to retry them):",
              file=sys.stderr)
        for f in report.failures:
            print(f"  {f.key}: {f.error}", file=sys.stderr)
        return 1
    return 0
