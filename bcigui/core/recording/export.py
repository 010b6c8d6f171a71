"""Turn a ``.bcirec`` folder into an MNE Raw with annotations; write it as a BIDS run; export it.

The BIDS run's data file is BrainVision (float32, the BIDS EEG format that keeps the recorded float32
samples) by default, or EDF/BDF; the lossless FIF copy (float64 for streams sent in double precision)
goes next to the crash-safe folder in ``sourcedata/``, which BIDS ignores. The sidecars say what is
known: manufacturer and model from the stream's metadata (else ``n/a``), channel units read back
from the data file, participants and dataset description from the session, and the source stream
of every event (``stream`` column of ``events.tsv``). :func:`export_run` writes a run as
EDF/BDF/BrainVision/XDF/FIF (``bcigui export``).

Marker onsets are placed by interpolating their LSL time on the sample timestamps. Samples missing
at a jump in the timestamps (longer than 2.5 sample periods: outlet lost, buffer overrun) are filled
by linear interpolation so that the file's time axis stays the LSL clock, and annotated ``BAD_gap``
(as are gaps the acquisition reported without a jump); see :mod:`.timeline`.

Samples are memory-mapped, never loaded whole: the BIDS run (BrainVision) and the FIF copy are
written block by block, so saving a recording of any length needs a few megabytes.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.checks import invalid_option
from bcigui.core.recording.timeline import Timeline, make_raw, open_rows
from bcigui.core.recording.writer import COMPLETE, DATA_FILES, GAPS, HEADER, MARKERS, SUFFIX, TIMES


@dataclass
class RecordingContent:
    """Everything readable from a ``.bcirec`` folder."""

    header: dict[str, Any]
    data: np.ndarray  # (n_samples, n_channels) float32 (float64 for streams sent in double precision)
    times: np.ndarray  # (n_samples,) float64
    markers: list[tuple[float, str]]
    gaps: list[tuple[float, float, str]] = field(default_factory=list)
    complete: bool = False
    truncated_bytes: int = 0
    marker_streams: list[str] = field(default_factory=list)  # source stream of each marker ("" if unknown)


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
    try:
        header = json.loads((path / HEADER).read_text(encoding="utf-8"))
        n_ch = len(header["ch_names"])
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as err:
        raise ValueError(f"{path}: its {HEADER} is damaged ({type(err).__name__}: {err}); the samples may still be "
                         f"there, but the channel names and rate are unknown") from None
    dtype = header.get("dtype", "<f4")
    if dtype not in DATA_FILES:
        raise ValueError(f"{path}: unknown sample type {dtype!r} in {HEADER}; known: {sorted(DATA_FILES)}")
    data_file = path / DATA_FILES[dtype]
    width = np.dtype(dtype).itemsize
    data_bytes = data_file.stat().st_size if data_file.exists() else 0
    time_bytes = (path / TIMES).stat().st_size if (path / TIMES).exists() else 0
    n = min(data_bytes // (width * n_ch), time_bytes // 8)
    truncated = data_bytes - n * width * n_ch + time_bytes - n * 8
    data = open_rows(data_file, dtype, n, n_ch)  # memory-mapped: a recording of any length
    times = open_rows(path / TIMES, "<f8", n, 1)[:, 0]
    rows = sorted((float(m["t"]), str(m["label"]), str(m.get("stream", ""))) for m in _read_jsonl(path / MARKERS))
    gaps = [(float(g["onset"]), float(g["duration"]), str(g.get("reason", "BAD_gap")))
            for g in _read_jsonl(path / GAPS)]
    return RecordingContent(header, data, times, [(t, label) for t, label, _ in rows], gaps,
                            (path / COMPLETE).exists(), truncated, [s for _, _, s in rows])


def to_raw(content: RecordingContent, montage: bool = True):
    """MNE Raw (volts, read block by block from the recording) with annotations for markers and gaps,
    subject info and montage.

    Samples missing at timestamp jumps are filled and annotated ``BAD_gap`` (see :class:`.Timeline`);
    so are gaps reported by the acquisition that left no jump in the timestamps, and the end of a run
    whose EEG stream was lost while markers still came.
    """
    import mne

    h = content.header
    if len(content.times) < 2:
        raise ValueError(f"the recording holds {len(content.times)} sample(s); at least 2 are needed")
    sfreq = float(h["sfreq"])
    timeline = Timeline.build(content.times, sfreq, [m[0] for m in content.markers])
    filled = list(timeline.gaps)
    ch_types = mne_channel_types(h)
    info = mne.create_info(list(h["ch_names"]), sfreq, ch_types)
    raw = make_raw(info, timeline, content.data)
    meta = h.get("meta", {})
    start = meta.get("start_unix", h.get("created_unix"))
    if start is not None:
        raw.set_meas_date(dt.datetime.fromtimestamp(float(start), tz=dt.UTC))
    subject = meta.get("subject")
    with raw.info._unlock():
        if subject:
            raw.info["subject_info"] = _subject_info(meta)
        if meta.get("operator"):
            raw.info["experimenter"] = str(meta["operator"])
        desc = {k: meta[k] for k in ("notes", "paradigm", "session", "task", "run") if k in meta}
        if not content.complete:
            desc["recovered"] = True
        raw.info["description"] = json.dumps(desc, default=str)
        raw.info["line_freq"] = meta.get("line_freq")
        raw.info["bads"] = [c for c in meta.get("bads") or [] if c in raw.ch_names]  # marked at the signal check
    onsets, durations, labels, streams = [], [], [], []
    eeg_stream = str(meta.get("stream", {}).get("name", "")) or "n/a"
    if content.markers:
        t = np.array([m[0] for m in content.markers])
        onsets += list(timeline.onsets(t, content.times))
        durations += [0.0] * len(t)
        labels += [m[1] for m in content.markers]
        known = content.marker_streams if len(content.marker_streams) == len(t) else [""] * len(t)
        streams += [s or "n/a" for s in known]
    gaps = list(filled)
    for onset, duration, _ in content.gaps:  # acquisition gaps not already seen as a jump
        if np.isfinite(onset) and not any(o - 1.0 < onset < o + d + 1.0 for o, d in filled):
            gaps.append((onset, duration))
    for onset, duration in gaps:
        onsets.append(float(timeline.onsets(np.array([onset]), content.times)[0]))
        durations.append(max(float(duration), 1.0 / sfreq))
        labels.append("BAD_gap")
        streams.append(eeg_stream)  # a gap is missing data of the EEG stream
    if onsets:
        end = raw.times[-1] + 1.0 / sfreq
        keep = [i for i, o in enumerate(onsets) if -1e-9 <= o <= end]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            raw.set_annotations(mne.Annotations(
                [max(0.0, onsets[i]) for i in keep], [min(durations[i], end - onsets[i]) for i in keep],
                [labels[i] for i in keep], extras=[{"stream": streams[i]} for i in keep]))
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


_SEX = {"m": 1, "male": 1, "f": 2, "female": 2}
_HAND = {"r": 1, "right": 1, "l": 2, "left": 2, "a": 3, "ambidextrous": 3}


def _subject_info(meta: dict[str, Any]) -> dict[str, Any]:
    """MNE ``subject_info`` from the session metadata (``subject``; ``sex``, ``hand`` when given)."""
    info: dict[str, Any] = {"his_id": str(meta["subject"])}
    sex = _SEX.get(str(meta.get("sex", "")).strip().lower())
    hand = _HAND.get(str(meta.get("hand", meta.get("handedness", ""))).strip().lower())
    if sex:
        info["sex"] = sex
    if hand:
        info["hand"] = hand
    return info


def mne_channel_types(header: dict[str, Any]) -> list[str]:
    """MNE channel types of a recording: a voltage channel whose values are not in volts (no or an
    unknown unit at the inlet) becomes ``misc``, so that nothing labels them volts."""
    from bcigui.core.data.units import is_voltage_type

    n = len(header["ch_names"])
    types = list(header.get("ch_types") or ["eeg"] * n)
    units = list(header.get("units") or ["V"] * n)
    return ["misc" if is_voltage_type(t) and u != "V" else t for t, u in zip(types, units, strict=True)]


def bids_path(root: str | Path, subject: str, session: str | None, task: str, run: int,
              extension: str = ".vhdr"):
    """The ``mne_bids.BIDSPath`` of a run: ``sub-XX/ses-YY/eeg/sub-XX_ses-YY_task-T_run-RR_eeg.vhdr``."""
    from mne_bids import BIDSPath

    return BIDSPath(subject=subject, session=session or None, task=task, run=f"{int(run):02d}",
                    datatype="eeg", suffix="eeg", extension=extension, root=Path(root))


BIDS_FORMATS = {"brainvision": ".vhdr", "edf": ".edf", "bdf": ".bdf"}
DEFAULT_BIDS_FORMAT = "brainvision"
RUN_EXTENSIONS = (".vhdr", ".edf", ".bdf", ".fif")  # data files of a run in any layout bcigui wrote
BIDSIGNORE = ("*.bcimodel", "*_feedback.json")  # bcigui's own files in sub-XX/ses-YY/ beside eeg/
_MNE_FORMATS = {"brainvision": "BrainVision", "edf": "EDF", "bdf": "BDF"}


def existing_run_file(root: str | Path, subject: str, session: str | None, task: str, run: int) -> Path | None:
    """The data file of this run if one exists (in any of the formats bcigui has written)."""
    for ext in RUN_EXTENSIONS:
        path = Path(bids_path(root, subject, session, task, run, ext).fpath)
        if path.exists():
            return path
    return None


def write_bids(raw, root: str | Path, subject: str, session: str | None, task: str, run: int,
               fmt: str = DEFAULT_BIDS_FORMAT, meta: dict[str, Any] | None = None) -> Path:
    """Write ``raw`` as a BIDS EEG run (BrainVision, EDF or BDF) with truthful sidecars; return the data file.

    ``meta`` is the recording's session metadata (header ``meta``: ``stream``, ``subject``, ``age``,
    ``sex``, ``hand``, ``dataset_name``...). An existing run is never overwritten.
    """
    import mne
    from mne_bids import write_raw_bids

    fmt = str(fmt).lower()
    if fmt == "fif":
        raise ValueError("fmt='fif' is not a BIDS EEG data format (the bids-validator rejects it); choose one of "
                         f"{sorted(BIDS_FORMATS)}; finalize() keeps a lossless FIF copy in sourcedata/")
    if fmt not in BIDS_FORMATS:
        raise invalid_option("fmt", fmt, sorted(BIDS_FORMATS))
    other = existing_run_file(root, subject, session, task, run)
    if other is not None:
        raise FileExistsError(f"{other} already exists; runs are never overwritten (choose another run)")
    bp = bids_path(root, subject, session, task, run, BIDS_FORMATS[fmt])
    if fmt == "brainvision":  # written block by block, then copied in by mne-bids (no sample in memory)
        Path(root).mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".bcigui-", dir=root) as tmp:
            units = dict(zip((meta or {}).get("ch_names") or [], (meta or {}).get("units") or [], strict=False))
            vhdr = write_brainvision(raw, Path(tmp) / bp.basename, units)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                written = mne.io.read_raw_brainvision(vhdr, preload=False, verbose="error")
                _copy_description(raw, written)
                write_raw_bids(written, bp, format="auto", overwrite=False, verbose="error")
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            write_raw_bids(raw, bp, allow_preload=True, format=_MNE_FORMATS[fmt], overwrite=False, verbose="error")
    describe_run(bp, meta or {})
    return Path(bp.fpath)


def _copy_description(source, target) -> None:
    """Give ``target`` (the same samples read back from a file) everything BIDS takes from ``source``:
    channel types, bad channels, date, subject, line frequency, annotations with their extras."""
    import mne

    target.set_channel_types(dict(zip(target.ch_names, source.get_channel_types(), strict=True)),
                             on_unit_change="ignore")
    if source.info["meas_date"] is not None:
        target.set_meas_date(source.info["meas_date"])
    with target.info._unlock():
        for key in ("subject_info", "line_freq", "experimenter", "description"):
            target.info[key] = source.info[key]
        target.info["bads"] = list(source.info["bads"])
    ann = source.annotations
    target.set_annotations(mne.Annotations(ann.onset, ann.duration, ann.description, orig_time=ann.orig_time,
                                           extras=ann.extras))


BLOCK_SECONDS = 1.0


def write_brainvision(raw, vhdr: str | Path, units: dict[str, str] | None = None,
                      block_seconds: float = BLOCK_SECONDS) -> Path:
    """``raw`` as a BrainVision file set (``.vhdr``/``.eeg``/``.vmrk``; float32, voltages in µV, other
    channels in their own ``units``), read and written ``block_seconds`` at a time. Markers are
    ``Comment`` markers named after the annotations."""
    from mne._fiff.constants import FIFF

    from bcigui import __version__

    vhdr = Path(vhdr)
    eeg, vmrk = vhdr.with_suffix(".eeg"), vhdr.with_suffix(".vmrk")
    volts = np.array([ch["unit"] == FIFF.FIFF_UNIT_V for ch in raw.info["chs"]])
    scale = np.where(volts, 1e6, 1.0)[:, None]
    step = max(1, int(block_seconds * raw.info["sfreq"]))
    with open(eeg, "wb") as f:
        for start in range(0, raw.n_times, step):
            block = raw.get_data(start=start, stop=min(raw.n_times, start + step)) * scale
            f.write(np.ascontiguousarray(block.T, dtype="<f4").tobytes())
    units = units or {}
    channels = [
        f"Ch{i + 1}={_bv_text(name)},,1,{'µV' if v else (units.get(name) or 'n/a')}"
        for i, (name, v) in enumerate(zip(raw.ch_names, volts, strict=True))
    ]
    vhdr.write_text("\n".join([
        "Brain Vision Data Exchange Header File Version 1.0", f"; Written by bcigui {__version__}", "",
        "[Common Infos]", "Codepage=UTF-8", f"DataFile={eeg.name}", f"MarkerFile={vmrk.name}",
        "DataFormat=BINARY", "; Data orientation: MULTIPLEXED=ch1,pt1, ch2,pt1 ...", "DataOrientation=MULTIPLEXED",
        f"NumberOfChannels={len(raw.ch_names)}", "; Sampling interval in microseconds",
        f"SamplingInterval={1e6 / raw.info['sfreq']!r}", "", "[Binary Infos]", "BinaryFormat=IEEE_FLOAT_32", "",
        "[Channel Infos]", "; Each entry: Ch<Channel number>=<Name>,<Reference channel name>,",
        '; <Resolution in "Unit">,<Unit>', *channels, "",
    ]), encoding="utf-8")
    vmrk.write_text("\n".join([
        "Brain Vision Data Exchange Marker File, Version 1.0", "", "[Common Infos]", "Codepage=UTF-8",
        f"DataFile={eeg.name}", "", "[Marker Infos]",
        "; Each entry: Mk<Marker number>=<Type>,<Description>,<Position in data points>,",
        ";             <Size in data points>, <Channel number (0 = marker is related to all channels)>", "",
    ]), encoding="utf-8")
    _descriptive_markers(vmrk, raw)
    return vhdr


def _bv_text(text: str) -> str:
    return str(text).replace(",", "\\1")


def _descriptive_markers(vmrk: Path, raw) -> None:
    """Markers of a BrainVision file as ``Comment`` markers carrying the event names (mne-bids writes
    numbered ``Stimulus`` codes, which tools reading the ``.vhdr`` alone cannot name), after a
    ``New Segment`` marker dated with the recording's start."""
    text = vmrk.read_text(encoding="utf-8")
    head, sep, _ = text.partition("Mk1=")
    if not sep:
        head = text.rstrip("\n") + "\n"
    sfreq = float(raw.info["sfreq"])
    date = raw.info["meas_date"]  # the recording's start, read back by MNE, EEGLAB, BrainVision Analyzer
    lines = ["Mk1=New Segment,,1,1,0" + (f",{date.astimezone(dt.UTC):%Y%m%d%H%M%S%f}" if date else "")]
    ann = raw.annotations
    for i, (onset, duration, desc) in enumerate(zip(ann.onset, ann.duration, ann.description, strict=True)):
        sample = int(round((float(onset) - (raw.first_time if ann.orig_time is not None else 0.0)) * sfreq))
        size = max(1, int(round(float(duration) * sfreq))) if duration > 0 else 0
        label = str(desc).replace(",", "\\1")
        lines.append(f"Mk{i + 2}=Comment,{label},{sample + 1},{size},0")
    vmrk.write_text(head + "\n".join(lines) + "\n", encoding="utf-8")


