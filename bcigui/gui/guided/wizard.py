"""The guided session: one patient, one window, six steps in plain words.

Patient -> signal check -> calibration -> training -> feedback runs -> report. Every decision lives
in :mod:`bcigui.core.guided` (folders, decoders tried, verdict); this module only shows it. Runs use the
main window's acquisition and the app's marker outlet, so the virtual subject follows them too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget, QWizard

from bcigui.core import guided
from bcigui.gui.guided.result_pages import ReportPage, TrainingPage
from bcigui.gui.guided.run_pages import CalibrationPage, FeedbackPage
from bcigui.gui.guided.setup_pages import PatientPage, SignalPage


class GuidedSession(QWizard):
    """Walks one patient through a session; ``host`` gives ``panel.acquisition``, ``session_outlet``
    and ``settings`` (the main window)."""

    def __init__(self, host: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.host = host
        self.setWindowTitle("bcigui — guided session")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnLastPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # all is saved: only "Close"
        self.setOption(QWizard.WizardOption.HaveHelpButton, True)  # and F1: the guide's clinician part
        self.helpRequested.connect(self.show_guide)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.state: dict[str, Any] = {"bads": [], "calibration": [], "feedback": [], "training": None}
        self.pages = [PatientPage(self), SignalPage(self), CalibrationPage(self), TrainingPage(self),
                      FeedbackPage(self), ReportPage(self)]
        for i, page in enumerate(self.pages):
            page.setTitle(f"Step {i + 1} of {len(self.pages)}: {page.title()}")
            self.setPage(i, page)
        self.setButtonText(QWizard.WizardButton.FinishButton, "Close")
        self.currentIdChanged.connect(self._step_changed)
        self.resize(900, 680)

    def show_guide(self) -> QWidget:
        from bcigui.gui.guide import show_guide

        return show_guide(self, "guided")

    # -- shared state --------------------------------------------------------------------------------
    @property
    def acquisition(self) -> Any:
        return getattr(getattr(self.host, "panel", None), "acquisition", None)

    @property
    def root(self) -> Path:
        return Path(self.state.get("root") or guided.DEFAULT_ROOT)

    @property
    def subject(self) -> str:
        return self.state["subject"]

    @property
    def session(self) -> str:
        return self.state["session"]

    @property
    def session_dir(self) -> Path:
        return guided.session_dir(self.root, self.subject, self.session)

    def _step_changed(self, index: int) -> None:
        if 0 <= index < len(self.pages):
            self.setWindowTitle(f"bcigui — guided session — {self.pages[index].title()}")

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        for page in self.pages:
            page.stop()
        super().closeEvent(event)
