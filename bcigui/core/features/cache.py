"""Extracted feature tensors and their on-disk cache (npz keyed by a hash of data + extractor)."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.features._base import tensor_names


@dataclass
class FeatureTensor:
    """Features of a data set: ``data`` is ``(n_epochs, n_rows, n_freqs)`` (rows: channels or pairs)
    or ``(n_epochs, n_features)`` for extractors without a frequency axis."""

    data: np.ndarray
    y: np.ndarray
    rows: list[str]
    columns: list[str]
    freqs: np.ndarray | None = None
    runs: np.ndarray | None = None
    extractor: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    key: str = ""
    cached: bool = field(default=False, compare=False)  # read from the cache (not stored in the file)
    classes: list[str] = field(default_factory=list, compare=False)
    log_power: bool | np.ndarray = field(default=False, compare=False)  # log10 V²/Hz: one flag, or one per row
    parts: dict[str, slice] = field(default_factory=dict, compare=False)  # each part's rows when combined

    @property
    def values(self) -> np.ndarray:
        """The features (``data``), as the analysis views call them."""
        return self.data

    def row_is_log(self, row: int) -> bool:
        lp = np.asarray(self.log_power, dtype=bool)
        return bool(lp if lp.ndim == 0 else lp[row])

    @property
    def db(self) -> np.ndarray:
        """Values for display: power in dB re 1 µV²/Hz (from log10 V²/Hz), other rows unchanged."""
        lp = np.asarray(self.log_power, dtype=bool)
        if lp.ndim == 0:
            return 10.0 * (self.data + 12.0) if lp else self.data
        out = np.array(self.data, dtype=float)
        out[:, lp, :] = 10.0 * (out[:, lp, :] + 12.0)
        return out

    def part(self, prefix: str) -> tuple[slice, list[str]]:
        """Rows of one part of a combined tensor and their names without the prefix."""
        sl = self.parts[prefix]
        return sl, [r.split(":", 1)[1] for r in self.rows[sl]]

    @property
    def flat(self) -> np.ndarray:
        """``(n_epochs, n_features)`` features, channel-major."""
        return self.data.reshape(len(self.data), -1)

    @property
    def feature_names(self) -> np.ndarray:
        if self.data.ndim == 3:
            return tensor_names(self.rows, self.columns)
        return np.array(self.columns, dtype=object)

    def save(self, path: str | Path) -> None:
        """Write atomically to ``path`` (.npz)."""
        meta = {"rows": self.rows, "columns": self.columns, "extractor": self.extractor,
                "params": self.params, "key": self.key}
        arrays = {"data": self.data, "y": np.asarray(self.y).astype(str), "meta": np.array(json.dumps(meta))}
        if self.freqs is not None:
            arrays["freqs"] = self.freqs
        if self.runs is not None:
            arrays["runs"] = self.runs
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz.tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: str | Path) -> FeatureTensor:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            return cls(
                data=z["data"], y=z["y"], rows=meta["rows"], columns=meta["columns"],
                freqs=z["freqs"] if "freqs" in z else None, runs=z["runs"] if "runs" in z else None,
                extractor=meta["extractor"], params=meta["params"], key=meta["key"],
            )


def cache_key(fingerprint: str, extractor: str, params: dict[str, Any], version: str = "1") -> str:
    """Stable hash of (data fingerprint, extractor name, parameters)."""
    blob = json.dumps({"data": fingerprint, "extractor": extractor, "params": params, "v": version},
                      sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:24]


def array_fingerprint(*arrays: np.ndarray) -> str:
    """Hash of array contents (shape, dtype and bytes)."""
    h = hashlib.blake2b(digest_size=16)
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(a.astype(str).tobytes() if a.dtype.kind in "OU" else a.tobytes())
    return h.hexdigest()


class FeatureCache:
    """A folder of ``<key>.npz`` feature tensors."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def get(self, key: str) -> FeatureTensor | None:
        """The cached tensor, or ``None`` (also if the file is unreadable: it is then recomputed)."""
        p = self.path(key)
        if not p.exists():
            return None
        try:
            return FeatureTensor.load(p)
        except Exception:
            return None

    def put(self, key: str, tensor: FeatureTensor) -> None:
        tensor.key = key
        tensor.save(self.path(key))

    def clear(self) -> int:
        """Delete all cache files; return how many."""
        files = list(self.folder.glob("*.npz")) if self.folder.is_dir() else []
        for f in files:
            f.unlink()
        return len(files)
