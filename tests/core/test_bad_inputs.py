"""Broken files and impossible arguments: each command fails with exit code 2, a message naming the
file and the problem, no traceback, and every input file unchanged."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest

from bcigui.cli import main
from tests.conftest import SHARED_DATA, physionet_file


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    edf = physionet_file(1, 4).read_bytes()
    (d / "good.edf").write_bytes(edf)
    (d / "empty.fif").write_bytes(b"")
    (d / "header_only.edf").write_bytes(edf[:17000])
    (d / "half.edf").write_bytes(edf[:1500000])
    fif = next((SHARED_DATA / "kalunga2016-ssvep" / "subject01").glob("*_raw.fif"))
    (d / "cut_raw.fif").write_bytes(fif.read_bytes()[:20000])
    model = d / "m.bcimodel"
    assert main(["train", "--data", str(d / "good.edf"), "--paradigm", "mi", "--events", "T1=left,T2=right",
                 "--pipeline", "csp_lda", "--cv", "3", "--out", str(model)]) == 0
    with zipfile.ZipFile(model) as z:
        manifest, payload = json.loads(z.read("manifest.json")), z.read("pipeline.skops")
    manifest["sfreq"] = "fast"
    raw = json.dumps(manifest).encode()
    with zipfile.ZipFile(d / "wrong_type.bcimodel", "w") as z:  # consistent checksum: a "valid" file, wrong value
        z.writestr("manifest.json", raw)
        z.writestr("pipeline.skops", payload)
        z.writestr("checksum.sha256", hashlib.sha256(raw + b"\0" + payload).hexdigest())
    (d / "damaged.bcirec").mkdir()
    (d / "damaged.bcirec" / "header.json").write_text("{not json")
    return d


TRAIN = ["train", "--paradigm", "mi", "--events", "T1=left,T2=right", "--pipeline", "csp_lda", "--overwrite"]
CASES = [
    (["--data", "{d}/empty.fif"], "empty.fif is empty (0 bytes)"),
    (["--data", "{d}/cut_raw.fif"], "cut_raw.fif: cannot read this .fif recording, it looks damaged or truncated"),
    (["--data", "{d}/header_only.edf"], "header_only.edf is truncated: its header declares 125 data records"),
    (["--data", "{d}/half.edf"], "half.edf is truncated: its header declares 125 data records (125 s) but the "
                                 "file holds 71 (71 s"),
    (["--data", "{d}/good.edf", "{d}/header_only.edf"], "header_only.edf is truncated"),
    (["--data", "{d}/missing.edf"], "no such file"),
    (["--data", "{d}/good.edf", "--tmin", "0", "--tmax", "200"], "have their window [0, 200] s running past the end"),
    (["--data", "{d}/good.edf", "--events", "T1left"], "--events takes EVENT=class pairs such as T1=left"),
    (["--data", "{d}/good.edf", "--events", "T1=left,T1=right"], "maps event 'T1' twice"),
    (["--data", "{d}/good.edf", "--pipeline", "nope"], "nope"),
]
OTHERS = [
    (["evaluate", "--model", "{d}/wrong_type.bcimodel", "--data", "{d}/good.edf"],
     "wrong_type.bcimodel: manifest field 'sfreq' must be a positive number (Hz), got 'fast'"),
    (["evaluate", "--model", "{d}/m.bcimodel", "--data", "{d}/half.edf"], "half.edf is truncated"),
    (["evaluate", "--model", "{d}/good.edf", "--data", "{d}/good.edf"], "good.edf is not a valid .bcimodel file"),
    (["recover", "{d}/damaged.bcirec"], "damaged.bcirec: its header.json is damaged"),
    (["export", "{d}/damaged.bcirec", "--out", "{d}/x.edf"], "damaged.bcirec: its header.json is damaged"),
]


@pytest.mark.parametrize(("argv", "message"), [([*TRAIN, "--out", "{d}/out.bcimodel", *a], m) for a, m in CASES]
                         + OTHERS, ids=lambda v: v if isinstance(v, str) else None)
def test_bad_input_is_refused_clearly_and_changes_nothing(bad: Path, argv: list[str], message: str, capsys) -> None:
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in bad.rglob("*") if p.is_file()}
    code = main([a.replace("{d}", str(bad)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and "Traceback" not in err, err
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in bad.rglob("*") if p.is_file()}
    assert {p: h for p, h in after.items() if p in before} == before
    assert not (bad / "out.bcimodel").exists() and not (bad / "x.edf").exists()
