"""Load EEG recordings of any supported format into one shape: an MNE Raw plus a list of events.

Supported: FIF (events from annotations, or from a sibling MNE event file ``X-eve.fif`` next to
``X_raw.fif``), EDF/BDF, GDF, BrainVision (``.vhdr``) and XDF (first EEG stream + marker streams).
Channel names are standardised (PhysioNet's ``C3..`` becomes ``C3``) and a standard 10-05 montage is
set on the channels whose labels it knows. Data are in volts.
"""

from __future__ import annotations

import warnings
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import mne
import numpy as np

from bcigui.core.data.channels import normalize_channel_names
from bcigui.core.data.montage import standard_montage
from bcigui.core.data.units import resolve_units

SUPPORTED = (".fif", ".fif.gz", ".edf", ".bdf", ".gdf", ".vhdr", ".xdf", ".xdfz")


@dataclass(frozen=True)
class Event:
    """An event: onset in seconds from the start of the recording, duration, description, and the
    stream it came from when the file says (FIF annotation extras, BIDS ``events.tsv``, XDF)."""

    onset: float
    duration: float
    description: str
    stream: str = ""


@dataclass
class Recording:
    """One continuous recording (EEG channels only) and its events."""

    raw: mne.io.BaseRaw
    events: list[Event]
    path: Path
    run: int = 0
    gaps: list[tuple[float, float]] = field(default_factory=list)

    @property
    def sfreq(self) -> float:
        return float(self.raw.info["sfreq"])

    @property
    def ch_names(self) -> list[str]:
        return list(self.raw.ch_names)

    def event_labels(self) -> list[str]:
        """Distinct event descriptions, in order of first appearance."""
        return list(dict.fromkeys(e.description for e in self.events))

    def event_streams(self) -> list[str]:
        """Distinct source streams of the events ("" for events whose source is unknown)."""
        return list(dict.fromkeys(e.stream for e in self.events))

    def from_streams(self, streams: Collection[str]) -> Recording:
        """The same recording with only the events of ``streams`` (the data are shared, not copied)."""
        keep = set(streams)
        return replace(self, events=[e for e in self.events if e.stream in keep])


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for ext in SUPPORTED:
        if name.endswith(ext):
            return ext
    return path.suffix.lower()




def standardize_names(raw: mne.io.BaseRaw) -> None:
    """Normalise channel names in place (:func:`~bcigui.core.data.channels.normalize_channel_names`:
    padding dots stripped, 10-05 capitalisation restored, ``Fc5.`` -> ``FC5``)."""
    mapping = {old: new for old, new in zip(raw.ch_names, normalize_channel_names(raw.ch_names), strict=True)
               if old != new}
    if mapping:
        raw.rename_channels(mapping)


def _set_montage(raw: mne.io.BaseRaw) -> None:
    montage = standard_montage()
    if any(ch in montage.ch_names for ch in raw.ch_names):
        raw.set_montage(montage, on_missing="ignore", match_case=False)


def _annotation_rows(raw: mne.io.BaseRaw) -> list[tuple[float, float, str]]:
    """Annotations as (onset from the first sample in s, duration, description)."""
    ann = raw.annotations
    shift = raw.first_time if ann.orig_time is not None else 0.0
    return [
        (round(float(o) - shift, 9), float(d), str(desc))
        for o, d, desc in zip(ann.onset, ann.duration, ann.description, strict=True)
    ]


