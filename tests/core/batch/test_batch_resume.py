"""``bcigui benchmark`` killed midway (SIGKILL), then ``--resume``: rows already written are kept as
they were, only the missing ones are computed, no duplicates, and the final results equal an
uninterrupted run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bcigui.cli import main
from bcigui.core.batch.results import read_results
from tests.core.batch.conftest import PIPELINES, key_scores


def _rows_on_disk(path: Path) -> int:
    return max(0, len(path.read_text().splitlines()) - 1) if path.is_file() else 0


def test_killed_run_resumes_without_duplicates(lr8: str, serial_rows: list[dict], tmp_path: Path,
                                               capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "res"
    csv_path = out / "results.csv"
    args = ["benchmark", "--dataset", lr8, "--pipelines", ",".join(PIPELINES), "--subjects", "1-3",
            "--results", str(out)]
    proc = subprocess.Popen([sys.executable, "-m", "bcigui", *args, "--scheduler", "serial"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _rows_on_disk(csv_path) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read().decode()[-2000:]
    before = csv_path.read_text()
    n_before = _rows_on_disk(csv_path)
    assert 2 <= n_before < 6, f"the run was not interrupted midway ({n_before} rows of 6)"
    # a kill while a row was being written leaves a partial last line: --resume drops it
    with open(csv_path, "a") as f:
        f.write("0.5,0.01,45,3,0,8")

    assert main(args) == 2  # refuses to overwrite without --resume
    assert "pass --resume" in capsys.readouterr().err
    assert main([*args, "--resume", "--cv", "runs"]) == 2  # and to mix results of different folds
    assert "--cv runs differs" in capsys.readouterr().err

    assert main([*args, "--resume", "--scheduler", "serial"]) == 0
    err = capsys.readouterr().err
    assert f"6 task(s): {n_before} already in" in err and f"{6 - n_before} to run" in err
    after = csv_path.read_text()
    assert after.startswith(before)  # completed rows kept as they were
    rows = read_results(csv_path)
    keys = [(r["subject"], r["pipeline"]) for r in rows]
    assert len(keys) == len(set(keys)) == 6
    assert key_scores(rows) == key_scores(serial_rows)
    # resuming a complete run computes nothing
    assert main([*args, "--resume", "--scheduler", "serial"]) == 0
    assert "6 already in" in capsys.readouterr().err and csv_path.read_text() == after
