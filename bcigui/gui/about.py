"""About dialog: version, library versions and licence."""

from __future__ import annotations

import platform
from importlib.metadata import PackageNotFoundError, version

from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

import bcigui
from bcigui.gui.app import icon

LIBRARIES = (
    "PySide6-Essentials", "pyqtgraph", "pylsl", "numpy", "scipy", "mne", "scikit-learn",
    "pyriemann", "mne-connectivity", "skops", "pyxdf", "mne-bids",
)
LICENCE = "BSD-3-Clause"


def library_versions() -> dict[str, str]:
    """Installed versions of Python, Qt and the main libraries (``"not installed"`` if absent)."""
    out = {"Python": platform.python_version(), "Qt": qVersion()}
    for name in LIBRARIES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "not installed"
    return out


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About bcigui")
        logo = QLabel()
        logo.setPixmap(icon("app").pixmap(64, 64))
        title = QLabel(f"<h2>bcigui {bcigui.__version__}</h2>"
                       "<p>Brain-computer-interface experiments: live EEG over LSL, calibration, "
                       "feature selection, decoder training and online use.</p>"
                       f"<p>Licence: {LICENCE}. Provided without warranty; not a medical device.</p>")
        title.setWordWrap(True)
        rows = "".join(f"<tr><td>{k}</td><td>&nbsp;&nbsp;<b>{v}</b></td></tr>"
                       for k, v in library_versions().items())
        self.versions = QLabel(f"<table>{rows}</table>")
        self.versions.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(logo, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        layout.addWidget(QLabel("<b>Components</b>"))
        layout.addWidget(self.versions)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