def _read_tsv(path: Path) -> tuple[list[str], list[list[str]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return header, [line.split("\t") for line in lines[1:] if line.strip()]


def _write_tsv(path: Path, header: list[str], rows: list[list[str]]) -> None:
    path.write_text("\n".join("\t".join(r) for r in [header, *rows]) + "\n", encoding="utf-8")


def _update_json(path: Path, update) -> None:
    obj = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    update(obj)
    path.write_text(json.dumps(obj, indent=4, ensure_ascii=False) + "\n", encoding="utf-8")


def describe_run(bp, meta: dict[str, Any]) -> None:
    """Make the sidecars of a freshly written run say what is true (see the module docstring)."""
    import mne

    from bcigui import __version__

    root = Path(bp.root)
    stream = meta.get("stream") or {}

    def eeg_json(obj: dict) -> None:
        obj["Manufacturer"] = str(stream.get("manufacturer") or "n/a")
        obj["ManufacturersModelName"] = str(stream.get("model") or "n/a")
        obj["RecordingType"] = "continuous"
        obj["SoftwareVersions"] = f"bcigui {__version__}"

    _update_json(Path(bp.copy().update(extension=".json").fpath), eeg_json)

    # units: what the data file itself declares, channel by channel
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        written = mne.io.read_raw(bp.fpath, preload=False, verbose="error")
    file_units = dict(getattr(written, "_orig_units", None) or {})
    declared = dict(zip(meta.get("ch_names") or [], meta.get("units") or [], strict=False))
    channels = Path(bp.copy().update(suffix="channels", extension=".tsv").fpath)
    header, rows = _read_tsv(channels)
    col = header.index("units")
    for row in rows:
        unit = file_units.get(row[0]) or ""
        if unit.lower() in ("", "n/a", "na"):
            unit = declared.get(row[0]) or "n/a"
        row[col] = "µV" if unit in ("uV", "μV") else unit
    _write_tsv(channels, header, rows)

    events_json = Path(bp.copy().update(suffix="events", extension=".json").fpath)
    if Path(bp.copy().update(suffix="events", extension=".tsv").fpath).exists():
        _update_json(events_json, lambda obj: obj.update(stream={
            "LongName": "Source stream",
            "Description": "Name of the LSL stream the event came from (a marker stream); for BAD_gap, the EEG "
                           "stream whose samples are missing (filled by linear interpolation)."}))

    participants = root / "participants.tsv"
    if participants.exists() and meta.get("age") not in (None, ""):
        header, rows = _read_tsv(participants)
        if "age" in header:
            for row in rows:
                if row[0] == f"sub-{bp.subject}" and row[header.index("age")] in ("n/a", ""):
                    row[header.index("age")] = str(meta["age"])
            _write_tsv(participants, header, rows)

    def description(obj: dict) -> None:
        if obj.get("Name") in (None, "", "[Unspecified]"):
            obj["Name"] = str(meta.get("dataset_name") or root.resolve().name)
        authors = [a for a in obj.get("Authors", []) if not str(a).startswith("[Unspecified")]
        authors += [str(a) for a in meta.get("authors") or [] if str(a) not in authors]
        if authors:
            obj["Authors"] = authors
        else:  # mne-bids' placeholders are no authors
            obj.pop("Authors", None)
        generated = [g for g in obj.get("GeneratedBy", []) if g.get("Name") != "bcigui"]
        obj["GeneratedBy"] = [{"Name": "bcigui", "Version": __version__}, *generated]

    _update_json(root / "dataset_description.json", description)
    ensure_bidsignore(root)


def ensure_bidsignore(root: str | Path) -> Path:
    """``ROOT/.bidsignore`` listing bcigui's own files (models, feedback logs) so validators skip them."""
    path = Path(root) / ".bidsignore"
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    missing = [p for p in BIDSIGNORE if p not in lines]
    if missing:
        path.write_text("\n".join([*lines, *missing]) + "\n", encoding="utf-8")
    return path


def fif_copy_path(bcirec: str | Path) -> Path:
    """Where the lossless FIF copy of a run goes: beside its crash-safe folder in ``sourcedata/``."""
    bcirec = Path(bcirec)
    stem = bcirec.name[: -len(SUFFIX)] if bcirec.name.endswith(SUFFIX) else bcirec.name
    return bcirec.with_name(f"{stem}_eeg.fif")


def save_raw_fif(raw, content: RecordingContent, out: str | Path) -> Path:
    """``raw`` as FIF, in double precision when the stream was (so nothing is rounded)."""
    out = Path(out)
    raw.save(out, fmt="double" if content.data.dtype == np.float64 else "single", verbose="error")
    return out


def write_run(content: RecordingContent, bcirec: str | Path, root: str | Path | None = None,
              fmt: str = DEFAULT_BIDS_FORMAT, fif_copy: bool = True) -> Path:
    """The BIDS run of a recording read from ``bcirec`` (+ its FIF copy); returns the BIDS data file."""
    meta = dict(content.header.get("meta", {}))
    bids = meta.get("bids")
    if not bids:
        raise ValueError(f"{bcirec}: the header has no BIDS entities (meta.bids); use save_fif instead")
    meta.setdefault("ch_names", content.header.get("ch_names"))
    meta.setdefault("units", content.header.get("units"))
    raw = to_raw(content, montage=False)  # template positions are no measured electrodes.tsv
    path = write_bids(raw, root or bids["root"], bids["subject"], bids.get("session"), bids["task"], bids["run"],
                      fmt, meta)
    copy = fif_copy_path(bcirec)
    if fif_copy and not copy.exists():
        _set_montage(raw)
        save_raw_fif(raw, content, copy)
    return path


def finalize(bcirec: str | Path, root: str | Path | None = None, fmt: str = DEFAULT_BIDS_FORMAT,
             fif_copy: bool = True) -> Path:
    """Write the BIDS run described by the recording header (``meta.bids``); return its data file
    (``..._eeg.vhdr`` by default). ``fif_copy`` also keeps a lossless FIF in ``sourcedata/``."""
    return write_run(read_bcirec(bcirec), bcirec, root, fmt, fif_copy)


def save_fif(bcirec: str | Path, out: str | Path) -> Path:
    """Write a plain FIF file (``..._raw.fif`` or ``..._eeg.fif``) from a recording folder."""
    out = Path(out)
    if out.exists():
        raise FileExistsError(f"{out} already exists; choose another output path")
    raw = to_raw(read_bcirec(bcirec))
    raw.save(out, verbose="error")
    return out


EXPORT_FORMATS = {"edf": ".edf", "bdf": ".bdf", "brainvision": ".vhdr", "xdf": ".xdf", "fif": ".fif"}
_COMPANIONS = {"brainvision": (".eeg", ".vmrk")}


def _export_format(path: Path, fmt: str | None) -> str:
    if fmt is None:
        by_ext = {ext: name for name, ext in EXPORT_FORMATS.items()}
        fmt = by_ext.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(f"cannot tell the format from the extension of {path}; give fmt, one of "
                             f"{sorted(EXPORT_FORMATS)}")
    fmt = str(fmt).lower()
    if fmt not in EXPORT_FORMATS:
        raise invalid_option("format", fmt, sorted(EXPORT_FORMATS))
    return fmt


def _check_free(path: Path, fmt: str) -> None:
    for p in [path, *(path.with_suffix(ext) for ext in _COMPANIONS.get(fmt, ()))]:
        if p.exists():
            raise FileExistsError(f"{p} already exists; choose another output path")


def export_raw(raw, path: str | Path, fmt: str | None = None) -> Path:
    """Write ``raw`` as EDF, BDF, BrainVision (float32 µV) or FIF (``fmt`` from the extension if omitted).

    EDF stores 16-bit and BDF 24-bit integers scaled to each channel's range (``physical_range="auto"``).
    """
    import mne

    path = Path(path)
    fmt = _export_format(path, fmt)
    if fmt == "xdf":
        raise ValueError("export_raw writes edf, bdf, brainvision or fif; XDF needs timestamps: use export_run")
    _check_free(path, fmt)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "fif":
        raw.save(path, fmt="double" if raw.orig_format == "double" else "single", verbose="error")
        return path
    raw = raw.copy()
    raw.set_annotations(raw.annotations)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kwargs = {"physical_range": "auto"} if fmt in ("edf", "bdf") else {}
        mne.export.export_raw(path, raw, fmt=fmt, verbose="error", **kwargs)
    return path


def _xdf_from_content(content: RecordingContent):
    """XDF streams of a recording: the EEG stream as recorded (LSL timestamps, voltages in microvolts,
    other channels as stored) and one marker stream per source stream, with the markers' own stamps."""
    from bcigui.core.data.xdf import XdfStream

    h = content.header
    stream = h.get("meta", {}).get("stream", {}) or {}
    volts = np.array([u == "V" for u in h.get("units") or ["V"] * len(h["ch_names"])])
    data = content.data.astype(np.float64) * np.where(volts, 1e6, 1.0)
    fmt = "double64" if content.data.dtype == np.float64 else "float32"
    types = [str(t).upper() for t in h.get("ch_types") or ["eeg"] * len(h["ch_names"])]
    units = ["microvolts" if v else (u or "n/a") for v, u in zip(volts, h.get("units") or [], strict=False)]
    out = [XdfStream(str(stream.get("name") or "EEG"), str(stream.get("type") or "EEG"), float(h["sfreq"]), fmt,
                     content.times, data, list(h["ch_names"]), units=units or None, ch_types=types,
                     source_id=str(stream.get("source_id") or ""))]
    names = content.marker_streams if len(content.marker_streams) == len(content.markers) else [""] * len(
        content.markers)
    for name in dict.fromkeys(names):
        rows = [(t, label) for (t, label), n in zip(content.markers, names, strict=True) if n == name]
        out.append(XdfStream(name or "markers", "Markers", 0.0, "string", np.array([t for t, _ in rows]),
                             [label for _, label in rows], ["marker"], unit="n/a"))
    return out


def _xdf_from_raw(raw):
    """XDF streams of a file without LSL timestamps: the sample times from 0 s, markers from annotations."""
    from bcigui.core.data.xdf import XdfStream

    volts = np.array([ch["unit"] == 107 for ch in raw.info["chs"]])  # FIFF_UNIT_V
    data = raw.get_data().T * np.where(volts, 1e6, 1.0)
    units = ["microvolts" if v else "n/a" for v in volts]
    times = raw.times.copy()
    out = [XdfStream("EEG", "EEG", float(raw.info["sfreq"]), "double64", times, data, list(raw.ch_names),
                     units=units, ch_types=[t.upper() for t in raw.get_channel_types()])]
    ann = raw.annotations
    if len(ann):
        shift = raw.first_time if ann.orig_time is not None else 0.0
        out.append(XdfStream("markers", "Markers", 0.0, "string", np.asarray(ann.onset) - shift,
                             [str(d) for d in ann.description], ["marker"], unit="n/a"))
    return out


def read_run(source: str | Path):
    """``(raw, content)`` of a run: a ``.bcirec`` folder (content kept) or a recording file (content None).

    Files keep every channel (not only EEG), with their names normalised as everywhere.
    """
    import mne

    from bcigui.core.data.recordings import load_recording, standardize_names

    source = Path(source)
    if not source.exists():
        raise FileNotFoundError(f"run not found: {source}")
    if (source / HEADER).is_file():
        content = read_bcirec(source)
        return to_raw(content), content
    if source.suffix.lower() in (".xdf", ".xdfz"):
        return load_recording(source).raw, None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        raw = mne.io.read_raw(source, preload=True, verbose="error")
    standardize_names(raw)
    return raw, None


def export_run(source: str | Path, out: str | Path, fmt: str | None = None) -> Path:
    """Write a run (``.bcirec`` folder, or any recording file bcigui reads) as EDF, BDF, BrainVision,
    XDF or FIF (``fmt`` from ``out``'s extension if omitted); never overwrites. Returns ``out``.

    XDF from a ``.bcirec`` keeps the LSL timestamps of every sample and marker, one stream per
    source stream, with clock offsets as LabRecorder writes them.
    """
    from bcigui.core.data.xdf import write_xdf

    out = Path(out)
    fmt = _export_format(out, fmt)
    _check_free(out, fmt)
    raw, content = read_run(source)
    if fmt != "xdf":
        if content is not None and fmt == "fif":
            out.parent.mkdir(parents=True, exist_ok=True)
            return save_raw_fif(raw, content, out)
        return export_raw(raw, out, fmt)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_xdf(out, _xdf_from_content(content) if content is not None else _xdf_from_raw(raw))
    return out
