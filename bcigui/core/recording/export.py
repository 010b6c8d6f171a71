"""Turn a ``.bcirec`` folder into an MNE Raw with annotations; save it as FIF in a BIDS layout; EDF/BDF.

Marker onsets are placed by interpolating their LSL time on the sample timestamps. Samples missing
at a jump in the timestamps (longer than 2.5 sample periods: outlet lost, buffer overrun) are filled
by linear interpolation so that the file's time axis stays the LSL clock, and annotated ``BAD_gap``
(as are gaps the acquisition reported without a jump).
"""

from __future__ import annotations

import datetime as dt
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.recording.writer import COMPLETE, DATA, GAPS, HEADER, MARKERS, TIMES


@dataclass
class RecordingContent:
    """Everything readable from a ``.bcirec`` folder."""

    header: dict[str, Any]
    data: np.ndarray  # (n_samples, n_channels) float32
    times: np.ndarray  # (n_samples,) float64
    markers: list[tuple[float, str]]
    gaps: list[tuple[float, float, str]] = field(default_factory=list)
    complete: bool = False
    truncated_bytes: int = 0


def _read_jsonl(path: Path) -> list[dict]:
    out = []
    if not path.exists():
        return out
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError:  # a line cut by a crash: everything before it is fine
                break
    return out


