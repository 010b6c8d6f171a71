"""Stream panel: discovered LSL streams, connect/disconnect, live status of the connected stream.

Discovery and connecting run on worker threads; acquisition events (called from the acquisition
thread) are marshalled to the GUI thread through a Qt signal. Nothing here raises into Qt: every
failure ends up in the status area and in :attr:`StreamPanel.message`.
"""

from __future__ import annotations

import time
from typing import Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.checks import invalid_option
from bcigui.core.stream.reader import StreamEvent
from bcigui.gui.app import icon
from bcigui.gui.workers import Task, run_in_thread

COLUMNS = ("Name", "Type", "Channels", "Rate", "Format", "Source ID", "Host")
COLOURS = {"idle": "#9aa5b1", "busy": "#1f6feb", "ok": "#2e9d4a", "warn": "#f2a900", "error": "#d32f2f"}
UPDATE_MS = 500


def open_acquisition(target: Any, markers: Any = "auto", buffer_seconds: float = 60.0) -> Any:
    """Create and start an :class:`Acquisition` on ``target`` (name or StreamDescription)."""
    from bcigui.core.stream.acquisition import Acquisition

    acq = Acquisition(target, markers=markers, buffer_seconds=buffer_seconds)
    acq.start()
    return acq


def discover_streams(timeout: float) -> list[Any]:
    from bcigui.core.stream.lsl import discover

    return discover(timeout=timeout)


