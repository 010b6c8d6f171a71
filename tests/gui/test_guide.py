"""The user guide opens from Help (F1), from the analysis steps and from the guided session, at the
right part; every picture it shows exists."""

from __future__ import annotations

import re

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QWizard

from bcigui.core.plugins import Registry
from bcigui.gui.analysis import AnalysisWindow
from bcigui.gui.guide import SECTIONS, GuideWindow
from bcigui.gui.main_window import MainWindow
from bcigui.gui.settings import Settings, resource_path


def test_guide_pictures_and_sections(qtbot, screenshot_dir):
    text = (resource_path("guide") / "guide.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert len(pictures) >= 8
    for pic in pictures:
        assert (resource_path("guide") / pic).is_file(), pic
    guide = GuideWindow()
    qtbot.addWidget(guide)
    guide.show()
    doc = guide.browser.document()
    for pic in pictures:  # the browser finds them too (not a broken-image icon)
        assert doc.resource(QTextDocument.ResourceType.ImageResource, pic) is not None, pic
    for section in SECTIONS:
        assert guide.show_section(section), section
    assert not guide.show_section("no such heading")
    guide.show_section("analysis-2")
    assert guide.browser.horizontalScrollBar().maximum() == 0  # pictures fit the pane
    guide.grab().save(str(screenshot_dir / "guide.png"))


def test_guide_opens_where_the_user_is(qtbot, tmp_path):
    win = MainWindow(Registry().discover(tmp_path / "none", use_entry_points=False), Settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    action = next(a for m in win.menuBar().findChildren(type(win.menuBar().addMenu("x")))
                  for a in m.actions() if a.text() == "&User guide")
    assert action.shortcut().toString() == "F1"
    action.trigger()
    guide = win.findChild(GuideWindow)
    qtbot.waitUntil(lambda: guide is not None and guide.isVisible(), timeout=3000)

    analysis = AnalysisWindow(workspace_dir=tmp_path / "ws")
    qtbot.addWidget(analysis)
    analysis.show()
    analysis.steps.setCurrentIndex(2)
    shown = analysis.show_guide()
    assert shown.browser.textCursor().selectedText() == SECTIONS["analysis-3"]

    wizard = win.show_guided()
    assert wizard.testOption(QWizard.WizardOption.HaveHelpButton)
    wizard.button(QWizard.WizardButton.HelpButton).click()
    assert shown.browser.textCursor().selectedText() == SECTIONS["guided"]
    wizard.close()
    win.close()
