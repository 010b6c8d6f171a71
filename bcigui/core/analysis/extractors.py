"""Feature extractors of the analysis window: tensor plugins, their parameters, one extraction path."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bcigui.core.cancel import check_cancel
from bcigui.core.checks import invalid_option
from bcigui.core.features.cache import FeatureTensor
from bcigui.core.features.combine import concat_tensors
from bcigui.core.plugins import Param, PluginSpec
from bcigui.core.plugins.registry import get_registry

Progress = Callable[[float, str], None] | None

_HIDDEN = {"sfreq", "output", "log", "ch_names", "reduce"}  # fixed here, not by the user
_FIXED = {"log": True, "reduce": "node"}  # log power; connectivity reduced to node strength
_DEFAULTS = {"fmin": 4.0}
COMBINED = "psd+connectivity"  # PSD and connectivity node strength on one grid, side by side


@dataclass(frozen=True)
class PluginChoice:
    """A plugin offered to the user: its name and the title shown for it."""

    spec: PluginSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.description or self.spec.name


@dataclass(frozen=True)
class Extractor(PluginChoice):
    """A feature plugin that yields a ``(n_epochs, n_channels, n_freqs)`` tensor (tag ``tensor``)."""

    @property
    def params(self) -> tuple[Param, ...]:
        """The user-settable parameters (sampling rate, output layout and log are set here)."""
        return tuple(replace(p, default=_DEFAULTS[p.name]) if p.name in _DEFAULTS else p
                     for p in self.spec.params if p.name not in _HIDDEN)

    @property
    def is_log(self) -> bool:
        return "log" in {p.name for p in self.spec.params}

    def fixed(self) -> dict[str, Any]:
        """The values set here for the hidden parameters this plugin has."""
        known = {p.name for p in self.spec.params}
        return {k: v for k, v in _FIXED.items() if k in known}


@dataclass(frozen=True)
class CombinedExtractor:
    """PSD and connectivity (node strength) of the same epochs on one frequency grid.

    Rows of the combined tensor are ``"psd:C3"`` and ``"<measure>:C3"`` (e.g. ``"imcoh:C3"``), as
    :class:`~bcigui.core.features.combine.CombinedFeatures` and the ``happyfeat`` decoder
    (``feature="psd+connectivity"``) name them.
    """

    psd: Extractor
    connectivity: Extractor
    name: str = COMBINED
    title: str = "PSD + connectivity (side by side, combined feature set)"

    @property
    def params(self) -> tuple[Param, ...]:
        psd = {p.name: p for p in self.psd.params}
        conn = {p.name: p for p in self.connectivity.params}
        shared = [psd[n] for n in ("fmin", "fmax", "freq_resolution") if n in psd]
        return (replace(psd["method"], help="PSD estimator"),
                replace(conn["method"], name="connectivity_method", help="connectivity measure (node strength)"),
                *shared)

    def split(self, values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        """The PSD and the connectivity extractor's values."""
        grid = {k: v for k, v in values.items() if k in ("fmin", "fmax", "freq_resolution")}
        psd = {**grid, **({"method": values["method"]} if "method" in values else {})}
        conn = {**grid, **({"method": values["connectivity_method"]} if "connectivity_method" in values else {})}
        return psd, conn


def extractors() -> list[Extractor | CombinedExtractor]:
    """Feature plugins usable for r² maps: tensor output on a frequency grid (``fmin``/``fmax``), and
    PSD + connectivity together (:data:`COMBINED`) when both are installed."""
    out: list = []
    for spec in get_registry().list("feature"):
        names = {p.name for p in spec.params}
        if spec.tags.get("tensor") and not spec.tags.get("supervised") and {"fmin", "fmax"} <= names:
            out.append(Extractor(spec))
    by_name = {e.name: e for e in out}
    if "psd" in by_name and "connectivity" in by_name:
        out.append(CombinedExtractor(by_name["psd"], by_name["connectivity"]))
    return out


def extractor(name: str) -> Extractor | CombinedExtractor:
    available = extractors()
    for ex in available:
        if ex.name == name:
            return ex
    raise invalid_option("extractor", name, [e.name for e in available])


