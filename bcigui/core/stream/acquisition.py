"""One EEG stream and its marker streams on the local LSL clock: :class:`Acquisition`.

Each stream has its own :class:`~bcigui.core.stream.reader.StreamReader` thread; the acquisition
merges their events and watches for marker streams that appear later.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import pylsl

from bcigui.core.stream.buffer import RingBuffer
from bcigui.core.stream.lsl import (
    MARKER_TYPES,
    StreamDescription,
    discover,
    find_stream,
)
from bcigui.core.stream.markers import MarkerList
from bcigui.core.stream.reader import Callback, Gap, StreamEvent, StreamReader, StreamStats, _Events

log = logging.getLogger(__name__)


def _marker_descs(markers: list[str | StreamDescription] | str | None) -> list[str | StreamDescription] | str:
    if markers is None:
        return []
    if isinstance(markers, str):
        key = markers.strip()
        if key.lower() == "auto":
            return "auto"
        if key.lower() in ("", "none"):
            return []
        return [m.strip() for m in key.split(",") if m.strip()]
    return list(markers)


# Marker streams found automatically: string streams of irregular rate, or any stream typed as
# markers. Numeric irregular streams (another app's predictions, say) are not events.
MARKER_PREDICATE = "(nominal_srate=0 and channel_format='string') or " + " or ".join(
    f"type='{v}'" for t in MARKER_TYPES for v in (t, t.capitalize(), t.upper()))


def _current_marker_streams(wait: float = 1.0) -> list[StreamDescription]:
    """Marker streams visible now (their ``desc`` is not needed: no channel metadata fetched)."""
    infos = pylsl.resolve_bypred(MARKER_PREDICATE, minimum=1024, timeout=wait)
    descs = {i.uid(): StreamDescription.from_info(i) for i in infos if i.channel_count() > 0}
    return sorted(descs.values(), key=lambda d: d.name)


def _pick_eeg(timeout: float) -> StreamDescription:
    streams = discover(timeout=min(timeout, 1.0))
    regular = [d for d in streams if not d.is_marker and d.n_channels > 0 and d.channel_format != "string"]
    eeg = [d for d in regular if d.type.lower() == "eeg"]
    if not (eeg or regular):
        listing = ", ".join(d.summary() for d in streams) or "none"
        raise ValueError(f"No regular-rate LSL stream to use as EEG; available streams: {listing}")
    return (eeg or regular)[0]


class Acquisition(_Events):
    """One EEG stream and any number of marker streams, all on the local LSL clock.

    ``eeg``: a stream name (``""`` picks the first ``EEG``-typed regular stream) or a description.
    ``markers``: ``"auto"`` (every marker stream now on the network, plus those appearing later),
    ``None``/``"none"``, a name, comma-separated names or a list. Marker labels from all marker
    streams are merged into ``markers``. ``units`` (one unit or ``{channel: unit}``) replaces the
    units the EEG stream declares (see :class:`StreamReader`); ``ch_names`` are normalised
    (``Fc5.`` -> ``FC5``) as for files.
    """

    def __init__(self, eeg: str | StreamDescription,
                 markers: list[str | StreamDescription] | str | None = "auto",
                 buffer_seconds: float = 60.0, timeout: float = 2.0,
                 units: str | Mapping[str, str] | None = None) -> None:
        super().__init__()
        desc = eeg if isinstance(eeg, StreamDescription) else (
            find_stream(eeg, timeout) if eeg else _pick_eeg(timeout))
        if desc.srate <= 0:
            raise ValueError(f"EEG stream {desc.name!r} has an irregular sampling rate (srate=0); "
                             "the EEG stream must have a regular nominal rate > 0 Hz")
        if desc.n_channels < 1:
            raise ValueError(f"EEG stream {desc.name!r} has n_channels={desc.n_channels}; "
                             "the EEG stream needs at least 1 channel")
        if desc.channel_format == "string" or desc.is_marker:
            raise ValueError(f"EEG stream {desc.name!r} is a marker stream (type {desc.type!r}, format "
                             f"{desc.channel_format!r}); choose a numeric stream with a regular rate")
        self.buffer_seconds = float(buffer_seconds)
        self.timeout = float(timeout)
        self.eeg = StreamReader(desc, buffer_seconds, timeout, units=units)
        self.markers = MarkerList()
        self.marker_readers: list[StreamReader] = []
        self._auto = _marker_descs(markers) == "auto"
        wanted = _current_marker_streams() if self._auto else _marker_descs(markers)
        for m in wanted:
            self._add_marker_reader(StreamReader(m, buffer_seconds, timeout))
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self._started = False

    def _add_marker_reader(self, reader: StreamReader) -> None:
        if not reader.is_marker:
            raise ValueError(f"marker stream {reader.desc.name!r} must have an irregular rate, type "
                             f"'Markers' or string format; got {reader.desc.summary()}")
        reader.add_marker_sink(self.markers)
        with self._cb_lock:
            for cb in self._callbacks:
                reader.subscribe(cb)
        self.marker_readers.append(reader)

    # -- properties --------------------------------------------------------------------------
    @property
    def buffer(self) -> RingBuffer:
        return self.eeg.buffer

    @property
    def sfreq(self) -> float:
        return self.eeg.sfreq

    @property
    def ch_names(self) -> list[str]:
        return self.eeg.ch_names

    @property
    def gaps(self) -> list[Gap]:
        return self.eeg.gaps

    @property
    def stream_names(self) -> list[str]:
        return [self.eeg.desc.name] + [r.desc.name for r in self.marker_readers]

    # -- lifecycle --------------------------------------------------------------------------
    def start(self) -> Acquisition:
        """Start the EEG reader (errors raise) and the marker readers (errors are reported)."""
        if self._started:
            return self
        self.eeg.start()
        if self.marker_readers:  # in parallel: each resolves and opens its own inlet
            with ThreadPoolExecutor(max_workers=min(8, len(self.marker_readers))) as pool:
                list(pool.map(self._start_marker, list(self.marker_readers)))
        self._started = True
        if self._auto:
            self._stop.clear()
            self._watcher = threading.Thread(target=self._watch, name="lsl-marker-watch", daemon=True)
            self._watcher.start()
        return self

    def _start_marker(self, reader: StreamReader) -> bool:
        """Start a marker reader; one that cannot be opened is reported and dropped."""
        try:
            reader.start()
            return True
        except Exception as err:
            log.warning("marker stream %r could not be started: %s", reader.desc.name, err)
            if reader in self.marker_readers:
                self.marker_readers.remove(reader)
            self._emit(StreamEvent.ERROR, stream=reader.desc.name, message=str(err), time=pylsl.local_clock())
            return False

    def stop(self) -> None:
        self._stop.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5.0)
            self._watcher = None
        for r in [self.eeg, *self.marker_readers]:
            r.stop()
        self._started = False

    def __enter__(self) -> Acquisition:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def subscribe(self, callback: Callback) -> None:
        """Events of the EEG reader and of every marker reader (``info["stream"]`` names it)."""
        super().subscribe(callback)
        for r in [self.eeg, *self.marker_readers]:
            r.subscribe(callback)

    def stats(self) -> StreamStats:
        """The EEG reader's counters, with ``n_markers`` counting markers of all marker streams."""
        return replace(self.eeg.stats(), n_markers=self.markers.n_total)

    def _watch(self) -> None:
        """Add marker streams that appear after start (``markers="auto"``)."""
        resolver = pylsl.ContinuousResolver(pred=MARKER_PREDICATE)
        while not self._stop.wait(1.0):
            try:
                known = {(r.desc.name, r.desc.source_id) for r in self.marker_readers}
                for info in resolver.results():
                    if (info.name(), info.source_id()) in known or info.channel_count() < 1:
                        continue
                    reader = StreamReader(StreamDescription.from_info(info), self.buffer_seconds, self.timeout)
                    self._add_marker_reader(reader)
                    if self._start_marker(reader):
                        self._emit(StreamEvent.MARKER_STREAM_ADDED, stream=info.name(), time=pylsl.local_clock())
            except Exception:
                log.exception("marker stream watcher failed")
