"""QApplication set-up: identity, icons, stylesheet themes, and :func:`run_app`."""

from __future__ import annotations

import signal
import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

import bcigui
from bcigui.core.checks import invalid_option
from bcigui.gui.settings import THEMES, Settings, resource_path
from bcigui.gui.workers import wait_for_all


@cache
def icon(name: str) -> QIcon:
    """Packaged SVG icon ``resources/icons/<name>.svg``."""
    return QIcon(str(resource_path("icons", f"{name}.svg")))


def load_stylesheet(theme: str = "light") -> str:
    """Qt stylesheet text of ``theme`` (one of :data:`~bcigui.gui.settings.THEMES`)."""
    if theme not in THEMES:
        raise invalid_option("theme", theme, list(THEMES))
    name = "stylesheet.qss" if theme == "light" else f"stylesheet-{theme}.qss"
    text = resource_path(name).read_text(encoding="utf-8")
    return text.replace("@ICONS@", resource_path("icons").as_posix())


def apply_theme(theme: str) -> None:
    """Apply a theme to the running application."""
    app = QApplication.instance()
    if app is not None:
        app.setStyleSheet(load_stylesheet(theme))


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists), with name, icon and Fusion style."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    app.setApplicationName("bcigui")
    app.setApplicationDisplayName("bcigui")
    app.setOrganizationName("bcigui")
    app.setApplicationVersion(bcigui.__version__)
    app.setWindowIcon(icon("app"))
    app.setStyle("Fusion")
    return app


def run_app(
    plugins_dir: str | Path | None = None, simulate: str | None = None, settings: Settings | None = None
) -> int:
    """Open the main window and run the event loop until it is closed; return the exit code."""
    from bcigui.core.plugins import get_registry
    from bcigui.gui.main_window import MainWindow

    app = create_app()
    settings = settings or Settings()
    folder = plugins_dir or settings.plugins_dir or None
    # the process-wide registry: what the window lists is what the core (paradigms, decoders, model
    # trust) creates from
    registry = get_registry(folder, refresh=True)
    apply_theme(settings.theme)
    window = MainWindow(registry, settings, simulate=simulate)
    window.show()
    if settings.get("guided_at_start"):  # the clinician's path first; the expert closes it
        QTimer.singleShot(0, window.show_guided)
    # Ctrl+C in the terminal closes the window cleanly (the timer lets Python see the signal).
    previous = signal.signal(signal.SIGINT, lambda *_: window.close())
    tick = QTimer()
    tick.timeout.connect(lambda: None)
    tick.start(250)
    try:
        code = int(app.exec())
    finally:
        tick.stop()
        signal.signal(signal.SIGINT, previous)
    wait_for_all(5.0)  # let stream discovery etc. finish before the interpreter goes away
    return code
