"""Plugins dialog and failed-plugin badge, with real plugin modules written to a plugin folder."""

from __future__ import annotations

import textwrap

import pytest
from PySide6.QtCore import Qt

from bcigui.core.plugins import Registry
from bcigui.gui.app import apply_theme
from bcigui.gui.main_window import MainWindow
from bcigui.gui.plugins_dialog import PluginsDialog
from bcigui.gui.settings import Settings

BROKEN = textwrap.dedent('''
    raise RuntimeError("boom while importing the broken plugin")

    def bcigui_plugins():
        return []
''')

GOOD = textwrap.dedent('''
    from bcigui.core.plugins import Param, PluginSpec

    def bcigui_plugins():
        return [PluginSpec(
            name="tmp_bandpower", kind="feature", factory="numpy:mean",
            description="Band power (temporary test plugin)", version="2.3.4",
            params=(Param("fmin", "float", 8.0, "lower edge", minimum=1.0, maximum=40.0, unit="Hz"),
                    Param("log", "bool", True, "log of the power")),
        )]
''')


@pytest.fixture
def plugin_dir(tmp_path):
    d = tmp_path / "plugins"
    d.mkdir()
    (d / "broken_plugin.py").write_text(BROKEN)
    (d / "good_plugin.py").write_text(GOOD)
    return d


def test_dialog_lists_loaded_and_failed(qtbot, plugin_dir, screenshot_dir):
    apply_theme("light")
    reg = Registry().discover(plugin_dir)
    dlg = PluginsDialog(reg)
    qtbot.addWidget(dlg)
    dlg.show()
    # failed tab: name, error and traceback
    assert dlg.tabs.tabText(1) == f"Failed ({len(reg.failures)})"
    texts = [dlg.failed_list.item(i).text() for i in range(dlg.failed_list.count())]
    row = next(i for i, t in enumerate(texts) if t.startswith("broken_plugin"))
    assert "boom while importing" in texts[row]
    dlg.failed_list.setCurrentRow(row)
    tb = dlg.traceback_view.toPlainText()
    assert "Traceback" in tb and "RuntimeError" in tb and "broken_plugin.py" in tb
    # loaded tab: the good plugin under Features, with version, API and parameters
    features = next(dlg.tree.topLevelItem(i) for i in range(dlg.tree.topLevelItemCount())
                    if dlg.tree.topLevelItem(i).text(0).startswith("Features"))
    item = next(features.child(i) for i in range(features.childCount()) if features.child(i).text(0) == "tmp_bandpower")
    assert [item.text(i) for i in range(1, 5)] == [
        "2.3.4", "1.0", "plugin folder: good_plugin.py", "Band power (temporary test plugin)"]
    dlg.tree.setCurrentItem(item)
    details = dlg.details.toPlainText()
    assert "plugin folder" in details and "good_plugin.py" in details
    assert "fmin (float, default 8.0 Hz)" in details and "log (bool" in details
    dlg.tree.setCurrentItem(item)
    dlg.grab().save(str(screenshot_dir / "plugins_dialog_loaded.png"))
    dlg.show_failed()
    dlg.failed_list.setCurrentRow(row)
    dlg.grab().save(str(screenshot_dir / "plugins_dialog_failed.png"))


def test_app_starts_with_broken_plugin_and_badge_opens_dialog(qtbot, plugin_dir, tmp_path):
    reg = Registry().discover(plugin_dir)
    win = MainWindow(reg, Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    assert win.plugin_badge.isVisible()
    n = len(reg.failures)
    assert win.plugin_badge.text() == f"{n} plugin{'s' if n != 1 else ''} failed"
    qtbot.mouseClick(win.plugin_badge, Qt.MouseButton.LeftButton)
    dlg = win.findChild(PluginsDialog)
    assert dlg is not None and dlg.isVisible()
    assert dlg.tabs.currentIndex() == 1
    assert any("broken_plugin" in dlg.failed_list.item(i).text() for i in range(dlg.failed_list.count()))
    dlg.close()
    win.close()


def test_no_badge_without_failures(qtbot, tmp_path):
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "good_plugin.py").write_text(GOOD)
    reg = Registry().discover(tmp_path / "p", use_entry_points=False)
    win = MainWindow(reg, Settings(tmp_path / "settings.ini"))
    qtbot.addWidget(win)
    win.show()
    assert reg.failures == [] and not win.plugin_badge.isVisible()
    win.close()
