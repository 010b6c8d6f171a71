"""File dialogs open in the folder last used, else the data folder, never the program's folder."""

from __future__ import annotations

from pathlib import Path

from bcigui.gui import folders
from bcigui.gui.settings import Settings


def test_start_folder_follows_the_user(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    (tmp_path / "home").mkdir()
    monkeypatch.chdir(tmp_path)
    settings = Settings(tmp_path / "settings.ini")
    folders.configure(settings)
    try:
        assert folders.start_folder() == str(tmp_path / "home")  # no data folder yet
        (tmp_path / "home" / "bcigui-data").mkdir()
        assert folders.start_folder() == str(tmp_path / "home" / "bcigui-data")
        settings.set("data_dir", str(tmp_path / "lab"))
        (tmp_path / "lab").mkdir()
        assert folders.start_folder() == str(tmp_path / "lab")
        model = tmp_path / "models" / "m.bcimodel"
        model.parent.mkdir()
        folders.remember(model)
        assert folders.start_folder() == str(model.parent)
        assert Settings(tmp_path / "settings.ini").get("last_folder") == str(model.parent)  # kept
        (model.parent).rmdir()  # gone: back to the data folder
        assert folders.start_folder() == str(tmp_path / "lab")
        assert Path.cwd() == tmp_path and folders.start_folder() != str(tmp_path)
    finally:
        folders.configure(None)
