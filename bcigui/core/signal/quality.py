"""Per-channel signal-quality metrics: flat line, clipping, excessive variance, line noise.

Headless (numpy/scipy only). :func:`assess_quality` turns a window of continuous data
``(n_samples, n_channels)`` in volts into one :class:`ChannelQuality` per channel: a traffic-light
``level`` (``"good"``, ``"warn"``, ``"bad"``) plus the reasons in words.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from bcigui.core.signal.spectra import welch

LEVELS = ("good", "warn", "bad")


@dataclass(frozen=True)
class QualityThresholds:
    """Thresholds (amplitudes in µV). Set a threshold to ``None`` to disable that check."""

    flat_uv: float | None = 0.5  # std below this: flat line (bad)
    clip_fraction: float | None = 0.01  # fraction of samples stuck at the extremes: clipping (bad)
    saturation_uv: float | None = 3000.0  # |amplitude| at or above this counts as saturated
    warn_std_uv: float | None = 100.0  # std above this: excessive variance (warn)
    bad_std_uv: float | None = 300.0  # std above this: excessive variance (bad)
    line_freq: float = 50.0  # mains frequency (Hz)
    line_ratio: float | None = 0.5  # line-noise power / broadband (1-45 Hz) power above this: warn

    def __post_init__(self) -> None:
        for name in ("flat_uv", "clip_fraction", "saturation_uv", "warn_std_uv", "bad_std_uv", "line_ratio"):
            val = getattr(self, name)
            if val is not None and not (np.isfinite(val) and val > 0):
                raise ValueError(f"QualityThresholds.{name} must be a positive number or None, got {val!r}")
        if self.line_freq not in (50.0, 60.0, 50, 60):
            raise ValueError(f"QualityThresholds.line_freq must be 50 or 60 Hz, got {self.line_freq!r}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ChannelQuality:
    """Quality of one channel: ``level`` in :data:`LEVELS`, ``reasons`` in words, raw ``metrics``."""

    name: str
    level: str = "good"
    reasons: list[str] = field(default_factory=list)
    metrics: dict[str, float] = field(default_factory=dict)

    def flag(self, level: str, reason: str) -> None:
        if LEVELS.index(level) > LEVELS.index(self.level):
            self.level = level
        self.reasons.append(reason)

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) if self.reasons else "ok"


def channel_metrics(data: np.ndarray, sfreq: float, line_freq: float = 50.0,
                    saturation_uv: float | None = None) -> dict[str, np.ndarray]:
    """Vectorised metrics per channel: ``std_uv``, ``clip_fraction``, ``line_ratio``, ``n_nan``."""
    x = np.asarray(data, dtype=np.float64)
    if x.ndim != 2:
        raise ValueError(f"data must have shape (n_samples, n_channels), got {x.shape}")
    n, n_ch = x.shape
    nan = ~np.isfinite(x)
    n_nan = nan.sum(axis=0)
    if n_nan.any():  # replace missing samples by the channel mean so the other metrics still work
        good = np.where(nan, 0.0, x)
        means = good.sum(axis=0) / np.maximum(n - n_nan, 1)
        x = np.where(nan, means, x)
    xu = x * 1e6
    std = xu.std(axis=0) if n else np.zeros(n_ch)
    if n:
        hi, lo = xu.max(axis=0), xu.min(axis=0)
        tol = 1e-6 * np.maximum(hi - lo, 1e-12)
        at_ext = (np.abs(xu - hi) <= tol) | (np.abs(xu - lo) <= tol)
        # a couple of samples at the extremes is normal; only plateaus count
        stuck = at_ext.sum(axis=0) - 2
        if saturation_uv is not None:
            stuck = np.maximum(stuck, (np.abs(xu) >= saturation_uv).sum(axis=0))
        clip = np.clip(stuck, 0, None) / n
        clip[std < 1e-9] = 0.0  # a perfectly flat channel is "flat", not "clipped"
    else:
        clip = np.zeros(n_ch)
    line = np.zeros(n_ch)
    if n >= int(sfreq) and line_freq < sfreq / 2 - 1:
        f, p = welch(xu, sfreq, int(sfreq), axis=0)  # each segment's mean removed
        band = (f >= line_freq - 1) & (f <= line_freq + 1)
        broad = (f >= 1) & (f <= 45)
        line = p[band].sum(axis=0) / np.maximum(p[broad].sum(axis=0), 1e-20)
    return {"std_uv": std, "clip_fraction": clip, "line_ratio": line, "n_nan": n_nan.astype(float)}


def assess_quality(data: np.ndarray, sfreq: float, ch_names: list[str] | None = None,
                   thresholds: QualityThresholds | None = None) -> list[ChannelQuality]:
    """Traffic-light quality of each channel of ``data`` ``(n_samples, n_channels)`` in volts."""
    th = thresholds or QualityThresholds()
    data = np.asarray(data)
    if data.ndim != 2:
        raise ValueError(f"data must have shape (n_samples, n_channels), got {data.shape}")
    if sfreq <= 0:
        raise ValueError(f"sfreq must be > 0 Hz, got {sfreq}")
    names = list(ch_names) if ch_names is not None else [f"ch{i + 1}" for i in range(data.shape[1])]
    if len(names) != data.shape[1]:
        raise ValueError(f"ch_names has {len(names)} names but data has {data.shape[1]} channels")
    m = channel_metrics(data, sfreq, th.line_freq, th.saturation_uv)
    out = []
    for i, name in enumerate(names):
        q = ChannelQuality(name, metrics={k: float(v[i]) for k, v in m.items()})
        std, clip, ratio = m["std_uv"][i], m["clip_fraction"][i], m["line_ratio"][i]
        if m["n_nan"][i]:
            q.flag("bad", f"{int(m['n_nan'][i])} missing (NaN) samples")
        if data.shape[0] == 0:
            q.flag("warn", "no data yet")
        elif th.flat_uv is not None and std < th.flat_uv:
            q.flag("bad", f"flat line (std {std:.2g} µV < {th.flat_uv:g} µV)")
        if th.clip_fraction is not None and clip >= th.clip_fraction:
            q.flag("bad", f"clipping/saturation ({100 * clip:.1f}% of samples at the limits)")
        if th.bad_std_uv is not None and std > th.bad_std_uv:
            q.flag("bad", f"excessive variance (std {std:.0f} µV > {th.bad_std_uv:g} µV)")
        elif th.warn_std_uv is not None and std > th.warn_std_uv:
            q.flag("warn", f"high variance (std {std:.0f} µV > {th.warn_std_uv:g} µV)")
        if th.line_ratio is not None and ratio > th.line_ratio:
            q.flag("warn", f"line noise ({th.line_freq:g} Hz power {ratio:.1f}x the 1-45 Hz power)")
        out.append(q)
    return out
