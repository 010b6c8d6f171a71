"""Honest evaluation: whole pipelines cross-validated (every fitted step inside the folds), metrics,
chance level, pipeline comparison on identical folds and HappyFeat-style feature-combination search.

Long functions accept ``progress(fraction, message)`` and ``cancel`` (a ``threading.Event``); when
``cancel`` is set they stop between folds and raise :class:`Cancelled`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Sequence
from itertools import combinations
from typing import Any

import numpy as np
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    cohen_kappa_score,
    confusion_matrix,
    roc_auc_score,
)
from sklearn.model_selection import LeaveOneGroupOut, StratifiedGroupKFold, StratifiedKFold

from bcigui.core.cancel import Cancelled as Cancelled  # the one cancellation exception, re-exported
from bcigui.core.cancel import check_cancel

Progress = Callable[[float, str], None]
CV_CHOICES = "an integer k >= 2 (stratified k-fold), 'runs' (leave one run out) or 'chrono' (train on the first 80 %)"


def _check_cancel(cancel: threading.Event | None) -> None:
    check_cancel(cancel, "evaluation")


def overlap_groups(runs: np.ndarray | None, onsets: np.ndarray | None, window: float | None) -> np.ndarray | None:
    """Group label per epoch, epochs of one run whose windows (``window`` s long) overlap in time sharing
    one group; ``None`` when no two epochs overlap (or the information is missing)."""
    if onsets is None or not window or window <= 0:
        return None
    onsets = np.asarray(onsets, dtype=float)
    runs = np.zeros(len(onsets), int) if runs is None else np.asarray(runs)
    order = np.lexsort((onsets, runs))
    groups = np.empty(len(onsets), int)
    group, end, run = -1, -np.inf, None
    for i in order:
        if runs[i] != run or onsets[i] >= end:  # starts after every earlier window of its run has ended
            group += 1
            end = onsets[i] + window
        else:
            end = max(end, onsets[i] + window)
        groups[i] = group
        run = runs[i]
    return groups if group + 1 < len(onsets) else None


def make_splits(y: np.ndarray, cv: int | str = 5, runs: np.ndarray | None = None, onsets: np.ndarray | None = None,
                seed: int = 42, window: float | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
    """Train/test index pairs: stratified k-fold (shuffled, ``seed``), leave-one-run-out or chronological.

    With ``onsets`` and the epoch length ``window`` (s), epochs that overlap in time are kept in the same
    fold (k-fold grouped by overlap): a test epoch never shares samples with a training epoch."""
    y = np.asarray(y)
    n = len(y)
    if isinstance(cv, str) and cv.strip().isdigit():
        cv = int(cv)
    if isinstance(cv, int) and not isinstance(cv, bool):
        if cv < 2:
            raise ValueError(f"cv must be {CV_CHOICES}, got {cv!r}")
        smallest = int(np.min(np.unique(y, return_counts=True)[1]))
        if smallest < cv:
            raise ValueError(f"cv={cv} folds needs at least {cv} trials per class; the smallest class has {smallest}")
        groups = overlap_groups(runs, onsets, window)
        if groups is not None:
            if len(np.unique(groups)) < cv:
                raise ValueError(f"cv={cv} folds needs at least {cv} groups of non-overlapping trials, got "
                                 f"{len(np.unique(groups))}: the epochs overlap in time; shorten the window")
            return list(StratifiedGroupKFold(cv, shuffle=True, random_state=seed).split(np.zeros(n), y, groups))
        return list(StratifiedKFold(cv, shuffle=True, random_state=seed).split(np.zeros(n), y))
    if cv == "runs":
        if runs is None or len(np.unique(runs)) < 2:
            raise ValueError("cv='runs' (leave one run out) needs at least two runs (recordings)")
        return list(LeaveOneGroupOut().split(np.zeros(n), y, groups=runs))
    if cv in ("chrono", "chronological"):
        if runs is not None and onsets is not None:
            order = np.lexsort((onsets, runs))
        else:
            order = np.arange(n)
        cut = int(round(0.8 * n))
        if cut < 2 or cut >= n:
            raise ValueError(f"cv='chrono' needs at least 5 trials, got {n}")
        return [(np.sort(order[:cut]), np.sort(order[cut:]))]
    raise ValueError(f"cv must be {CV_CHOICES}, got {cv!r}")


def itr_bits_per_min(n_classes: int, accuracy: float, trial_seconds: float) -> float:
    """Wolpaw information transfer rate in bits/min (0 at or below chance)."""
    n, p = int(n_classes), float(accuracy)
    if n < 2 or trial_seconds <= 0 or p <= 1.0 / n:
        return 0.0
    bits = math.log2(n) + p * math.log2(p)
    if p < 1:
        bits += (1 - p) * math.log2((1 - p) / (n - 1))
    return bits * 60.0 / trial_seconds


def chance_level(y: np.ndarray, alpha: float = 0.05) -> tuple[float, float]:
    """(chance accuracy = largest class proportion, accuracy needed for binomial significance at ``alpha``)."""
    y = np.asarray(y)
    p0 = float(np.max(np.unique(y, return_counts=True)[1]) / len(y))
    return p0, significance_threshold(len(y), p0, alpha)


def significance_threshold(n_trials: int, p0: float, alpha: float = 0.05) -> float:
    """Accuracy that guessing at chance ``p0`` exceeds with probability below ``alpha`` (binomial)."""
    return float(stats.binom.ppf(1 - alpha, n_trials, p0) / n_trials)


def binomial_p_value(n_correct: int, n_trials: int, p0: float) -> float:
    """One-sided p-value of getting ``n_correct`` or more right by chance."""
    return float(stats.binom.sf(n_correct - 1, n_trials, p0))


def _scores(est: Any, X: np.ndarray) -> np.ndarray | None:
    if hasattr(est, "decision_function"):
        try:
            return np.asarray(est.decision_function(X))
        except (AttributeError, NotImplementedError):
            pass
    if hasattr(est, "predict_proba"):
        try:
            return np.asarray(est.predict_proba(X))
        except (AttributeError, NotImplementedError):
            return None
    return None


def compute_metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str],
                    scores: np.ndarray | None = None, trial_seconds: float | None = None) -> dict[str, Any]:
    """Accuracy, balanced accuracy, Cohen's kappa, ROC AUC (2 classes), confusion matrix, ITR."""
    classes = [str(c) for c in classes]
    y_true, y_pred = np.asarray(y_true).astype(str), np.asarray(y_pred).astype(str)
    acc = float(accuracy_score(y_true, y_pred))
    out: dict[str, Any] = {
        "accuracy": acc,
        "balanced_accuracy": float(balanced_accuracy_score(y_true, y_pred)),
        "kappa": float(cohen_kappa_score(y_true, y_pred, labels=classes)) if len(set(y_true) | set(y_pred)) > 1 else 0.0,
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=classes).tolist(),
        "n_trials": len(y_true),
    }
    if len(classes) == 2 and scores is not None and len(set(y_true)) == 2:
        s = scores[:, -1] if scores.ndim == 2 else scores
        out["roc_auc"] = float(roc_auc_score(y_true == sorted(classes)[1], s))
    if trial_seconds:
        out["itr_bits_per_min"] = itr_bits_per_min(len(classes), acc, trial_seconds)
    return out