def _extract_one(epochs: Any, ex: Extractor, values: dict[str, Any], progress: Progress,
                 cancel: threading.Event | None, workspace: Any, dataset_id: str | None) -> FeatureTensor:
    from bcigui.core.workspace import extract_features

    def report(fraction: float) -> None:
        if progress:
            progress(fraction, f"{ex.title}: {round(fraction * len(epochs))}/{len(epochs)} epochs")

    params = {**values, **ex.fixed()}
    if workspace is not None and dataset_id is not None:
        ft = workspace.extract(dataset_id, ex.spec, params, progress=report, cancel=cancel)
        if ft.cached and progress:
            progress(1.0, f"{ex.title}: cached (workspace), nothing recomputed")
    else:
        ft = extract_features(epochs, ex.spec, params, progress=report, cancel=cancel)
    check_cancel(cancel, "extraction")
    return replace(ft, data=np.asarray(ft.data), freqs=np.asarray(ft.freqs, dtype=float), y=np.asarray(epochs.y),
                   classes=list(epochs.classes), extractor=ex.name, params=dict(values), log_power=ex.is_log,
                   cached=bool(ft.cached))


def extract(epochs: Any, name: str, values: dict[str, Any], progress: Progress = None,
            cancel: threading.Event | None = None, workspace: Any = None,
            dataset_id: str | None = None) -> FeatureTensor:
    """Features of ``epochs`` (an ``EpochsData``) with progress and cancel, as a ``FeatureTensor``.

    Always :func:`bcigui.core.workspace.extract_features`; with a ``Workspace`` and the id of the
    data set the epochs come from, through its cache: the same data set and parameters are read back
    instead of recomputed (the progress message then says "cached"). :data:`COMBINED` extracts PSD
    and connectivity and stacks their rows (``"psd:C3"``, ``"imcoh:C3"``; ``parts`` gives each one's
    rows). ``params`` of the result are the user's ``values``.
    """
    ex = extractor(name)
    if not isinstance(ex, CombinedExtractor):
        return _extract_one(epochs, ex, values, progress, cancel, workspace, dataset_id)
    psd_values, conn_values = ex.split(values)
    tensors = []
    for i, (sub, vals) in enumerate(((ex.psd, psd_values), (ex.connectivity, conn_values))):
        def sub_progress(frac: float, msg: str = "", i: int = i) -> None:
            if progress:
                progress((i + frac) / 2, msg)
        tensors.append(_extract_one(epochs, sub, vals, sub_progress, cancel, workspace, dataset_id))
    psd, conn = tensors
    if psd.freqs.shape != conn.freqs.shape or not np.allclose(psd.freqs, conn.freqs):
        raise ValueError("PSD and connectivity must share one frequency grid to be combined")
    measure = str(conn_values.get("method") or next(p.default for p in ex.connectivity.params if p.name == "method"))
    n, m = len(psd.rows), len(conn.rows)
    rows = [f"psd:{r}" for r in psd.rows] + [f"{measure}:{r}" for r in conn.rows]
    return replace(psd, data=concat_tensors({"psd": psd.data, measure: conn.data}), rows=rows, extractor=COMBINED,
                   params=dict(values), key="",
                   log_power=np.r_[np.full(n, psd.log_power, dtype=bool), np.full(m, conn.log_power, dtype=bool)],
                   parts={"psd": slice(0, n), measure: slice(n, n + m)}, cached=psd.cached and conn.cached)


def decoder_values(tensor: FeatureTensor) -> dict[str, Any]:
    """``happyfeat`` decoder settings matching how ``tensor`` was extracted (feature family, PSD method,
    connectivity measure, band), so the features selected on its map are computed the same way."""
    p = tensor.params
    band = {k: p[k] for k in ("fmin", "fmax") if k in p}
    if tensor.extractor == "psd":
        return {"feature": "psd", **({"method": p["method"]} if "method" in p else {}), **band}
    if tensor.extractor == "connectivity":
        return {"feature": "connectivity",
                **({"connectivity_method": p["method"]} if "method" in p else {}), **band}
    if tensor.extractor == COMBINED:
        return {"feature": COMBINED, **{k: p[k] for k in ("method", "connectivity_method") if k in p}, **band}
    return {"feature": tensor.extractor, **band}  # any other tensor feature plugin


def parse_feature_name(name: str) -> tuple[str, float, float]:
    """Core feature name -> ``(row, fmin, fmax)`` in Hz: ``"C3;12.0"``, ``"psd:C3;8-12"``, ``"C4;8:12"``."""
    row, sep, freq = str(name).strip().rpartition(";")
    lo, dash, hi = freq.replace(":", "-").partition("-")
    try:
        f0 = float(lo)
        f1 = float(hi) if dash else f0
    except ValueError:
        raise ValueError(f"feature names look like 'C3;12.0' or 'psd:C3;8-12', got {name!r}") from None
    if not sep or not row:
        raise ValueError(f"feature names look like 'C3;12.0' or 'psd:C3;8-12', got {name!r}")
    return row, f0, f1
