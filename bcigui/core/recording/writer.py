"""Crash-safe incremental recording: append-only files, flushed and fsync'd several times a second.

A recording is a folder ``NAME.bcirec/`` holding

- ``header.json``: channels, sampling rate, units, stream and session metadata (written atomically);
- ``data.f32``: samples, float32 little-endian, row-major ``(n_samples, n_channels)``, appended
  (``data.f64``, float64, for streams sent in double precision: ``header["dtype"]`` says which);
- ``times.f64``: one float64 LSL timestamp per sample, appended;
- ``markers.jsonl``: one ``{"t": ..., "label": ..., "stream": ...}`` per line;
- ``gaps.jsonl``: one ``{"onset": ..., "duration": ..., "reason": ...}`` per line;
- ``complete.json``: written last, only when the recording was closed normally.

Whatever the process dies of, the files hold everything flushed so far; :mod:`.recover` reads the
consistent prefix (whole rows present in both data and times, whole JSON lines).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

import numpy as np

from bcigui.core.checks import invalid_option

HEADER, DATA, TIMES, MARKERS, GAPS, COMPLETE = (
    "header.json", "data.f32", "times.f64", "markers.jsonl", "gaps.jsonl", "complete.json"
)
DATA_FILES = {"<f4": DATA, "<f8": "data.f64"}
SUFFIX = ".bcirec"
FORMAT_VERSION = 1


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write JSON to ``path`` through a temporary file + fsync + rename (never a half file)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=1, default=str)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


class RecordingWriter:
    """Append samples, markers and gaps to a new ``.bcirec`` folder (which must not exist)."""

    def __init__(self, path: str | Path, ch_names: list[str], sfreq: float,
                 ch_types: list[str] | None = None, units: list[str] | None = None,
                 meta: dict[str, Any] | None = None, dtype: str = "<f4") -> None:
        self.path = Path(path)
        if dtype not in DATA_FILES:
            raise invalid_option("dtype", dtype, sorted(DATA_FILES))
        self.dtype = dtype
        self.n_channels = len(ch_names)
        if self.n_channels < 1:
            raise ValueError(f"ch_names must list at least one channel, got {ch_names!r}")
        if not sfreq > 0:
            raise ValueError(f"sfreq must be > 0 Hz for a recording, got {sfreq!r}")
        ch_types = list(ch_types or ["eeg"] * self.n_channels)
        units = list(units or ["V"] * self.n_channels)
        for name, seq in (("ch_types", ch_types), ("units", units)):
            if len(seq) != self.n_channels:
                raise ValueError(f"{name} must have {self.n_channels} entries (one per channel), got {len(seq)}")
        self.path.mkdir(parents=False, exist_ok=False)  # never reuse (overwrite) a recording
        self.header = {
            "format": "bcirec", "version": FORMAT_VERSION, "ch_names": list(ch_names), "sfreq": float(sfreq),
            "ch_types": ch_types, "units": units, "dtype": dtype, "created_unix": time.time(),
            "meta": dict(meta or {}),
        }
        write_json_atomic(self.path / HEADER, self.header)
        self._data = open(self.path / DATA_FILES[dtype], "ab")
        self._times = open(self.path / TIMES, "ab")
        self._markers = open(self.path / MARKERS, "a", encoding="utf-8")
        self._gaps = open(self.path / GAPS, "a", encoding="utf-8")
        self._lock = threading.Lock()
        self.n_samples = 0
        self.n_markers = 0
        self.closed = False
        self._fsync_dir()

    def _fsync_dir(self) -> None:
        for d in (self.path, self.path.parent):
            try:
                fd = os.open(d, os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            except OSError:
                pass
            finally:
                os.close(fd)

    def append(self, data: np.ndarray, timestamps: np.ndarray) -> None:
        """Append ``data`` ``(n, n_channels)`` and their ``(n,)`` timestamps."""
        data = np.asarray(data)
        timestamps = np.asarray(timestamps, dtype="<f8")
        if data.ndim != 2 or data.shape[1] != self.n_channels:
            raise ValueError(f"data must have shape (n, {self.n_channels}), got {data.shape}")
        if len(timestamps) != data.shape[0]:
            raise ValueError(f"got {data.shape[0]} samples but {len(timestamps)} timestamps")
        if data.shape[0] == 0:
            return
        with self._lock:
            self._data.write(np.ascontiguousarray(data, dtype=self.dtype).tobytes())
            self._times.write(timestamps.tobytes())
            self.n_samples += data.shape[0]

    def add_marker(self, timestamp: float, label: str, stream: str = "") -> None:
        with self._lock:
            self._markers.write(json.dumps({"t": float(timestamp), "label": str(label), "stream": stream}) + "\n")
            self.n_markers += 1

    def add_gap(self, onset: float, duration: float, reason: str = "gap") -> None:
        with self._lock:
            self._gaps.write(json.dumps({"onset": float(onset), "duration": float(duration),
                                         "reason": reason}) + "\n")

    def flush(self, sync: bool = True) -> None:
        """Hand buffered bytes to the OS and (``sync``) force them to disk."""
        with self._lock:
            for f in (self._data, self._times, self._markers, self._gaps):
                f.flush()
                if sync:
                    os.fsync(f.fileno())

    def close(self, complete: bool = True, info: dict[str, Any] | None = None) -> None:
        """Flush, close and (``complete``) write ``complete.json`` marking a normal end."""
        if self.closed:
            return
        try:
            self.flush(sync=True)
        finally:
            for f in (self._data, self._times, self._markers, self._gaps):
                try:
                    f.close()
                except OSError:
                    pass
            self.closed = True
        if complete:
            write_json_atomic(self.path / COMPLETE, {
                "n_samples": self.n_samples, "n_markers": self.n_markers, "closed_unix": time.time(),
                **(info or {}),
            })


class Recorder:
    """Background thread copying an acquisition (EEG buffer, markers, gaps) into a :class:`RecordingWriter`.

    ``acquisition`` needs ``buffer.read_since(index)``, ``markers.all()``, ``sfreq``, ``ch_names``
    and optionally ``gaps`` and ``eeg`` (a stream description with ``units``/``ch_types``/``name``).
    Data are flushed and fsync'd every ``flush_interval`` seconds. A write error (disk full...) stops
    the recorder, keeps ``error`` and leaves every byte written before it intact.
    ``marker_streams``: names or ``source_id``s of the marker streams to record (default: all the
    acquisition merges) — a session records its own outlet, not every marker stream on the network.
    """

    def __init__(self, acquisition: Any, path: str | Path, meta: dict[str, Any] | None = None,
                 flush_interval: float = 0.25, poll_interval: float = 0.05, start_index: int | None = None,
                 marker_streams: Collection[str] | None = None) -> None:
        if not 0 < flush_interval <= 0.5:
            raise ValueError(f"flush_interval must be in (0, 0.5] s, got {flush_interval!r}")
        self.acquisition = acquisition
        desc = getattr(getattr(acquisition, "eeg", None), "desc", None)
        ch_names = list(acquisition.ch_names)
        ch_types = [_mne_type(t) for t in getattr(desc, "ch_types", ())] or None
        if ch_types and len(ch_types) != len(ch_names):
            ch_types = None
        meta = dict(meta or {})
        meta.setdefault("stream", {k: v for k, v in (desc.to_dict().items() if hasattr(desc, "to_dict") else [])})
        resolved = getattr(getattr(acquisition, "eeg", None), "units", None)  # the reader's ChannelUnits
        if resolved and all(hasattr(u, "stored") for u in resolved):
            units = [u.stored for u in resolved]
        else:
            units = [_stored_unit(u, t) for u, t in zip(getattr(desc, "units", ()), getattr(desc, "ch_types", ()),
                                                        strict=False)] or None
        if units and len(units) != len(ch_names):
            units = None
        wide = getattr(desc, "channel_format", "") in ("double64", "int32", "int64")  # read as float64
        self.writer = RecordingWriter(path, ch_names, float(acquisition.sfreq), ch_types, units, meta,
                                      dtype="<f8" if wide else "<f4")
        self.path = self.writer.path
        self.flush_interval = float(flush_interval)
        self.poll_interval = float(poll_interval)
        self._index = self._pre_roll_index(acquisition.buffer) if start_index is None else int(start_index)
        self._seen_markers: set[tuple[str, float, str]] = set()
        self.marker_streams = None if marker_streams is None else frozenset(marker_streams)
        self._n_gaps = len(list(getattr(acquisition, "gaps", []) or []))
        self._t_start: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.error: BaseException | None = None
        self.n_lost = 0

    PRE_ROLL = 1.0  # s of samples already received that the recording starts with

    def _pre_roll_index(self, buffer: Any) -> int:
        """Start with the last ``PRE_ROLL`` s already in the buffer: some sources stamp their samples
        ahead of the clock (mne-lsl's player stamps a chunk's last sample one chunk ahead), so an event
        stamped when the recording starts may precede the first sample received after it."""
        n = int(buffer.n_written)
        back = min(n, int(round(self.PRE_ROLL * float(self.acquisition.sfreq))),
                   int(getattr(buffer, "capacity", n)))
        return n - back

    @property
    def n_samples(self) -> int:
        return self.writer.n_samples

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> Recorder:
        if self._thread is not None:
            raise RuntimeError("recorder already started")
        # markers already present belong to earlier activity: only record markers from now on
        self._seen_markers = set(self._markers())
        self._thread = threading.Thread(target=self._run, name=f"recorder-{self.path.name}", daemon=True)
        self._thread.start()
        return self

    def _markers(self) -> list[tuple[str, float, str]]:
        """``(stream, time, label)`` of every marker so far, per marker stream when known."""
        readers = list(getattr(self.acquisition, "marker_readers", None) or [])
        if not readers:
            if self.marker_streams is not None:  # no per-stream readers: nothing can be attributed
                return []
            return [("", t, label) for t, label in self.acquisition.markers.all()]
        keep = self.marker_streams
        readers = [r for r in readers if keep is None or r.desc.name in keep or r.desc.source_id in keep]
        return [(r.desc.name, t, label) for r in readers if r.markers is not None for t, label in r.markers.all()]

    def _poll(self) -> None:
        acq = self.acquisition
        data, times, nxt, lost = acq.buffer.read_since(self._index)
        if lost:
            self.n_lost += lost
            t_gap = float(times[0]) if len(times) else float("nan")
            self.writer.add_gap(t_gap - lost / self.writer.header["sfreq"], lost / self.writer.header["sfreq"],
                                "BAD_overrun")
        self._index = nxt
        if len(data):
            self.writer.append(data, times)
        for stream, t, label in self._markers():
            if (stream, t, label) not in self._seen_markers:
                self._seen_markers.add((stream, t, label))
                self.writer.add_marker(t, label, stream)
        gaps = list(getattr(acq, "gaps", []) or [])
        for g in gaps[self._n_gaps:]:
            self.writer.add_gap(float(g.onset), float(g.duration), "BAD_gap")
        self._n_gaps = len(gaps)

    def _run(self) -> None:
        last_flush = time.monotonic()
        try:
            while not self._stop.is_set():
                self._poll()
                if time.monotonic() - last_flush >= self.flush_interval:
                    self.writer.flush(sync=True)
                    last_flush = time.monotonic()
                self._stop.wait(self.poll_interval)
            self._poll()
            self.writer.flush(sync=True)
        except BaseException as err:  # noqa: BLE001 - kept and reported by stop()
            self.error = err

    def add_marker(self, timestamp: float, label: str, stream: str = "") -> None:
        """Record a marker directly (one not coming through the acquisition)."""
        self._seen_markers.add((stream, timestamp, label))
        self.writer.add_marker(timestamp, label, stream)

    def stop(self, info: dict[str, Any] | None = None) -> Path:
        """Stop, flush and close; raise ``OSError`` if a write failed (data written before it is kept)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10.0)
        if self.error is None:
            self.writer.close(complete=True, info={"n_lost": self.n_lost, **(info or {})})
        else:
            try:
                self.writer.close(complete=False)
            except OSError:
                pass
            err = self.error
            raise OSError(f"recording to {self.path} failed: {err}; everything written before the "
                          f"failure is kept (run `bcigui recover {self.path}`)") from err
        return self.path


def _mne_type(kind: str) -> str:
    kind = str(kind).strip().lower()
    return {"eeg": "eeg", "eog": "eog", "emg": "emg", "ecg": "ecg", "stim": "stim", "misc": "misc"}.get(kind, "misc" if kind else "eeg")


def _stored_unit(unit: str, ch_type: str = "") -> str:
    """Unit of a channel as stored: voltages are converted to volts at the inlet."""
    from bcigui.core.data.units import resolve_unit

    return resolve_unit("", unit, ch_type).stored
