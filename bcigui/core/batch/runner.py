"""Plan the tasks of a batch evaluation and run them: in-process (``serial``), on a
``dask.distributed.LocalCluster`` (``local``) or on a running scheduler (``tcp://HOST:PORT``).

Each (data set, subject, session) becomes one *load* task and one task per pipeline that depends
on it: the files are read once, on a worker, and dask runs the pipeline tasks where the loaded data
is (or copies it to an idle worker; files are never read twice). Rows are written to results.csv in
the order tasks finish; a failed task (its load or its own evaluation) is logged in errors.jsonl and
the others go on. Keys already in results.csv are not recomputed (``resume``).
"""

from __future__ import annotations

import logging
import os
import sys
import time
import traceback as tb
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bcigui.core.batch.definition import DatasetDefinition
from bcigui.core.batch.results import ResultsStore
from bcigui.core.batch.tasks import TaskKey, evaluate_pipeline, load_subject

SCHEDULERS = "'serial' (in this process), 'local' (a LocalCluster) or a scheduler address 'tcp://HOST:PORT'"


@dataclass
class Outcome:
    """A finished task: its row, or the error that stopped it."""

    key: TaskKey
    row: dict[str, Any] | None = None
    error: str | None = None
    traceback: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class Group:
    """One (data set, subject, session) and the pipelines still to evaluate on it."""

    definition: DatasetDefinition
    subject: int
    session: str
    pipelines: list[str]

    def keys(self) -> list[TaskKey]:
        return [TaskKey(self.definition.name, self.subject, self.session, p) for p in self.pipelines]


@dataclass
class Plan:
    """Tasks still to run (grouped by subject/session), the total, those already done, and the
    subjects' sessions some of whose declared files are missing (evaluated on the files present)."""

    groups: list[Group]
    total: int
    skipped: int
    incomplete: list[tuple[str, int, str, list[str]]] = field(default_factory=list)


@dataclass
class BatchReport:
    total: int
    skipped: int
    completed: int = 0
    failures: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    workers: int = 1
    worker_start: str = ""  # how LocalCluster workers were started: "fork" or "spawn"
    results_dir: Path | None = None


def check_cv(cv: int | str) -> int | str:
    """``5`` / ``"5"`` (stratified k-fold) or ``"runs"`` (leave one run out)."""
    if isinstance(cv, str) and cv.strip().isdigit():
        cv = int(cv)
    if isinstance(cv, int) and not isinstance(cv, bool) and cv >= 2:
        return cv
    if cv == "runs":
        return cv
    raise ValueError(f"--cv must be an integer k >= 2 (stratified k-fold) or 'runs' (leave one run out), got {cv!r}")


def check_scheduler(scheduler: str, workers: int | None) -> None:
    if scheduler not in ("serial", "local") and not scheduler.startswith(("tcp://", "tls://", "inproc://")):
        raise ValueError(f"--scheduler must be {SCHEDULERS}, got {scheduler!r}")
    if workers is not None:
        if scheduler != "local":
            raise ValueError(f"--workers applies to --scheduler local only (got --scheduler {scheduler})")
        if workers < 1:
            raise ValueError(f"--workers must be >= 1, got {workers}")


def plan(datasets: Sequence[DatasetDefinition], pipelines: Sequence[str], subjects: Sequence[int] | None = None,
         done: set[TaskKey] | frozenset = frozenset()) -> Plan:
    """The tasks of a batch; keys in ``done`` are counted but not planned again."""
    from bcigui.core.decoders.training import get_decoder

    if not pipelines:
        raise ValueError("--pipelines is empty; give decoder names such as csp_lda,ts_lr (see `bcigui pipelines`)")
    if len(set(pipelines)) != len(pipelines):
        raise ValueError(f"--pipelines lists a pipeline twice: {list(pipelines)}")
    names = [d.name for d in datasets]
    if not datasets or len(set(names)) != len(names):
        raise ValueError(f"--dataset must name each data set once, got {names}")
    result = Plan([], 0, 0)
    for d in datasets:
        for p in pipelines:
            try:
                get_decoder(p, d.paradigm)
            except KeyError as err:
                raise ValueError(f"--pipelines: {err.args[0]}") from None
            except ValueError as err:
                raise ValueError(f"--pipelines: {err} (data set {d.name!r} is {d.paradigm})") from None
        if subjects is None:
            subs = d.available_subjects()
            if not subs:
                raise FileNotFoundError(f"--dataset {d.name}: no subject's files under ROOT {d.root} "
                                        f"(pattern {d.files!r})")
        else:
            undeclared = [s for s in subjects if s not in d.subjects]
            if undeclared:
                raise ValueError(f"--subjects: data set {d.name!r} has no subject(s) {undeclared}; "
                                 f"declared subjects: {_ranges(d.subjects)}")
            absent = [s for s in subjects if s not in set(d.available_subjects())]
            if absent:
                raise FileNotFoundError(f"--subjects: no files for subject(s) {absent} of {d.name!r} under ROOT "
                                        f"{d.root} (pattern {d.files!r}); subjects found: {_ranges(d.available_subjects())}")
            subs = list(subjects)
        for s in subs:
            for sess in d.session_names():
                found, missing = d.files_of(s, sess)
                if not found:
                    continue
                if missing:
                    result.incomplete.append((d.name, s, sess, [p.name for p in missing]))
                todo = [p for p in pipelines if TaskKey(d.name, s, sess, p) not in done]
                result.total += len(pipelines)
                result.skipped += len(pipelines) - len(todo)
                if todo:
                    result.groups.append(Group(d, s, sess, todo))
    return result


