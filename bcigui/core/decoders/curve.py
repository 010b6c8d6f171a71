"""Chronological learning curves: how many calibration trials a decoder needs.

For ``k`` trials per class, the decoder is trained on the first ``k`` trials of each class in
recording order and tested on every trial recorded after the last of them — never on a training
trial, never shuffled across time (what a real session can do: calibrate, then use). Where the data
allow, the same is repeated from later start points (the start of each run) and averaged.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from bcigui.core.decoders.evaluation import Cancelled, Progress, chance_level

MIN_TEST = 10  # a point needs at least this many later trials, of at least two classes


def chronological_order(runs: np.ndarray | None, onsets: np.ndarray) -> np.ndarray:
    """Indices of epochs in recording order (run, then onset)."""
    onsets = np.asarray(onsets, dtype=float)
    runs = np.zeros(len(onsets), int) if runs is None else np.asarray(runs)
    return np.lexsort((onsets, runs))


def start_points(runs: np.ndarray | None, order: np.ndarray) -> list[int]:
    """Positions (in ``order``) where a curve may start: the first trial of each run."""
    if runs is None:
        return [0]
    r = np.asarray(runs)[order]
    return [0, *[int(i) for i in np.nonzero(r[1:] != r[:-1])[0] + 1]]


def first_k(y_ordered: np.ndarray, start: int, k: int, classes: Sequence[str]) -> int | None:
    """Position just after the ``k``-th trial of the last class to reach ``k`` from ``start`` on
    (``None`` if some class has fewer than ``k`` trials left)."""
    ends = []
    for c in classes:
        pos = np.nonzero(y_ordered[start:] == c)[0]
        if len(pos) < k:
            return None
        ends.append(start + int(pos[k - 1]) + 1)
    return max(ends)


def learning_curve(X: np.ndarray, y: np.ndarray, make_pipeline: Callable[[], Any], trials: Sequence[int],
                   runs: np.ndarray | None = None, onsets: np.ndarray | None = None,
                   starts: bool = True, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> dict[str, Any]:
    """Accuracy after ``k`` calibration trials per class, for each ``k`` in ``trials``.

    ``make_pipeline()`` returns a fresh unfitted decoder (with its prior, if any). Training takes the
    first ``k`` trials of each class from a start point; testing takes every trial after the last of
    them. ``starts=False`` uses only the very first trial as start point.
    """
    y = np.asarray(y).astype(str)
    onsets = np.arange(len(y), dtype=float) if onsets is None else np.asarray(onsets, dtype=float)
    order = chronological_order(runs, onsets)
    yo = y[order]
    classes = sorted(set(y.tolist()))
    points = start_points(runs, order) if starts else [0]
    ks = sorted({int(k) for k in trials})
    if not ks or ks[0] < 1:
        raise ValueError(f"trials must be positive numbers of trials per class, got {list(trials)}")
    jobs = [(k, s) for k in ks for s in points]
    per_k: dict[int, list[tuple[int, float, int]]] = {k: [] for k in ks}
    for done, (k, s) in enumerate(jobs):
        if cancel is not None and cancel.is_set():
            raise Cancelled("learning curve cancelled")
        end = first_k(yo, s, k, classes)
        if end is None:
            continue
        train = np.concatenate([np.nonzero(yo[s:end] == c)[0][:k] + s for c in classes])
        test = np.arange(end, len(y))
        if len(test) < MIN_TEST or len(set(yo[test].tolist())) < 2:
            continue
        pipe = make_pipeline().fit(X[order[train]], yo[train])
        pred = np.asarray(pipe.predict(X[order[test]])).astype(str)
        per_k[k].append((s, float(np.mean(pred == yo[test])), len(test)))
        if progress:
            progress((done + 1) / len(jobs), f"{k} trials per class from trial {s + 1}")
    p0, threshold = chance_level(y)
    kept = [k for k in ks if per_k[k]]
    return {
        "trials_per_class": kept,
        "accuracy": [float(np.mean([a for _, a, _ in per_k[k]])) for k in kept],
        "n_test": [int(np.mean([n for _, _, n in per_k[k]])) for k in kept],
        "n_starts": [len(per_k[k]) for k in kept],
        "per_start": {str(k): [{"start": s + 1, "accuracy": a, "n_test": n} for s, a, n in per_k[k]] for k in kept},
        "skipped": [k for k in ks if not per_k[k]],
        "chance_level": p0,
        "chance_level_significant": threshold,
        "classes": classes,
        "n_trials": len(y),
    }


def curve_files(paths: Sequence[str], paradigm: str, event_map: dict[str, str], pipeline: str,
                trials: Sequence[int], params: dict[str, Any] | None = None, tmin: float | None = None,
                tmax: float | None = None, prior: Sequence[str] = (), align: str | None = None,
                reference: str | None = None, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> dict[str, Any]:
    """Learning curve of decoder ``pipeline`` on recordings of one subject, as ``bcigui train`` would
    epoch and build it (same filter, window, alignment and prior)."""
    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.data.recordings import load_recordings
    from bcigui.core.decoders.training import build_pipeline, default_filter, get_decoder, load_prior

    spec = get_decoder(pipeline, paradigm)
    spec.resolve(params)
    filt = default_filter(spec, reference=reference)
    tmin = float(spec.tags.get("tmin", 0.5) if tmin is None else tmin)
    tmax = float(spec.tags.get("tmax", 2.5) if tmax is None else tmax)
    epochs = make_epochs(load_recordings(list(paths)), event_map, tmin, tmax, filt)
    prior_data = load_prior(prior, event_map, epochs) if prior else None

    def factory() -> Any:
        pipe, _ = build_pipeline(spec, epochs.sfreq, epochs.ch_names, epochs.classes, params)
        if prior_data is None and not align:
            return pipe
        from bcigui.core.decoders.transfer import make_aligned

        return make_aligned(pipe, prior_data, align)

    out = learning_curve(epochs.X, epochs.y, factory, trials, epochs.runs, epochs.onsets, progress=progress,
                         cancel=cancel)
    out.update(pipeline=spec.name, files=[str(p) for p in paths], prior=[str(p) for p in prior],
               alignment=(align or "recenter") if (prior or align) else None)
    return out
