"""The same results serially, on a LocalCluster with 2 workers and on a separate ``dask scheduler`` +
``dask worker`` on loopback (3 PhysioNet subjects x 2 pipelines); equal to ``bcigui train``'s
cross-validation; a corrupt file fails its subject's tasks only."""

from __future__ import annotations

import json
import os
import shutil
import sys
import threading
from pathlib import Path

import pytest

from bcigui.core.batch.definition import resolve_dataset
from bcigui.core.batch.results import COLUMNS, MOABB_COLUMNS, read_results
from bcigui.core.batch.runner import run_batch
from tests.conftest import PHYSIONET, physionet_file
from tests.core.batch.conftest import PIPELINES, key_scores


def test_serial_results_in_moabb_format(serial_rows: list[dict], lr8: str, tmp_path: Path) -> None:
    assert len(serial_rows) == 6
    assert list(serial_rows[0])[: len(MOABB_COLUMNS)] == list(MOABB_COLUMNS) and list(serial_rows[0]) == list(COLUMNS)
    for r in serial_rows:
        assert r["scoring"] == "roc_auc" and 0 <= r["score"] <= 1 and r["channels"] == 8 and r["n_sessions"] == 1
        assert r["samples"] == 45 and r["session"] == "0" and r["time"] > 0 and r["chance_level"] == pytest.approx(23 / 45)
    # the scores differ between subjects and pipelines (not a constant)
    assert len({round(r["score"], 6) for r in serial_rows}) >= 4


@pytest.mark.parametrize("start", ["fork", "spawn"])
def test_local_cluster_matches_serial(serial_rows: list[dict], lr8: str, tmp_path: Path, start: str) -> None:
    """Forked workers (which inherit this process's imports) and spawned ones (another thread runs here,
    so forking is not safe) compute the same scores as the serial run."""
    stop = threading.Event()
    if start == "spawn":
        threading.Thread(target=stop.wait, daemon=True).start()
    elif sys.platform != "linux" or threading.active_count() > 1:
        pytest.skip("workers are forked only on Linux from a process with no other thread")
    try:
        report = run_batch([resolve_dataset(lr8)], PIPELINES, tmp_path, subjects=[1, 2, 3], scheduler="local",
                           workers=2)
    finally:
        stop.set()
    assert report.worker_start == start
    assert report.workers == 2 and report.completed == 6 and not report.failures
    assert key_scores(read_results(tmp_path / "results.csv")) == key_scores(serial_rows)
    summary = (tmp_path / "summary.md").read_text()
    assert "## lr8" in summary and "| csp_lda | 3 |" in summary and "| mdm | 3 |" in summary
    assert (tmp_path / "summary.png").stat().st_size > 5000


def test_external_scheduler_matches_serial(serial_rows: list[dict], lr8: str, dask_processes: str,
                                           tmp_path: Path) -> None:
    report = run_batch([resolve_dataset(lr8)], PIPELINES, tmp_path, subjects=[1, 2, 3], scheduler=dask_processes)
    assert report.workers == 1 and report.completed == 6 and not report.failures
    assert key_scores(read_results(tmp_path / "results.csv")) == key_scores(serial_rows)


def test_serial_run_does_not_load_dask(lr8: str, tmp_path: Path) -> None:
    """``--scheduler serial`` is plain in-process work: importing dask.distributed (0.3 s) would be waste."""
    import subprocess

    code = ("import sys; from bcigui.core.batch.definition import resolve_dataset; "
            "from bcigui.core.batch.runner import run_batch; "
            f"r = run_batch([resolve_dataset({lr8!r})], ['csp_lda'], {str(tmp_path)!r}, [1], scheduler='serial'); "
            "print(r.completed, sorted(m for m in ('dask', 'distributed') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["1", "[]"], out


def test_same_accuracy_as_bcigui_train(tmp_path: Path) -> None:
    from bcigui.core.decoders.training import train_files

    run_batch([resolve_dataset(f"physionet-lr:{PHYSIONET}")], ["csp_lda"], tmp_path, subjects=[1], scheduler="serial",
              summary=False)
    (row,) = read_results(tmp_path / "results.csv")
    trained = train_files([physionet_file(1, r) for r in (4, 8, 12)], "mi", {"T1": "left", "T2": "right"}, "csp_lda",
                          tmin=0.0, tmax=3.0, cv=5)
    assert row["accuracy"] == trained.report["accuracy"] and row["kappa"] == trained.report["kappa"]
    assert row["score"] == trained.report["roc_auc"] and row["channels"] == 64


def _corrupt_root(tmp_path: Path) -> Path:
    """Subjects 1 and 2 (runs 4/8/12) in MNE's layout; S002R08.edf truncated inside its header."""
    root = tmp_path / "root"
    for s in (1, 2):
        for r in (4, 8, 12):
            dst = root / physionet_file(s, r).relative_to(PHYSIONET)
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(physionet_file(s, r), dst)
    bad = root / physionet_file(2, 8).relative_to(PHYSIONET)
    os.truncate(bad, 1000)
    return root


@pytest.mark.parametrize("where", ["serial", "cluster"])
def test_corrupt_file_fails_its_tasks_only(where: str, lr8: str, dask_processes: str, tmp_path: Path) -> None:
    definition = resolve_dataset(lr8.split(":")[0] + f":{_corrupt_root(tmp_path)}")
    seen = []
    report = run_batch([definition], PIPELINES, tmp_path / "out", subjects=[1, 2],
                       scheduler="serial" if where == "serial" else dask_processes, on_outcome=seen.append)
    assert report.completed == 2 and len(report.failures) == 2 and len(seen) == 4
    assert {(f.key.subject, f.key.pipeline) for f in report.failures} == {(2, "csp_lda"), (2, "mdm")}
    for f in report.failures:
        assert "S002R08.edf" in f.error and f.error.startswith("RuntimeError: cannot read")
    rows = read_results(tmp_path / "out" / "results.csv")
    assert {(r["subject"], r["pipeline"]) for r in rows} == {(1, "csp_lda"), (1, "mdm")}
    errors = [json.loads(line) for line in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    assert sorted((e["subject"], e["pipeline"]) for e in errors) == [(2, "csp_lda"), (2, "mdm")]
    assert all("Traceback" in e["traceback"] for e in errors)
    assert "2 failed task(s)" in (tmp_path / "out" / "summary.md").read_text()
