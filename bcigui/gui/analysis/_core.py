"""The analysis views' one doorway to the core: feature tensors, r² maps, TFR, evaluation.

No Qt here. Each function prefers the core implementation and falls back to a small local
equivalent while the core module is not there yet (``bcigui.core.features.discriminability``,
``bcigui.core.decoders.evaluation``...), so the views never contain science themselves.
Long functions accept ``progress(fraction, message)`` and ``cancel`` (a ``threading.Event``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from bcigui.core.plugins import Param, PluginSpec
from bcigui.core.plugins.registry import get_registry

Progress = Callable[[float, str], None] | None


class Cancelled(Exception):
    """Raised inside a worker when the user pressed Cancel."""


def _check(cancel: threading.Event | None) -> None:
    if cancel is not None and cancel.is_set():
        raise Cancelled("cancelled by the user")


# -- feature extractors ---------------------------------------------------------------------------
_HIDDEN = {"sfreq", "output", "log", "ch_names", "reduce"}  # filled in here, not by the user
_DEFAULTS = {"fmin": 4.0}


@dataclass(frozen=True)
class Extractor:
    """A feature plugin that yields a ``(n_epochs, n_channels, n_freqs)`` tensor (tag ``tensor``)."""

    spec: PluginSpec

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def title(self) -> str:
        return self.spec.description or self.spec.name

    @property
    def params(self) -> tuple[Param, ...]:
        """The user-settable parameters (sampling rate, output layout and log are set here)."""
        out = []
        for p in self.spec.params:
            if p.name in _HIDDEN:
                continue
            out.append(replace(p, default=_DEFAULTS[p.name]) if p.name in _DEFAULTS else p)
        return tuple(out)

    def create(self, sfreq: float, ch_names: list[str], **values: Any) -> Any:
        fixed = {"sfreq": sfreq, "output": "tensor", "log": True, "reduce": "node"}
        known = {p.name for p in self.spec.params}
        est = self.spec.create(**values, **{k: v for k, v in fixed.items() if k in known})
        if "ch_names" in est.get_params():
            est.set_params(ch_names=list(ch_names))
        return est


COMBINED = "psd+connectivity"  # PSD and connectivity node strength on one grid, side by side


@dataclass(frozen=True)
class CombinedExtractor:
    """PSD and connectivity (node strength) of the same epochs on one frequency grid.

    Rows of the combined tensor are ``"psd:C3"`` and ``"<measure>:C3"`` (e.g. ``"imcoh:C3"``), as the
    core :class:`~bcigui.core.features.combine.CombinedFeatures` and the ``happyfeat`` decoder
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
    raise ValueError(f"extractor must be one of {[e.name for e in available]}, got {name!r}")


@dataclass
class FeatureTensor:
    """Per-epoch features ``values`` ``(n_epochs, n_rows, n_freqs)`` with rows (channels) and Hz.

    ``log_power`` is one flag for all rows or one per row (a combined PSD + connectivity tensor);
    ``parts`` maps each part's prefix (``"psd"``, ``"imcoh"``) to its rows of a combined tensor;
    ``cached`` says the workspace cache answered (nothing recomputed).
    """

    values: np.ndarray
    freqs: np.ndarray
    rows: list[str]
    y: np.ndarray
    classes: list[str]
    extractor: str
    params: dict[str, Any]
    log_power: bool | np.ndarray = True
    parts: dict[str, slice] = field(default_factory=dict)
    cached: bool = False

    def row_is_log(self, row: int) -> bool:
        lp = np.asarray(self.log_power, dtype=bool)
        return bool(lp if lp.ndim == 0 else lp[row])

    @property
    def db(self) -> np.ndarray:
        """Values for display: power in dB re 1 µV²/Hz (from log10 V²/Hz), else unchanged."""
        lp = np.asarray(self.log_power, dtype=bool)
        if lp.ndim == 0:
            return 10.0 * (self.values + 12.0) if lp else self.values
        out = np.array(self.values, dtype=float)
        out[:, lp, :] = 10.0 * (out[:, lp, :] + 12.0)
        return out

    def part(self, prefix: str) -> tuple[slice, list[str]]:
        """Rows of one part of a combined tensor and their names without the prefix."""
        sl = self.parts[prefix]
        return sl, [r.split(":", 1)[1] for r in self.rows[sl]]


def _is_log(ex: Extractor) -> bool:
    return "log" in {p.name for p in ex.spec.params}


