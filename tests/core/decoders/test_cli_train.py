"""`bcigui pipelines`, `bcigui train` and `bcigui evaluate` on real PhysioNet recordings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bcigui.cli import main
from bcigui.core.model_file import load_model
from tests.conftest import physionet_file


def test_pipelines_listing_and_details(capsys: pytest.CaptureFixture) -> None:
    out = subprocess.run([sys.executable, "-m", "bcigui", "pipelines"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.strip().splitlines()
    assert any(line.startswith("csp_lda mi ") for line in lines) and any(line.startswith("fbcca ssvep ") for line in lines)
    assert all(line.split()[1] in ("mi", "ssvep") for line in lines)
    assert main(["pipelines", "csp_lda"]) == 0
    text = capsys.readouterr().out
    assert "n_components (int, default 6" in text and "classifier" in text
    assert main(["pipelines", "nope"]) == 2
    assert "No decoder plugin named 'nope'" in capsys.readouterr().err


def test_train_then_evaluate_on_another_subject(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    model, report = tmp_path / "s1.bcimodel", tmp_path / "report.json"
    files = [str(physionet_file(1, r)) for r in (4, 8, 12)]
    rc = main(["train", "--data", *files, "--paradigm", "mi", "--events", "T1=left,T2=right", "--tmin", "0.5",
               "--tmax", "2.5", "--pipeline", "csp_lda", "--param", "n_components=4", "--cv", "runs",
               "--l-freq", "8", "--h-freq", "30", "--reference", "average", "--out", str(model), "--report", str(report)])
    assert rc == 0, capsys.readouterr().err
    rep = json.loads(report.read_text())
    for key in ("accuracy", "balanced_accuracy", "kappa", "folds", "chance_level", "p_value", "confusion_matrix",
                "classes", "train_seconds", "roc_auc", "itr_bits_per_min"):
        assert key in rep, key
    assert len(rep["folds"]) == 3 and rep["classes"] == ["left", "right"] and rep["n_trials"] == 45
    assert 0.0 <= rep["accuracy"] <= 1.0 and rep["chance_level"] >= 0.5
    man = load_model(model).manifest
    assert man["filter"]["l_freq"] == 8.0 and man["filter"]["reference"] == "average" and man["tmin"] == 0.5 and man["sfreq"] == 160.0 and len(man["ch_names"]) == 64
    assert man["pipeline"]["params"]["n_components"] == 4 and len(man["training_data"]["fingerprint_sha256"]) == 64

    out = tmp_path / "eval.json"
    rc = main(["evaluate", "--model", str(model), "--data", str(physionet_file(2, 4)), "--report", str(out)])
    assert rc == 0, capsys.readouterr().err
    ev = json.loads(out.read_text())
    assert ev["n_trials"] == 15 and len(ev["predictions"]) == 15 and set(ev["predictions"]) <= {"left", "right"}
    assert "accuracy" in ev and "p_value" in ev
    from tests.conftest import KALUNGA

    kal = str(sorted((KALUNGA / "subject01").glob("*_raw.fif"))[0])
    assert main(["evaluate", "--model", str(model), "--data", kal, "--events", "2=left,3=right"]) == 2
    err = capsys.readouterr().err
    assert "lacks channel(s)" in err and "'C3'" in err


def test_clear_errors(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    f = str(physionet_file(1, 4))
    base = ["train", "--data", f, "--paradigm", "mi", "--pipeline", "csp_lda", "--out", str(tmp_path / "m.bcimodel")]
    assert main([*base, "--events", "T7=left,T8=right"]) == 2
    assert "events found in the data" in capsys.readouterr().err
    assert main([*base, "--events", "T1=left,T2=right", "--param", "classifier=xgb"]) == 2
    assert "'classifier' must be one of" in capsys.readouterr().err
    assert main([*base[:-2], "--pipeline", "fbcca", "--events", "T1=left,T2=right", "--out", "x"]) == 2
    assert "is for paradigm 'ssvep', not 'mi'" in capsys.readouterr().err
    bad = tmp_path / "bad.bcimodel"
    bad.write_bytes(b"junk")
    assert main(["evaluate", "--model", str(bad), "--data", f]) == 2
    assert "not a valid .bcimodel" in capsys.readouterr().err


def test_ssvep_train_evaluate_and_wrong_rate(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from tests.conftest import KALUNGA

    s1, s2 = (sorted((KALUNGA / f"subject0{i}").glob("*_raw.fif")) for i in (3, 4))
    model, report = tmp_path / "ssvep.bcimodel", tmp_path / "r.json"
    rc = main(["train", "--data", *map(str, s1), "--paradigm", "ssvep", "--events", "1=rest,2=13,4=17,3=21",
               "--tmin", "2", "--tmax", "4", "--pipeline", "fbcca", "--cv", "runs", "--out", str(model),
               "--report", str(report)])
    assert rc == 0, capsys.readouterr().err
    rep = json.loads(report.read_text())
    assert rep["classes"] == ["rest", "13", "17", "21"] and rep["chance_level"] == 0.25
    assert rep["accuracy"] > rep["chance_level_significant"]  # far above chance on this subject
    assert main(["evaluate", "--model", str(model), "--data", str(s2[0]), "--report", str(tmp_path / "e.json")]) == 0
    ev = json.loads((tmp_path / "e.json").read_text())
    assert ev["n_trials"] == 32 and ev["accuracy"] > 0.5
    # a recording at another sampling rate: clear error
    assert main(["evaluate", "--model", str(model), "--data", str(physionet_file(1, 4)), "--events", "T1=13"]) == 2
    assert "sampled at 160.0 Hz" in capsys.readouterr().err