def cross_validate(pipeline: Any, X: np.ndarray, y: np.ndarray, cv: int | str = 5, runs: np.ndarray | None = None,
                   onsets: np.ndarray | None = None, classes: Sequence[str] | None = None,
                   trial_seconds: float | None = None, n_permutations: int = 0, seed: int = 42,
                   splits: list | None = None, progress: Progress | None = None,
                   cancel: threading.Event | None = None) -> dict[str, Any]:
    """Cross-validate a whole (unfitted) pipeline; returns the report dict (means, folds, chance...)."""
    X, y = np.asarray(X), np.asarray(y).astype(str)
    if X.ndim != 3 or len(X) != len(y):
        raise ValueError(f"X must have shape (n_epochs, n_channels, n_times) matching y; got {X.shape} and {len(y)} labels")
    if not np.all(np.isfinite(X)):
        raise ValueError("X contains NaN or infinite values")
    classes = [str(c) for c in (classes if classes is not None else np.unique(y))]
    splits = splits if splits is not None else make_splits(y, cv, runs, onsets, seed, trial_seconds)
    n_steps = len(splits) * (1 + n_permutations)
    folds, y_pred_all, tested = [], np.empty(len(y), dtype=object), np.zeros(len(y), bool)
    t_start = time.perf_counter()
    for i, (tr, te) in enumerate(splits):
        _check_cancel(cancel)
        if progress:
            progress(i / n_steps, f"fold {i + 1}/{len(splits)}")
        est = clone(pipeline)
        t0 = time.perf_counter()
        est.fit(X[tr], y[tr])
        fit_s = time.perf_counter() - t0
        pred = np.asarray(est.predict(X[te])).astype(str)
        m = compute_metrics(y[te], pred, classes, _scores(est, X[te]), trial_seconds)
        m.update(fold=i, n_train=len(tr), n_test=len(te), fit_seconds=fit_s)
        folds.append(m)
        y_pred_all[te] = pred
        tested[te] = True
    report = summarize(folds, y[tested], y_pred_all[tested].astype(str), classes, trial_seconds)
    report["cv"] = str(cv)
    report["cv_seconds"] = time.perf_counter() - t_start
    if n_permutations:
        report["permutation_p_value"] = _permutation_p(pipeline, X, y, splits, report["accuracy"], n_permutations,
                                                       seed, len(splits), n_steps, progress, cancel)
    if progress:
        progress(1.0, "done")
    return report


