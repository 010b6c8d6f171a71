"""Session report on a real session folder (recorded over LSL, trained with ``bcigui train``): every
section in the HTML and the PDF, numbers that match the files, missing pieces in words, other formats."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import hashlib
import json
import re
import shutil
import threading
from collections import Counter
from pathlib import Path

import mne
import numpy as np
import pymupdf
import pytest
from report_session import TRIAL_SECONDS, TRIALS, data_file, write_feedback

from bcigui.core.paradigms import markers as mk
from bcigui.core.report import build_report, write_report
from bcigui.core.report.document import SECTIONS

MODEL = "sub-01_ses-01_csp_lda.bcimodel"


def _manifest_cv(session: Path) -> dict:
    import zipfile

    with zipfile.ZipFile(session / MODEL) as z:
        return json.loads(z.read("manifest.json"))["cv"]


def _pct(x: float) -> str:
    return f"{100 * x:.0f} %"


def _copy_session(src: Path, root: Path, session: str = "01") -> Path:
    """A copy of the recorded session (with its sourcedata) under another BIDS root / session label."""
    dst = root / "sub-01" / f"ses-{session}"
    source = root / "sourcedata" / "sub-01" / f"ses-{session}"
    shutil.copytree(src, dst)
    shutil.copytree(src.parents[1] / "sourcedata" / "sub-01" / "ses-01", source)
    if session != "01":  # deepest first, so renaming a folder does not move what is still to rename
        for p in sorted([*dst.rglob("*ses-01*"), *source.rglob("*ses-01*")], key=lambda p: -len(p.parts)):
            p.rename(p.with_name(p.name.replace("ses-01", f"ses-{session}")))
    return dst


def test_html_holds_every_section_and_the_sessions_numbers(recorded_session: Path, tmp_path: Path,
                                                           screenshot_dir: Path) -> None:
    out = write_report(recorded_session, tmp_path / "report.html")
    html = out.read_text(encoding="utf-8")
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in html, title
    # self-contained: no link, no external resource
    assert not re.search(r"(href|src)=\"(?!data:)", html) and "http" not in html
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 5  # quality, r² map, r² topomap, confusion, accuracy per run (no history yet)
    for i, data in enumerate(images):
        png = base64.b64decode(data)
        assert png[:8] == b"\x89PNG\r\n\x1a\n"
        (screenshot_dir / f"report_html_figure{i + 1}.png").write_bytes(png)
    cv = _manifest_cv(recorded_session)
    sha = hashlib.sha256((recorded_session / MODEL).read_bytes()).hexdigest()
    assert MODEL in html and sha in html
    assert f"{_pct(cv['accuracy'])} ± {_pct(cv['accuracy_std'])}" in html
    verdict = ("Decoder works" if cv["p_value"] < 0.05 and cv["accuracy"] > cv["chance_level"]
               else "Decoder does not work yet")
    assert f"{verdict}: {_pct(cv['accuracy'])} correct (chance {_pct(cv['chance_level'])}" in html
    assert "Feedback run 1: 85 % correct over 20 trials (chance 50 %, significant)." in html
    assert "p = 0.001" in html and "bits/min" in html and "µV" in html and "Hz" in html
    assert "test operator" in html  # from the recording's metadata
    for pkg in ("bcigui", "python", "mne", "scikit-learn", "pyriemann"):
        assert f"<td>{pkg}</td>" in html


def test_pdf_holds_every_section_and_its_pages_render(recorded_session: Path, tmp_path: Path,
                                                      screenshot_dir: Path) -> None:
    out = write_report(recorded_session, tmp_path / "report.pdf")
    doc = pymupdf.open(out)
    text = "\n".join(page.get_text() for page in doc)
    flat = " ".join(text.split())
    for title in SECTIONS:
        assert title in flat, title
    sha = hashlib.sha256((recorded_session / MODEL).read_bytes()).hexdigest()
    assert sha in text.replace("\n", "")  # wrapped in a table cell, never altered
    assert "Feedback run 1: 85 % correct over 20 trials (chance 50 %, significant)." in flat
    assert "bits/min" in flat and "µV" in flat
    assert sum(len(page.get_images()) for page in doc) == 5
    for i, page in enumerate(doc):  # looked at: screenshots/report_pdf_page*.png
        page.get_pixmap(dpi=70).save(screenshot_dir / f"report_pdf_page{i + 1}.png")


def test_trials_quality_and_model_match_the_files(recorded_session: Path) -> None:
    rep = build_report(recorded_session)
    run = data_file(recorded_session, "mi")
    raw = mne.io.read_raw(run, verbose="error")
    with open(run.with_name(run.name.rsplit("_eeg", 1)[0] + "_events.tsv"), encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))  # the BIDS events sidecar, read independently
    cues = Counter(mk.class_from_marker(r["trial_type"]) for r in rows if mk.class_from_marker(r["trial_type"]))
    t = {c.name: c for c in rep.trials.classes}
    assert set(t) == {"left_hand", "right_hand"}
    for name, c in t.items():
        assert c.planned == TRIALS and c.cued == cues[name] == TRIALS  # planned: the recording's header.json
        assert c.kept + c.rejected == c.epoched <= c.cued
        assert c.trained == TRIALS  # the model's manifest
    assert (rep.trials.tmin, rep.trials.tmax) == (0.3, 1.5)  # the decoder's window
    assert [r.name for r in rep.quality.rows] == raw.ch_names
    assert all(r.level == "good" for r in rep.quality.rows)  # the simulator's signal is clean
    assert rep.quality.n_windows == int(raw.n_times // (2 * raw.info["sfreq"]))
    assert rep.r2.maps[0].shape == (16, len(rep.r2.freqs)) and rep.r2.freqs[0] == 4.0
    assert rep.main_model.file == MODEL and rep.main_model_reason == "the model used by feedback run 1"
    # ITR: Wolpaw with the calibration's cue-to-cue time
    assert rep.trial_duration == pytest.approx(TRIAL_SECONDS, abs=0.05)
    p = rep.main_model.accuracy  # 2 classes: log2 N = 1
    bits = 1 + p * np.log2(p) + (1 - p) * np.log2(1 - p) if 0.5 < p < 1 else (1.0 if p == 1 else 0.0)
    assert rep.itr == pytest.approx(bits * 60 / rep.trial_duration)
    (fb,) = rep.feedback
    assert fb.model_in_session is True and fb.recording_exists is False and fb.significant
    assert fb.itr == pytest.approx((1 + 0.85 * np.log2(0.85) + 0.15 * np.log2(0.15)) * 60 / 4.25)
    assert rep.missing.keys() == {"history"}  # one session only: no trend yet
    # the recording date: the run's own (BrainVision New Segment), the one scans.tsv says too
    started = raw.info["meas_date"]
    assert started is not None and rep.metadata["Recording date"] == started.astimezone().strftime("%Y-%m-%d %H:%M")
    acq = next(r.start for r in rep.runs if r.file.endswith(run.name))
    assert abs(dt.datetime.fromisoformat(acq.replace("Z", "+00:00")) - started) < dt.timedelta(seconds=1)


def test_an_undated_run_takes_its_date_from_scans_tsv(recorded_session: Path, tmp_path: Path) -> None:
    """Runs written before BrainVision files carried their date: the report falls back to scans.tsv."""
    session = _copy_session(recorded_session, tmp_path)
    vmrk = data_file(session, "mi").with_suffix(".vmrk")
    vmrk.write_text(re.sub(r"(Mk1=New Segment,,1,1,0),\d+", r"\1", vmrk.read_text(encoding="utf-8")),
                    encoding="utf-8")
    assert mne.io.read_raw(data_file(session, "mi"), verbose="error").info["meas_date"] is None
    assert build_report(session).metadata["Recording date"] == build_report(recorded_session).metadata[
        "Recording date"] != "not recorded"


def test_missing_pieces_are_stated_in_words(recorded_session: Path, tmp_path: Path) -> None:
    session = _copy_session(recorded_session, tmp_path / "bids")
    for p in [*session.glob("*.bcimodel"), *session.glob("*_feedback.json")]:
        p.unlink()
    html = write_report(session, tmp_path / "no-model.html").read_text(encoding="utf-8")
    assert "No decoder has been trained in this session yet" in html
    assert "No feedback run has been recorded in this session yet" in html
    assert "Signal quality" in html and "data:image/png" in html  # the calibration is still analysed
    empty = tmp_path / "bids" / "sub-02" / "ses-01"
    empty.mkdir(parents=True)
    rep = build_report(empty)
    assert rep.missing["runs"].startswith("No recording was found")
    pdf = write_report(empty, tmp_path / "empty.pdf")
    text = " ".join(" ".join(page.get_text() for page in pymupdf.open(pdf)).split())
    for said in ("No recording was found", "No calibration run was recorded", "No decoder has been trained",
                 "No feedback run has been recorded"):
        assert said in text, said


def test_history_across_sessions_is_plotted(recorded_session: Path, tmp_path: Path, screenshot_dir: Path) -> None:
    root = tmp_path / "bids"
    _copy_session(recorded_session, root, "01")
    ses2 = _copy_session(recorded_session, root, "02")
    (ses2 / "sub-01_ses-01_task-mifeedback_run-01_feedback.json").unlink(missing_ok=True)
    for p in ses2.glob("*_feedback.json"):
        p.unlink()
    write_feedback(ses2, ses2 / "sub-01_ses-02_csp_lda.bcimodel", accuracy=0.95, confusion=[[10, 0], [1, 9]])
    (ses2 / "sub-01_ses-01_task-mifeedback_run-01_feedback.json").rename(
        ses2 / "sub-01_ses-02_task-mifeedback_run-01_feedback.json")
    rep = build_report(ses2)
    assert [h.session for h in rep.history] == ["01", "02"] and rep.history[-1].current
    assert [h.feedback_accuracy for h in rep.history] == [0.85, 0.95]
    assert "history" in rep.figures and "history" not in rep.missing
    assert any(s.startswith("Across 2 sessions, feedback accuracy went from 85 % (session 01) to 95 %")
               for s in rep.summary)
    (screenshot_dir / "report_history.png").write_bytes(rep.figures["history"].png)
    # an earlier session does not see the later one
    assert [h.session for h in build_report(root / "sub-01" / "ses-01").history] == ["01"]


def test_flat_channel_and_other_formats(recorded_session: Path, tmp_path: Path) -> None:
    """The colleague's switch to EDF/BrainVision: the same session written by mne-bids in both formats
    reads the same; a flat electrode (zeroed in the data) is rated bad."""
    from bcigui.core.recording.export import write_bids

    raw = mne.io.read_raw(data_file(recorded_session, "mi"), preload=True, verbose="error")
    raw._data[raw.ch_names.index("C4")] = 0.0
    counts = {}
    for fmt in ("edf", "brainvision"):
        root = tmp_path / fmt
        session = root / "sub-01" / "ses-01"
        write_bids(raw, root, "01", "01", "mi", 1, fmt)
        shutil.copy(recorded_session / MODEL, session / MODEL)
        rep = build_report(session)
        assert rep.runs[0].file.endswith(".edf" if fmt == "edf" else ".vhdr") and rep.calibration_task == "mi"
        levels = {r.name: r for r in rep.quality.rows}
        assert levels["C4"].level == "bad" and levels["C4"].reasons.startswith("flat line")
        assert sum(r.level == "bad" for r in rep.quality.rows) == 1
        assert any("bad: C4 (flat line 100 % of the time)" in s for s in rep.summary)
        assert rep.trials is not None, rep.missing
        counts[fmt] = [(c.name, c.cued, c.epoched) for c in rep.trials.classes]
        assert rep.trials.classes[0].planned is None  # no crash-safe header for these copies: said as n/a
    assert counts["edf"] == counts["brainvision"] == [("left_hand", TRIALS, TRIALS), ("right_hand", TRIALS, TRIALS)]


def test_bad_input_is_refused_with_clear_errors(recorded_session: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"out must end with one of \['.html', '.pdf'\].*report.txt"):
        write_report(recorded_session, tmp_path / "report.txt")
    with pytest.raises(ValueError, match="session_dir must be a BIDS session folder"):
        write_report(tmp_path, tmp_path / "r.html")
    with pytest.raises(FileNotFoundError, match="session_dir: no such folder"):
        write_report(tmp_path / "sub-01" / "ses-09", tmp_path / "r.html")
    out = tmp_path / "r.html"
    out.write_text("keep me")
    with pytest.raises(FileExistsError, match="overwrite"):
        write_report(recorded_session, out, overwrite=False)
    assert out.read_text() == "keep me" and sorted(p.name for p in tmp_path.iterdir()) == ["r.html"]


def test_write_report_in_a_worker_thread(recorded_session: Path, tmp_path: Path) -> None:
    """As the guided session's report button calls it: from a worker thread, with progress."""
    seen, result = [], {}

    def work() -> None:
        try:
            result["path"] = write_report(recorded_session, tmp_path / "r.pdf", progress=lambda f, m: seen.append(f))
        except Exception as err:  # noqa: BLE001 - reported below
            result["error"] = err

    th = threading.Thread(target=work)
    th.start()
    th.join(60)
    assert "error" not in result, result.get("error")
    assert result["path"].read_bytes()[:5] == b"%PDF-"
    assert seen[0] < seen[-1] == 1.0 and seen == sorted(seen)
    # made again (the guided session's "Create the report again"): replaced, from one build for both formats
    rep = build_report(recorded_session)
    html = write_report(recorded_session, tmp_path / "r.html", report=rep)
    pdf = write_report(recorded_session, tmp_path / "r.pdf", report=rep)
    assert rep.generated in html.read_text(encoding="utf-8") and pdf.read_bytes()[:5] == b"%PDF-"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.pdf"]
