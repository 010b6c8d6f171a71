"""Plugin registry: declarations, validation, discovery, failure isolation."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from bcigui.core.plugins import Param, PluginSpec, Registry, parse_param_args


def test_param_validation_names_param_allowed_and_received():
    p = Param("order", "int", 4, "filter order", minimum=1, maximum=10)
    assert p.validate("6") == 6
    with pytest.raises(ValueError, match=r"'order' must be <= 10, got 11"):
        p.validate(11)
    with pytest.raises(ValueError, match=r"'order' must be of type int, got 'x'"):
        p.validate("x")
    c = Param("method", "str", "welch", choices=("welch", "burg"))
    with pytest.raises(ValueError, match=r"one of \['welch', 'burg'\], got 'fft'"):
        c.validate("fft")
    assert Param("flag", "bool", False).validate("yes") is True
    with pytest.raises(ValueError):
        Param("bad", "int", 20, maximum=10)  # default outside its own range


def test_parse_param_args():
    assert parse_param_args(["a=1", "b = x"]) == {"a": "1", "b": "x"}
    with pytest.raises(ValueError, match="key=value"):
        parse_param_args(["novalue"])


def test_register_validates_kind_api_and_duplicates():
    reg = Registry()
    spec = PluginSpec("thing", "feature", "collections:OrderedDict", params=(Param("n", "int", 1),))
    reg.register(spec)
    assert reg.get("feature", "thing") is spec
    with pytest.raises(ValueError, match="already registered"):
        reg.register(spec)
    with pytest.raises(ValueError, match="kind must be one of"):
        reg.register(PluginSpec("x", "widget", "os:getcwd"))
    with pytest.raises(ValueError, match="plugin API 2.0"):
        reg.register(PluginSpec("y", "feature", "os:getcwd", api_version="2.0"))
    with pytest.raises(KeyError, match=r"available: \['thing'\]"):
        reg.get("feature", "nope")
    with pytest.raises(ValueError, match="Unknown parameter"):
        reg.create("feature", "thing", m=3)


def test_factory_is_imported_lazily(tmp_path):
    mod = tmp_path / "lazy_mod_for_test.py"
    mod.write_text("import pathlib\npathlib.Path(__file__).with_suffix('.imported').touch()\nVALUE = 42\n")
    sys.path.insert(0, str(tmp_path))
    try:
        reg = Registry()
        reg.register(PluginSpec("lazy", "feature", "lazy_mod_for_test:VALUE"))
        assert not mod.with_suffix(".imported").exists()
        assert reg.get("feature", "lazy").load() == 42
        assert mod.with_suffix(".imported").exists()
    finally:
        sys.path.remove(str(tmp_path))


def _write_plugins(folder):
    (folder / "good_plugin.py").write_text(textwrap.dedent("""
        from bcigui.core.plugins import Param, PluginSpec
        def bcigui_plugins():
            return [PluginSpec("folder_good", "feature", "collections:Counter",
                               description="ok", params=(Param("k", "int", 3, minimum=1),))]
    """))
    (folder / "broken_plugin.py").write_text("raise RuntimeError('boom at import')\n")
    (folder / "bad_spec.py").write_text(textwrap.dedent("""
        from bcigui.core.plugins import PluginSpec
        def bcigui_plugins():
            return [PluginSpec("wrong_kind", "gizmo", "os:getcwd")]
    """))


def test_folder_discovery_records_failures_and_keeps_going(tmp_path):
    _write_plugins(tmp_path)
    reg = Registry().discover(tmp_path, use_entry_points=False)
    assert [s.name for s in reg.list("feature")] == ["folder_good"]
    failed = {f.name: f for f in reg.failures}
    assert "boom at import" in failed["broken_plugin"].error
    assert "RuntimeError" in failed["broken_plugin"].traceback
    assert "kind must be one of" in failed["wrong_kind"].error


def test_example_plugin_installed_and_discovered():
    reg = Registry().discover(plugins_dir="/nonexistent", use_entry_points=True)
    spec = reg.get("feature", "example_logvar")
    assert "entry point" in reg.origin(spec)
    est = reg.create("feature", "example_logvar", floor=1e-9)
    import numpy as np

    X = np.random.default_rng(0).standard_normal((4, 3, 50))
    assert est.fit(X).transform(X).shape == (4, 3)


def test_cli_plugins_lists_failures(tmp_path):
    _write_plugins(tmp_path)
    res = subprocess.run(
        [sys.executable, "-m", "bcigui", "--plugins-dir", str(tmp_path), "plugins"],
        capture_output=True, text=True, timeout=120,
    )
    assert res.returncode == 0, res.stderr
    assert "folder_good" in res.stdout and "example_logvar" in res.stdout
    assert "FAILED broken_plugin" in res.stdout and "boom at import" in res.stdout


@pytest.mark.parametrize("declared", [("os.system",), ("builtins.eval",), ("my_pkg",), ("my_pkg.mod.C", "other.C"),
                                      "my_pkg.mod.C", ("my_pkg.mod.C()",)])
def test_a_plugin_may_only_trust_classes_of_its_own_package(declared):
    reg = Registry()
    spec = PluginSpec("dec", "decoder", "my_pkg.mod:make", trusted_types=declared)
    with pytest.raises(ValueError, match="trusted_types must"):
        reg.register(spec)
    reg.register(PluginSpec("ok", "decoder", "my_pkg.mod:make", trusted_types=("my_pkg.mod.C", "my_pkg.sub.mod.D")))
    assert set(reg.trusted_types()) == {"my_pkg.mod.C", "my_pkg.sub.mod.D"}
