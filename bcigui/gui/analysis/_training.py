"""Training-side doorway to the core (no Qt): pipeline catalog, cross-validated evaluation, export.

Decoder plugins come from the registry (kind ``decoder``, ``make_pipeline(sfreq, ch_names, classes,
**params)``). The features selected in the Features step go to the ``happyfeat`` pipeline (PSD ->
selector -> classifier), whose selection is refitted inside each fold. Evaluation is :func:`bcigui.core.decoders.evaluation.cross_validate`.
"""

from __future__ import annotations

import importlib
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bcigui.core.plugins import Param, PluginSpec
from bcigui.core.plugins.registry import get_registry
from bcigui.gui.analysis._core import Cancelled, Progress

SELECTED = "happyfeat"  # selected PSD/connectivity features + classifier (decoder plugin)


@dataclass(frozen=True)
class PipelineChoice:
    """A pipeline the user can evaluate: a ``make_pipeline`` factory and its parameters."""

    name: str
    title: str
    params: tuple[Param, ...]
    factory: Callable[..., Any] | str | PluginSpec
    classifier_param: bool = False
    paradigm: str = "mi"

    def make(self, sfreq: float, ch_names: list[str], classes: list[str], **values: Any) -> Any:
        fn = self.factory
        if isinstance(fn, PluginSpec):
            fn = fn.load()
        elif isinstance(fn, str):
            mod, _, attr = fn.partition(":")
            fn = getattr(importlib.import_module(mod), attr)
        return fn(sfreq, list(ch_names), list(classes), **values)


PARADIGMS = {"mi": "Motor imagery", "ssvep": "SSVEP"}


def pipelines(paradigm: str = "mi") -> list[PipelineChoice]:
    """Decoder plugins of ``paradigm`` from the registry (for MI, ``happyfeat`` takes the selection)."""
    if paradigm not in PARADIGMS:
        raise ValueError(f"paradigm must be one of {list(PARADIGMS)}, got {paradigm!r}")
    out = []
    for spec in get_registry().list("decoder"):
        if spec.tags.get("paradigm", "mi") != paradigm:
            continue
        params = tuple(p for p in spec.params if p.name not in ("sfreq", "ch_names", "classes"))
        out.append(PipelineChoice(spec.name, spec.description or spec.name, params, spec,
                                  any(p.name == "classifier" for p in params), paradigm))
    return out


def pipeline_choice(name: str, paradigm: str = "mi") -> PipelineChoice:
    available = pipelines(paradigm)
    for p in available:
        if p.name == name:
            return p
    raise ValueError(f"pipeline must be one of {[p.name for p in available]}, got {name!r}")


# -- evaluation -----------------------------------------------------------------------------------
CV_SCHEMES = {"kfold": "Stratified k-fold (shuffled)", "runs": "Leave one run out"}


@dataclass
class Evaluation:
    """Cross-validated scores of one pipeline on one data set."""

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


def evaluate(epochs: Any, choice: PipelineChoice, values: dict[str, Any], cv: str = "kfold", k: int = 5,
             progress: Progress = None, cancel: threading.Event | None = None) -> Evaluation:
    """Cross-validate ``choice`` with ``values`` on ``epochs`` (core ``cross_validate``: every fold refits
    the whole pipeline); ``cv`` is ``"kfold"`` (``k`` folds) or ``"runs"`` (leave one run out)."""
    from bcigui.core.decoders import evaluation as core_eval

    if cv not in CV_SCHEMES:
        raise ValueError(f"cv must be one of {list(CV_SCHEMES)}, got {cv!r}")
    if cv == "kfold":
        smallest = min(int(np.sum(np.asarray(epochs.y) == c)) for c in epochs.classes)
        if not 2 <= k <= smallest:
            raise ValueError(f"k (number of folds) must be between 2 and {smallest} (trials of the smallest "
                             f"class), got {k}")
    classes = list(epochs.classes)
    pipeline = choice.make(epochs.sfreq, epochs.ch_names, classes, **values)
    try:
        rep = core_eval.cross_validate(pipeline, epochs.X, epochs.y, cv=k if cv == "kfold" else "runs",
                                       runs=np.asarray(epochs.runs), classes=classes, progress=progress,
                                       cancel=cancel)
    except core_eval.Cancelled:
        raise Cancelled("evaluation cancelled by the user") from None
    return Evaluation(choice.name, dict(values), "runs" if cv == "runs" else f"{k}-fold",
                      np.array([f["accuracy"] for f in rep["folds"]]), np.asarray(rep["confusion_matrix"]),
                      classes, int(rep["n_trials"]), float(rep["chance_level"]),
                      float(rep["chance_level_significant"]), float(rep["p_value"]),
                      {k_: v for k_, v in rep.items() if k_ in ("balanced_accuracy", "kappa", "roc_auc")})


def combinations(choices: list[PipelineChoice], classifiers: list[str] | None = None
                 ) -> list[tuple[PipelineChoice, dict[str, Any]]]:
    """Every pipeline with each classifier (for pipelines that take one): the 'find best' grid."""
    from bcigui.core.decoders.classifiers import FEATURE_CLASSIFIERS

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
    """Evaluate every combination of ``grid``; results sorted best first."""
    results = []
    for i, (choice, values) in enumerate(grid):
        def sub(frac: float, msg: str = "", i: int = i) -> None:
            if progress:
                progress((i + frac) / len(grid), f"combination {i + 1}/{len(grid)} — {msg}")
        res = evaluate(epochs, choice, values, cv, k, sub, cancel)
        results.append(res)
        if on_result:
            on_result(res)
    return sorted(results, key=lambda r: -r.mean)


# -- export ---------------------------------------------------------------------------------------
def fit_and_export(epochs: Any, choice: PipelineChoice, values: dict[str, Any], path: str,
                   evaluation: Evaluation | None = None) -> str:
    """Fit on all epochs and write a ``.bcimodel`` with :func:`bcigui.core.model_file.save_model`."""
    from bcigui.core.model_file import save_model

    model = choice.make(epochs.sfreq, epochs.ch_names, epochs.classes, **values).fit(epochs.X, epochs.y)
    manifest = {
        "paradigm": choice.paradigm, "classes": list(epochs.classes), "ch_names": list(epochs.ch_names),
        "sfreq": float(epochs.sfreq), "tmin": float(epochs.tmin), "tmax": float(epochs.tmax),
        "filter": epochs.filter.to_dict() if epochs.filter is not None else None,
        "pipeline": {"name": choice.name, "title": choice.title, "params": dict(values)},
        "evaluation": evaluation.to_dict() if evaluation is not None else None,
    }
    save_model(path, model, manifest)
    return str(path)
