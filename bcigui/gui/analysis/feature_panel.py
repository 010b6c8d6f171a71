"""Step 2 - Features: extractor choice and settings, extraction off the GUI thread (progress, cancel)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.analysis import extractors
from bcigui.core.features.cache import FeatureTensor
from bcigui.gui.analysis._task_panel import TaskPanel
from bcigui.gui.param_form import ParamForm


def _short(title: str) -> str:
    """The head of a description: "Log power spectral density per channel and ..." -> "Log power spectral
    density"."""
    for cut in (" (", " per ", " as "):
        title = title.split(cut)[0]
    return title


class FeaturePanel(QWidget, TaskPanel):
    """``extracted(FeatureTensor)`` when an extraction finishes; ``set_epochs`` gives it the data.

    With ``workspace`` (a core ``Workspace``) and ``dataset_id`` (the data set the epochs are),
    extraction goes through the workspace cache (same data and parameters: read back, "cached"),
    and the extractor parameters are recorded there as a parameter set (``param_set_id``).
    """

    cancelled_text = "Extraction cancelled; nothing was changed."

    extracted = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._epochs = None
        self.task = None
        self.workspace = None
        self.dataset_id: str | None = None
        self.param_set_id: str | None = None
        self.result: FeatureTensor | None = None
        self.combo = QComboBox()
        for ex in sorted(extractors.extractors(), key=lambda e: e.name != "psd"):  # PSD first
            self.combo.addItem(_short(ex.title), ex.name)  # the whole sentence is below the combo
            self.combo.setItemData(self.combo.count() - 1, ex.title, Qt.ItemDataRole.ToolTipRole)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setMinimumContentsLength(24)
        self.combo.setToolTip("What is computed from each trial: power spectra, connectivity, or both")
        self.about = QLabel()  # what the chosen extractor computes, in full
        self.about.setWordWrap(True)
        self.about.setObjectName("hint")
        self.combo.currentIndexChanged.connect(self._rebuild_form)
        self.form_box = QGroupBox("Settings")
        self.form_layout = QVBoxLayout(self.form_box)
        self.form: ParamForm | None = None
        self.extract_button = QPushButton("Extract features")
        self.extract_button.setToolTip("Compute the features of every trial (in the background) and show the r² map")
        self.extract_button.setDefault(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the extraction; nothing is kept")
        self.cancel_button.setEnabled(False)
        self.extract_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.status = QLabel("Create epochs in step 1 first.")
        self.status.setWordWrap(True)

        top = QFormLayout()
        top.addRow("Extractor", self.combo)
        top.addRow(self.about)
        buttons = QHBoxLayout()
        buttons.addWidget(self.extract_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.form_box)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)
        self._rebuild_form()
        self._update_enabled()

    def extractor_name(self) -> str:
        return self.combo.currentData()

    def set_extractor(self, name: str, values: dict | None = None) -> None:
        idx = self.combo.findData(name)
        if idx < 0:
            extractors.extractor(name)  # raises with the available names
        self.combo.setCurrentIndex(idx)
        if values:
            self.form.set_values(values)

    def _rebuild_form(self) -> None:
        if self.form is not None:
            self.form.setParent(None)
            self.form.deleteLater()
        ex = extractors.extractor(self.extractor_name())
        self.about.setText(ex.title)
        self.form = ParamForm(ex.params)
        self.form_layout.addWidget(self.form)

    def set_epochs(self, epochs) -> None:
        """New epochs: any previous result is now stale."""
        self._epochs = epochs
        if epochs is not None:
            self.status.setText(f"{len(epochs)} epochs, {len(epochs.ch_names)} channels at {epochs.sfreq:g} Hz. "
                                "Choose an extractor and press 'Extract features'.")
        self._update_enabled()

    def _update_enabled(self) -> None:
        running = self.task is not None
        self.extract_button.setEnabled(self._epochs is not None and not running)
        self.cancel_button.setEnabled(running)
        self.combo.setEnabled(not running)

    def start(self) -> None:
        """Extract with the current settings in a worker thread."""
        if self._epochs is None or self.task is not None:
            return
        try:
            values = self.form.values()
            if values.get("fmax", 0) > self._epochs.sfreq / 2:
                raise ValueError(f"Fmax must be at most the Nyquist frequency ({self._epochs.sfreq / 2:g} Hz), "
                                 f"got {values['fmax']:g} Hz")
            if values.get("fmin", 0) >= values.get("fmax", 1):
                raise ValueError(f"Fmin ({values['fmin']:g} Hz) must be below Fmax ({values['fmax']:g} Hz)")
        except ValueError as err:
            self._failed(err)
            return
        self.progress.setFormat("%p%")
        ws, did = (self.workspace, self.dataset_id) if self.dataset_id is not None else (None, None)
        self._run(extractors.extract, self._epochs, self.extractor_name(), values, status="Extracting…",
                  workspace=ws, dataset_id=did, on_done=self._done)

    def _done(self, result: FeatureTensor) -> None:
        self.task = None
        self.result = result
        self.progress.setValue(100)
        rows = (" + ".join(f"{s.stop - s.start} {p}" for p, s in result.parts.items()) + " rows" if result.parts
                else f"{result.values.shape[1]} channels")
        how = " (cached in the workspace: nothing recomputed)" if result.cached else ""
        self.status.setText(f"Done{how}: {rows} x {len(result.freqs)} frequencies "
                            f"({result.freqs[0]:g}-{result.freqs[-1]:g} Hz).")
        self.progress.setFormat("cached" if result.cached else "%p%")
        self._record_params(result)
        self._update_enabled()
        self.extracted.emit(result)

    def _record_params(self, result: FeatureTensor) -> None:
        """Keep the extractor parameters in the workspace (one entry per distinct set)."""
        self.param_set_id = None
        if self.workspace is None:
            return
        settings = ", ".join(f"{k}={v}" for k, v in result.params.items())
        try:
            self.param_set_id = self.workspace.add_param_set(f"{result.extractor} {settings}", result.extractor,
                                                             result.params, reuse=True)
            self.workspace.save()
        except (OSError, ValueError) as err:
            self.status.setText(f"{self.status.text()} ⚠ Parameters not saved in the workspace: {err}")

