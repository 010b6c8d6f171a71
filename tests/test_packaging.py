"""Packaging files (packaging/): fast checks only. Building the bundle takes minutes and is done by hand
with ``make bundle-test`` (build + ``packaging/smoke.sh``), never by ``make test``."""

from __future__ import annotations

import ast
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
SCRIPTS = ["smoke.sh", "make_release.sh", "install.sh"]


@pytest.mark.parametrize("script", SCRIPTS)
def test_shell_scripts_parse_and_are_executable(script: str) -> None:
    path = PACKAGING / script
    subprocess.run(["bash", "-n", str(path)], check=True)
    assert os.access(path, os.X_OK), f"{path} is not executable"


def test_spec_is_python_and_names_existing_files() -> None:
    spec = PACKAGING / "bcigui.spec"
    tree = ast.parse(spec.read_text(), filename=str(spec))
    strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
    assert "launcher.py" in strings and (PACKAGING / "launcher.py").is_file()
    # every package collected in full is installed, and the entry-point metadata can be copied
    full = next(n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                and any(getattr(t, "id", None) == "FULL" for t in n.targets))
    for pkg in ast.literal_eval(full):
        __import__(pkg)
    from importlib.metadata import entry_points
    assert {ep.value.split(":")[0] for ep in entry_points(group="bcigui.plugins") if ep.dist.name == "bcigui"}


def test_makefile_has_bundle_targets_outside_test() -> None:
    text = (ROOT / "Makefile").read_text()
    for target in ("bundle:", "bundle-test:", "release:"):
        assert f"\n{target}" in text
    test_recipe = text.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "bundle" not in test_recipe and "pyinstaller" not in test_recipe


def test_build_outputs_are_git_ignored() -> None:
    for path in ("dist/bcigui/bcigui", "build/pyinstaller/x", ".venv-bundle/bin/python"):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path


def _smoke_gui(tmp_path: Path, plugins: Path) -> tuple[int, dict]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "BCIGUI_SMOKE_GUI": "1",
           "BCIGUI_SETTINGS": str(tmp_path / "settings.json"), "BCIGUI_WORKSPACE": str(tmp_path / "ws")}
    proc = subprocess.run([sys.executable, str(PACKAGING / "launcher.py"), "--plugins-dir", str(plugins)],
                          env=env, capture_output=True, text=True, timeout=120)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("smoke-gui: ")]
    assert lines, proc.stdout + proc.stderr
    return proc.returncode, json.loads(lines[-1].removeprefix("smoke-gui: "))


def test_launcher_gui_smoke_hook_shows_window_and_loads_every_plugin(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    code, result = _smoke_gui(tmp_path, plugins)
    assert code == 0 and result["ok"] and result["shown"] and result["failed"] == []
    assert result["title"] == "bcigui" and result["frozen"] is False and result["n_plugins"] >= 20
    assert 0 < result["seconds_to_window"] < 60


def test_launcher_gui_smoke_hook_fails_on_a_plugin_whose_code_is_missing(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "missing_code.py").write_text(
        "from bcigui.core.plugins import PluginSpec\n"
        "def bcigui_plugins():\n"
        "    return [PluginSpec('ghost', 'feature', 'bcigui_no_such_module:Ghost')]\n")
    code, result = _smoke_gui(tmp_path, plugins)
    assert code != 0 and not result["ok"] and result["shown"]
    assert len(result["failed"]) == 1 and "ghost" in result["failed"][0]
    assert "bcigui_no_such_module" in result["failed"][0]


def test_install_script_adds_menu_entry_and_command(tmp_path: Path) -> None:
    release = tmp_path / "bcigui 0.1 release"  # a space in the path must survive the desktop entry
    release.mkdir()
    for name in ("install.sh", "bcigui.desktop"):
        shutil.copy(PACKAGING / name, release / name)
    shutil.copy(ROOT / "bcigui" / "resources" / "icons" / "app.svg", release / "bcigui.svg")
    (release / "bcigui").symlink_to(Path(sys.executable).with_name("bcigui"))  # the source-install command
    home = tmp_path / "home"
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "share")}
    subprocess.run(["bash", str(release / "install.sh")], env=env, check=True, capture_output=True)
    desktop = (home / "share" / "applications" / "bcigui.desktop").read_text()
    assert f'Exec="{release}/bcigui"' in desktop and "Icon=bcigui" in desktop
    assert (home / "share" / "icons" / "hicolor" / "scalable" / "apps" / "bcigui.svg").is_file()
    link = home / ".local" / "bin" / "bcigui"
    out = subprocess.run([str(link), "--version"], capture_output=True, text=True, check=True).stdout
    import bcigui
    assert out.strip() == f"bcigui {bcigui.__version__}"
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(home / "share" / "applications" / "bcigui.desktop")],
                       check=True)
    subprocess.run(["bash", str(release / "install.sh"), "--uninstall"], env=env, check=True, capture_output=True)
    assert not link.exists() and not (home / "share" / "applications" / "bcigui.desktop").exists()