def _ranges(values: Sequence[int]) -> str:
    values = sorted(values)
    out, start = [], None
    for i, v in enumerate(values):
        if start is None:
            start = v
        if i + 1 == len(values) or values[i + 1] != v + 1:
            out.append(str(start) if start == v else f"{start}-{v}")
            start = None
    return ",".join(out) or "none"


def _failure(key: TaskKey, err: BaseException, trace: Any = None) -> Outcome:
    text = "".join(tb.format_exception(type(err), err, trace if trace is not None else err.__traceback__))
    return Outcome(key, error=f"{type(err).__name__}: {err}", traceback=text)


def run_serial(groups: Sequence[Group], cv: int | str, seed: int) -> Any:
    """Yield an :class:`Outcome` per task, computed in this process, one subject loaded at a time."""
    for g in groups:
        try:
            data = load_subject(g.definition, g.subject, g.session)
        except Exception as err:  # reported per task; the others go on
            for key in g.keys():
                yield _failure(key, err)
            continue
        for key in g.keys():
            try:
                yield Outcome(key, row=evaluate_pipeline(data, key.pipeline, cv, seed))
            except Exception as err:
                yield _failure(key, err)
        del data


def run_dask(groups: Sequence[Group], cv: int | str, seed: int, client: Any) -> Any:
    """Yield an :class:`Outcome` per task as it finishes on the cluster behind ``client``."""
    from distributed import as_completed

    token = uuid.uuid4().hex[:8]
    futures = {}
    for g in groups:
        tag = f"{g.definition.name}-{g.subject}-{g.session}-{token}"
        loaded = client.submit(load_subject, g.definition, g.subject, g.session, key=f"bcigui-load-{tag}", pure=False)
        for key in g.keys():
            fut = client.submit(evaluate_pipeline, loaded, key.pipeline, cv, seed,
                                key=f"bcigui-eval-{key.pipeline}-{tag}", pure=False)
            futures[fut] = key
        del loaded  # the scheduler keeps it until its pipeline tasks are done, then frees it
    for fut in as_completed(list(futures)):
        key = futures.pop(fut)
        if fut.status == "finished":
            yield Outcome(key, row=fut.result())
        else:
            try:
                err, trace = fut.exception(), fut.traceback()
            except Exception as lost:  # cancelled: the scheduler or the client lost the task
                err, trace = lost, None
            yield _failure(key, err, trace)
        fut.release()


def worker_start_method() -> str:
    """How a LocalCluster starts its workers: ``fork`` where that is safe, else ``spawn``.

    A spawned worker imports MNE, scikit-learn and the decoders afresh (about 2 s of CPU each, on the
    critical path of a short batch); a forked one inherits them from this process. Forking is safe
    only on Linux from a process with no other thread yet (no Qt, no LSL, no tqdm monitor): a lock
    held by another thread at fork time would stay locked in the child.
    """
    import threading

    return "fork" if sys.platform == "linux" and threading.active_count() == 1 else "spawn"


