"""Persistent settings (QSettings) and the Preferences dialog.

Defaults come from ``bcigui/resources/default_settings.json``. Set ``BCIGUI_SETTINGS`` to an
``.ini`` path to use a private settings file (tests, kiosk set-ups).
"""

from __future__ import annotations

import json
import os
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.checks import invalid_option
from bcigui.core.plugins import Param, default_plugins_dir
from bcigui.gui.param_form import ParamForm

THEMES = ("light", "dark")


def resource_path(*parts: str) -> Path:
    """Path of a packaged resource (``resource_path("icons", "app.svg")``)."""
    return Path(str(files("bcigui").joinpath("resources", *parts)))


@cache
def default_settings() -> dict[str, Any]:
    """The shipped defaults (``default_settings.json``)."""
    return json.loads(resource_path("default_settings.json").read_text(encoding="utf-8"))


class Settings:
    """Typed access to the persisted settings; window geometry and dock state as bytes."""

    def __init__(self, path: str | Path | None = None) -> None:
        path = path or os.environ.get("BCIGUI_SETTINGS")
        if path:
            self.qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        else:
            self.qsettings = QSettings("bcigui", "bcigui")
        self._defaults = default_settings()

    # -- generic ------------------------------------------------------------------------------
    def get(self, key: str) -> Any:
        """Stored value of ``key``, converted to the type of its default."""
        default = self._defaults.get(key)
        value = self.qsettings.value(key, default)
        if value is None:
            return default
        if isinstance(default, bool):
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        if isinstance(default, float):
            try:
                return float(value)
            except (TypeError, ValueError):
                return default
        if isinstance(default, list):
            if isinstance(value, str):
                return [value] if value else []
            return list(value or [])
        return value

    def set(self, key: str, value: Any) -> None:
        self.qsettings.setValue(key, value)

    def sync(self) -> None:
        self.qsettings.sync()

    def _bytes(self, key: str) -> QByteArray | None:
        value = self.qsettings.value(key)
        return value if isinstance(value, QByteArray) and not value.isEmpty() else None

    # -- typed --------------------------------------------------------------------------------
    @property
    def geometry(self) -> QByteArray | None:
        return self._bytes("window/geometry")

    @geometry.setter
    def geometry(self, value: QByteArray) -> None:
        self.set("window/geometry", value)

    @property
    def window_state(self) -> QByteArray | None:
        """Dock and toolbar layout (``QMainWindow.saveState``)."""
        return self._bytes("window/state")

    @window_state.setter
    def window_state(self, value: QByteArray) -> None:
        self.set("window/state", value)

    @property
    def theme(self) -> str:
        theme = str(self.get("theme"))
        return theme if theme in THEMES else THEMES[0]

    @theme.setter
    def theme(self, value: str) -> None:
        if value not in THEMES:
            raise invalid_option("theme", value, list(THEMES))
        self.set("theme", value)

    @property
    def plugins_dir(self) -> str:
        """User plugin folder ('' = the default per-user folder)."""
        return str(self.get("plugins_dir") or "")

    @plugins_dir.setter
    def plugins_dir(self, value: str | Path | None) -> None:
        self.set("plugins_dir", str(value or ""))

    @property
    def last_stream(self) -> str:
        return str(self.get("last_stream") or "")

    @last_stream.setter
    def last_stream(self, value: str) -> None:
        self.set("last_stream", value)

    @property
    def open_views(self) -> list[str]:
        return [str(v) for v in self.get("open_views")]

    @open_views.setter
    def open_views(self, names: list[str]) -> None:
        self.set("open_views", list(names))


PREFERENCES = (
    Param("theme", "str", "light", "Colour theme of the application", choices=THEMES),
    Param(
        "auto_connect", "bool", False,
        "At start-up, connect to the last used stream if it is on the network",
    ),
    Param(
        "discovery_timeout", "float", 1.0, "How long to listen for streams when refreshing the list",
        minimum=0.2, maximum=10.0, unit="s",
    ),
)


class PreferencesDialog(QDialog):
    """Edit theme, plugin folder, auto-connect and discovery time; ``apply()`` stores them."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.form = ParamForm(PREFERENCES, {p.name: settings.get(p.name) for p in PREFERENCES})
        self.folder = QLineEdit(settings.plugins_dir)
        self.folder.setPlaceholderText(str(default_plugins_dir()))
        self.folder.setToolTip("Folder scanned for user plugins (takes effect at the next start)")
        browse = QPushButton("Browse…")
        browse.setToolTip("Choose the plugin folder")
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(QLabel("Plugin folder"))
        row.addWidget(self.folder, 1)
        row.addWidget(browse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.form.validity_changed.connect(buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled)
        note = QLabel("Settings are kept between sessions. A new plugin folder is used at the next start.")
        note.setObjectName("statusReason")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form)
        layout.addLayout(row)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(520, self.sizeHint().height())

    def _browse(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "Plugin folder", self.folder.text())
        if path:
            self.folder.setText(path)

    def apply(self) -> dict[str, Any]:
        """Store the edited values; return them."""
        values = self.form.values()
        for key, value in values.items():
            self.settings.set(key, value)
        self.settings.plugins_dir = self.folder.text().strip()
        self.settings.sync()
        return values

    def accept(self) -> None:
        self.apply()
        super().accept()
