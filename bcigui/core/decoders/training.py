"""Train a decoder from recordings: epochs -> cross-validation report -> pipeline fitted on all data
-> manifest for the ``.bcimodel`` file; and apply a saved model to new recordings."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.cancel import check_cancel
from bcigui.core.checks import invalid_option
from bcigui.core.decoders.evaluation import Progress, compute_metrics, cross_validate
from bcigui.core.plugins.registry import PluginSpec, get_registry
from bcigui.core.signal.filters import FilterSpec

PARADIGMS = ("mi", "ssvep")


@dataclass
class TrainResult:
    pipeline: Any
    manifest: dict[str, Any]
    report: dict[str, Any]


def data_fingerprint(X: np.ndarray, y: np.ndarray) -> str:
    """sha256 over the epochs (float64 bytes, shape) and labels: identifies the training data."""
    h = hashlib.sha256()
    X = np.ascontiguousarray(X, dtype=np.float64)
    h.update(repr(X.shape).encode())
    h.update(X.tobytes())
    h.update("\n".join(map(str, y)).encode())
    return h.hexdigest()


def get_decoder(name: str, paradigm: str | None = None) -> PluginSpec:
    """The decoder plugin ``name``; checks its paradigm tag against ``paradigm`` if given."""
    spec = get_registry().get("decoder", name)
    tag = spec.tags.get("paradigm")
    if paradigm is not None and tag not in (None, paradigm):
        raise ValueError(f"pipeline {name!r} is for paradigm {tag!r}, not {paradigm!r}")
    return spec


def build_pipeline(spec: PluginSpec, sfreq: float, ch_names: list[str], classes: list[str],
                   params: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
    """Unfitted pipeline of decoder ``spec`` and its validated parameters."""
    values = spec.resolve(params)
    return spec.load()(sfreq, list(ch_names), list(classes), **values), values


def default_filter(spec: PluginSpec, l_freq: float | None = None, h_freq: float | None = None,
                   notch: float | None = None, reference: str | None = None, order: int | None = None,
                   notch_harmonics: int | None = None) -> FilterSpec:
    """The pipeline's default FilterSpec with command-line overrides."""
    base = dict(spec.tags.get("filter") or {})
    if order is not None:
        base["order"] = order
    if notch_harmonics is not None:
        base["notch_harmonics"] = notch_harmonics
    if reference is not None:
        base["reference"] = None if reference == "none" else reference
    if l_freq is not None:
        base["l_freq"] = l_freq
    if h_freq is not None:
        base["h_freq"] = h_freq
    if notch is not None:
        base["notch"] = notch
    return FilterSpec.from_dict(base)


