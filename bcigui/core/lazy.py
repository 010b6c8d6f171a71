"""Lazy package exports (PEP 562): ``from package import name`` imports the submodule only then.

A package whose ``__init__`` imports every submodule makes importing any one of them pay for all:
``bcigui.core.stream`` needed ``bcigui.core.data.units`` and, through ``bcigui.core.data``, loaded
MNE's and SciPy's signal modules (about 1 s) before a live stream could be opened.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any


def lazy_exports(package: str, exports: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` exporting ``{name: submodule}``."""

    def __getattr__(name: str) -> Any:
        if name not in exports:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{exports[name]}"), name)

    def __dir__() -> list[str]:
        return sorted(exports)

    return __getattr__, __dir__