class _Dot(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.colour = QColor(COLOURS["idle"])
        self.setFixedSize(QSize(30, 30))

    def paintEvent(self, _event: Any) -> None:  # noqa: N802 (Qt name)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(self.colour.darker(130))
        p.setBrush(self.colour)
        p.drawEllipse(2, 2, 26, 26)
        p.end()


class StatusIndicator(QWidget):
    """A large coloured dot with a status line and a reason line under it."""

    level_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = "idle"
        self.dot = _Dot()
        self.text = QLabel("Not connected")
        self.text.setObjectName("statusText")
        self.reason = QLabel("Choose a stream and press Connect.")
        self.reason.setObjectName("statusReason")
        self.reason.setWordWrap(True)
        col = QVBoxLayout()
        col.setSpacing(1)
        col.addWidget(self.text)
        col.addWidget(self.reason)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 4, 4, 4)
        row.addWidget(self.dot, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(col, 1)

    def set_state(self, level: str, text: str, reason: str = "") -> None:
        """``level`` is one of idle, busy, ok, warn, error (grey, blue, green, amber, red)."""
        if level not in COLOURS:
            raise invalid_option("level", level, list(COLOURS))
        changed = level != self.level
        self.level = level
        self.dot.colour = QColor(COLOURS[level])
        self.text.setText(text)
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        self.setToolTip(f"{text}\n{reason}".strip())
        self.dot.update()
        if changed:
            self.level_changed.emit(level)


class StreamPanel(QWidget):
    """Lists streams, connects to one and shows its live status (rate, samples, gaps, latency...).

    Signals: ``connected(acquisition)``, ``disconnected()``, ``message(text)`` (for the status bar).
    """

    connected = Signal(object)
    disconnected = Signal()
    message = Signal(str)
    streams_changed = Signal(list)
    _acq_event = Signal(str, object)  # from the acquisition thread to the GUI thread
    _health_event = Signal(object, object)  # (problems new, problems gone) from the health thread

    def __init__(self, discovery_timeout: float = 1.0, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.discovery_timeout = discovery_timeout
        self.streams: list[Any] = []
        self.acquisition: Any = None
        self.last_error = ""
        self._target_name = ""
        self._discovery: Task | None = None
        self._connecting: Task | None = None
        self._loss_reason = ""
        self._marker_problems: dict[str, str] = {}
        self._gap_seen = (0, 0.0)  # (gap count, time it last increased)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.cellDoubleClicked.connect(lambda *_: self.connect_selected())
        self.empty_label = QLabel("No streams listed yet. Press Refresh to look for LSL streams.")
        self.empty_label.setObjectName("placeholder")
        self.empty_label.setWordWrap(True)

        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Look for LSL streams on the network")
        self.refresh_button.clicked.connect(self.refresh)
        self.connect_button = QPushButton(icon("connect"), "Connect")
        self.connect_button.setObjectName("primary")
        self.connect_button.setToolTip("Start receiving the selected stream (double-click works too)")
        self.connect_button.clicked.connect(self.connect_selected)
        self.disconnect_button = QPushButton(icon("disconnect"), "Disconnect")
        self.disconnect_button.setToolTip("Stop receiving the current stream")
        self.disconnect_button.clicked.connect(self.disconnect_stream)
        buttons = QHBoxLayout()
        for b in (self.refresh_button, self.connect_button, self.disconnect_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        streams_box = QGroupBox("Streams on the network")
        sl = QVBoxLayout(streams_box)
        sl.addLayout(buttons)
        sl.addWidget(self.empty_label)
        sl.addWidget(self.table, 1)

        self.indicator = StatusIndicator()
        self.stats_labels: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setHorizontalSpacing(14)
        for i, (key, title) in enumerate((
            ("stream", "Stream"), ("rate", "Rate"), ("samples", "Samples"),
            ("gaps", "Gaps"), ("latency", "Latency"), ("markers", "Markers"),
        )):
            name = QLabel(title)
            name.setObjectName("statName")
            value = QLabel("–")
            value.setObjectName("statValue")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(name, i // 2, (i % 2) * 2)
            grid.addWidget(value, i // 2, (i % 2) * 2 + 1)
            self.stats_labels[key] = value
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        status_box = QGroupBox("Connection")
        stl = QVBoxLayout(status_box)
        stl.addWidget(self.indicator)
        stl.addLayout(grid)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(status_box)
        layout.addWidget(streams_box, 1)

        self.timer = QTimer(self)
        self.timer.setInterval(UPDATE_MS)
        self.timer.timeout.connect(self.update_status)
        self._acq_event.connect(self._on_acq_event)
        self._health_event.connect(self._on_health)
        self.health: Any = None  # HealthWatch of the connected stream
        self._update_buttons()

    # -- discovery ----------------------------------------------------------------------------
    def refresh(self) -> Task | None:
        """Look for streams on a worker thread; the table is filled when it is done."""
        if self._discovery is not None:
            return self._discovery
        self.refresh_button.setEnabled(False)
        self.refresh_button.setText("Searching…")
        self.message.emit("Looking for LSL streams…")
        self._discovery = run_in_thread(
            discover_streams, self.discovery_timeout, on_done=self._on_discovered, on_error=self._on_discovery_error
        )
        return self._discovery

    def _discovery_finished(self) -> None:
        self._discovery = None
        self.refresh_button.setEnabled(True)
        self.refresh_button.setText("Refresh")

    def _on_discovered(self, streams: list[Any]) -> None:
        self._discovery_finished()
        self.set_streams(streams)
        n = len(streams)
        self.message.emit(f"Found {n} stream{'s' if n != 1 else ''}." if n else
                          "No LSL streams found. Is the amplifier software streaming?")

    def _on_discovery_error(self, err: BaseException, _tb: str) -> None:
        self._discovery_finished()
        self._report_error(f"Could not look for streams: {err}")

    def set_streams(self, streams: list[Any]) -> None:
        """Show ``streams`` (StreamDescription objects) in the table, keeping the selection."""
        selected = self.selected_stream()
        keep = selected.uid if selected is not None else None
        self.streams = list(streams)
        self.table.setRowCount(len(self.streams))
        for row, s in enumerate(self.streams):
            rate = "irregular" if s.srate == 0 else f"{s.srate:g} Hz"
            cells = (s.name, s.type + ("  (markers)" if s.is_marker and s.srate else ""),
                     str(s.n_channels), rate, s.channel_format, s.source_id, s.hostname)
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(s.summary() + ("\nChannels: " + ", ".join(s.ch_names[:64]) if s.ch_names else ""))
                if col in (2, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(row, col, item)
            if keep is not None and s.uid == keep:
                self.table.selectRow(row)
        if self.table.currentRow() < 0:
            target = self._target_name
            for row, s in enumerate(self.streams):
                if not s.is_marker and (not target or s.name == target):
                    self.table.selectRow(row)
                    break
        self._mark_connected_row()
        self.empty_label.setVisible(not self.streams)
        self.streams_changed.emit(self.streams)
        self._update_buttons()

    def _mark_connected_row(self) -> None:
        """Bold the row of the stream being received."""
        name = self._target_name if self.acquisition is not None else None
        for row, s in enumerate(self.streams):
            live = s.name == name
            for col in range(self.table.columnCount()):
                item = self.table.item(row, col)
                if item is None:
                    continue
                font = item.font()
                font.setBold(live)
                item.setFont(font)
            first = self.table.item(row, 0)
            if first is not None:
                first.setText(("● " if live else "") + s.name)

    @property
    def connecting(self) -> bool:
        """A connection is being opened (on a worker thread)."""
        return self._connecting is not None

    def selected_stream(self) -> Any:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.streams):
            return None
        return self.streams[rows[0].row()]

    # -- connection ---------------------------------------------------------------------------
    def connect_selected(self) -> Task | None:
        s = self.selected_stream()
        if s is None:
            self.message.emit("Select a stream in the table first.")
            return None
        if s.is_marker:
            self.message.emit(
                f"{s.name!r} is a marker stream: connect to the EEG stream, its markers are added automatically."
            )
            return None
        return self.connect_to(s)

    def connect_to(self, target: Any, markers: Any = "auto") -> Task | None:
        """Connect to ``target`` (a stream name or a StreamDescription) on a worker thread.

        ``markers``: marker streams to merge (``"auto"``: all, as :class:`Acquisition` takes it).
        """
        if self._connecting is not None:
            self.message.emit("Already connecting, please wait.")
            return None
        if self.acquisition is not None:
            self.disconnect_stream()
        name = target if isinstance(target, str) else target.name
        self._target_name = name
        self.indicator.set_state("busy", f"Connecting to {name}…", "Opening the stream.")
        self.message.emit(f"Connecting to {name}…")
        self._connecting = run_in_thread(
            open_acquisition, target, markers, on_done=self._on_connected, on_error=self._on_connect_error
        )
        self._update_buttons()
        return self._connecting

    def _on_connected(self, acq: Any) -> None:
        self._connecting = None
        self.acquisition = acq
        self._loss_reason = ""
        self._marker_problems = {}
        self._gap_seen = (0, time.monotonic() - 60)
        try:
            acq.subscribe(lambda event, info: self._acq_event.emit(str(event), dict(info or {})))
        except Exception as err:  # the live status still works through polling
            self.message.emit(f"Live events unavailable: {err}")
        self._start_health(acq)
        self.stats_labels["stream"].setText(self._target_name)
        self.indicator.set_state("ok", "Connected", f"Receiving {self._target_name}.")
        self.message.emit(f"Connected to {self._target_name}.")
        self.timer.start()
        self._mark_connected_row()
        self.update_status()
        self._update_buttons()
        self.connected.emit(acq)

    def _on_connect_error(self, err: BaseException, _tb: str) -> None:
        self._connecting = None
        msg = err.args[0] if isinstance(err, KeyError) and err.args else err
        self._report_error(f"Could not connect to {self._target_name}: {msg}")
        self._update_buttons()

    def disconnect_stream(self) -> None:
        """Stop the acquisition (its threads end) and reset the status."""
        acq, self.acquisition = self.acquisition, None
        self.timer.stop()
        if self.health is not None:
            self.health.stop()
            self.health = None
        if acq is None:
            return
        try:
            acq.stop()
        except Exception as err:
            self.message.emit(f"Error while stopping the stream: {err}")
        self.indicator.set_state("idle", "Not connected", f"Disconnected from {self._target_name}.")
        for key, lab in self.stats_labels.items():
            if key != "stream":
                lab.setText("–")
        self._mark_connected_row()
        self.message.emit(f"Disconnected from {self._target_name}.")
        self._update_buttons()
        self.disconnected.emit()

    def shutdown(self) -> None:
        """Stop everything (window closing): pending tasks are cancelled, the acquisition stopped."""
        for task in (self._discovery, self._connecting):
            if task is not None:
                task.cancel()
        if self._connecting is not None and self._connecting.wait(10):
            acq = self._connecting.result
            if acq is not None:
                try:
                    acq.stop()
                except Exception:
                    pass
        self.disconnect_stream()

    def _report_error(self, text: str) -> None:
        self.last_error = text
        self.indicator.set_state("error", "Not connected", text)
        self.message.emit(text)

    def _update_buttons(self) -> None:
        busy = self._connecting is not None
        self.connect_button.setEnabled(not busy and self.selected_stream() is not None)
        self.disconnect_button.setEnabled(self.acquisition is not None and not busy)

    # -- live status --------------------------------------------------------------------------
    def _on_acq_event(self, event: str, info: dict) -> None:
        stream = str(info.get("stream") or self._target_name)
        reason = str(info.get("reason") or info.get("message") or info.get("error") or "")
        is_eeg = stream == self._target_name
        try:
            kind = StreamEvent(event)
        except ValueError:  # an event of a newer core: shown, not interpreted
            kind = None
        if kind is not None and kind.is_problem:
            if is_eeg:
                self._loss_reason = reason or event
            else:
                self._marker_problems[stream] = reason or event
            self.message.emit(f"Stream {stream} {event}: {reason}" if reason else f"Stream {stream}: {event}")
        elif kind is StreamEvent.RECOVERED:
            if is_eeg:
                self._loss_reason = ""
            self._marker_problems.pop(stream, None)
            gap = info.get("gap")
            dur = f" after {gap.duration:.1f} s" if hasattr(gap, "duration") else ""
            self.message.emit(f"Stream {stream} is back{dur}; the missing interval is recorded as a gap.")
        elif kind is StreamEvent.MARKER_STREAM_ADDED:
            self.message.emit(f"Marker stream {stream} added.")
        self.update_status()

    def _start_health(self, acq: Any) -> None:
        """Check the stream once a second for what makes its data unusable (no samples, a rate it does
        not deliver, NaN channels, amplitudes no EEG has); problems are named in the status."""
        from bcigui.core.stream.health import HealthWatch

        try:
            self.health = HealthWatch(acq, lambda new, gone: self._health_event.emit(new, gone)).start()
        except Exception as err:  # noqa: BLE001 - the rest of the status still works
            self.health = None
            self.message.emit(f"Signal checks unavailable: {err}")

    def _on_health(self, new: list, gone: list) -> None:
        for p in new:
            self.message.emit(f"Signal problem: {p.message}")
        for p in gone:
            self.message.emit(f"Signal problem gone: {p.message}")
        self.update_status()

    @property
    def problems(self) -> list[Any]:
        """Problems of the connected stream now (:class:`~bcigui.core.stream.health.Problem`)."""
        return list(self.health.active.values()) if self.health is not None else []

    def update_status(self) -> None:
        """Poll the acquisition statistics and refresh the labels and the indicator (~2x/s)."""
        acq = self.acquisition
        if acq is None:
            return
        try:
            st = acq.stats()
        except Exception as err:
            self.indicator.set_state("error", "Stream error", f"Could not read the stream status: {err}")
            return
        nominal = getattr(acq, "sfreq", 0.0) or 0.0
        lab = self.stats_labels
        lab["rate"].setText(f"{st.effective_rate:.1f} Hz" + (f" (of {nominal:g})" if nominal else ""))
        lab["samples"].setText(f"{st.samples:,}")
        lab["gaps"].setText(str(st.gaps))
        lab["latency"].setText("–" if st.latency_ms is None else f"{max(st.latency_ms, 0.0):.0f} ms")
        lab["markers"].setText(str(st.n_markers))
        now = time.monotonic()
        if st.gaps > self._gap_seen[0]:
            self._gap_seen = (st.gaps, now)
        status = str(st.status or "")
        if not st.connected or status == StreamEvent.LOST:
            reason = self._loss_reason or (status if status not in ("", "lost") else "no data arrives")
            self.indicator.set_state(
                "error", "Stream lost", f"{reason[:1].upper()}{reason[1:]}. Reconnecting automatically "
                "when the stream comes back; check the amplifier and its streaming software."
            )
        elif self.problems:
            problems = self.problems
            unusable = [p for p in problems if p.kind in ("silent", "nonfinite", "amplitude")]
            text = "Data unusable" if unusable else "Signal problem"
            self.indicator.set_state("error" if unusable else "warn", text,
                                     " ".join(f"{p.message[:1].upper()}{p.message[1:]}." for p in problems))
        elif st.samples == 0:
            self.indicator.set_state("warn", "Waiting for data", f"Connected to {self._target_name}; no samples yet.")
        elif nominal and st.effective_rate < 0.8 * nominal:
            self.indicator.set_state(
                "warn", "Data arriving slowly", f"{st.effective_rate:.0f} Hz instead of {nominal:g} Hz."
            )
        elif self._marker_problems:
            name, why = next(iter(self._marker_problems.items()))
            self.indicator.set_state("warn", "Receiving data, markers lost", f"Marker stream {name}: {why}.")
        elif now - self._gap_seen[1] < 5.0:
            self.indicator.set_state("warn", "Receiving, with gaps", f"{st.gaps} gap(s) in the data so far.")
        else:
            self.indicator.set_state("ok", "Receiving data", f"{self._target_name} is streaming normally.")