def make_decoder(epochs: Any, spec: PluginSpec, params: dict[str, Any] | None = None, prior: Any = None,
                 align: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Unfitted pipeline of decoder ``spec`` for ``epochs`` and its validated parameters; with
    ``prior`` or ``align`` wrapped for transfer (:func:`~bcigui.core.decoders.transfer.make_aligned`)."""
    classes = list(epochs.classes)
    if len(classes) < 2:
        raise ValueError(f"training needs at least two classes with epochs, got {epochs.counts()}")
    pipeline, values = build_pipeline(spec, epochs.sfreq, epochs.ch_names, classes, params)
    if prior is not None or align:
        from bcigui.core.decoders.transfer import make_aligned

        pipeline = make_aligned(pipeline, prior, align)
    return pipeline, values


def cross_validate_epochs(epochs: Any, spec: PluginSpec, params: dict[str, Any] | None = None, cv: int | str = 5,
                          n_permutations: int = 0, progress: Progress | None = None,
                          cancel: threading.Event | None = None, prior: Any = None,
                          align: str | None = None, splits: list | None = None) -> dict[str, Any]:
    """Cross-validation report of decoder ``spec`` on :class:`EpochsData` (every fitted step inside
    the folds; epochs whose windows overlap stay in one fold); ``warnings`` lists broken assumptions.
    ``splits`` (from :func:`~bcigui.core.decoders.evaluation.make_splits`) makes several pipelines
    share their folds."""
    from bcigui.core.decoders.assumptions import check_requirements

    pipeline, values = make_decoder(epochs, spec, params, prior, align)
    broken = check_requirements(spec.tags.get("requires"), epochs.X, epochs.y, epochs.sfreq, epochs.tmin, spec.name)
    report = cross_validate(pipeline, epochs.X, epochs.y, cv=cv, runs=epochs.runs, onsets=epochs.onsets,
                            classes=list(epochs.classes), trial_seconds=float(epochs.tmax - epochs.tmin),
                            n_permutations=n_permutations, splits=splits, progress=progress, cancel=cancel)
    check_cancel(cancel, "training")
    report.update(pipeline=spec.name, params=values, cv_scheme=str(cv), warnings=broken)
    return report


def fit_epochs(epochs: Any, spec: PluginSpec, paradigm: str, report: dict[str, Any],
               params: dict[str, Any] | None = None, event_map: dict[str, str] | None = None,
               sources: Sequence[str] = (), prior: Any = None, align: str | None = None,
               prior_sources: Sequence[str] = ()) -> TrainResult:
    """Fit decoder ``spec`` on all epochs and build the model file's manifest around ``report`` (the
    :func:`cross_validate_epochs` report of the same pipeline, parameters and epochs)."""
    if paradigm not in PARADIGMS:
        raise invalid_option("paradigm", paradigm, list(PARADIGMS))
    pipeline, values = make_decoder(epochs, spec, params, prior, align)
    classes = list(epochs.classes)
    t0 = time.perf_counter()
    pipeline.fit(epochs.X, epochs.y)
    alignment = None
    if prior is not None or align:
        pipeline.set_params(prior=None)  # the file keeps the reference matrix, not the prior's trials
        alignment = {"method": pipeline.alignment, "adapt": "supported" if prior is None else "recommended",
                     "prior": None if prior is None else {"files": [str(f) for f in prior_sources],
                                                          "domains": len(prior), "n_trials": prior.n_trials}}
    report = dict(report)
    report["train_seconds"] = time.perf_counter() - t0
    report.update(pipeline=spec.name, params=values, paradigm=paradigm, n_epochs=len(epochs.y),
                  counts=epochs.counts(), alignment=alignment)
    report.setdefault("warnings", [])
    manifest = {
        "paradigm": paradigm,
        "classes": classes,
        "ch_names": list(epochs.ch_names),
        "sfreq": float(epochs.sfreq),
        "tmin": float(epochs.tmin),
        "tmax": float(epochs.tmax),
        "n_times": int(epochs.X.shape[2]),
        "filter": epochs.filter.to_dict() if epochs.filter is not None else None,
        "pipeline": {"name": spec.name, "version": spec.version, "params": values},
        "event_map": dict(event_map or {}),
        "alignment": alignment,
        "cv": {k: report[k] for k in ("accuracy", "accuracy_std", "balanced_accuracy", "kappa", "chance_level",
                                      "p_value", "confusion_matrix", "n_trials") if k in report}
        | {"scheme": str(report.get("cv_scheme", ""))},
        "training_data": {"fingerprint_sha256": data_fingerprint(epochs.X, epochs.y),
                          "n_epochs": len(epochs.y), "counts": epochs.counts(),
                          "files": [str(s) for s in sources]},
    }
    return TrainResult(pipeline, manifest, report)


def train_epochs(epochs: Any, spec: PluginSpec, paradigm: str, params: dict[str, Any] | None = None,
                 cv: int | str = 5, event_map: dict[str, str] | None = None, sources: Sequence[str] = (),
                 n_permutations: int = 0, progress: Progress | None = None,
                 cancel: threading.Event | None = None, prior: Any = None, align: str | None = None,
                 prior_sources: Sequence[str] = ()) -> TrainResult:
    """Cross-validate then fit decoder ``spec`` on :class:`EpochsData`; returns pipeline, manifest, report.

    ``prior`` (a :class:`~bcigui.core.decoders.transfer.Prior`) or ``align`` ("recenter"/"stretch":
    a covariance pipeline in an :class:`~bcigui.core.decoders.transfer.AlignedDecoder`; "euclidean":
    any pipeline in a :class:`~bcigui.core.decoders.transfer.EuclideanAligned`; default: the first
    for covariance pipelines, else the second) aligns this session on its own trials (inside each
    fold), the prior's domains on theirs."""
    if paradigm not in PARADIGMS:
        raise invalid_option("paradigm", paradigm, list(PARADIGMS))
    sub = (lambda f, m: progress(0.9 * f, m)) if progress else None
    report = cross_validate_epochs(epochs, spec, params, cv, n_permutations, sub, cancel, prior, align)
    if progress:
        progress(0.9, "fitting on all trials")
    result = fit_epochs(epochs, spec, paradigm, report, params, event_map, sources, prior, align, prior_sources)
    if progress:
        progress(1.0, "done")
    return result


