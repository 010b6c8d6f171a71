"""Fixtures for the batch tests: a small PhysioNet definition (8 sensorimotor channels, 3 subjects)
and a dask scheduler + worker started as separate processes on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.conftest import PHYSIONET

CHANNELS = ["FC3", "FC4", "C3", "C1", "Cz", "C2", "C4", "CPz"]
PIPELINES = ["csp_lda", "mdm"]


@pytest.fixture(scope="session")
def lr8(tmp_path_factory: pytest.TempPathFactory) -> str:
    """``--dataset`` argument: physionet-lr restricted to 8 channels, ROOT = ../shared/data's PhysioNet."""
    if not PHYSIONET.is_dir():
        pytest.fail(f"shared data not found at {PHYSIONET}")
    path = tmp_path_factory.mktemp("defs") / "lr8.toml"
    path.write_text(f'extends = "physionet-lr"\nname = "lr8"\nchannels = {json.dumps(CHANNELS)}\n')
    return f"{path}:{PHYSIONET}"


@pytest.fixture(scope="session")
def serial_rows(lr8: str, tmp_path_factory: pytest.TempPathFactory) -> list[dict]:
    """Results of 3 subjects x 2 pipelines computed serially, in this process."""
    from bcigui.core.batch.definition import resolve_dataset
    from bcigui.core.batch.results import read_results
    from bcigui.core.batch.runner import run_batch

    out = tmp_path_factory.mktemp("serial")
    report = run_batch([resolve_dataset(lr8)], PIPELINES, out, subjects=[1, 2, 3], scheduler="serial")
    assert report.completed == 6 and not report.failures and report.total == 6
    return read_results(out / "results.csv")


def key_scores(rows: list[dict]) -> dict[tuple, tuple]:
    return {(r["dataset"], r["subject"], r["session"], r["pipeline"]): (r["score"], r["accuracy"], r["kappa"],
                                                                        r["samples"], r["channels"]) for r in rows}


@pytest.fixture(scope="module")
def dask_processes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``dask scheduler`` and ``dask worker`` (one worker process running 2 tasks at a time in threads)
    on 127.0.0.1: another configuration than the LocalCluster's (2 processes x 1 thread)."""
    folder = tmp_path_factory.mktemp("dask")
    sched_file = folder / "scheduler.json"
    env = dict(os.environ)
    procs = [subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", "0",
                               "--no-dashboard", "--scheduler-file", str(sched_file)],
                              stdout=subprocess.DEVNULL, stderr=open(folder / "scheduler.log", "w"), env=env,
                              start_new_session=True)]
    try:
        deadline = time.monotonic() + 30
        while not sched_file.is_file() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sched_file.is_file(), (folder / "scheduler.log").read_text()
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nworkers", "1",
                                       "--nthreads", "2", "--host", "127.0.0.1", "--no-dashboard"],
                                      stdout=subprocess.DEVNULL, stderr=open(folder / "worker.log", "w"), env=env,
                                      start_new_session=True, cwd=str(folder)))
        from distributed import Client

        with Client(address, timeout="20s") as client:
            client.wait_for_workers(1, timeout=60)
        yield address
    finally:  # each started in its own session: its process group holds it and its worker processes
        for p in procs:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
