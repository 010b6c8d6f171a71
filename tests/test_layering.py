"""The core never imports Qt: import every module under bcigui.core in a fresh interpreter."""

import subprocess
import sys

CODE = r"""
import importlib, pkgutil, sys
import bcigui.core
for m in pkgutil.walk_packages(bcigui.core.__path__, "bcigui.core."):
    importlib.import_module(m.name)
bad = sorted(k for k in sys.modules if k.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6")
             or k.startswith("bcigui.gui"))
print("IMPORTED:", bad)
sys.exit(1 if bad else 0)
"""


def test_core_imports_no_qt():
    res = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