def train_files(paths: Sequence[str | Path], paradigm: str, event_map: dict[str, str], pipeline: str,
                params: dict[str, Any] | None = None, tmin: float | None = None, tmax: float | None = None,
                cv: int | str = 5, l_freq: float | None = None, h_freq: float | None = None,
                notch: float | None = None, progress: Progress | None = None,
                cancel: threading.Event | None = None, reference: str | None = None,
                prior: Sequence[str | Path] = (), align: str | None = None, order: int | None = None,
                notch_harmonics: int | None = None) -> TrainResult:
    """Load recordings, epoch them with the pipeline's (or given) filter and window, then train.

    ``reference="average"`` re-references to the common average (causally, sample by sample, so
    online decoding does the same); ``"none"`` overrides a pipeline default. ``prior``: recordings of
    earlier sessions or other subjects (same events), each file one domain (see :func:`load_prior`).
    """
    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.data.recordings import load_recordings

    spec = get_decoder(pipeline, paradigm)
    spec.resolve(params)  # fail on bad parameters before loading data
    filt = default_filter(spec, l_freq, h_freq, notch, reference, order, notch_harmonics)
    tmin = float(spec.tags.get("tmin", 0.5) if tmin is None else tmin)
    tmax = float(spec.tags.get("tmax", 2.5) if tmax is None else tmax)
    if progress:
        progress(0.0, "loading recordings")
    recs = load_recordings(list(paths))
    epochs = make_epochs(recs, event_map, tmin, tmax, filt)
    prior_data = None
    if prior:
        if progress:
            progress(0.0, f"loading {len(prior)} prior recording(s)")
        prior_data = load_prior(prior, event_map, epochs)
    return train_epochs(epochs, spec, paradigm, params, cv, event_map, [str(p) for p in paths],
                        progress=progress, cancel=cancel, prior=prior_data, align=align,
                        prior_sources=[str(p) for p in prior])


def load_prior(paths: Sequence[str | Path], event_map: dict[str, str], like: Any) -> Any:
    """Epochs of prior recordings cut like ``like`` (same channels by name, rate, window, filter); each
    file is one domain (re-centred on its own mean)."""
    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.data.recordings import load_recording
    from bcigui.core.decoders.transfer import Prior

    domains, names = [], []
    for path in paths:
        rec = load_recording(path)
        if abs(rec.sfreq - like.sfreq) > 1e-6:
            raise ValueError(f"--prior {path} is sampled at {rec.sfreq:g} Hz; the new session at {like.sfreq:g} Hz")
        missing = [c for c in like.ch_names if c not in rec.ch_names]
        if missing:
            raise ValueError(f"--prior {path} lacks channel(s) {missing} of the new session")
        ep = make_epochs([rec], event_map, like.tmin, like.tmax, like.filter, picks=list(like.ch_names))
        shared = sorted(set(ep.classes) & set(like.classes))
        if len(shared) < 2:
            raise ValueError(f"--prior {path} has trials of {ep.counts()}; it needs at least two of the new "
                             f"session's classes {list(like.classes)} (same --events)")
        domains.append((ep.X, ep.y))
        names.append(str(path))
    return Prior(domains, names)


def apply_model(model: Any, paths: Sequence[str | Path], event_map: dict[str, str] | None = None) -> dict[str, Any]:
    """Apply a loaded model (``LoadedModel``) to recordings with the manifest's filter, window and
    channels (mapped by name); returns a report with predictions and metrics."""
    from bcigui.core.data.epochs import make_epochs
    from bcigui.core.data.recordings import load_recordings

    man = model.manifest
    event_map = event_map or man.get("event_map")
    if not event_map:
        raise ValueError("--events is required: the model's manifest has no event map")
    recs = load_recordings(list(paths))
    for rec in recs:
        missing = [c for c in man["ch_names"] if c not in rec.ch_names]
        if missing:
            raise ValueError(f"{rec.path} lacks channel(s) {missing} required by the model "
                             f"(model channels: {man['ch_names']})")
        if abs(rec.sfreq - float(man["sfreq"])) > 1e-6:
            raise ValueError(f"{rec.path} is sampled at {rec.sfreq} Hz; the model needs {man['sfreq']} Hz")
    filt = FilterSpec.from_dict(man["filter"]) if man.get("filter") else None
    epochs = make_epochs(recs, event_map, float(man["tmin"]), float(man["tmax"]), filt, picks=list(man["ch_names"]))
    unknown = sorted(set(epochs.y) - set(man["classes"]))
    if unknown:
        raise ValueError(f"--events maps to class(es) {unknown} the model does not know; model classes: {man['classes']}")
    pipe = model.pipeline
    t0 = time.perf_counter()
    pred = np.asarray(pipe.predict(epochs.X)).astype(str)
    seconds = time.perf_counter() - t0
    scores = None
    if hasattr(pipe, "decision_function"):
        try:
            scores = np.asarray(pipe.decision_function(epochs.X))
        except (AttributeError, NotImplementedError):
            scores = None
    report = compute_metrics(epochs.y, pred, man["classes"], scores, float(man["tmax"]) - float(man["tmin"]))
    from bcigui.core.decoders.evaluation import binomial_p_value, chance_level

    p0, threshold = chance_level(epochs.y)
    report.update(classes=list(man["classes"]), chance_level=p0, chance_level_significant=threshold,
                  p_value=binomial_p_value(int(np.sum(pred == epochs.y)), len(pred), p0),
                  predictions=pred.tolist(), labels=epochs.y.tolist(), predict_seconds=seconds,
                  files=[str(p) for p in paths], pipeline=man["pipeline"])
    return report


