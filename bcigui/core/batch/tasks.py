"""What runs on a worker: load one subject's session once, then cross-validate one pipeline on it.

Both functions limit BLAS/OpenMP to one thread (threadpoolctl): parallelism comes from running
tasks side by side, never from threads inside a task (nested parallelism made MOABB slower). On a
dask worker the limit is set for the whole process and kept (threadpoolctl's limits are process-wide,
so a per-task context would be undone by a sibling task finishing first on a multi-threaded worker;
dask's nanny also starts workers with ``OMP/MKL/OPENBLAS_NUM_THREADS=1``); in-process (``serial``) it
is restored after the task.
The evaluation is ``bcigui train``'s: the pipeline's default causal filter on the continuous
signal, epochs cut by :func:`make_epochs`, :func:`cross_validate` with the same folds and seed.
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from threadpoolctl import threadpool_limits

from bcigui.core.batch.definition import DatasetDefinition


@contextlib.contextmanager
def single_threaded() -> Iterator[None]:
    """One BLAS/OpenMP thread inside a task (see the module docstring)."""
    try:
        # a worker has imported distributed already; a serial run must not pay for importing it (0.3 s)
        sys.modules["distributed"].get_worker()
    except (KeyError, ValueError):
        with threadpool_limits(1):
            yield
        return
    threadpool_limits(1)  # on a worker: for the whole process, never restored
    yield


@dataclass(frozen=True, order=True)
class TaskKey:
    """One row of results.csv: a pipeline evaluated on one session of one subject of one data set."""

    dataset: str
    subject: int
    session: str
    pipeline: str

    def __str__(self) -> str:
        return f"{self.dataset} subject {self.subject} session {self.session} {self.pipeline}"


@dataclass
class SubjectData:
    """A subject's session as loaded by :func:`load_subject` (recordings restricted to the channels used)."""

    definition: DatasetDefinition
    subject: int
    session: str
    recordings: list[Any]
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    load_seconds: float = 0.0


def load_subject(definition: DatasetDefinition, subject: int, session: str) -> SubjectData:
    """Read the recordings of ``subject``'s ``session`` (once; every pipeline task reuses them)."""
    from bcigui.core.data.recordings import load_recording

    t0 = time.perf_counter()
    found, missing = definition.files_of(subject, session)
    if not found:
        raise FileNotFoundError(f"{definition.name}: no file for subject {subject} session {session} "
                                f"(looked for {[str(p) for p in missing]})")
    with single_threaded():
        recs = []
        for run, path in found:
            try:
                rec = load_recording(path, run=run)
            except Exception as err:  # name the file: MNE's messages about a damaged file often do not
                raise RuntimeError(f"cannot read {path}: {type(err).__name__}: {err}") from err
            if definition.channels:
                absent = [c for c in definition.channels if c not in rec.ch_names]
                if absent:
                    raise ValueError(f"{path} lacks channel(s) {absent} listed in data set {definition.name!r} "
                                     f"'channels'; it has {rec.ch_names}")
                rec.raw.pick(list(definition.channels))
            recs.append(rec)
    return SubjectData(definition, subject, session, recs, [str(p) for _, p in found], [str(p) for p in missing],
                       time.perf_counter() - t0)


def evaluate_pipeline(data: SubjectData, pipeline: str, cv: int | str = 5, seed: int = 42) -> dict[str, Any]:
    """Cross-validate decoder ``pipeline`` on a loaded subject; returns one results.csv row (a dict)."""
    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.decoders.evaluation import cross_validate
    from bcigui.core.decoders.training import build_pipeline, default_filter, get_decoder

    d = data.definition
    with single_threaded():
        spec = get_decoder(pipeline, d.paradigm)
        epochs = make_epochs(data.recordings, d.events, d.tmin, d.tmax, default_filter(spec),
                             picks=list(d.channels) or None)
        classes = list(epochs.classes)
        if len(classes) < 2:
            raise ValueError(f"{d.name} subject {data.subject}: needs at least two classes, got {epochs.counts()}")
        pipe, _ = build_pipeline(spec, epochs.sfreq, epochs.ch_names, classes)
        report = cross_validate(pipe, epochs.X, epochs.y, cv=cv, runs=epochs.runs, onsets=epochs.onsets,
                                classes=classes, trial_seconds=float(epochs.tmax - epochs.tmin), seed=seed)
    two_class_auc = len(classes) == 2 and "roc_auc" in report
    return {
        "score": report["roc_auc"] if two_class_auc else report["accuracy"],
        "time": report["cv_seconds"] / len(report["folds"]),
        "samples": int(len(epochs.y)),
        "subject": data.subject,
        "session": data.session,
        "channels": int(epochs.X.shape[1]),
        "n_sessions": len(d.session_names()),
        "dataset": d.name,
        "pipeline": pipeline,
        "scoring": "roc_auc" if two_class_auc else "accuracy",
        "accuracy": report["accuracy"],
        "kappa": report["kappa"],
        "chance_level": report["chance_level"],
        "n_classes": len(classes),
        "cv": str(cv),
        "files": ";".join(Path(f).name for f in data.files),
    }

