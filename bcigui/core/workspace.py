"""Offline-analysis workspace: a folder with ``workspace.json`` and a feature cache.

``workspace.json`` holds data sets (recording files, event map, epoch parameters including a wider
cut window and excluded epochs, as the analysis GUI makes them), parameter sets,
feature selections and training attempts. File paths are stored relative to the workspace folder
when possible, so a folder moved together with its data stays valid. ``cache/<key>.npz`` holds
extracted feature tensors keyed by a hash of (data fingerprint, extractor, parameters): changing a
selection or re-opening the workspace reuses them without recomputation.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.cancel import Cancelled
from bcigui.core.features._base import fmt_freq
from bcigui.core.features.cache import FeatureCache, FeatureTensor, cache_key
from bcigui.core.plugins.registry import PluginSpec, get_registry

FORMAT = "bcigui-workspace"
VERSION = 1
SECTIONS = ("datasets", "param_sets", "selections", "attempts")


ExtractionCancelled = Cancelled  # the one cancellation exception, under the name callers know here


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Workspace:
    """A workspace folder; created if missing, loaded if it already holds ``workspace.json``."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).resolve()
        self.path.mkdir(parents=True, exist_ok=True)
        self.cache = FeatureCache(self.path / "cache")
        self.datasets: dict[str, dict] = {}
        self.param_sets: dict[str, dict] = {}
        self.selections: dict[str, dict] = {}
        self.attempts: dict[str, dict] = {}
        self._epochs: dict[str, Any] = {}
        self._lock = threading.Lock()
        if self.file.exists():
            self.load()

    @property
    def file(self) -> Path:
        return self.path / "workspace.json"

    # -- persistence ---------------------------------------------------------------------------
    def save(self) -> None:
        """Write ``workspace.json`` atomically."""
        doc = {"format": FORMAT, "version": VERSION, **{s: getattr(self, s) for s in SECTIONS}}
        fd, tmp = tempfile.mkstemp(dir=self.path, suffix=".json.tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(doc, fh, indent=2, default=_json_default)
            os.replace(tmp, self.file)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self) -> Workspace:
        """(Re)read ``workspace.json``."""
        try:
            doc = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"Cannot read workspace file {self.file}: {err}") from None
        if doc.get("format") != FORMAT:
            raise ValueError(f"{self.file} is not a bcigui workspace (format {doc.get('format')!r}, expected {FORMAT!r})")
        if int(doc.get("version", 0)) > VERSION:
            raise ValueError(f"{self.file} has workspace version {doc['version']}; this bcigui reads up to {VERSION}")
        for s in SECTIONS:
            setattr(self, s, dict(doc.get(s, {})))
        self._epochs.clear()
        return self

    # -- paths and ids -------------------------------------------------------------------------
    def _rel(self, p: str | Path) -> str:
        p = Path(p).resolve()
        try:
            return Path(os.path.relpath(p, self.path)).as_posix()
        except ValueError:  # another drive (Windows)
            return str(p)

    def _abs(self, p: str) -> Path:
        q = Path(p)
        return q if q.is_absolute() else (self.path / q).resolve()

    @staticmethod
    def _new_id(name: str, existing: dict) -> str:
        base = re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "item"
        out, i = base, 2
        while out in existing:
            out, i = f"{base}-{i}", i + 1
        return out

    # -- data sets -----------------------------------------------------------------------------
    def add_dataset(
        self,
        name: str,
        files: list[str | Path],
        event_map: dict[str, str],
        tmin: float,
        tmax: float,
        filter: Any = None,
        picks: list[str] | None = None,
        *,
        cut: tuple[float, float] | None = None,
        exclude: list[int] | np.ndarray | None = None,
        reuse: bool = False,
    ) -> str:
        """Register a data set (files + event map + epoch parameters); return its id.

        ``tmin``/``tmax`` is the analysis window. ``cut=(start, stop)`` cuts the epochs over a wider
        window first (e.g. back to a baseline) and then crops them to ``tmin``/``tmax``, exactly as
        the analysis GUI does; ``exclude`` lists epochs (indices in the order the epochs are cut)
        left out, e.g. bad epochs. With ``reuse`` an existing data set with the same definition is
        returned instead of adding a copy.
        """
        if not files:
            raise ValueError("Parameter 'files' must list at least one recording, got none")
        missing = [str(f) for f in files if not Path(f).exists()]
        if missing:
            raise FileNotFoundError(f"Recording(s) not found: {missing}")
        if not event_map:
            raise ValueError("Parameter 'event_map' must map at least one event to a class, got {}")
        if tmax <= tmin:
            raise ValueError(f"Parameter 'tmax' must be greater than tmin ({tmin}), got {tmax}")
        if cut is not None:
            cut = (float(cut[0]), float(cut[1]))
            if not cut[0] <= tmin < tmax <= cut[1]:
                raise ValueError(f"Parameter 'cut' must contain the window {tmin:g}-{tmax:g} s, got {cut}")
            if cut == (float(tmin), float(tmax)):
                cut = None
        excl = sorted({int(i) for i in np.asarray(exclude if exclude is not None else [], dtype=int).ravel()})
        if excl and excl[0] < 0:
            raise ValueError(f"Parameter 'exclude' must hold epoch indices >= 0, got {excl[0]}")
        flt = filter.to_dict() if hasattr(filter, "to_dict") else (dict(filter) if filter else None)
        entry = {
            "name": name, "files": [self._rel(f) for f in files], "event_map": dict(event_map),
            "tmin": float(tmin), "tmax": float(tmax), "filter": flt,
            "picks": list(picks) if picks else None, "cut": list(cut) if cut else None, "exclude": excl,
        }
        if reuse:
            same = _DEFINITION + ("files",)
            for did, ds in self.datasets.items():
                if all(_norm(ds.get(k)) == _norm(entry[k]) for k in same):
                    return did
        did = self._new_id(name, self.datasets)
        self.datasets[did] = {**entry, "created": _now()}
        return did

    def _dataset(self, dataset_id: str) -> dict:
        try:
            return self.datasets[dataset_id]
        except KeyError:
            raise KeyError(f"No data set {dataset_id!r} in workspace; available: {sorted(self.datasets)}") from None

    def dataset_files(self, dataset_id: str) -> list[Path]:
        return [self._abs(f) for f in self._dataset(dataset_id)["files"]]

    def fingerprint(self, dataset_id: str) -> str:
        """Hash of the data set's definition and its files' names, sizes and modification times."""
        ds = self._dataset(dataset_id)
        stats = []
        for p in self.dataset_files(dataset_id):
            try:
                st = p.stat()
            except OSError:
                raise FileNotFoundError(f"Recording of data set {dataset_id!r} not found: {p}") from None
            stats.append([p.name, st.st_size, st.st_mtime_ns])
        definition = {k: ds[k] for k in ("event_map", "tmin", "tmax", "filter", "picks")}
        for k in ("cut", "exclude"):  # only when set, so older definitions keep their cache keys
            if ds.get(k):
                definition[k] = ds[k]
        return cache_key(json.dumps(stats), "dataset", definition)

    def epochs(self, dataset_id: str):
        """The data set's :class:`~bcigui.core.data.epochs.EpochsData` (kept in memory once loaded)."""
        from bcigui.core.data.epochs import make_epochs
        from bcigui.core.data.recordings import load_recordings
        from bcigui.core.signal.filters import FilterSpec

        fp = self.fingerprint(dataset_id)
        with self._lock:
            hit = self._epochs.get(dataset_id)
            if hit is not None and hit[0] == fp:
                return hit[1]
        ds = self._dataset(dataset_id)
        recs = load_recordings(self.dataset_files(dataset_id))
        flt = FilterSpec.from_dict(ds["filter"]) if ds["filter"] else None
        start, stop = ds.get("cut") or (ds["tmin"], ds["tmax"])
        ep = make_epochs(recs, ds["event_map"], start, stop, flt, ds["picks"])
        if ds.get("cut"):
            ep = crop_epochs(ep, ds["tmin"], ds["tmax"])
        if ds.get("exclude"):
            if max(ds["exclude"]) >= len(ep):
                raise ValueError(f"Data set {dataset_id!r} excludes epoch {max(ds['exclude'])} but has only "
                                 f"{len(ep)} epochs")
            keep = np.ones(len(ep), dtype=bool)
            keep[ds["exclude"]] = False
            ep = ep.select(keep)
        with self._lock:
            self._epochs[dataset_id] = (fp, ep)
        return ep

    def prime_epochs(self, dataset_id: str, epochs: Any) -> None:
        """Use epochs already in memory for ``dataset_id`` (they must be what its definition gives, as
        when the GUI cut them with the same settings): extraction then skips reloading the files."""
        fp = self.fingerprint(dataset_id)
        with self._lock:
            self._epochs[dataset_id] = (fp, epochs)

    # -- features ------------------------------------------------------------------------------
    def extract(
        self,
        dataset_id: str,
        extractor_spec: PluginSpec | str,
        params: dict[str, Any] | None = None,
        progress: Callable[[float], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> FeatureTensor:
        """Features of a data set from an unsupervised feature plugin, cached on disk.

        Tensor extractors (tag ``tensor``) give ``(n_epochs, n_rows, n_freqs)``; others
        ``(n_epochs, n_features)``. ``progress(fraction)`` is called as epochs are processed and
        setting ``cancel`` raises :class:`ExtractionCancelled` (nothing is cached then). Safe to call
        from a worker thread.
        """
        spec = _feature_spec(extractor_spec)
        resolved = _resolve(spec, params)
        key = cache_key(self.fingerprint(dataset_id), spec.name, {k: v for k, v in resolved.items() if k != "sfreq"})
        hit = self.cache.get(key)
        if hit is not None:
            hit.cached = True
            hit.log_power = bool(resolved.get("log", False))
            if progress:
                progress(1.0)
            return hit
        ft = extract_features(self.epochs(dataset_id), spec, resolved, progress, cancel)
        self.cache.put(key, ft)
        return ft

    # -- records -------------------------------------------------------------------------------
    def add_param_set(self, name: str, extractor: str, params: dict[str, Any], reuse: bool = False) -> str:
        """Store named extractor parameters; return the id (with ``reuse``: an identical set's id)."""
        if reuse:
            for pid, ps in self.param_sets.items():
                if ps.get("extractor") == extractor and _norm(ps.get("params")) == _norm(dict(params)):
                    return pid
        pid = self._new_id(name, self.param_sets)
        self.param_sets[pid] = {"name": name, "extractor": extractor, "params": dict(params), "created": _now()}
        return pid

    def add_selection(self, name: str, features: list[str], dataset_id: str | None = None,
                      param_set_id: str | None = None, reuse: bool = False, **meta: Any) -> str:
        """Store a feature selection (names like ``"C3;12.0"`` or ``"psd:C3;12.0"``); return the id.

        With ``reuse`` a stored selection of the same features (and data set, if given) is returned.
        """
        if dataset_id is not None:
            self._dataset(dataset_id)
        if reuse:
            for sid, sel in self.selections.items():
                if list(sel.get("features", [])) == list(features) and sel.get("dataset") in (None, dataset_id):
                    return sid
        sid = self._new_id(name, self.selections)
        self.selections[sid] = {"name": name, "features": list(features), "dataset": dataset_id,
                                "param_set": param_set_id, "created": _now(), **meta}
        return sid

    def add_attempt(self, dataset_id: str, pipeline: dict[str, Any], scores: dict[str, Any],
                    selection_id: str | None = None, model_path: str | Path | None = None,
                    notes: str = "") -> str:
        """Record a training attempt (pipeline description, CV scores, optional model file)."""
        self._dataset(dataset_id)
        aid = self._new_id(f"attempt-{len(self.attempts) + 1}", self.attempts)
        self.attempts[aid] = {
            "dataset": dataset_id, "pipeline": pipeline, "scores": scores, "selection": selection_id,
            "model": self._rel(model_path) if model_path else None, "notes": notes, "created": _now(),
        }
        return aid


def _feature_spec(extractor_spec: PluginSpec | str) -> PluginSpec:
    spec = get_registry().get("feature", extractor_spec) if isinstance(extractor_spec, str) else extractor_spec
    if spec.kind != "feature":
        raise ValueError(f"Parameter 'extractor_spec' must be a feature plugin, got a {spec.kind} plugin {spec.name!r}")
    if spec.tags.get("supervised"):
        raise ValueError(
            f"Feature plugin {spec.name!r} is supervised (fitted with labels); workspace extraction "
            "needs an unsupervised extractor such as 'psd', 'band_power' or 'connectivity'"
        )
    return spec


def _resolve(spec: PluginSpec, params: dict[str, Any] | None) -> dict[str, Any]:
    values = {k: v for k, v in (params or {}).items() if k != "sfreq"}
    if spec.tags.get("tensor"):
        values["output"] = "tensor"
    return spec.resolve(values)


def make_extractor(extractor_spec: PluginSpec | str, params: dict[str, Any] | None, sfreq: float,
                   ch_names: list[str]) -> Any:
    """An unfitted unsupervised feature plugin set up for data at ``sfreq`` with ``ch_names`` (tensor
    plugins give tensors): the set-up :func:`extract_features` and the ``happyfeat`` decoder share."""
    spec = _feature_spec(extractor_spec)
    resolved = _resolve(spec, params)
    if "sfreq" in resolved:
        resolved["sfreq"] = sfreq
    est = spec.load()(**resolved)
    if "ch_names" in est.get_params():
        est.set_params(ch_names=list(ch_names))
    return est


def extract_features(
    epochs: Any,
    extractor_spec: PluginSpec | str,
    params: dict[str, Any] | None = None,
    progress: Callable[[float], None] | None = None,
    cancel: threading.Event | None = None,
) -> FeatureTensor:
    """Features of ``epochs`` (an ``EpochsData``) from an unsupervised feature plugin: the one
    extraction path (:meth:`Workspace.extract` caches what it returns).

    The extractor is fitted on all epochs, then transforms them in about 20 batches;
    ``progress(fraction)`` follows the batches and a set ``cancel`` raises :class:`Cancelled`.
    """
    spec = _feature_spec(extractor_spec)
    resolved = _resolve(spec, params)
    est = make_extractor(spec, resolved, epochs.sfreq, epochs.ch_names)
    est.fit(epochs.X, epochs.y)
    parts = []
    batches = np.array_split(np.arange(len(epochs.X)), min(len(epochs.X), 20))
    for i, idx in enumerate(batches):
        if cancel is not None and cancel.is_set():
            raise Cancelled(f"Extraction of {spec.name!r} cancelled")
        parts.append(est.transform(epochs.X[idx]))
        if progress:
            progress((i + 1) / len(batches))
    data = np.concatenate(parts)
    if spec.tags.get("tensor"):
        rows = list(est.channel_names_)
        columns = list(getattr(est, "columns_", None) or [fmt_freq(f) for f in est.freqs_])
        freqs = np.asarray(est.freqs_)
    else:
        rows, columns, freqs = [], [str(n) for n in est.get_feature_names_out()], None
    return FeatureTensor(data, np.asarray(epochs.y), rows, columns, freqs, np.asarray(epochs.runs), spec.name,
                         {k: v for k, v in resolved.items() if k != "sfreq"}, classes=list(epochs.classes),
                         log_power=bool(resolved.get("log", False)))


_DEFINITION = ("event_map", "tmin", "tmax", "filter", "picks", "cut", "exclude")


def _norm(value: Any) -> str:
    """Comparable form of a JSON-able value (tuples and lists alike, missing ``exclude`` = none)."""
    return json.dumps(value if value not in (None, []) else None, sort_keys=True, default=_json_default)


def crop_epochs(epochs: Any, tmin: float, tmax: float) -> Any:
    """``epochs`` restricted to ``[tmin, tmax)`` seconds (a view: no copy of the unused samples)."""
    from dataclasses import replace

    i0 = int(round((tmin - epochs.tmin) * epochs.sfreq))
    n = int(round((tmax - tmin) * epochs.sfreq))
    if i0 < 0 or i0 + n > epochs.X.shape[2]:
        raise ValueError(f"window {tmin:g}-{tmax:g} s lies outside the epochs ({epochs.tmin:g}-{epochs.tmax:g} s)")
    return replace(epochs, X=epochs.X[:, :, i0:i0 + n], tmin=tmin, tmax=tmax)


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, Path):
        return str(obj)
    raise TypeError(f"Cannot store {type(obj).__name__} in the workspace file")