def read_bcirec(path: str | Path) -> RecordingContent:
    """Read the consistent part of a (possibly interrupted) ``.bcirec`` folder."""
    path = Path(path)
    if not (path / HEADER).is_file():
        raise FileNotFoundError(f"{path} is not a bcigui recording folder: {HEADER} is missing")
    header = json.loads((path / HEADER).read_text(encoding="utf-8"))
    n_ch = len(header["ch_names"])
    raw_bytes = (path / DATA).read_bytes() if (path / DATA).exists() else b""
    time_bytes = (path / TIMES).read_bytes() if (path / TIMES).exists() else b""
    n = min(len(raw_bytes) // (4 * n_ch), len(time_bytes) // 8)
    truncated = len(raw_bytes) - n * 4 * n_ch + len(time_bytes) - n * 8
    data = np.frombuffer(raw_bytes, dtype="<f4", count=n * n_ch).reshape(n, n_ch)
    times = np.frombuffer(time_bytes, dtype="<f8", count=n)
    markers = [(float(m["t"]), str(m["label"])) for m in _read_jsonl(path / MARKERS)]
    gaps = [(float(g["onset"]), float(g["duration"]), str(g.get("reason", "BAD_gap")))
            for g in _read_jsonl(path / GAPS)]
    return RecordingContent(header, data, times, sorted(markers), gaps, (path / COMPLETE).exists(), truncated)


def _onsets(t: np.ndarray, times: np.ndarray, sfreq: float) -> np.ndarray:
    """Seconds from the first sample for LSL times ``t`` (interpolated on the sample timestamps)."""
    idx = np.arange(len(times), dtype=float)
    inside = np.interp(t, times, idx)
    # outside the recorded span: extrapolate with the nominal rate
    inside = np.where(t < times[0], (t - times[0]) * sfreq, inside)
    inside = np.where(t > times[-1], idx[-1] + (t - times[-1]) * sfreq, inside)
    return inside / sfreq


def detect_gaps(times: np.ndarray, sfreq: float, tolerance: float = 2.5) -> list[tuple[float, float]]:
    """``(onset, duration)`` on the LSL clock of jumps longer than ``tolerance`` sample periods."""
    if len(times) < 2:
        return []
    d = np.diff(times)
    where = np.flatnonzero(d > tolerance / sfreq)
    return [(float(times[i]) + 1.0 / sfreq, float(d[i] - 1.0 / sfreq)) for i in where]


MAX_FILL_SECONDS = 300.0


def fill_gaps(data: np.ndarray, times: np.ndarray, sfreq: float, tolerance: float = 2.5
              ) -> tuple[np.ndarray, np.ndarray, list[tuple[float, float]]]:
    """Insert the samples missing at timestamp jumps (linear between the neighbours, so filters see
    no step), keeping the recording's time axis equal to the LSL clock; returns the gaps filled
    ``(onset, duration)``. Jumps longer than ``MAX_FILL_SECONDS`` are left as they are (but listed)."""
    d = np.diff(times)
    where = np.flatnonzero(d > tolerance / sfreq)
    if not len(where):
        return data, times, []
    pieces, tpieces, gaps, start = [], [], [], 0
    for i in where:
        pieces.append(data[start:i + 1])
        tpieces.append(times[start:i + 1])
        n_miss = int(round(d[i] * sfreq)) - 1
        gaps.append((float(times[i]) + 1.0 / sfreq, max(n_miss, 1) / sfreq))
        if 0 < n_miss <= MAX_FILL_SECONDS * sfreq:
            frac = np.arange(1, n_miss + 1) / (n_miss + 1)
            pieces.append(data[i] + (data[i + 1] - data[i]) * frac[:, None])
            tpieces.append(times[i] + (times[i + 1] - times[i]) * frac)
        start = i + 1
    pieces.append(data[start:])
    tpieces.append(times[start:])
    return np.concatenate(pieces), np.concatenate(tpieces), gaps


def to_raw(content: RecordingContent, montage: bool = True):
    """MNE ``RawArray`` (volts) with annotations for markers and gaps, subject info and montage.

    Samples missing at timestamp jumps are filled (see :func:`fill_gaps`) and annotated ``BAD_gap``;
    so are gaps reported by the acquisition that left no jump in the timestamps.
    """
    import mne

    h = content.header
    if len(content.times) < 2:
        raise ValueError(f"the recording holds {len(content.times)} sample(s); at least 2 are needed")
    sfreq = float(h["sfreq"])
    data, times, filled = fill_gaps(content.data, content.times, sfreq)
    ch_types = list(h.get("ch_types") or ["eeg"] * len(h["ch_names"]))
    info = mne.create_info(list(h["ch_names"]), sfreq, ch_types)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = mne.io.RawArray(data.T.astype(np.float64), info, verbose="error")
    meta = h.get("meta", {})
    start = meta.get("start_unix", h.get("created_unix"))
    if start is not None:
        raw.set_meas_date(dt.datetime.fromtimestamp(float(start), tz=dt.UTC))
    subject = meta.get("subject")
    with raw.info._unlock():
        if subject:
            raw.info["subject_info"] = {"his_id": str(subject)}
        if meta.get("operator"):
            raw.info["experimenter"] = str(meta["operator"])
        desc = {k: meta[k] for k in ("notes", "paradigm", "session", "task", "run") if k in meta}
        if not content.complete:
            desc["recovered"] = True
        raw.info["description"] = json.dumps(desc, default=str)
        raw.info["line_freq"] = meta.get("line_freq")
    onsets, durations, labels = [], [], []
    if content.markers:
        t = np.array([m[0] for m in content.markers])
        onsets += list(_onsets(t, times, sfreq))
        durations += [0.0] * len(t)
        labels += [m[1] for m in content.markers]
    gaps = list(filled)
    for onset, duration, _ in content.gaps:  # acquisition gaps not already seen as a jump
        if np.isfinite(onset) and not any(o - 1.0 < onset < o + d + 1.0 for o, d in filled):
            gaps.append((onset, duration))
    for onset, duration in gaps:
        onsets.append(float(_onsets(np.array([onset]), times, sfreq)[0]))
        durations.append(max(float(duration), 1.0 / sfreq))
        labels.append("BAD_gap")
    if onsets:
        end = raw.times[-1] + 1.0 / sfreq
        keep = [i for i, o in enumerate(onsets) if -1e-9 <= o <= end]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw.set_annotations(mne.Annotations(
                [max(0.0, onsets[i]) for i in keep], [min(durations[i], end - onsets[i]) for i in keep],
                [labels[i] for i in keep]))
    if montage:
        _set_montage(raw)
    return raw


def _set_montage(raw) -> None:
    try:
        from bcigui.core.data.montage import standard_montage

        mont = standard_montage()
    except Exception:  # noqa: BLE001 - montage is optional decoration
        return
    known = {n.lower(): n for n in mont.ch_names}
    eeg = [n for n, t in zip(raw.ch_names, raw.get_channel_types(), strict=True) if t == "eeg"]
    if any(n.lower() in known for n in eeg):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw.set_montage(mont, on_missing="ignore", match_case=False, verbose="error")


def bids_path(root: str | Path, subject: str, session: str | None, task: str, run: int,
              extension: str = ".fif"):
    """The ``mne_bids.BIDSPath`` of a run: ``sub-XX/ses-YY/eeg/sub-XX_ses-YY_task-T_run-RR_eeg.fif``."""
    from mne_bids import BIDSPath

    return BIDSPath(subject=subject, session=session or None, task=task, run=f"{int(run):02d}",
                    datatype="eeg", suffix="eeg", extension=extension, root=Path(root))


BIDS_FORMATS = {"fif": ".fif", "brainvision": ".vhdr", "edf": ".edf", "bdf": ".bdf"}


def write_bids(raw, root: str | Path, subject: str, session: str | None, task: str, run: int,
               fmt: str = "fif") -> Path:
    """Save ``raw`` with its sidecars as a BIDS run; an existing run is never overwritten.

    ``fmt="fif"`` (default) keeps the data in FIF: mne-bids only converts EEG to BrainVision/EDF/BDF,
    so the sidecars are written by ``write_raw_bids`` (BrainVision) and the data file is then
    replaced by the FIF (``scans.tsv`` updated). Other formats are written by mne-bids as they are.
    """
    from mne_bids import write_raw_bids

    fmt = fmt.lower()
    if fmt not in BIDS_FORMATS:
        raise ValueError(f"fmt must be one of {sorted(BIDS_FORMATS)}, got {fmt!r}")
    target = bids_path(root, subject, session, task, run, BIDS_FORMATS[fmt])
    for ext in BIDS_FORMATS.values():
        other = bids_path(root, subject, session, task, run, ext).fpath
        if other.exists():
            raise FileExistsError(f"{other} already exists; runs are never overwritten (choose another run)")
    bp = bids_path(root, subject, session, task, run, ".vhdr" if fmt == "fif" else BIDS_FORMATS[fmt])
    mne_fmt = {"fif": "BrainVision", "brainvision": "BrainVision", "edf": "EDF", "bdf": "BDF"}[fmt]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        write_raw_bids(raw, bp, allow_preload=True, format=mne_fmt, overwrite=False, verbose="error")
    if fmt != "fif":
        return Path(bp.fpath)
    vhdr = Path(bp.fpath)
    fif = Path(target.fpath)
    raw.save(fif, verbose="error")
    for ext in (".vhdr", ".vmrk", ".eeg"):
        vhdr.with_suffix(ext).unlink(missing_ok=True)
    for scans in Path(root).glob(f"sub-{subject}/**/*_scans.tsv"):
        text = scans.read_text(encoding="utf-8")
        if vhdr.name in text:
            scans.write_text(text.replace(vhdr.name, fif.name), encoding="utf-8")
    return fif


def finalize(bcirec: str | Path, root: str | Path | None = None, fmt: str = "fif") -> Path:
    """Write the BIDS run described by the recording header (``meta.bids``); return its path."""
    content = read_bcirec(bcirec)
    bids = content.header.get("meta", {}).get("bids")
    if not bids:
        raise ValueError(f"{bcirec}: the header has no BIDS entities (meta.bids); use save_fif instead")
    raw = to_raw(content)
    return write_bids(raw, root or bids["root"], bids["subject"], bids.get("session"), bids["task"], bids["run"], fmt)


def save_fif(bcirec: str | Path, out: str | Path) -> Path:
    """Write a plain FIF file (``..._raw.fif`` or ``..._eeg.fif``) from a recording folder."""
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} already exists; choose another output path")
    raw = to_raw(read_bcirec(bcirec))
    raw.save(out, verbose="error")
    return out


def export_raw(raw, path: str | Path, fmt: str | None = None) -> Path:
    """Export to EDF or BDF (``fmt`` from the extension if omitted) through ``mne.export``."""
    import mne

    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("edf", "bdf"):
        raise ValueError(f"fmt must be one of ['edf', 'bdf'], got {fmt!r}")
    if path.exists():
        raise FileExistsError(f"{path} already exists; choose another output path")
    raw = raw.copy()
    raw.set_annotations(raw.annotations)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mne.export.export_raw(path, raw, fmt=fmt, physical_range="auto", verbose="error")
    return path
