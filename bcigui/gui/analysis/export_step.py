"""Step 4 of the analysis window: export the chosen attempt as a model file."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bcigui.gui.analysis.training_panel import TrainingPanel


class ExportStep(QWidget):
    """Step 4: what will be exported, and the button."""

    def __init__(self, training: TrainingPanel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.training = training
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.button = QPushButton("Export model…")
        self.button.setToolTip("Fit the selected attempt on all trials and save it as a .bcimodel file")
        self.button.clicked.connect(training._browse_export)
        self.result = QLabel()
        self.result.setWordWrap(True)
        training.exported.connect(lambda p: self.result.setText(
            f"Saved: {p}<br><b>Next:</b> in the main window, Session → Online decoding (Ctrl+Shift+O), "
            "<i>Load model…</i>, <i>Start decoding</i>; from a terminal <code>bcigui online --model FILE "
            "--stream NAME</code>. A cued feedback run that scores it: <code>bcigui record --model FILE</code>."))
        self.result.setTextFormat(Qt.TextFormat.RichText)
        training.failed.connect(lambda m: self.result.setText(f"⚠ {m}"))
        training.attempt_added.connect(lambda _ev: self.refresh())
        training.table.itemSelectionChanged.connect(self.refresh)
        lay = QVBoxLayout(self)
        lay.addWidget(self.summary)
        lay.addWidget(self.button, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.result)
        lay.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        ev = self.training.selected_attempt()
        if ev is None:
            self.summary.setText("No model yet: evaluate at least one pipeline in step 3.")
            self.button.setEnabled(False)
            return
        self.button.setEnabled(True)
        warning = ("" if ev.p_value < 0.05 else
                   f"<p style='color:#b00'><b>This decoder is not above chance</b> (p = {ev.p_value:.2g}: "
                   f"{100 * ev.mean:.0f} % could happen by guessing with {ev.n_trials} trials). Its feedback "
                   "would be random: record more trials, try other features or another pipeline first.</p>")
        self.summary.setText(
            f"{warning}<b>Attempt selected in step 3:</b> {ev.label()}<br>"
            f"Cross-validated accuracy {100 * ev.mean:.1f} % ± {100 * ev.std:.1f} ({ev.cv}); chance "
            f"{100 * ev.chance:.0f} %, p = {ev.p_value:.3g}.<br>"
            "Exporting fits this pipeline on <i>all</i> trials and saves it, with the channel list, sampling "
            "rate, filter and epoch window, as a <b>.bcimodel</b> file for online decoding.")
