"""Cut labelled epochs from recordings, after the same causal filtering used online."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from bcigui.core.data.recordings import Recording
from bcigui.core.signal.filters import FilterSpec, filter_continuous
from bcigui.core.signal.invalid import SETTLE_SECONDS, hold_last_valid


def parse_event_map(text: str) -> dict[str, str]:
    """Parse ``"T1=left,T2=right"`` into ``{"T1": "left", "T2": "right"}``.

    Keys are event descriptions or numeric codes as written in the file; values are class names.
    A bare key (``"T1,T2"``) maps to itself.
    """
    out: dict[str, str] = {}
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        key, sep, value = item.partition("=")
        key, value = key.strip(), (value.strip() if sep else key.strip())
        if not key or not value:
            raise ValueError(f"--events expects EVENT=class pairs separated by commas, got {item!r}")
        if key in out:
            raise ValueError(f"--events maps event {key!r} twice")
        out[key] = value
    if not out:
        raise ValueError("--events is empty; give EVENT=class pairs such as T1=left,T2=right")
    return out


@dataclass
class EpochsData:
    """Labelled epochs ``X`` ``(n_epochs, n_channels, n_times)`` in volts, with their provenance."""

    X: np.ndarray
    y: np.ndarray
    runs: np.ndarray
    onsets: np.ndarray
    ch_names: list[str]
    sfreq: float
    tmin: float
    tmax: float
    classes: list[str]
    filter: FilterSpec | None = None

    def __len__(self) -> int:
        return len(self.y)

    @property
    def times(self) -> np.ndarray:
        return self.tmin + np.arange(self.X.shape[2]) / self.sfreq

    def select(self, mask: np.ndarray) -> EpochsData:
        """A subset of the epochs (boolean mask or indices)."""
        return replace(self, X=self.X[mask], y=self.y[mask], runs=self.runs[mask], onsets=self.onsets[mask])

    def counts(self) -> dict[str, int]:
        return {c: int(np.sum(self.y == c)) for c in self.classes}


def _sees_bad(bad_rows: np.ndarray, start: int, stop: int, settle: int) -> bool:
    """Whether a sorted bad sample lies in ``[start - settle, stop)``: the window, or the causal
    filters' settling before it (the rule ``SlidingDecoder`` skips windows by)."""
    i = int(np.searchsorted(bad_rows, start - settle))
    return i < len(bad_rows) and bad_rows[i] < stop


def _match_event(desc: str, event_map: dict[str, str]) -> str | None:
    if desc in event_map:
        return event_map[desc]
    try:  # "2" matches "2.0" and the reverse
        num = float(desc)
    except ValueError:
        return None
    for key, cls in event_map.items():
        try:
            if float(key) == num:
                return cls
        except ValueError:
            continue
    return None


def make_epochs(
    recordings: list[Recording],
    event_map: dict[str, str],
    tmin: float,
    tmax: float,
    filter: FilterSpec | None = None,
    picks: list[str] | None = None,
) -> EpochsData:
    """Filter each recording causally from its first sample, then cut ``[onset+tmin, onset+tmax)``.

    Epochs that would run past either end of a recording are dropped. ``picks`` selects and orders
    channels by name (all recordings must have them); by default every channel that no recording
    marks bad (``raw.info["bads"]``, e.g. ticked at the signal check of a guided session).
    """
    if tmax <= tmin:
        raise ValueError(f"tmax ({tmax}) must be greater than tmin ({tmin})")
    if not recordings:
        raise ValueError("No recording given")
    sfreq = recordings[0].sfreq
    bads = {c for rec in recordings for c in rec.raw.info["bads"]}
    names = list(picks) if picks else [c for c in recordings[0].ch_names if c not in bads]
    n_times = int(round((tmax - tmin) * sfreq))
    X, y, runs, onsets = [], [], [], []
    found: set[str] = set()
    outside = 0  # matching events whose window runs past either end of its recording
    unusable = 0  # matching events whose window (or the filters' settling before it) has non-finite samples
    settle = int(round(SETTLE_SECONDS * sfreq))
    for rec in recordings:
        if abs(rec.sfreq - sfreq) > 1e-6:
            raise ValueError(
                f"All recordings must share one sampling rate: {rec.path} has {rec.sfreq} Hz, expected {sfreq} Hz"
            )
        missing = [c for c in names if c not in rec.ch_names]
        if missing:
            raise ValueError(f"{rec.path} lacks channel(s) {missing}")
        idx = [rec.ch_names.index(c) for c in names]
        data = rec.raw.get_data(picks=idx).T  # (n_samples, n_channels)
        invalid = ~np.isfinite(data)
        bad_rows = np.flatnonzero(invalid.any(axis=1))
        if len(bad_rows):  # held like online decoding holds them; windows that see them are dropped
            data, _ = hold_last_valid(data, invalid)
        if filter is not None:
            data = filter_continuous(data, sfreq, filter)
        for ev in rec.events:
            found.add(ev.description)
            cls = _match_event(ev.description, event_map)
            if cls is None:
                continue
            start = int(round((ev.onset + tmin) * sfreq))
            if start < 0 or start + n_times > data.shape[0]:
                outside += 1
                continue
            if len(bad_rows) and _sees_bad(bad_rows, start, start + n_times, settle):
                unusable += 1
                continue
            X.append(data[start : start + n_times].T)
            y.append(cls)
            runs.append(rec.run)
            onsets.append(ev.onset)
    classes = list(dict.fromkeys(event_map.values()))
    if unusable:
        msg = (f"{unusable} epoch(s) dropped: non-finite samples (NaN/Inf) in their window or in the "
               f"{SETTLE_SECONDS:g} s before it (online decoding skips such windows too)")
        if not y:
            raise ValueError(f"no usable epoch: {msg}")
        warnings.warn(msg, stacklevel=2)
    if not y and outside:
        longest = max(r.raw.times[-1] for r in recordings)
        raise ValueError(f"all {outside} event(s) matching {event_map} have their window [{tmin:g}, {tmax:g}] s "
                         f"running past the end (or start) of the recording (longest: {longest:.1f} s); "
                         "shorten the window (--tmin/--tmax)")
    if not y:
        bare = [k for k, v in event_map.items() if k == v and k not in found]
        hint = (f"; {bare} {'is' if len(bare) == 1 else 'are'} read as event names: --events takes EVENT=class "
                "pairs such as T1=left,T2=right") if bare else ""
        raise ValueError(
            f"No event matches the event map {event_map}; events found in the data: {sorted(found)}{hint}"
        )
    return EpochsData(
        X=np.asarray(X, dtype=np.float64),
        y=np.asarray(y),
        runs=np.asarray(runs),
        onsets=np.asarray(onsets),
        ch_names=names,
        sfreq=sfreq,
        tmin=tmin,
        tmax=tmax,
        classes=[c for c in classes if c in set(y)],
        filter=filter,
    )


def find_bad_epochs(X: np.ndarray, threshold: float = 150e-6) -> np.ndarray:
    """Epochs whose peak-to-peak amplitude on any channel exceeds ``threshold`` volts, or with NaNs."""
    ptp = np.ptp(X, axis=2).max(axis=1)
    return (ptp > threshold) | ~np.all(np.isfinite(X), axis=(1, 2))
