"""The view plugins: declared without Qt, discoverable, each factory builds a working widget."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyqtgraph.Qt import QtWidgets

from bcigui.core.plugins.registry import Registry
from bcigui.gui.views.plugins import PLUGINS


def test_declarations_import_no_qt():
    code = ("import sys, bcigui.gui.views, bcigui.gui.views.plugins as p; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph', 'shiboken6')]; "
            "print(len(p.PLUGINS), bad); sys.exit(1 if bad else 0)")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stdout + res.stderr


def test_registered_through_entry_points():
    reg = Registry().discover(plugins_dir="/nonexistent", use_entry_points=True)
    names = {s.name for s in reg.list("view")}
    assert {"traces", "spectrum", "bandpower", "spectrogram", "topomap", "quality"} <= names


@pytest.mark.parametrize("spec", PLUGINS, ids=lambda s: s.name)
def test_each_view_builds_from_its_spec(spec, source_factory, qtbot):
    src = source_factory(16, 250.0, 5.0)
    assert spec.kind == "view"
    view = spec.load()(src, None, **spec.resolve())
    qtbot.addWidget(view)
    assert isinstance(view, QtWidgets.QWidget)
    view.resize(700, 450)
    view.show()
    view.refresh()
    assert view.grab().width() == 700
    view.close()
