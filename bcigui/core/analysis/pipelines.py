"""Decoders of the analysis window: choices, cross-validated evaluation, comparison and export.

Decoder plugins come from the registry (kind ``decoder``). Evaluation is
:func:`bcigui.core.decoders.training.cross_validate_epochs` and export
:func:`~bcigui.core.decoders.training.fit_epochs`, the functions ``bcigui train`` runs: a model
exported here and one trained on the command line with the same data and settings are the same. The
features selected on the r² map go to the ``happyfeat`` decoder, whose selection is refitted
inside each fold.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bcigui.core.analysis.extractors import PluginChoice, Progress
from bcigui.core.checks import invalid_option
from bcigui.core.plugins import Param
from bcigui.core.plugins.registry import get_registry

SELECTED = "happyfeat"  # selected PSD/connectivity features + classifier (decoder plugin)
PARADIGMS = {"mi": "Motor imagery", "ssvep": "SSVEP"}
CV_SCHEMES = {"kfold": "Stratified k-fold (shuffled)", "runs": "Leave one run out"}


@dataclass(frozen=True)
class PipelineChoice(PluginChoice):
    """A decoder plugin the user can evaluate, with its user-settable parameters."""

    paradigm: str = "mi"

    @property
    def params(self) -> tuple[Param, ...]:
        return tuple(p for p in self.spec.params if p.name not in ("sfreq", "ch_names", "classes"))

    @property
    def classifier_param(self) -> bool:
        return any(p.name == "classifier" for p in self.params)


def pipelines(paradigm: str = "mi") -> list[PipelineChoice]:
    """Decoder plugins of ``paradigm`` from the registry (for MI, ``happyfeat`` takes the selection)."""
    if paradigm not in PARADIGMS:
        raise invalid_option("paradigm", paradigm, list(PARADIGMS))
    return [PipelineChoice(spec, paradigm) for spec in get_registry().list("decoder")
            if spec.tags.get("paradigm", "mi") == paradigm]


def pipeline_choice(name: str, paradigm: str = "mi") -> PipelineChoice:
    available = pipelines(paradigm)
    for p in available:
        if p.name == name:
            return p
    raise invalid_option("pipeline", name, [p.name for p in available])


@dataclass
class Evaluation:
    """Cross-validated scores of one pipeline on one data set; ``report`` is the core report."""

    pipeline: str
    params: dict[str, Any]
    cv: str
    fold_scores: np.ndarray
    confusion: np.ndarray
    classes: list[str]
    n_trials: int
    chance: float
    threshold: float
    p_value: float
    extra: dict[str, Any] = field(default_factory=dict)
    report: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def mean(self) -> float:
        return float(np.mean(self.fold_scores))

    @property
    def std(self) -> float:
        return float(np.std(self.fold_scores))

    def label(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.params.items() if v not in ("", None))
        return f"{self.pipeline} ({settings})" if settings else self.pipeline

    def to_dict(self) -> dict[str, Any]:
        return {"accuracy_mean": self.mean, "accuracy_std": self.std, "fold_scores": self.fold_scores.tolist(),
                "confusion": self.confusion.tolist(), "classes": self.classes, "n_trials": self.n_trials,
                "chance": self.chance, "chance_threshold_95": self.threshold, "p_value": self.p_value,
                "cv": self.cv}


def _cv(epochs: Any, cv: str, k: int) -> int | str:
    if cv not in CV_SCHEMES:
        raise invalid_option("cv", cv, list(CV_SCHEMES))
    if cv == "runs":
        return "runs"
    smallest = min(int(np.sum(np.asarray(epochs.y) == c)) for c in epochs.classes)
    if not 2 <= k <= smallest:
        raise ValueError(f"k (number of folds) must be between 2 and {smallest} (trials of the smallest "
                         f"class), got {k}")
    return int(k)


def shared_splits(epochs: Any, cv: str = "kfold", k: int = 5) -> list:
    """The folds every pipeline of one comparison is cross-validated on (overlapping epochs in one fold)."""
    from bcigui.core.decoders.evaluation import make_splits

    return make_splits(epochs.y, _cv(epochs, cv, k), epochs.runs, epochs.onsets,
                       window=float(epochs.tmax - epochs.tmin))


def evaluate(epochs: Any, choice: PipelineChoice, values: dict[str, Any], cv: str = "kfold", k: int = 5,
             progress: Progress = None, cancel: threading.Event | None = None, splits: list | None = None
             ) -> Evaluation:
    """Cross-validate ``choice`` with ``values`` on ``epochs`` (every fold refits the whole pipeline);
    ``cv`` is ``"kfold"`` (``k`` folds) or ``"runs"`` (leave one run out); ``splits`` from
    :func:`shared_splits` when pipelines are compared."""
    from bcigui.core.decoders.training import cross_validate_epochs

    scheme = _cv(epochs, cv, k)
    rep = cross_validate_epochs(epochs, choice.spec, values, scheme, progress=progress, cancel=cancel,
                                splits=splits)
    return Evaluation(choice.name, dict(values), "runs" if cv == "runs" else f"{k}-fold",
                      np.array([f["accuracy"] for f in rep["folds"]]), np.asarray(rep["confusion_matrix"]),
                      list(epochs.classes), int(rep["n_trials"]), float(rep["chance_level"]),
                      float(rep["chance_level_significant"]), float(rep["p_value"]),
                      {k_: v for k_, v in rep.items() if k_ in ("balanced_accuracy", "kappa", "roc_auc")}, rep)


def combinations(choices: list[PipelineChoice], classifiers: list[str] | None = None
                 ) -> list[tuple[PipelineChoice, dict[str, Any]]]:
    """Every pipeline with each classifier (for pipelines that take one): the 'find best' grid."""
    from bcigui.core.catalog import FEATURE_CLASSIFIERS

    clfs = list(classifiers or ("lda", "svm_linear", "lr"))
    unknown = [c for c in clfs if c not in FEATURE_CLASSIFIERS]
    if unknown:
        raise ValueError(f"classifiers must be among {list(FEATURE_CLASSIFIERS)}, got {unknown}")
    out = []
    for choice, clf in itertools.product(choices, clfs):
        allowed = next((p.choices for p in choice.params if p.name == "classifier"), None)
        if choice.classifier_param and (allowed is None or clf in allowed):
            out.append((choice, {"classifier": clf}))
    for choice in choices:
        if not choice.classifier_param:
            out.append((choice, {}))
    return out


def find_best(epochs: Any, grid: list[tuple[PipelineChoice, dict[str, Any]]], cv: str = "kfold", k: int = 5,
              progress: Progress = None, cancel: threading.Event | None = None,
              on_result: Callable[[Evaluation], None] | None = None) -> list[Evaluation]:
    """Evaluate every combination of ``grid`` on the same folds (:func:`shared_splits`); results sorted
    best first."""
    splits = shared_splits(epochs, cv, k)
    results = []
    for i, (choice, values) in enumerate(grid):
        def sub(frac: float, msg: str = "", i: int = i) -> None:
            if progress:
                progress((i + frac) / len(grid), f"combination {i + 1}/{len(grid)} — {msg}")
        res = evaluate(epochs, choice, values, cv, k, sub, cancel, splits)
        results.append(res)
        if on_result:
            on_result(res)
    return sorted(results, key=lambda r: -r.mean)


def fit_and_export(epochs: Any, choice: PipelineChoice, evaluation: Evaluation, path: str,
                   event_map: dict[str, str] | None = None, sources: Sequence[str] = ()) -> str:
    """Fit the evaluated pipeline on all epochs and write a ``.bcimodel`` whose manifest
    :func:`fit_epochs` builds around the evaluation's report."""
    from bcigui.core.decoders.training import fit_epochs
    from bcigui.core.model_file import save_model

    result = fit_epochs(epochs, choice.spec, choice.paradigm, evaluation.report, evaluation.params, event_map,
                        sources)
    save_model(path, result.pipeline, result.manifest)
    return str(path)
