"""``bcigui report SESSION_DIR --out FILE [--overwrite]`` on the recorded session."""

from __future__ import annotations

from pathlib import Path

import pytest

from bcigui.cli import main


def test_report_command_writes_and_refuses_to_overwrite(recorded_session: Path, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture) -> None:
    out = tmp_path / "report.html"
    assert main(["report", str(recorded_session), "--out", str(out), "--quiet"]) == 0
    assert f"report written to {out}" in capsys.readouterr().out
    first = out.read_bytes()
    assert b"<h2>Decoder</h2>" in first
    assert main(["report", str(recorded_session), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "already exists" in err and "--overwrite" in err
    assert out.read_bytes() == first  # untouched
    inode = out.stat().st_ino
    assert main(["report", str(recorded_session), "--out", str(out), "--overwrite", "--quiet"]) == 0
    assert out.stat().st_ino != inode and b"<h2>Decoder</h2>" in out.read_bytes()  # rebuilt, replaced atomically
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # no temporary file left
    pdf = tmp_path / "report.pdf"
    assert main(["report", str(recorded_session), "--out", str(pdf)]) == 0
    assert "[100%] done" in capsys.readouterr().err and pdf.read_bytes()[:5] == b"%PDF-"


def test_report_command_bad_arguments(recorded_session: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["report", str(recorded_session), "--out", str(tmp_path / "r.docx")]) == 2
    assert "--out must end with one of ['.html', '.pdf'], got" in capsys.readouterr().err
    assert main(["report", str(tmp_path / "nothing"), "--out", str(tmp_path / "r.html")]) == 2
    assert "session_dir: no such folder" in capsys.readouterr().err
    assert main(["report", str(recorded_session), "--out", str(tmp_path / "missing" / "r.html")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
