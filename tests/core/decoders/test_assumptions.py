"""Pipelines that need phase-locked stimulation say so when the data are not phase-locked."""

from __future__ import annotations

import numpy as np

from bcigui.core.decoders.assumptions import check_requirements, phase_locking
from bcigui.core.plugins import get_registry


def _ssvep(locked: bool, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.arange(512) / 256.0
    X, y = [], []
    for f in (13.0, 17.0, 21.0):
        for _ in range(12):
            phase = 0.3 if locked else rng.uniform(0, 2 * np.pi)
            X.append(np.sin(2 * np.pi * f * t + phase)[None] * np.ones((8, 1)) + rng.standard_normal((8, 512)))
            y.append(f"{f:g}")
    return np.array(X), np.array(y)


def test_phase_locking_test_tells_locked_from_free_running_flicker() -> None:
    X, y = _ssvep(locked=True)
    assert max(phase_locking(X, y, 256.0).values()) < 1e-6
    X, y = _ssvep(locked=False)
    assert min(phase_locking(X, y, 256.0).values()) > 1e-3


def test_trca_declares_the_requirement_and_training_warns() -> None:
    reg = get_registry()
    for name in ("trca", "etrca"):
        assert "phase_locked" in reg.get("decoder", name).tags["requires"]
    assert "requires" not in reg.get("decoder", "fbcca").tags
    free = _ssvep(locked=False)
    warnings = check_requirements(("phase_locked",), *free, 256.0, 0.0, "trca")
    assert len(warnings) == 1 and "expect chance accuracy" in warnings[0] and "fbcca" in warnings[0]
    assert check_requirements(("phase_locked",), *_ssvep(locked=True), 256.0, 0.0, "trca") == []
    assert check_requirements((), *free, 256.0, 0.0, "fbcca") == []


def test_train_prints_the_warning_on_kalunga(tmp_path, capsys) -> None:
    from bcigui.cli import main
    from tests.conftest import SHARED_DATA

    files = sorted((SHARED_DATA / "kalunga2016-ssvep" / "subject01").glob("*_raw.fif"))
    assert main(["train", "--data", *map(str, files), "--paradigm", "ssvep", "--events", "2=13,4=17,3=21",
                 "--pipeline", "trca", "--out", str(tmp_path / "t.bcimodel")]) == 0
    assert "trca needs stimulation phase-locked to the events" in capsys.readouterr().err
