"""pyqtgraph renders hundreds of frames with the installed PySide6 (6.12 crashes: none_dealloc).

Run in a subprocess so that a crash in Qt/shiboken is reported as a failure with its output
instead of killing the test session.
"""

from __future__ import annotations

import os
import subprocess
import sys

SCRIPT = r"""
import gc
import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication
from PySide6.QtGui import QColor

app = QApplication([])
pg.setConfigOptions(antialias=False)
win = pg.PlotWidget()
win.resize(320, 220)
win.show()
curves = [win.plot(pen=pg.mkPen(c, width=2)) for c in ("#1f6feb", "#d32f2f")]
rng = np.random.default_rng(0)
x = np.arange(1000) / 500.0
frames = 0
for i in range(300):
    for k, c in enumerate(curves):
        c.setData(x, np.sin(2 * np.pi * 10 * x + i / 10 + k) + 0.1 * rng.standard_normal(x.size) + 3 * k)
    app.processEvents()
    if i % 3 == 0 or i == 299:
        img = win.grab().toImage()
    frames += 1
    if i % 50 == 0:
        gc.collect()
# the blue curve must actually be drawn
blue = QColor("#1f6feb").rgb()
hits = sum(img.pixel(px, py) == blue for px in range(0, img.width(), 2) for py in range(0, img.height(), 2))
win.close()
del win, curves
gc.collect()
print("FRAMES", frames, "BLUE", hits)
"""


def test_pyqtgraph_300_frames():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120, env=env)
    assert res.returncode == 0, f"exit {res.returncode}\n{res.stdout}\n{res.stderr}"
    line = next(ln for ln in res.stdout.splitlines() if ln.startswith("FRAMES"))
    _, frames, _, blue = line.split()
    assert int(frames) == 300
    assert int(blue) > 50, "curve not visible in the rendered frame"
