"""Offline analysis GUI: data, features (r² map, spectra, topomap, ERD/ERS, connectivity), training.

Import :class:`AnalysisWindow` from :mod:`bcigui.gui.analysis.workspace_window` (or from here; the
import is lazy so that importing the package stays light).
"""

from __future__ import annotations

from typing import Any

__all__ = ["AnalysisWindow"]


def __getattr__(name: str) -> Any:
    if name == "AnalysisWindow":
        from bcigui.gui.analysis.workspace_window import AnalysisWindow

        return AnalysisWindow
    raise AttributeError(name)