def _extract_one(epochs: Any, ex: Extractor, values: dict[str, Any], progress: Progress,
                 cancel: threading.Event | None, chunk: int, workspace: Any, dataset_id: str | None
                 ) -> FeatureTensor:
    if workspace is not None and dataset_id is not None:
        from bcigui.core.workspace import ExtractionCancelled

        known = {p.name for p in ex.spec.params}
        fixed = {k: v for k, v in {"log": True, "reduce": "node"}.items() if k in known}

        def report(fraction: float) -> None:
            if progress:
                progress(fraction, f"{ex.title}: {round(fraction * len(epochs))}/{len(epochs)} epochs")

        try:
            ft = workspace.extract(dataset_id, ex.spec, {**values, **fixed}, progress=report, cancel=cancel)
        except ExtractionCancelled:
            raise Cancelled("cancelled by the user") from None
        if ft.cached and progress:
            progress(1.0, f"{ex.title}: cached (workspace), nothing recomputed")
        _check(cancel)
        return FeatureTensor(
            values=np.asarray(ft.data), freqs=np.asarray(ft.freqs, dtype=float), rows=list(ft.rows),
            y=np.asarray(epochs.y), classes=list(epochs.classes), extractor=ex.name, params=dict(values),
            log_power=_is_log(ex), cached=bool(ft.cached))
    est = ex.create(epochs.sfreq, epochs.ch_names, **values)
    est.fit(epochs.X[:1])
    parts = []
    n = len(epochs.X)
    for start in range(0, n, chunk):
        _check(cancel)
        parts.append(est.transform(epochs.X[start:start + chunk]))
        if progress:
            progress(min(1.0, (start + chunk) / n), f"{ex.title}: {min(n, start + chunk)}/{n} epochs")
    _check(cancel)
    return FeatureTensor(
        values=np.concatenate(parts), freqs=np.asarray(est.freqs_, dtype=float),
        rows=list(est.channel_names_), y=np.asarray(epochs.y), classes=list(epochs.classes),
        extractor=ex.name, params=dict(values), log_power=_is_log(ex),
    )


def extract(epochs: Any, name: str, values: dict[str, Any], progress: Progress = None,
            cancel: threading.Event | None = None, chunk: int = 8, workspace: Any = None,
            dataset_id: str | None = None) -> FeatureTensor:
    """Features of ``epochs`` (an ``EpochsData``), chunk by chunk with progress and cancel.

    With a core ``Workspace`` and the id of the data set the epochs come from, extraction goes
    through its cache: the same data set and parameters are read back instead of recomputed (the
    progress message then says "cached"). :data:`COMBINED` extracts PSD and connectivity and stacks
    their rows (``"psd:C3"``, ``"imcoh:C3"``; ``parts`` gives each one's rows).
    """
    ex = extractor(name)
    if not isinstance(ex, CombinedExtractor):
        return _extract_one(epochs, ex, values, progress, cancel, chunk, workspace, dataset_id)
    psd_values, conn_values = ex.split(values)
    tensors = []
    for i, (sub, vals) in enumerate(((ex.psd, psd_values), (ex.connectivity, conn_values))):
        def sub_progress(frac: float, msg: str = "", i: int = i) -> None:
            if progress:
                progress((i + frac) / 2, msg)
        tensors.append(_extract_one(epochs, sub, vals, sub_progress, cancel, chunk, workspace, dataset_id))
    psd, conn = tensors
    if psd.freqs.shape != conn.freqs.shape or not np.allclose(psd.freqs, conn.freqs):
        raise ValueError("PSD and connectivity must share one frequency grid to be combined")
    measure = str(conn_values.get("method") or next(p.default for p in ex.connectivity.params if p.name == "method"))
    n = len(psd.rows)
    return FeatureTensor(
        values=np.concatenate([psd.values, conn.values], axis=1), freqs=psd.freqs,
        rows=[f"psd:{r}" for r in psd.rows] + [f"{measure}:{r}" for r in conn.rows],
        y=psd.y, classes=psd.classes, extractor=COMBINED, params=dict(values),
        log_power=np.r_[np.full(n, psd.log_power, dtype=bool), np.full(len(conn.rows), conn.log_power, dtype=bool)],
        parts={"psd": slice(0, n), measure: slice(n, n + len(conn.rows))}, cached=psd.cached and conn.cached)


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
    return {}


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


# -- discriminability -----------------------------------------------------------------------------
def signed_r2(values: np.ndarray, y: np.ndarray, classes: list[str]) -> np.ndarray:
    """Signed r² per feature between ``classes[0]`` and ``classes[1]`` (positive: ``classes[0]`` higher)."""
    from bcigui.core.features.discriminability import signed_r2 as core_signed_r2

    if len(classes) < 2:
        raise ValueError(f"signed r² needs at least two classes, got {classes}")
    return np.asarray(core_signed_r2(values, y, classes=list(classes[:2])))


