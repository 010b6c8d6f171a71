"""Step 1 - Data: recordings, event -> class table, epoch window, baseline, bad epochs."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bcigui.gui.workers import run_in_thread

FILE_FILTER = ("EEG recordings (*.fif *.fif.gz *.edf *.bdf *.gdf *.vhdr *.xdf *.xdfz);;All files (*)")


def crop(epochs, tmin: float, tmax: float):
    """``epochs`` restricted to ``[tmin, tmax)`` seconds (no copy of the unused samples)."""
    from bcigui.core.workspace import crop_epochs

    return crop_epochs(epochs, tmin, tmax)


def _natural(text: str) -> tuple:
    """Sort key putting "T2" before "T10" and "2" before "10"."""
    return tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", text) if t)


def _spin(value: float, lo: float, hi: float, step: float, suffix: str, decimals: int = 2) -> QDoubleSpinBox:
    w = QDoubleSpinBox()
    w.setRange(lo, hi)
    w.setDecimals(decimals)
    w.setSingleStep(step)
    w.setSuffix(suffix)
    w.setValue(value)
    return w


class DatasetPanel(QWidget):
    """Load recordings, map events to classes, cut epochs; ``epochs_ready`` when epochs are made.

    ``epochs()`` are the kept epochs in the analysis window; ``tfr_epochs()`` the same epochs
    extended back to the baseline start (for ERD/ERS maps).
    """

    recordings_loaded = Signal(list)
    epochs_ready = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.start_dir = ""  # where the file dialog opens (the main window sets the data folder)
        self.recordings: list = []
        self._all = None  # EpochsData from min(tmin, baseline start) to tmax, all epochs
        self._bad = np.zeros(0, dtype=bool)
        self._made_with: dict | None = None
        self._auto_exclude = True
        self._task = None

        files_box = QGroupBox("Recordings (several runs at once; each trial keeps its run)")
        self.files = QListWidget()
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.add_button = QPushButton("Add recordings…")
        self.add_button.setToolTip("Add recording files (FIF, EDF, BDF, GDF, XDF, BrainVision); several runs at once")
        self.remove_button = QPushButton("Remove selected")
        self.remove_button.setToolTip("Remove the selected recordings from this data set (the files stay on disk)")
        self.add_button.clicked.connect(self._browse)
        self.remove_button.clicked.connect(self._remove_selected)
        row = QHBoxLayout()
        row.addWidget(self.add_button)
        row.addWidget(self.remove_button)
        row.addStretch(1)
        fl = QVBoxLayout(files_box)
        fl.addWidget(self.files)
        fl.addLayout(row)

        events_box = QGroupBox("Events → classes (leave the class empty to ignore an event)")
        self.events = QTableWidget(0, 3)
        self.events.setHorizontalHeaderLabels(["Event in the file", "Class name", "Trials"])
        self.events.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.events.verticalHeader().hide()
        self.source = QComboBox()
        self.source.setToolTip("Keep only the events of one marker stream (each recorded event keeps the "
                               "stream it came from)")
        self.source.currentIndexChanged.connect(lambda *_: self._fill_events(self.recordings))
        ev_lay = QVBoxLayout(events_box)
        src_row = QHBoxLayout()
        src_row.addWidget(QLabel("Events from"))
        src_row.addWidget(self.source, 1)
        self.show_all = QCheckBox("Show every event")
        self.show_all.setToolTip("bcigui recordings mark fixation, beeps and the start and end of each phase "
                                 "too; only the cues name classes, so the other events are hidden unless asked")
        self.show_all.toggled.connect(lambda *_: self._hide_non_cues())
        src_row.addWidget(self.show_all)
        ev_lay.addLayout(src_row)
        ev_lay.addWidget(self.events)

        window_box = QGroupBox("Epochs")
        self.tmin = _spin(0.5, -10, 30, 0.1, " s")
        self.tmax = _spin(2.5, -10, 30, 0.1, " s")
        self.base_start = _spin(-1.0, -10, 30, 0.1, " s")
        self.base_end = _spin(0.0, -10, 30, 0.1, " s")
        self.l_freq = _spin(1.0, 0, 500, 0.5, " Hz", 1)
        self.h_freq = _spin(40.0, 0, 500, 1, " Hz", 1)
        self.threshold = _spin(500.0, 1, 100000, 10, " µV", 0)
        self.reference = QComboBox()
        self.reference.addItem("Common average", "average")
        self.reference.addItem("As recorded", None)
        self.reference.setToolTip("Re-reference each sample to the mean of all channels (recommended for "
                                  "sensorimotor rhythms); applied identically online")
        self.notch = QComboBox()
        for text, value in (("Off", None), ("50 Hz", 50.0), ("60 Hz", 60.0)):
            self.notch.addItem(text, value)
        self.notch.setToolTip("Causal notch filter at the power-line frequency and its harmonics")
        for w, tip in ((self.tmin, "Start of the analysis window, relative to the event"),
                       (self.tmax, "End of the analysis window, relative to the event"),
                       (self.base_start, "Start of the rest period used as reference for ERD/ERS maps"),
                       (self.base_end, "End of the rest period used as reference for ERD/ERS maps"),
                       (self.l_freq, "Causal high-pass before epoching (0 = none); the same filter runs online"),
                       (self.h_freq, "Causal low-pass before epoching (0 = none)"),
                       (self.threshold, "Epochs whose peak-to-peak amplitude exceeds this on any channel are "
                                        "listed as bad")):
            w.setToolTip(tip)
        form = QFormLayout(window_box)
        form.addRow("Window from", self.tmin)
        form.addRow("to", self.tmax)
        form.addRow("Baseline from", self.base_start)
        form.addRow("to", self.base_end)
        form.addRow("High-pass", self.l_freq)
        form.addRow("Low-pass", self.h_freq)
        form.addRow("Notch", self.notch)
        form.addRow("Reference", self.reference)
        form.addRow("Bad if peak-to-peak >", self.threshold)
        self.make_button = QPushButton("Create epochs")
        self.make_button.setToolTip("Cut the trials of the named classes with this window and filter")
        self.make_button.setDefault(True)
        self.make_button.clicked.connect(self.make_epochs)
        form.addRow(self.make_button)

        bad_box = QGroupBox("Bad epochs (checked = excluded from the analysis)")
        self.bad_table = QTableWidget(0, 5)
        self.bad_table.setHorizontalHeaderLabels(["Exclude", "Epoch", "Run (file)", "Class", "Peak-to-peak"])
        self.bad_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.bad_table.verticalHeader().hide()
        self.bad_table.itemChanged.connect(self._exclusion_changed)
        self.bad_note = QLabel("Create epochs to look for bad ones.")  # what the table holds, in words
        self.bad_note.setWordWrap(True)
        bad_lay = QVBoxLayout(bad_box)
        bad_lay.addWidget(self.bad_note, 0, Qt.AlignmentFlag.AlignTop)
        bad_lay.addWidget(self.bad_table)

        self.status = QLabel("Add one or more recordings to begin.")
        self.status.setWordWrap(True)
        self.status.setObjectName("datasetStatus")

        left = QVBoxLayout()
        left.addWidget(files_box, 2)
        left.addWidget(events_box, 2)
        right = QVBoxLayout()
        right.addWidget(window_box)
        right.addWidget(bad_box, 1)
        cols = QHBoxLayout()
        cols.addLayout(left, 3)
        cols.addLayout(right, 2)
        outer = QVBoxLayout(self)
        outer.addLayout(cols, 1)
        outer.addWidget(self.status)

    # -- recordings ---------------------------------------------------------------------------
    def _browse(self) -> None:
        from bcigui.gui import folders

        paths, _ = QFileDialog.getOpenFileNames(self, "Add recordings", self.start_dir or folders.start_folder(),
                                                FILE_FILTER)
        if paths:
            folders.remember(paths[0])
            self.add_files(paths)

    def paths(self) -> list[str]:
        return [self.files.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.files.count())]

    def add_files(self, paths: list[str | Path]) -> None:
        """Add recordings and (re)load them all in the background."""
        known = set(self.paths())
        for p in map(str, paths):
            if p not in known:
                self.files.addItem(Path(p).name)
                self.files.item(self.files.count() - 1).setData(Qt.ItemDataRole.UserRole, p)
                self.files.item(self.files.count() - 1).setToolTip(p)
        self._load()

    def _remove_selected(self) -> None:
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._load()

    def _load(self) -> None:
        from bcigui.core.data import load_recordings

        paths = self.paths()
        self.recordings, self._all = [], None
        if not paths:
            self._fill_events([])
            self.status.setText("Add one or more recordings to begin.")
            return
        self._busy(True, f"Loading {len(paths)} recording(s)…")
        self._task = run_in_thread(load_recordings, paths, on_done=self._loaded, on_error=self._error)

    def _loaded(self, recordings: list) -> None:
        self._busy(False)
        self.recordings = list(recordings)
        self._fill_sources(recordings)
        self._fill_events(recordings)
        rates = sorted({r.sfreq for r in recordings})
        nch = sorted({len(r.ch_names) for r in recordings})
        self.status.setText(f"{len(recordings)} recording(s) loaded: {'/'.join(map(str, nch))} channels, "
                            f"{'/'.join(f'{r:g}' for r in rates)} Hz. Name the classes, then press "
                            "'Create epochs'.")
        self.recordings_loaded.emit(self.recordings)

    def _fill_sources(self, recordings: list) -> None:
        """Offer the events' source streams (when the files say where events came from)."""
        streams = sorted({s for r in recordings for s in r.event_streams() if s})
        current = self.source.currentData()
        self.source.blockSignals(True)
        self.source.clear()
        self.source.addItem("every stream", None)
        for name in streams:
            self.source.addItem(name, name)
        if current in streams:
            self.source.setCurrentIndex(streams.index(current) + 1)
        self.source.blockSignals(False)
        self.source.setEnabled(bool(streams))

    def selected_recordings(self) -> list:
        """The recordings, with only the events of the chosen source stream."""
        stream = self.source.currentData()
        return [r.from_streams({stream}) for r in self.recordings] if stream else list(self.recordings)

    def _fill_events(self, recordings: list) -> None:
        from bcigui.core.paradigms.markers import class_from_marker

        stream = self.source.currentData()
        recordings = [r.from_streams({stream}) for r in recordings] if stream else recordings
        previous = self.event_map()
        counts: dict[str, int] = {}
        for rec in recordings:
            for ev in rec.events:
                counts[ev.description] = counts.get(ev.description, 0) + 1
        self.events.setRowCount(0)
        for label, n in sorted(counts.items(), key=lambda kv: _natural(kv[0])):
            r = self.events.rowCount()
            self.events.insertRow(r)
            key = QTableWidgetItem(label)
            key.setFlags(key.flags() & ~Qt.ItemFlag.ItemIsEditable)
            cnt = QTableWidgetItem(str(n))
            cnt.setFlags(cnt.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.events.setItem(r, 0, key)
            # bcigui's cue markers name their class (cue/left_hand -> left_hand): filled in already
            self.events.setItem(r, 1, QTableWidgetItem(previous.get(label) or class_from_marker(label) or ""))
            self.events.setItem(r, 2, cnt)
        self._hide_non_cues()

    def _hide_non_cues(self) -> None:
        """When the recordings have cue markers, show only the events that name a class (unless
        "Show every event" is checked); other recordings show every event."""
        from bcigui.core.paradigms.markers import class_from_marker

        rows = range(self.events.rowCount())
        cues = {r for r in rows if class_from_marker(self.events.item(r, 0).text())
                or self.events.item(r, 1).text().strip()}
        hide = bool(cues) and any(class_from_marker(self.events.item(r, 0).text()) for r in rows)
        for r in rows:
            self.events.setRowHidden(r, hide and not self.show_all.isChecked() and r not in cues)
        self.show_all.setVisible(hide)

    def event_map(self) -> dict[str, str]:
        """``{event label: class name}`` of the rows with a class name."""
        out = {}
        for r in range(self.events.rowCount()):
            key, cls = self.events.item(r, 0), self.events.item(r, 1)
            if key is not None and cls is not None and cls.text().strip():
                out[key.text()] = cls.text().strip()
        return out

    def set_event_map(self, mapping: dict[str, str]) -> None:
        """Fill the class column; ``ValueError`` names events absent from the recordings."""
        rows = {self.events.item(r, 0).text(): r for r in range(self.events.rowCount())}
        unknown = [k for k in mapping if k not in rows]
        if unknown:
            raise ValueError(f"event(s) {unknown} are not in the recordings; events found: {list(rows)}")
        for key, r in rows.items():
            self.events.item(r, 1).setText(mapping.get(key, ""))

    # -- epochs -------------------------------------------------------------------------------
    def make_epochs(self) -> None:
        """Cut epochs with the current settings (in the background)."""
        from bcigui.core.data import make_epochs
        from bcigui.core.signal.filters import FilterSpec

        mapping = self.event_map()
        problems = []
        if not self.recordings:
            problems.append("load at least one recording")
        if len(set(mapping.values())) < 2:
            problems.append("give a class name to the events of at least two classes "
                            "(e.g. T1 → left, T2 → right)")
        tmin, tmax = self.tmin.value(), self.tmax.value()
        b0, b1 = self.base_start.value(), self.base_end.value()
        if tmax <= tmin:
            problems.append(f"the window end ({tmax:g} s) must be after its start ({tmin:g} s)")
        if b1 <= b0:
            problems.append(f"the baseline end ({b1:g} s) must be after its start ({b0:g} s)")
        if problems:
            self._error(ValueError("To create epochs, " + "; ".join(problems) + "."), "")
            return
        spec = FilterSpec(l_freq=self.l_freq.value() or None, h_freq=self.h_freq.value() or None,
                          notch=self.notch.currentData(), notch_harmonics=3 if self.notch.currentData() else 1,
                          reference=self.reference.currentData())
        start, stop = min(tmin, b0), max(tmax, b1)
        self._busy(True, "Creating epochs…")
        made_with = {"files": self.paths(), "event_map": dict(mapping), "filter": spec, "cut": (start, stop)}
        self._task = run_in_thread(make_epochs, self.selected_recordings(), mapping, start, stop, filter=spec,
                                   on_done=lambda ep: self._made(ep, made_with), on_error=self._error)

    def _made(self, epochs, made_with: dict | None = None) -> None:
        from bcigui.core.data import find_bad_epochs

        self._busy(False)
        self._all = epochs
        self._made_with = made_with
        self._bad = find_bad_epochs(crop(epochs, self.tmin.value(), self.tmax.value()).X,
                                    self.threshold.value() * 1e-6)
        self._fill_bad()
        self._announce()

    def _fill_bad(self) -> None:
        ep = crop(self._all, self.tmin.value(), self.tmax.value())
        ptp = np.ptp(ep.X, axis=2).max(axis=1) * 1e6
        # forgiving: when most epochs exceed the threshold, the threshold is wrong, not the data
        self._auto_exclude = int(self._bad.sum()) <= len(self._bad) // 2
        names = [Path(p).name for p in self.paths()]
        self.bad_table.blockSignals(True)
        self.bad_table.setRowCount(0)
        for i in np.flatnonzero(self._bad):
            r = self.bad_table.rowCount()
            self.bad_table.insertRow(r)
            check = QTableWidgetItem()
            check.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            check.setCheckState(Qt.CheckState.Checked if self._auto_exclude else Qt.CheckState.Unchecked)
            check.setData(Qt.ItemDataRole.UserRole, int(i))
            run = int(ep.runs[i])
            cells = [check, QTableWidgetItem(str(i + 1)),
                     QTableWidgetItem(names[run] if 0 <= run < len(names) else str(run)),
                     QTableWidgetItem(str(ep.y[i])), QTableWidgetItem(f"{ptp[i]:.0f} µV")]
            for c, item in enumerate(cells):
                if c:
                    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.bad_table.setItem(r, c, item)
        self.bad_table.blockSignals(False)
        n, limit = int(self._bad.sum()), self.threshold.value()
        self.bad_table.setVisible(n > 0)
        if n == 0:
            self.bad_note.setText(f"None found: no epoch exceeds {limit:g} µV peak-to-peak.")
        elif self._auto_exclude:
            self.bad_note.setText(f"{n} of {len(self._bad)} epochs exceed {limit:g} µV peak-to-peak; they are "
                                  "excluded (uncheck one to keep it).")
        else:
            self.bad_note.setText(f"{n} of {len(self._bad)} epochs exceed {limit:g} µV peak-to-peak: that many "
                                  "means the threshold is too low for these data, so none is excluded (check the "
                                  "ones to drop, or raise the threshold).")

    def excluded(self) -> np.ndarray:
        """Boolean mask of the epochs excluded by the user (checked rows of the bad-epoch table)."""
        mask = np.zeros(len(self._bad), dtype=bool)
        for r in range(self.bad_table.rowCount()):
            item = self.bad_table.item(r, 0)
            if item.checkState() == Qt.CheckState.Checked:
                mask[item.data(Qt.ItemDataRole.UserRole)] = True
        return mask

    def _exclusion_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 0 and self._all is not None:
            self._announce()

    def tfr_epochs(self):
        """Kept epochs from the baseline start to the window end (``None`` before 'Create epochs')."""
        if self._all is None:
            return None
        return self._all.select(~self.excluded())

    def epochs(self):
        """Kept epochs in the analysis window (``None`` before 'Create epochs')."""
        if self._all is None:
            return None
        return crop(self._all, self.tmin.value(), self.tmax.value()).select(~self.excluded())

    def definition(self) -> dict | None:
        """How :meth:`epochs` were made, as :meth:`bcigui.core.workspace.Workspace.add_dataset` takes it:
        files, event map, analysis window, filter, the wider window cut first (``cut``, back to the
        baseline) and the excluded epochs (``exclude``, indices among all cut epochs)."""
        made = getattr(self, "_made_with", None)
        if self._all is None or made is None:
            return None
        return {"files": list(made["files"]), "event_map": dict(made["event_map"]), "tmin": self.tmin.value(),
                "tmax": self.tmax.value(), "filter": made["filter"], "cut": made["cut"],
                "exclude": np.flatnonzero(self.excluded()).tolist()}

    def baseline(self) -> tuple[float, float]:
        return self.base_start.value(), self.base_end.value()

    def _announce(self) -> None:
        ep = self.epochs()
        counts = ", ".join(f"{c}: {n}" for c, n in ep.counts().items())
        n_ex = int(self.excluded().sum())
        text = (f"{len(ep)} epochs kept ({counts}); {n_ex} excluded as bad, {int(self._bad.sum()) - n_ex} bad "
                f"kept. Window {self.tmin.value():g} to {self.tmax.value():g} s. Next: step 2, Features.")
        if not self._auto_exclude:
            text += (f" Note: {int(self._bad.sum())} of {len(self._bad)} epochs exceed "
                     f"{self.threshold.value():g} µV, so none was excluded automatically; raise the threshold "
                     "or tick the epochs to exclude.")
        self.status.setText(text)
        self.epochs_ready.emit(ep)

    # -- helpers ------------------------------------------------------------------------------
    def _busy(self, busy: bool, text: str = "") -> None:
        for w in (self.add_button, self.remove_button, self.make_button):
            w.setEnabled(not busy)
        if text:
            self.status.setText(text)

    def _error(self, err: BaseException, _tb: str = "") -> None:
        self._busy(False)
        self.status.setText(f"⚠ {err}")
        self.failed.emit(str(err))
