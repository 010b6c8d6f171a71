"""Plugins dialog: loaded plugins by kind (version, API, description, origin, parameters) and
failed plugins with their error and traceback."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QSplitter,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.plugins import KINDS, PLUGIN_API_VERSION, PluginSpec, Registry
from bcigui.gui.app import icon
from bcigui.gui.param_form import describe

KIND_TITLES = {
    "source": "Sources", "feature": "Features", "decoder": "Decoders",
    "paradigm": "Paradigms", "view": "Views", "dataset": "Data sets",
}
SPEC_ROLE = Qt.ItemDataRole.UserRole


def short_origin(origin: str) -> str:
    """``"entry point features (pkg.mod:PLUGINS)"`` -> ``"entry point features"``;
    ``"plugin folder /a/b/x.py"`` -> ``"plugin folder: x.py"``."""
    if origin.startswith("plugin folder "):
        return "plugin folder: " + Path(origin.removeprefix("plugin folder ")).name
    return origin.split(" (")[0]


def _mono() -> QFont:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


class PluginsDialog(QDialog):
    """Shows ``registry``: a "Loaded" tab (tree by kind + details) and a "Failed" tab."""

    def __init__(self, registry: Registry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.registry = registry
        self.setWindowTitle("Plugins")
        self.setWindowIcon(icon("plugins"))
        self.tabs = QTabWidget()
        self.tabs.addTab(self._loaded_tab(), f"Loaded ({len(registry.list())})")
        self.tabs.addTab(self._failed_tab(), f"Failed ({len(registry.failures)})")
        if registry.failures:
            self.tabs.setTabIcon(1, icon("warning"))
        header = QLabel(f"Plugin API version {PLUGIN_API_VERSION}. Plugins come from installed packages "
                        "(entry points) and from the user plugin folder.")
        header.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(header)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)
        self.resize(1000, 620)

    # -- loaded -------------------------------------------------------------------------------
    def _loaded_tab(self) -> QWidget:
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["Name", "Version", "API", "Origin", "Description"])
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        for kind in KINDS:
            specs = self.registry.list(kind)
            top = QTreeWidgetItem([f"{KIND_TITLES[kind]} ({len(specs)})"])
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            top.setFirstColumnSpanned(True)
            self.tree.addTopLevelItem(top)
            top.setFirstColumnSpanned(True)
            for spec in specs:
                origin = self.registry.origin(spec)
                item = QTreeWidgetItem([spec.name, spec.version, spec.api_version, short_origin(origin),
                                        spec.description])
                item.setData(0, SPEC_ROLE, spec)
                item.setToolTip(3, origin)
                item.setToolTip(4, spec.description)
                top.addChild(item)
            top.setExpanded(True)
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setPlaceholderText("Select a plugin to see its origin and parameters.")
        self.tree.currentItemChanged.connect(self._show_spec)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.tree)
        split.addWidget(self.details)
        split.setSizes([330, 170])
        return split

    def spec_details(self, spec: PluginSpec) -> str:
        """Text shown for a loaded plugin."""
        lines = [
            f"{spec.kind} plugin {spec.name!r}, version {spec.version}, plugin API {spec.api_version}",
            f"Origin: {self.registry.origin(spec)}",
            f"Factory: {spec.factory if isinstance(spec.factory, str) else repr(spec.factory)}",
        ]
        if spec.description:
            lines.append(f"Description: {spec.description}")
        if spec.tags:
            lines.append("Tags: " + ", ".join(f"{k}={v}" for k, v in spec.tags.items()))
        if spec.params:
            lines.append("Parameters:")
            for p in spec.params:
                unit = f" {p.unit}" if p.unit else ""
                lines.append(f"  • {p.name} ({p.type}, default {p.default!r}{unit})")
                lines.extend("      " + x for x in describe(p).splitlines()[:-1])
        else:
            lines.append("Parameters: none")
        return "\n".join(lines)

    def _show_spec(self, item: QTreeWidgetItem | None, _prev: QTreeWidgetItem | None = None) -> None:
        spec = item.data(0, SPEC_ROLE) if item is not None else None
        self.details.setPlainText(self.spec_details(spec) if spec is not None else "")

    # -- failed -------------------------------------------------------------------------------
    def _failed_tab(self) -> QWidget:
        self.failed_list = QListWidget()
        for f in self.registry.failures:
            item = QListWidgetItem(icon("warning"), f"{f.name} — {f.error}")
            item.setToolTip(f.origin)
            self.failed_list.addItem(item)
        self.traceback_view = QPlainTextEdit()
        self.traceback_view.setReadOnly(True)
        self.traceback_view.setFont(_mono())
        self.traceback_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.failed_list.currentRowChanged.connect(self._show_failure)
        if not self.registry.failures:
            self.traceback_view.setPlaceholderText("All plugins loaded without errors.")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.failed_list)
        split.addWidget(self.traceback_view)
        split.setSizes([160, 340])
        if self.registry.failures:
            self.failed_list.setCurrentRow(0)
        return split

    def _show_failure(self, row: int) -> None:
        if not 0 <= row < len(self.registry.failures):
            self.traceback_view.clear()
            return
        f = self.registry.failures[row]
        self.traceback_view.setPlainText(f"{f.name}\nOrigin: {f.origin}\nError: {f.error}\n\n{f.traceback}")

    def show_failed(self) -> None:
        """Switch to the "Failed" tab."""
        self.tabs.setCurrentIndex(1)