def _annotation_streams(raw: mne.io.BaseRaw, path: Path) -> list[str]:
    """Source stream of each annotation: FIF extras, else the ``stream`` column of the BIDS
    ``events.tsv`` beside the file (matched by onset and description), else ""."""
    ann = raw.annotations
    extras = getattr(ann, "extras", None) or [{}] * len(ann)
    out = [str((x or {}).get("stream", "") or "") for x in extras]
    tsv = path.with_name(path.name.rsplit("_eeg.", 1)[0] + "_events.tsv") if "_eeg." in path.name else None
    if any(out) or tsv is None or not tsv.is_file():
        return out
    try:
        import csv

        with open(tsv, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t"))
    except (OSError, csv.Error):
        return out
    if not rows or "stream" not in rows[0]:
        return out
    table = {(round(float(r["onset"]), 3), r.get("trial_type", "")): r["stream"] for r in rows
             if r.get("onset", "n/a") != "n/a"}
    rows_ = _annotation_rows(raw)
    return [table.get((round(o, 3), desc.removeprefix("Comment/")), "") for o, _, desc in rows_]


def _events_from_annotations(raw: mne.io.BaseRaw, path: Path) -> list[Event]:
    streams = _annotation_streams(raw, path)
    return [
        Event(o, d, desc.removeprefix("Comment/"), "" if stream == "n/a" else stream)  # BrainVision "Comment/"
        for (o, d, desc), stream in zip(_annotation_rows(raw), streams, strict=True)
        if not desc.upper().startswith(("BAD", "EDGE"))
    ]


def _load_xdf(path: Path) -> tuple[mne.io.BaseRaw, list[Event]]:
    import pyxdf

    streams, _ = pyxdf.load_xdf(str(path), dejitter_timestamps=True)
    eeg = [s for s in streams if s["info"]["type"][0].lower() == "eeg" and len(s["time_stamps"])]
    if not eeg:
        raise ValueError(f"{path}: no EEG stream with data in this XDF file")
    s = eeg[0]
    info = s["info"]
    sfreq = float(info["nominal_srate"][0])
    if sfreq <= 0:
        raise ValueError(f"{path}: EEG stream has an irregular sampling rate")
    n_ch = int(info["channel_count"][0])
    names, units, types = [], [], []
    stype = str(info["type"][0])
    try:
        for ch in info["desc"][0]["channels"][0]["channel"]:
            names.append(ch["label"][0])
            units.append(((ch.get("unit") or [""])[0] or "").strip())
            types.append(((ch.get("type") or [""])[0] or "").strip() or stype)
    except (KeyError, IndexError, TypeError):
        names, units, types = [], [], []
    if len(names) != n_ch:  # no channel metadata: LSL EEG convention (microvolts), said in a warning
        warnings.warn(f"{path}: the EEG stream of this XDF file has no channel metadata; channels are named "
                      "EEG001... and read as microvolts", stacklevel=2)
        names, units, types = [f"EEG{i + 1:03d}" for i in range(n_ch)], ["microvolts"] * n_ch, ["EEG"] * n_ch
    resolved = resolve_units(names, units, types, str(info["name"][0]))
    for u in resolved:
        if u.problem:
            warnings.warn(f"{path}: {u.problem}", stacklevel=2)
    data = np.asarray(s["time_series"], dtype=np.float64).T
    scale = np.array([u.scale for u in resolved])
    ch_types = ["eeg" if u.is_volts else "misc" for u in resolved]
    raw = mne.io.RawArray(data * scale[:, None], mne.create_info(names, sfreq, ch_types), verbose=False)
    t_first = float(s["time_stamps"][0])
    events = []
    for m in streams:
        if m is s or float(m["info"]["nominal_srate"][0]) != 0:
            continue
        for ts, val in zip(m["time_stamps"], m["time_series"], strict=False):
            label = val[0] if isinstance(val, list | tuple | np.ndarray) else val
            events.append(Event(float(ts) - t_first, 0.0, str(label), str(m["info"]["name"][0])))
    events.sort(key=lambda e: e.onset)
    return raw, events


def _sibling_event_file(path: Path) -> Path | None:
    name = path.name
    for suffix in ("_raw.fif", "-raw.fif", ".fif"):
        if name.endswith(suffix):
            cand = path.with_name(name[: -len(suffix)] + "-eve.fif")
            if cand.exists():
                return cand
    return None


def _bids_bads(path: Path) -> set[str]:
    """Channels whose ``status`` is ``bad`` in the ``_channels.tsv`` of a BIDS run (``..._eeg.vhdr``)."""
    stem, sep, _ = path.name.rpartition("_eeg.")
    tsv = path.with_name(f"{stem}_channels.tsv")
    if not sep or not tsv.is_file():
        return set()
    lines = [line.split("\t") for line in tsv.read_text(encoding="utf-8").splitlines() if line.strip()]
    if not lines or "name" not in lines[0] or "status" not in lines[0]:
        return set()
    name, status = lines[0].index("name"), lines[0].index("status")
    return {row[name] for row in lines[1:] if len(row) > max(name, status) and row[status].strip().lower() == "bad"}


def _edf_truncation(path: Path) -> str | None:
    """Why an EDF/BDF file lacks data its header declares (a truncated copy), or ``None``."""
    with open(path, "rb") as f:
        head = f.read(256)
        try:
            header_bytes, n_records = int(head[184:192]), int(head[236:244])
            duration, ns = float(head[244:252]), int(head[252:256])
            f.seek(256 + ns * 216)
            per_record = sum(int(f.read(8)) for _ in range(ns))
        except ValueError:
            return None  # not a header we can check; MNE will say what is wrong
    width = 3 if head[:1] == b"\xff" else 2  # BDF: 24-bit samples
    size = path.stat().st_size
    if n_records <= 0 or per_record <= 0:
        return None
    have = max(0, size - header_bytes) // (per_record * width)
    if have >= n_records:
        return None
    return (f"{path} is truncated: its header declares {n_records} data records ({n_records * duration:g} s) "
            f"but the file holds {have} ({have * duration:g} s, {size} of {header_bytes + n_records * per_record * width}"
            " bytes); copy the complete file")


def load_recording(path: str | Path, run: int = 0) -> Recording:
    """Load one recording; see the module docstring for formats. Raises with a clear message."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"Recording not found: {path}")
    ext = _suffix(path)
    if path.is_file() and path.stat().st_size == 0:
        raise ValueError(f"{path} is empty (0 bytes)")
    if ext in (".edf", ".bdf"):
        problem = _edf_truncation(path)
        if problem:
            raise ValueError(problem)
    try:
        return _load(path, ext, run)
    except (FileNotFoundError, NotImplementedError):
        raise
    except ValueError as err:
        if str(path) in str(err):
            raise
        raise ValueError(f"{path}: cannot read this {ext} recording, it looks damaged or truncated: {err}") from err
    except Exception as err:  # MNE's readers fail on damaged files with all kinds of errors
        raise ValueError(f"{path}: cannot read this {ext} recording; it is damaged or truncated "
                         f"({type(err).__name__}: {err})") from err


def _load(path: Path, ext: str, run: int) -> Recording:
    events: list[Event] | None = None
    if ext in (".fif", ".fif.gz"):
        raw = mne.io.read_raw_fif(path, preload=True, verbose="error")
        eve = _sibling_event_file(path)
        if eve is not None:
            arr = mne.read_events(eve, verbose="error")
            sf = raw.info["sfreq"]
            events = [
                Event(float((s - raw.first_samp) / sf), 0.0, str(code)) for s, _, code in arr
            ]
    elif ext in (".edf", ".bdf", ".gdf", ".vhdr"):
        raw = mne.io.read_raw(path, preload=True, verbose="error")
    elif ext in (".xdf", ".xdfz"):
        raw, events = _load_xdf(path)
    else:
        raise ValueError(f"Unsupported recording format {ext!r} for {path}; supported: {list(SUPPORTED)}")
    if events is None:
        events = _events_from_annotations(raw, path)
    raw.info["bads"] = sorted(set(raw.info["bads"]) | (_bids_bads(path) & set(raw.ch_names)))
    gaps = [(o, d) for o, d, desc in _annotation_rows(raw) if desc.upper().startswith("BAD")]
    picks = mne.pick_types(raw.info, eeg=True, exclude=[])
    if len(picks) == 0:
        raise ValueError(f"{path}: no EEG channels found")
    raw.pick(picks)
    standardize_names(raw)
    _set_montage(raw)
    return Recording(raw=raw, events=events, path=path, run=run, gaps=gaps)


def load_recordings(paths: list[str | Path]) -> list[Recording]:
    """Load several recordings; ``run`` is the index in ``paths`` (used for run-wise CV)."""
    if not paths:
        raise ValueError("No recording given")
    recs = [load_recording(p, run=i) for i, p in enumerate(paths)]
    seen: dict[str, Path | None] = {}
    for rec in recs:
        key = samples_fingerprint(rec.raw)
        if key in seen:
            raise ValueError(f"{rec.path} and {seen[key]} hold the same recording (identical samples); give each "
                             "recording once: a trial in both would be trained on and tested on, and the accuracy "
                             "would be too good to be true")
        seen[key] = rec.path
    return recs


def samples_fingerprint(raw: Any) -> str:
    """sha256 of a recording's rate, length and first 30 s of samples as stored in any format (µV rounded
    to 0.01, float32): the same recording saved as EDF, FIF or BrainVision has one fingerprint."""
    import hashlib

    sfreq = float(raw.info["sfreq"])
    data = np.round(raw.get_data(stop=min(raw.n_times, int(30 * sfreq))) * 1e6, 2).astype(np.float32)
    head = f"{sfreq:.6f}:{len(raw.ch_names)}:{raw.n_times}".encode()
    return hashlib.sha256(head + data.tobytes()).hexdigest()