def summarize(folds: list[dict], y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str],
              trial_seconds: float | None) -> dict[str, Any]:
    """Means over folds, pooled confusion matrix, chance level and binomial p-value."""
    keys = ("accuracy", "balanced_accuracy", "kappa", "roc_auc", "itr_bits_per_min")
    report: dict[str, Any] = {}
    for key in keys:
        vals = [f[key] for f in folds if key in f]
        if vals:
            report[key] = float(np.mean(vals))
            report[f"{key}_std"] = float(np.std(vals))
    p0, threshold = chance_level(y_true)
    n_correct = int(np.sum(y_true == y_pred))
    report.update(
        folds=folds,
        classes=list(classes),
        confusion_matrix=confusion_matrix(y_true, y_pred, labels=list(classes)).tolist(),
        chance_level=p0,
        chance_level_significant=threshold,
        p_value=binomial_p_value(n_correct, len(y_true), p0),
        n_trials=len(y_true),
    )
    if trial_seconds:
        report["trial_seconds"] = trial_seconds
    return report


def _permutation_p(pipeline: Any, X: np.ndarray, y: np.ndarray, splits: list, score: float, n_permutations: int,
                   seed: int, offset: int, n_steps: int, progress: Progress | None,
                   cancel: threading.Event | None) -> float:
    rng = np.random.default_rng(seed)
    null = []
    for k in range(n_permutations):
        yp = rng.permutation(y)
        accs = []
        for j, (tr, te) in enumerate(splits):
            _check_cancel(cancel)
            if progress:
                progress((offset + k * len(splits) + j) / n_steps, f"permutation {k + 1}/{n_permutations}")
            est = clone(pipeline).fit(X[tr], yp[tr])
            accs.append(np.mean(np.asarray(est.predict(X[te])).astype(str) == yp[te]))
        null.append(np.mean(accs))
    return float((1 + np.sum(np.asarray(null) >= score)) / (1 + n_permutations))


def compare_pipelines(pipelines: dict[str, Any], X: np.ndarray, y: np.ndarray, cv: int | str = 5,
                      runs: np.ndarray | None = None, onsets: np.ndarray | None = None, seed: int = 42,
                      trial_seconds: float | None = None, progress: Progress | None = None,
                      cancel: threading.Event | None = None) -> list[dict[str, Any]]:
    """Evaluate several pipelines on the same folds; rows sorted by accuracy (best first)."""
    splits = make_splits(y, cv, runs, onsets, seed, trial_seconds)
    rows = []
    names = list(pipelines)
    for i, name in enumerate(names):
        sub = _sub_progress(progress, i, len(names), name)
        rep = cross_validate(pipelines[name], X, y, splits=splits, cv=cv, trial_seconds=trial_seconds,
                             progress=sub, cancel=cancel)
        rows.append({"pipeline": name, **{k: v for k, v in rep.items() if k != "folds"},
                     "fold_accuracy": [f["accuracy"] for f in rep["folds"]]})
    return sorted(rows, key=lambda r: -r["accuracy"])


def _sub_progress(progress: Progress | None, i: int, n: int, label: str) -> Progress | None:
    if progress is None:
        return None
    return lambda f, msg: progress((i + f) / n, f"{label}: {msg}")


def find_best_combination(make_pipeline: Callable[[list], Any], features: Sequence[Any], X: np.ndarray,
                          y: np.ndarray, mode: str = "prefix", max_size: int | None = None, cv: int | str = 5,
                          runs: np.ndarray | None = None, seed: int = 42, progress: Progress | None = None,
                          cancel: threading.Event | None = None) -> list[dict[str, Any]]:
    """Cross-validate ``make_pipeline(subset)`` for nested prefixes (``mode="prefix"``) or all subsets
    (``"subsets"``, up to ``max_size``) of an ordered feature list; rows sorted best first.

    The list order usually comes from a ranking (e.g. r²) computed beforehand: the selection itself
    then saw all trials, which is why the best row is optimistic; report it with that caveat.
    """
    features = list(features)
    if not features:
        raise ValueError("features must list at least one feature")
    if mode == "prefix":
        combos = [features[:k] for k in range(1, len(features) + 1)]
    elif mode == "subsets":
        top = min(max_size or len(features), len(features))
        combos = [list(c) for k in range(1, top + 1) for c in combinations(features, k)]
        if len(combos) > 2000:
            raise ValueError(f"mode='subsets' would evaluate {len(combos)} combinations; lower max_size (got {max_size})")
    else:
        raise ValueError(f"mode must be 'prefix' or 'subsets', got {mode!r}")
    splits = make_splits(y, cv, runs, None, seed)
    rows = []
    for i, combo in enumerate(combos):
        rep = cross_validate(make_pipeline(combo), X, y, splits=splits, cv=cv,
                             progress=_sub_progress(progress, i, len(combos), f"{len(combo)} feature(s)"),
                             cancel=cancel)
        rows.append({"features": combo, "accuracy": rep["accuracy"], "accuracy_std": rep["accuracy_std"],
                     "balanced_accuracy": rep["balanced_accuracy"], "kappa": rep["kappa"]})
    return sorted(rows, key=lambda r: (-r["accuracy"], len(r["features"])))
