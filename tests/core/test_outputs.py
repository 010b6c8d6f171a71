"""Never damage what the user gave: an output that is an input, an existing output without
--overwrite, two outputs on one file and an unwritable folder are refused before any work, and no
input changes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from bcigui.cli import main
from bcigui.core.outputs import check_outputs, write_text_atomic
from tests.conftest import physionet_file


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("outputs")
    edf = folder / "S001R04.edf"
    shutil.copy(physionet_file(1, 4), edf)
    model = folder / "m.bcimodel"
    assert main(["train", "--data", str(edf), "--paradigm", "mi", "--events", "T1=left,T2=right",
                 "--pipeline", "csp_lda", "--cv", "3", "--out", str(model)]) == 0
    return edf, model


def _cases(edf: Path, model: Path, tmp: Path) -> list[tuple[list[str], str]]:
    train = ["train", "--data", str(edf), "--paradigm", "mi", "--events", "T1=left,T2=right", "--pipeline", "csp_lda"]
    blocker = tmp / "a-file"
    blocker.write_text("x")
    return [
        ([*train, "--out", str(edf)], "is one of the inputs"),
        ([*train, "--out", str(model)], "already exists; add --overwrite"),
        ([*train, "--out", str(tmp / "n.bcimodel"), "--report", str(tmp / "n.bcimodel")], "are the same file"),
        ([*train, "--out", str(tmp / "r.bcimodel"), "--report", str(edf)], "is one of the inputs"),
        ([*train, "--out", str(blocker / "m.bcimodel")], "cannot be written"),
        ([*train, "--out", str(tmp)], "is a folder"),
        (["evaluate", "--model", str(model), "--data", str(edf), "--report", str(model)], "is one of the inputs"),
        (["evaluate", "--model", str(model), "--data", str(edf), "--report", str(edf)], "is one of the inputs"),
        (["online", "--model", str(model), "--stream", "never-used", "--log", str(model)], "is one of the inputs"),
    ]


def test_outputs_that_would_destroy_something_are_refused_before_work(trained, tmp_path, capsys) -> None:
    edf, model = trained
    before = {p: _sha(p) for p in (edf, model)}
    for argv, message in _cases(edf, model, tmp_path):
        code = main(argv)
        err = capsys.readouterr().err
        assert code == 2 and message in err, (argv, err)
        assert "%]" not in err, f"{argv}: the work started before the refusal"
        assert {p: _sha(p) for p in before} == before, argv
    assert not (tmp_path / "n.bcimodel").exists() and not (tmp_path / "r.bcimodel").exists()


def test_overwrite_replaces_an_existing_output(trained, tmp_path, capsys) -> None:
    edf, model = trained
    out = tmp_path / "again.bcimodel"
    out.write_text("old")
    report = tmp_path / "report.json"
    assert main(["train", "--data", str(edf), "--paradigm", "mi", "--events", "T1=left,T2=right",
                 "--pipeline", "csp_lda", "--cv", "3", "--out", str(out), "--report", str(report),
                 "--overwrite"]) == 0
    assert out.read_bytes()[:2] == b"PK" and '"accuracy"' in report.read_text()
    assert not list(tmp_path.glob("*.tmp"))


def test_atomic_text_write_leaves_the_old_file_when_interrupted(tmp_path) -> None:
    target = tmp_path / "r.json"
    target.write_text("old")
    with pytest.raises(TypeError):  # the write fails half-way (not text): the rename never happens
        write_text_atomic(target, 123)  # type: ignore[arg-type]
    assert target.read_text() == "old" and not list(tmp_path.glob(".*tmp"))
    check_outputs({"--x": tmp_path / "new.json"}, [target])  # fine: new, writable, not an input
