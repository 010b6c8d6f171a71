"""Where file dialogs open: the folder last used, else the data folder (``~/bcigui-data``), never the
folder the program happens to run from."""

from __future__ import annotations

from pathlib import Path
from typing import Any

_settings: Any = None  # the app's Settings, once the main window has started


def configure(settings: Any) -> None:
    """Remember folders in ``settings`` (keys ``last_folder`` and ``data_dir``)."""
    global _settings
    _settings = settings


def data_folder() -> Path:
    """The data folder: the one set in the app (calibration/guided sessions), else ``~/bcigui-data``."""
    chosen = str(_settings.get("data_dir") or "") if _settings is not None else ""
    return Path(chosen) if chosen else Path.home() / "bcigui-data"


def start_folder() -> str:
    """Where a file dialog opens: the last folder used if it still exists, else the data folder (or
    the home folder until a data folder exists)."""
    last = str(_settings.get("last_folder") or "") if _settings is not None else ""
    for candidate in (Path(last) if last else None, data_folder()):
        if candidate is not None and candidate.is_dir():
            return str(candidate)
    return str(Path.home())


def remember(path: str | Path) -> None:
    """Note the folder of ``path`` (a file or folder the user just chose) for the next dialog."""
    if not path or _settings is None:
        return
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    _settings.set("last_folder", str(folder))
