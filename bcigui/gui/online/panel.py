"""Online panel: load a model, decode the connected stream, show feedback, latency and accuracy."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from bcigui.core.online import REJECTED, OnlineRunner
from bcigui.core.online.process import DecoderProcess, live_decoder
from bcigui.core.online.runner import RunnerOptions
from bcigui.core.online.scoring import TrialScorer
from bcigui.core.paradigms.markers import class_from_marker, ssvep_frequency
from bcigui.gui.online.feedback import MIFeedback, SSVEPFeedback, pretty


def _model_class(label: str) -> str:
    """Canonical class of a model label so cues (``cue/left_hand``) match it."""
    cls = class_from_marker("cue/" + label)
    if cls is not None:
        return cls
    try:
        return f"{float(label):.1f}Hz"
    except ValueError:
        return label


class OnlinePanel(QtWidgets.QWidget):
    """Deploys a ``.bcimodel`` on an :class:`Acquisition` with live feedback.

    ``acquisition`` may be given later with :meth:`set_acquisition` (the main window's stream).
    """

    def __init__(self, acquisition: Any = None, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.acquisition = acquisition
        self.model: Any = None
        self.model_path: Path | None = None
        self.runner: OnlineRunner | DecoderProcess | None = None
        self.decoder: DecoderProcess | None = None  # the decoding process: told of each model and stream
        self.scorer: TrialScorer | None = None
        self._n_seen_preds = 0
        self._n_seen_markers = 0
        self._current_cue: tuple[float, str] | None = None

        self.model_label = QtWidgets.QLabel("No model loaded")
        self.model_label.setWordWrap(True)
        load = QtWidgets.QPushButton("Load model…")
        load.setToolTip("Choose a .bcimodel file exported from the analysis window or by bcigui train")
        load.clicked.connect(self._choose_model)

        self.hop = QtWidgets.QDoubleSpinBox(minimum=0.02, maximum=2.0, singleStep=0.05, value=0.1, suffix=" s")
        self.hop.setToolTip("Time between two decoded windows")
        self.smoothing = QtWidgets.QSpinBox(minimum=1, maximum=50, value=3)
        self.smoothing.setToolTip("Average the probabilities of the last N windows")
        self.threshold = QtWidgets.QDoubleSpinBox(minimum=0.0, maximum=1.0, singleStep=0.05, value=0.0)
        self.threshold.setSpecialValueText("off")
        self.threshold.setToolTip("Reject (show 'uncertain') when the best probability is below this")
        self.resample = QtWidgets.QCheckBox("Resample")
        self.resample.setToolTip("Accept a stream whose sampling rate differs from the model's (causal "
                                 "anti-alias filter + interpolation); otherwise a mismatch is refused")
        self.adapt = QtWidgets.QCheckBox("Adapt to this session")
        self.adapt.setEnabled(False)
        self.adapt.setToolTip("Let the decoder follow slow changes of the signal during this session (it "
                              "re-centres itself on the live EEG; no labels needed). Only for models trained "
                              "with alignment or from earlier sessions; the model file is not changed.")
        self.own_source_id = ""  # the app's session outlet: its cues score by default
        self.cues = QtWidgets.QComboBox()
        self.cues.setToolTip("The marker stream whose cues score the predictions (only that one; the "
                             "others on the network are ignored)")
        self.cues.currentIndexChanged.connect(self._cue_source_changed)
        self.outlet = QtWidgets.QLineEdit("bcigui-predictions")
        self.outlet.setToolTip("LSL outlet on which predictions are published")
        form = QtWidgets.QFormLayout()
        form.addRow("Hop", self.hop)
        form.addRow("Smoothing (windows)", self.smoothing)
        form.addRow("Rejection threshold", self.threshold)
        form.addRow("Score against cues of", self.cues)
        form.addRow("Predictions outlet", self.outlet)
        form.addRow("Rate mismatch", self.resample)
        form.addRow("Adaptation", self.adapt)
        self.own_process = QtWidgets.QCheckBox("In its own process")
        self.own_process.setChecked(True)
        self.own_process.setToolTip("Decode in a separate process with its own connection to the stream, so "
                                    "that redrawing the views never delays a prediction (recommended)")
        self.own_process.toggled.connect(self._tell_decoder)
        form.addRow("Decoding", self.own_process)

        self.start_btn = QtWidgets.QPushButton("Start decoding")
        self.start_btn.setToolTip("Decode the connected stream with the loaded model; press again to stop")
        self.start_btn.setEnabled(False)
        self.start_btn.clicked.connect(self.toggle)
        self.status = QtWidgets.QLabel("Idle")
        self.status.setWordWrap(True)
        self.accuracy = QtWidgets.QLabel("Online accuracy: –")
        self.latency = QtWidgets.QLabel("Latency: –")
        for lab in (self.status, self.accuracy, self.latency):
            lab.setStyleSheet("font-size: 13pt;")
            lab.setWordWrap(True)

        side = QtWidgets.QVBoxLayout()
        side.addWidget(self.model_label)
        side.addWidget(load)
        side.addLayout(form)
        side.addWidget(self.start_btn)
        side.addStretch(1)
        side_inner = QtWidgets.QWidget()
        side_inner.setLayout(side)
        side_w = QtWidgets.QScrollArea()  # a short dock scrolls instead of squeezing the controls
        side_w.setWidget(side_inner)
        side_w.setWidgetResizable(True)
        side_w.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        side_w.setHorizontalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        side_w.setMaximumWidth(340)
        side_w.setMinimumWidth(min(340, side_inner.sizeHint().width()))  # labels and values never cut

        self.feedback_holder = QtWidgets.QStackedLayout()
        self.feedback: MIFeedback | SSVEPFeedback = MIFeedback(["left_hand", "right_hand"])
        self.feedback_holder.addWidget(self.feedback)
        holder = QtWidgets.QWidget()
        holder.setLayout(self.feedback_holder)
        right = QtWidgets.QVBoxLayout()  # feedback, and what the operator watches, always in view
        right.addWidget(holder, 1)
        right.addWidget(self.status)
        right.addWidget(self.accuracy)
        right.addWidget(self.latency)

        lay = QtWidgets.QHBoxLayout(self)
        lay.addWidget(side_w)
        lay.addLayout(right, 1)

        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(33)
        self._timer.timeout.connect(self._refresh)

    # -- model ------------------------------------------------------------------------------
    def _choose_model(self) -> None:
        from bcigui.gui import folders

        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Load model", folders.start_folder(),
                                                        "bcigui models (*.bcimodel)")
        if path:
            folders.remember(path)
            self.load_model_async(path)

    def load_model_async(self, path: str | Path) -> None:
        """Load a model file off the GUI thread (the first load imports skops: seconds), then show it."""
        from bcigui.core.model_file import load_model
        from bcigui.gui.workers import run_in_thread

        if self.runner is not None:
            self.stop()  # never decode with a model other than the one shown
        self.start_btn.setEnabled(False)
        self.status.setStyleSheet("font-size: 13pt;")
        self.status.setText(f"Loading {Path(path).name}…")
        run_in_thread(load_model, path, on_done=lambda model: self._show_model(model, path),
                      on_error=lambda err, _tb: self._refuse_model(path, err))

    def load_model(self, path: str | Path) -> bool:
        """Load and validate a model file now; errors are shown, never raised."""
        from bcigui.core.model_file import load_model

        if self.runner is not None:
            self.stop()  # never decode with a model other than the one shown
        try:
            model = load_model(path)
        except Exception as err:
            self._refuse_model(path, err)
            return False
        self._show_model(model, path)
        return True

    def _refuse_model(self, path: str | Path, err: BaseException) -> None:
        self._show_error(f"Could not load {Path(path).name}: {err}")
        self.start_btn.setEnabled(self.model is not None and self.acquisition is not None)

    def _show_model(self, model: Any, path: str | Path) -> None:
        self.model, self.model_path = model, Path(path)
        m = model.manifest
        aligned = bool(m.get("alignment"))
        self.adapt.setEnabled(aligned)
        self.adapt.setChecked(aligned and (m.get("alignment") or {}).get("adapt") == "recommended")
        classes = [str(c) for c in m["classes"]]
        paradigm = m.get("paradigm", "mi")
        pipeline = m.get("pipeline", "")
        pipeline = pipeline.get("name", "") if isinstance(pipeline, dict) else pipeline
        self.model_label.setText(
            f"<b>{Path(path).name}</b><br>{paradigm.upper()} · {pipeline}<br>"
            f"classes: {', '.join(pretty(c) for c in classes)}<br>"
            f"{len(m['ch_names'])} channels · {m['sfreq']:g} Hz · window {m['tmin']:g}–{m['tmax']:g} s"
        )
        new = SSVEPFeedback(classes) if paradigm == "ssvep" else MIFeedback(classes)
        self.feedback_holder.removeWidget(self.feedback)
        self.feedback.deleteLater()
        self.feedback = new
        self.feedback_holder.addWidget(new)
        self.start_btn.setEnabled(self.acquisition is not None)
        self.status.setText("Model loaded. Connect a stream and start decoding.")
        self._tell_decoder()

    def set_acquisition(self, acquisition: Any) -> None:
        if self.runner is not None:
            self.stop()
        self.acquisition = acquisition
        self.start_btn.setEnabled(self.model is not None and acquisition is not None)
        self.refresh_cue_sources()
        self._tell_decoder()

    def _stream(self) -> Any:
        """The description of the connected EEG stream (None without one)."""
        return getattr(getattr(self.acquisition, "eeg", None), "desc", None)

    def _tell_decoder(self, *_: Any) -> None:
        """Give the decoding process the model and the stream now, so that it is ready at start."""
        if not self.own_process.isChecked():
            return
        self.decoder = live_decoder(self.decoder, self._stream(), self.model_path,
                                    float(getattr(self.acquisition, "buffer_seconds", 60.0)))

    # -- cue source -------------------------------------------------------------------------
    def _readers(self) -> list:
        return list(getattr(self.acquisition, "marker_readers", None) or [])

    def refresh_cue_sources(self) -> None:
        """List the marker streams; keep the choice, else take this app's own session outlet."""
        current = self.cues.currentData()
        self.cues.blockSignals(True)
        self.cues.clear()
        self.cues.addItem("none (no scoring)", "")
        for r in self._readers():
            own = r.desc.source_id == self.own_source_id
            self.cues.addItem(f"{r.desc.name}" + (" (this app's sessions)" if own else ""), r.desc.source_id)
        ids = [self.cues.itemData(i) for i in range(self.cues.count())]
        choice = current if current in ids else (self.own_source_id if self.own_source_id in ids else "")
        self.cues.setCurrentIndex(ids.index(choice))
        self.cues.blockSignals(False)
        self._cue_source_changed()

    def set_cue_source(self, name_or_id: str) -> None:
        """Score against the marker stream with this name or ``source_id`` ("" for none)."""
        self.refresh_cue_sources()
        for i in range(self.cues.count()):
            if name_or_id and name_or_id in (self.cues.itemData(i), self.cues.itemText(i).split(" (")[0]):
                self.cues.setCurrentIndex(i)
                return
        if name_or_id:
            raise ValueError(f"no marker stream {name_or_id!r} on this acquisition; streams: "
                             f"{[self.cues.itemText(i) for i in range(1, self.cues.count())]}")
        self.cues.setCurrentIndex(0)

    def _cue_reader(self) -> Any:
        sid = self.cues.currentData()
        return next((r for r in self._readers() if sid and r.desc.source_id == sid), None)

    def _cue_source_changed(self, *_: Any) -> None:
        reader = self._cue_reader()
        self._n_seen_markers = reader.markers.n_total if reader is not None and reader.markers is not None else 0
        self._current_cue = None

    # -- running ----------------------------------------------------------------------------
    def toggle(self) -> None:
        if self.runner is None:
            self.start()
        else:
            self.stop()

    def start(self) -> bool:
        if self.model is None or self.acquisition is None:
            self._show_error("Load a model and connect a stream first.")
            return False
        options = RunnerOptions(hop=self.hop.value(), smoothing=self.smoothing.value(),
                                threshold=self.threshold.value() or None,
                                outlet_name=self.outlet.text().strip() or None, resample=self.resample.isChecked(),
                                adapt=self.adapt.isChecked())
        try:
            if self.own_process.isChecked() and self._stream() is not None:
                self._tell_decoder()  # a new process if it is gone
                self.runner = self.decoder.start(options)
            else:
                self.runner = options.runner(self.model, self.acquisition).start()
        except Exception as err:
            self.runner = None
            self._show_error(str(err))
            return False
        m = self.model.manifest
        classes = [_model_class(str(c)) for c in m["classes"]]
        self.scorer = TrialScorer(classes, start=float(m["tmax"]), stop=float(m["tmax"]) + 1.0)
        self._n_seen_preds = 0
        self.refresh_cue_sources()  # marker streams may have appeared since the connection
        self.start_btn.setText("Stop decoding")
        self.status.setStyleSheet("font-size: 13pt; color: #1e8449;")
        self.status.setText("Decoding…")
        self._timer.start()
        return True

    def stop(self) -> None:
        self._timer.stop()
        if self.runner is not None:
            self.runner.stop()
            self.runner = None
        self.start_btn.setText("Start decoding")
        self.status.setStyleSheet("font-size: 13pt;")
        self.status.setText("Stopped")
        self.feedback.reset()  # no frozen bar or arrow from the last prediction

    def shutdown(self) -> None:
        """Stop decoding and end the decoding process (the app is closing)."""
        self.stop()
        decoder, self.decoder = self.decoder, None
        if decoder is not None:
            decoder.close()

    def closeEvent(self, event: Any) -> None:  # noqa: N802 (Qt API)
        self.shutdown()
        super().closeEvent(event)

    def _show_error(self, text: str) -> None:
        self.status.setStyleSheet("font-size: 13pt; color: #c0392b;")
        self.status.setText(text)

    def _refresh(self) -> None:
        runner = self.runner
        if runner is None:
            return
        st = runner.status
        # cues from the chosen marker stream only
        reader = self._cue_reader()
        mlist = reader.markers if reader is not None else None
        new = []
        if mlist is not None:
            markers = mlist.all()
            new = markers[max(0, len(markers) - (mlist.n_total - self._n_seen_markers)):]
            self._n_seen_markers = mlist.n_total
        for ts, label in new:
            cls = class_from_marker(label)
            if cls is not None:
                self._current_cue = (ts, cls)
                self.scorer.add_cue(ts, cls)
        preds = list(runner.recent)
        fresh = preds[max(0, len(preds) - (st.predictions - self._n_seen_preds)):]
        self._n_seen_preds = st.predictions
        for p in fresh:
            self.scorer.add_prediction(p)
        if fresh:
            last = fresh[-1]
            self.feedback.set_prediction(last.proba, rejected=last.index == REJECTED)
            cue = self._current_cue
            if cue is not None and last.timestamp - cue[0] > self.scorer.stop + 1.0:
                cue = None
            self.feedback.set_cue(self._feedback_label(cue[1]) if cue else None)
        summ = self.scorer.summary(now=preds[-1].timestamp if preds else None)
        if summ["n_scored"]:
            n, needed = summ["n_scored"], summ["significant_from"]
            significance = (f"p < 0.05 from {100 * needed:.0f} %" if needed <= 1
                            else "too few trials for significance")
            self.accuracy.setText(
                f"Online accuracy: {100 * summ['accuracy']:.0f} % over {n} trial{'s' if n != 1 else ''}"
                f"<br><span style='font-size: 10pt;'>chance {100 * summ['chance_level']:.0f} % · {significance}</span>"
            )
        self.latency.setText(f"Latency: {st.latency_ms:.1f} ms · {st.predictions} windows")
        if st.state == "starting":
            self.status.setText("Starting the decoder…")
        elif st.state == "paused":
            self._show_error(f"Paused — {st.reason}. Decoding resumes when the stream returns.")
        elif st.state == "error":
            self._show_error(f"Stopped on error: {st.reason}")
        else:
            skipped = f" · {st.skipped_nonfinite} windows skipped (bad samples)" if st.skipped_nonfinite else ""
            self.status.setStyleSheet("font-size: 13pt; color: #1e8449;")
            self.status.setText(f"Decoding{skipped}")

    def _feedback_label(self, cls: str) -> str:
        """Map a cue class back to the model's own label (for highlighting)."""
        for c in self.feedback.classes:
            if _model_class(c) == cls:
                return c
        freq = ssvep_frequency(cls)
        return f"{freq:g}" if freq is not None else cls


__all__ = ["OnlinePanel"]
