"""The user guide (``resources/guide/guide.md`` with its screenshots), shown from Help and from each step."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices, QTextCursor, QTextDocument
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from bcigui.gui.settings import resource_path

SECTIONS = {  # where each part of the app sends its reader (the guide's headings)
    "start": "bcigui user guide",
    "guided": "The clinician's path: a guided session",
    "streams": "Streams and live views",
    "calibration": "Calibration runs",
    "analysis-1": "Step 1: data",
    "analysis-2": "Step 2: features",
    "analysis-3": "Step 3: train",
    "analysis-4": "Step 4: export",
    "online": "Online decoding",
    "problems": "When something is wrong",
}

_open: GuideWindow | None = None


class GuideWindow(QDialog):
    """The guide in a browser pane; :meth:`show_section` scrolls to one of :data:`SECTIONS`."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("bcigui — User guide")
        self.resize(900, 760)
        folder = resource_path("guide")
        self.browser = QTextBrowser()
        self.browser.setSearchPaths([str(folder)])
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._link)
        self.browser.setMarkdown((folder / "guide.md").read_text(encoding="utf-8"))
        self._fit_images(760)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        lay = QVBoxLayout(self)
        lay.addWidget(self.browser)
        lay.addWidget(buttons)

    def _fit_images(self, width: int) -> None:
        """Screenshots at the pane's width (they are taken at 1280 px), not wider."""
        doc = self.browser.document()
        block = doc.begin()
        while block.isValid():
            it = block.begin()
            while not it.atEnd():
                frag = it.fragment()
                fmt = frag.charFormat()
                if fmt.isImageFormat():
                    image = fmt.toImageFormat()
                    image.setWidth(width)
                    cursor = QTextCursor(doc)
                    cursor.setPosition(frag.position())
                    cursor.setPosition(frag.position() + frag.length(), QTextCursor.MoveMode.KeepAnchor)
                    cursor.setCharFormat(image)
                it += 1
            block = block.next()

    def _link(self, url: QUrl) -> None:
        if url.scheme() in ("http", "https", "mailto"):
            QDesktopServices.openUrl(url)

    def show_section(self, section: str) -> bool:
        """Scroll so that the heading of ``section`` is at the top; False if the guide lacks it."""
        heading = SECTIONS.get(section, section)
        cursor = self.browser.document().find(heading, 0, QTextDocument.FindFlag.FindCaseSensitively)
        if cursor.isNull():
            return False
        self.browser.setTextCursor(cursor)
        bar = self.browser.verticalScrollBar()
        bar.setValue(bar.maximum())  # then back up: the heading lands at the top, not the bottom
        self.browser.ensureCursorVisible()
        return True


def show_guide(parent: QWidget | None = None, section: str = "start") -> GuideWindow:
    """Open (or raise) the one guide window at ``section``."""
    global _open
    if _open is None or not _open.isVisible():
        _open = GuideWindow(parent)
    _open.show()
    _open.raise_()
    _open.show_section(section)
    return _open