def start_client(scheduler: str, workers: int | None) -> tuple[Any, Any, int, str]:
    """(client, cluster or None, number of workers, how they were started) for ``local`` or a
    scheduler address (whose workers were started by someone else: ``""``)."""
    from distributed import Client, LocalCluster

    if scheduler == "local":
        import dask

        from bcigui.core.batch.preload import warm_imports

        n = workers or os.cpu_count() or 1
        method = worker_start_method()
        if method == "fork":
            warm_imports()  # before forking, so that the workers inherit them
        # dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also freezes glibc's mmap
        # threshold: every array above 128 KiB is then mapped and unmapped afresh, and the cross-validation
        # of a PhysioNet subject took 1.7x longer (page faults) than in a plain process. Not for our workers.
        # No dashboard here: no statistical profiler (it samples the task thread every 10 ms, taking the
        # GIL), and the event-loop watchdog and system monitor tick seldom (halves the CPU they take).
        with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
                              "distributed.worker.multiprocessing-method": method,
                              "distributed.worker.profile.enabled": False,
                              "distributed.admin.tick.interval": "1s",
                              "distributed.admin.system-monitor.interval": "5s"}):
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                                   dashboard_address=None, silence_logs=logging.ERROR,
                                   preload=[] if method == "fork" else ["bcigui.core.batch.preload"])
        return Client(cluster), cluster, n, method
    client = Client(scheduler, timeout="15s")
    return client, None, len(client.scheduler_info().get("workers", {})), ""


def run_batch(datasets: Sequence[DatasetDefinition], pipelines: Sequence[str], results: str | Path,
              subjects: Sequence[int] | None = None, cv: int | str = 5, seed: int = 42, scheduler: str = "local",
              workers: int | None = None, resume: bool = False,
              on_plan: Callable[[Plan], None] | None = None,
              on_outcome: Callable[[Outcome], None] | None = None, summary: bool = True) -> BatchReport:
    """Evaluate every pipeline on every subject's sessions; rows go to ``results/results.csv`` as
    they finish. ``on_plan(plan)`` and ``on_outcome(outcome)`` report progress."""
    cv = check_cv(cv)
    check_scheduler(scheduler, workers)
    config = {"cv": str(cv), "seed": int(seed), "datasets": {d.name: d.to_dict() for d in datasets}}
    plan(datasets, pipelines, subjects)  # validate everything before touching the results folder
    store = ResultsStore(results, config, resume=resume)
    todo = plan(datasets, pipelines, subjects, store.done)
    groups = todo.groups
    report = BatchReport(total=todo.total, skipped=todo.skipped, results_dir=store.folder)
    if on_plan:
        on_plan(todo)
    t0 = time.perf_counter()
    client = cluster = None
    try:
        if not groups:
            outcomes: Any = iter(())
        elif scheduler == "serial":
            outcomes = run_serial(groups, cv, seed)
        else:
            client, cluster, report.workers, report.worker_start = start_client(scheduler, workers)
            outcomes = run_dask(groups, cv, seed, client)
        for outcome in outcomes:
            if outcome.ok:
                store.append(outcome.row)
                report.completed += 1
            else:
                store.record_failure(outcome.key, outcome.error, outcome.traceback)
                report.failures.append(outcome)
            if on_outcome:
                on_outcome(outcome)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
        report.seconds = time.perf_counter() - t0
    if summary:
        from bcigui.core.batch.summary import write_summary

        write_summary(store.folder)
    return report


def compare(dataset: str, pipelines: Sequence[str], results: str | Path, subjects: str = "", cv: int | str = 5,
            scheduler: str = "local", workers: int | None = None, resume: bool = True,
            progress: Callable[[float, str], None] | None = None,
            cancel: Any = None) -> tuple[BatchReport, dict[str, Any]]:
    """What the GUI's "Compare across subjects" runs: :func:`run_batch` on one ``NAME[:ROOT]`` data set,
    with ``progress(fraction, message)`` and a ``cancel`` event (checked after every task); returns the
    report and the summary (per-pipeline mean ± SD, paired tests)."""
    from bcigui.core.batch.definition import parse_subjects, resolve_dataset
    from bcigui.core.batch.summary import write_summary
    from bcigui.core.decoders.evaluation import Cancelled

    definition = resolve_dataset(dataset)
    subs = parse_subjects(subjects) if str(subjects).strip() else None
    state = {"total": 1, "done": 0}

    def on_plan(p: Plan) -> None:
        state["total"] = max(1, p.total - p.skipped)
        if progress:
            progress(0.0, f"{p.total - p.skipped} task(s) to run, {p.skipped} already done")

    def on_outcome(outcome: Outcome) -> None:
        state["done"] += 1
        if progress:
            k = outcome.key
            what = f"{k.pipeline}, subject {k.subject}: " + ("done" if outcome.ok else f"failed ({outcome.error})")
            progress(min(1.0, state["done"] / state["total"]), what)
        if cancel is not None and cancel.is_set():
            raise Cancelled("comparison cancelled (finished rows are kept; run again to resume)")

    report = run_batch([definition], list(pipelines), results, subs, cv, scheduler=scheduler, workers=workers,
                       resume=resume and (Path(results) / "results.csv").exists(), on_plan=on_plan,
                       on_outcome=on_outcome)
    return report, write_summary(report.results_dir or results)
