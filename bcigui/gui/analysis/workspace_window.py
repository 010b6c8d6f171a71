"""The analysis window: guided steps 1 Data -> 2 Features -> 3 Train -> 4 Export."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from bcigui.core.analysis import extractors
from bcigui.gui.analysis.dataset_panel import DatasetPanel
from bcigui.gui.analysis.export_step import ExportStep
from bcigui.gui.analysis.features_step import FeaturesStep
from bcigui.gui.analysis.r2_map import Feature
from bcigui.gui.analysis.training_panel import TrainingPanel

STEPS = ("1 · Data", "2 · Features", "3 · Train", "4 · Export")


def default_workspace_dir() -> Path:
    """``$BCIGUI_WORKSPACE`` or ``$XDG_DATA_HOME/bcigui/workspaces/default``."""
    env = os.environ.get("BCIGUI_WORKSPACE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "bcigui" / "workspaces" / "default"


class AnalysisWindow(QMainWindow):
    """Offline analysis: load data, look at what separates the classes, pick features, train, export.

    Data sets and training attempts are recorded in a core :class:`~bcigui.core.workspace.Workspace`
    (``workspace_dir``, default :func:`default_workspace_dir`; "Workspace > Open folder…" changes it).
    """

    def __init__(self, parent: QWidget | None = None, workspace_dir: str | Path | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("bcigui — Analysis")
        self.resize(1400, 860)
        self.dataset = DatasetPanel()
        self.features = FeaturesStep()
        self.training = TrainingPanel()
        self.export = ExportStep(self.training)
        self.steps = QTabWidget()
        self.steps.setDocumentMode(True)
        for w, title in zip((self.dataset, self.features, self.training, self.export), STEPS, strict=True):
            self.steps.addTab(w, title)
        self.setCentralWidget(self.steps)
        self.steps.currentChanged.connect(lambda _i: self.show_hint())
        self.features.tfr_source = lambda: (self.dataset.tfr_epochs(), self.dataset.baseline())
        self.dataset.epochs_ready.connect(self._epochs_ready)
        self.features.panel.extracted.connect(lambda _t: self.show_hint())
        self.features.r2map.selection_changed.connect(self._selection_to_training)
        self.training.attempt_added.connect(lambda _e: self.features.refresh_saved())
        self.training.attempt_added.connect(lambda _e: self.show_hint())
        self.workspace = None
        menu = self.menuBar().addMenu("&Workspace")
        menu.addAction("Open folder…", self._choose_workspace)
        help_menu = self.menuBar().addMenu("&Help")
        guide = help_menu.addAction("Guide for this step", self.show_guide)
        guide.setShortcut(QKeySequence(QKeySequence.StandardKey.HelpContents))
        self.open_workspace(workspace_dir or default_workspace_dir())
        self.show_hint()

    def hint(self) -> str:
        """What to do now, for the step on screen and what has been done so far."""
        step = self.steps.currentIndex()
        has_trials = self.dataset.epochs() is not None
        has_features = self.features.tensor is not None
        has_attempts = bool(self.training.attempts)
        if step == 0:
            return ("Step 1: trials ready. Next: step 2, Features." if has_trials
                    else "Step 1: add recordings and name the classes.")
        if not has_trials:
            return f"Step {step + 1} needs trials: add recordings and name the classes in step 1."
        if step == 1:
            return ("Step 2: click the r² map to pick features, then go to step 3." if has_features
                    else "Step 2: extract features to see what separates the classes.")
        if step == 2:
            return ("Step 3: compare attempts; export the best one in step 4." if has_attempts
                    else "Step 3: choose a decoder and train it (cross-validated).")
        return ("Step 4: export the selected attempt as a model file." if has_attempts
                else "Step 4: train an attempt in step 3 first.")

    def show_guide(self) -> QWidget:
        """The user guide at the step on screen (F1)."""
        from bcigui.gui.guide import show_guide

        return show_guide(self, f"analysis-{self.steps.currentIndex() + 1}")

    def show_hint(self) -> None:
        self.statusBar().showMessage(self.hint())

    def open_workspace(self, folder: str | Path) -> None:
        """Record data sets, parameter sets, selections and attempts in the workspace at ``folder``
        (created if missing); feature extraction goes through its cache."""
        from bcigui.core.workspace import Workspace

        try:
            self.workspace = Workspace(folder)
        except (OSError, ValueError) as err:
            self.statusBar().showMessage(f"⚠ Cannot open workspace {folder}: {err}")
            return
        self.training.workspace = self.workspace
        self.features.workspace = self.workspace
        self.features.panel.workspace = self.workspace
        self.features.refresh_saved()
        self.setWindowTitle(f"bcigui — Analysis — {self.workspace.path}")
        if self.dataset.epochs() is not None:
            self._register_dataset()

    def _choose_workspace(self) -> None:
        from bcigui.gui import folders

        folder = QFileDialog.getExistingDirectory(self, "Workspace folder", folders.start_folder())
        if folder:
            folders.remember(folder)
            self.open_workspace(folder)

    def _register_dataset(self) -> None:
        """Record the data set of the current epochs (files, events, window, filter, excluded epochs)
        in the workspace, or find it there; its id keys the feature cache and the records."""
        did = None
        d = self.dataset
        definition = d.definition()
        if self.workspace is not None and definition is not None:
            try:
                did = self.workspace.add_dataset(
                    ", ".join(Path(p).stem for p in definition["files"]), definition["files"],
                    definition["event_map"], definition["tmin"], definition["tmax"], definition["filter"],
                    cut=definition["cut"], exclude=definition["exclude"], reuse=True)
                self.workspace.prime_epochs(did, d.epochs())
                self.workspace.save()
            except (OSError, ValueError) as err:
                self.statusBar().showMessage(f"⚠ Workspace not updated: {err}")
                did = None
        self.training.dataset_id = did
        self.training.event_map = dict(definition["event_map"]) if definition else {}
        self.training.sources = [str(f) for f in definition["files"]] if definition else []
        self.features.dataset_id = did
        self.features.panel.dataset_id = did

    def _selection_to_training(self, feats: list[Feature]) -> None:
        """The map's selection goes to the 'happyfeat' pipeline with the settings it was extracted with."""
        tensor = self.features.tensor
        values = extractors.decoder_values(tensor) if tensor is not None else {}
        self.training.set_selection([f.core_name for f in feats], values,
                                    param_set_id=self.features.panel.param_set_id)

    def _epochs_ready(self, epochs) -> None:
        self._register_dataset()
        self.features.set_epochs(epochs)
        self.training.set_epochs(epochs)
        self.show_hint()