REST = "all others"


def contrasts(classes: list[str]) -> list[tuple[str, str]]:
    """Class pairs to compare: each pair, then (for 3+ classes) each class against all the others."""
    pairs = [(a, b) for i, a in enumerate(classes) for b in classes[i + 1:]]
    if len(classes) > 2:
        pairs += [(c, REST) for c in classes]
    return pairs


def contrast_r2(values: np.ndarray, y: np.ndarray, a: str, b: str) -> np.ndarray:
    """Signed r² of class ``a`` against class ``b`` (or against :data:`REST`); positive: ``a`` higher."""
    y = np.asarray(y)
    if b == REST:
        return signed_r2(values, np.where(y == a, a, REST), [a, REST])
    return signed_r2(values, y, [a, b])


def band_values(r2: np.ndarray, freqs: np.ndarray, fmin: float, fmax: float | None = None) -> np.ndarray:
    """Per-channel values of an r² map at ``fmin`` Hz or averaged over ``fmin``-``fmax`` Hz."""
    from bcigui.core.features.discriminability import topomap_values

    return np.asarray(topomap_values(r2, freqs, fmin, None if fmax in (None, fmin) else fmax))


def top_k(r2: np.ndarray, k: int) -> list[tuple[int, int]]:
    """``(row, freq)`` indices of the ``k`` largest ``|r²|`` entries, best first."""
    flat = np.argsort(-np.abs(r2), axis=None)[: max(0, int(k))]
    return [tuple(int(i) for i in np.unravel_index(f, r2.shape)) for f in flat]


def class_spectra(tensor: FeatureTensor, row: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Mean and SEM over epochs of each class for one row (display units)."""
    vals = tensor.db[:, row, :]
    out = {}
    for c in tensor.classes:
        v = vals[tensor.y == c]
        sem = v.std(axis=0, ddof=1) / np.sqrt(len(v)) if len(v) > 1 else np.zeros(v.shape[1])
        out[c] = (v.mean(axis=0), sem)
    return out


# -- time-frequency ERD/ERS -----------------------------------------------------------------------
@dataclass
class TFRResult:
    """ERD/ERS in percent of the baseline power: ``maps[class]`` ``(n_freqs, n_times)``."""

    maps: dict[str, np.ndarray]
    freqs: np.ndarray
    times: np.ndarray
    channel: str
    baseline: tuple[float, float]


def erd_ers(epochs: Any, channel: str, baseline: tuple[float, float], fmin: float = 4.0,
            fmax: float = 40.0, fstep: float = 1.0, progress: Progress = None,
            cancel: threading.Event | None = None) -> TFRResult:
    """ERD/ERS map (percent of baseline power) per class of ``channel``, ``baseline`` in seconds."""
    from bcigui.core.features.discriminability import erd_ers_map

    if channel not in epochs.ch_names:
        raise ValueError(f"channel must be one of the epochs' channels, got {channel!r}")
    freqs = np.arange(fmin, fmax + 1e-9, fstep)
    x = epochs.X[:, [epochs.ch_names.index(channel)], :]
    decim = max(1, int(round(epochs.sfreq / 40)))  # ~40 columns per second is plenty to look at
    maps = {}
    for i, c in enumerate(epochs.classes):
        _check(cancel)
        mask = epochs.y == c
        res = erd_ers_map(x[mask], epochs.y[mask], epochs.sfreq, freqs, epochs.tmin, tuple(baseline),
                          decim=decim)
        maps[c] = 100.0 * res.maps[str(c)][0]
        times = res.times
        if progress:
            progress((i + 1) / len(epochs.classes), f"ERD/ERS of class {c}")
    _check(cancel)
    return TFRResult(maps, freqs, times, channel, tuple(baseline))


# -- connectivity matrices ------------------------------------------------------------------------
def connectivity_by_class(epochs: Any, fmin: float, fmax: float, method: str = "imcoh",
                          progress: Progress = None, cancel: threading.Event | None = None
                          ) -> dict[str, np.ndarray]:
    """Mean connectivity matrix ``(n_ch, n_ch)`` of each class in the band ``fmin``-``fmax`` Hz."""
    from bcigui.core.features.connectivity import connectivity_matrices

    freqs = np.arange(fmin, fmax + 1e-9, 1.0)
    out = {}
    for i, c in enumerate(epochs.classes):
        _check(cancel)
        out[c] = connectivity_matrices(epochs.X[epochs.y == c], epochs.sfreq, freqs, method).mean(axis=(0, 3))
        if progress:
            progress((i + 1) / len(epochs.classes), f"connectivity of class {c}")
    return out
