"""Common base of the periodic (non-trace) views: a QTimer pulling the latest data."""

from __future__ import annotations

from typing import Any

import numpy as np
from pyqtgraph.Qt import QtCore, QtGui, QtWidgets

from bcigui.gui.views.trace_model import check_acquisition


class PeriodicView(QtWidgets.QWidget):
    """Calls :meth:`refresh` every ``interval_ms`` with the latest ``seconds`` of data."""

    def __init__(self, acquisition: Any, parent: QtWidgets.QWidget | None, seconds: float,
                 interval_ms: int) -> None:
        super().__init__(parent)
        check_acquisition(acquisition)
        if not seconds > 0:
            raise ValueError(f"seconds must be > 0, got {seconds!r}")
        self.acquisition = acquisition
        self.sfreq = float(acquisition.sfreq)
        self.ch_names = list(acquisition.ch_names)
        self.seconds = float(seconds)
        self.last_error = ""
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self.refresh)
        self._timer.setInterval(int(interval_ms))

    def latest(self, seconds: float | None = None) -> np.ndarray:
        """The newest ``seconds`` of data ``(n, n_channels)`` in volts (NaN replaced by 0)."""
        n = int(round((seconds or self.seconds) * self.sfreq))
        data, _ = self.acquisition.buffer.get_data(n)
        return np.nan_to_num(np.asarray(data, np.float64))

    def refresh(self) -> None:
        raise NotImplementedError

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802
        self._timer.start()  # refresh only while visible
        super().showEvent(event)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802
        self._timer.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:  # noqa: N802
        self._timer.stop()
        super().closeEvent(event)
