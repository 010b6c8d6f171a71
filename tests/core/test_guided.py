"""The guided session's decisions (folders, event maps, verdict) and feedback summaries, without Qt."""

from __future__ import annotations

import pytest

from bcigui.core import guided
from bcigui.core.online.scoring import TrialResult
from bcigui.core.recording.feedback import paradigm_params_for_model, summarize_trials


def test_patient_folders_and_runs(tmp_path):
    assert guided.sessions_of(tmp_path, "01") == [] and guided.next_session_label(tmp_path, "01") == "01"
    eeg = guided.session_dir(tmp_path, "01", "01") / "eeg"
    eeg.mkdir(parents=True)
    (tmp_path / "sub-01" / "ses-03").mkdir()
    (tmp_path / "sub-01" / "notes").mkdir()
    for name in ("sub-01_ses-01_task-mi_run-02_eeg.vhdr", "sub-01_ses-01_task-mi_run-01_eeg.vhdr",
                 "sub-01_ses-01_task-mi_run-01_eeg.json", "sub-01_ses-01_task-mifeedback_run-01_eeg.vhdr"):
        (eeg / name).write_text("x")
    assert guided.sessions_of(tmp_path, "01") == ["01", "03"] and guided.next_session_label(tmp_path, "01") == "04"
    assert [p.name for p in guided.runs_of(tmp_path, "01", "01", "mi")] == [
        "sub-01_ses-01_task-mi_run-01_eeg.vhdr", "sub-01_ses-01_task-mi_run-02_eeg.vhdr"]
    first = guided.model_path(tmp_path, "01", "01", "csp_lda", new=True)
    assert first.name == "sub-01_ses-01_csp_lda.bcimodel"
    first.write_text("a model feedback runs used")
    assert guided.model_path(tmp_path, "01", "01", "csp_lda", new=True).name == "sub-01_ses-01_csp_lda_2.bcimodel"


def test_event_maps_and_verdicts():
    assert guided.event_map_for("mi", ["left_hand", "right_hand"]) == {
        "cue/left_hand": "left_hand", "cue/right_hand": "right_hand"}
    assert guided.event_map_for("ssvep", ["13.0Hz", "17.0Hz"]) == {
        "cue/ssvep/13.0": "13.0Hz", "cue/ssvep/17.0": "17.0Hz"}
    works, text = guided.verdict(0.78, 0.5, 0.001, n_tried=3)
    assert works and text == "Decoder works: 78 % correct (chance 50 %, significant)"
    works, text = guided.verdict(0.70, 0.5, 0.02, n_tried=3)  # 0.02 x 3 tried > 0.05: not significant
    assert not works and text.startswith("Decoder does not work yet: 70 % correct (chance 50 %, not significant)")


def test_feedback_summary_and_paradigm_of_a_model():
    trials = [TrialResult(10.0, "left_hand", "left_hand", 5), TrialResult(20.0, "right_hand", "left_hand", 5),
              TrialResult(30.0, "right_hand", "right_hand", 5), TrialResult(40.0, "left_hand", "", 0)]
    s = summarize_trials(trials, ["left_hand", "right_hand"], t0=5.0)
    assert s["n_trials"] == 4 and s["n_scored"] == 3 and s["accuracy"] == pytest.approx(2 / 3)
    assert s["confusion"] == [[1, 0], [1, 1]] and s["chance_level"] == 0.5
    assert s["per_class"]["right_hand"] == {"n": 2, "correct": 1, "accuracy": 0.5}
    assert s["p_value"] == pytest.approx(0.5)  # P(X >= 2 | n=3, p=0.5)
    assert s["trials"][0] == {"onset": 5.0, "true": "left_hand", "predicted": "left_hand", "correct": True,
                              "n_windows": 5}
    assert paradigm_params_for_model("mi", {"classes": ["left_hand", "feet"]}) == {"classes": "left_hand,feet"}
    assert paradigm_params_for_model("ssvep", {"classes": ["13.0Hz", "8.571Hz"]}) == {"frequencies": "13.0,8.571"}
    with pytest.raises(ValueError, match="must be MI classes"):
        paradigm_params_for_model("mi", {"classes": ["T1", "T2"]})


def test_training_starts_from_earlier_sessions(shared_data, tmp_path):
    import mne

    from bcigui.core.model_file import load_model
    from tests.conftest import physionet_sensorimotor

    src = tmp_path / "physionet"
    src.mkdir()
    for ses, runs in (("01", (4, 8)), ("02", (12,))):
        eeg = guided.session_dir(tmp_path, "01", ses) / "eeg"
        eeg.mkdir(parents=True)
        for i, run in enumerate(runs, 1):
            raw = mne.io.read_raw(physionet_sensorimotor(1, run, src), preload=True, verbose="error")
            raw.annotations.rename({"T1": "cue/left_hand", "T2": "cue/right_hand"})
            raw.save(eeg / f"sub-01_ses-{ses}_task-mi_run-{i:02d}_eeg.fif", verbose="error")
    earlier = guided.earlier_runs(tmp_path, "01", "02", "mi")
    assert [p.name for p in earlier] == ["sub-01_ses-01_task-mi_run-01_eeg.fif", "sub-01_ses-01_task-mi_run-02_eeg.fif"]
    assert guided.earlier_runs(tmp_path, "01", "01", "mi") == []
    result = guided.train_guided(guided.runs_of(tmp_path, "01", "02", "mi"), "mi", ["left_hand", "right_hand"],
                                 tmp_path, "01", "02", pipelines=["csp_lda", "ts_lr", "erp_ts"], cv=3, prior=earlier)
    assert list(result.reports) == ["csp_lda", "ts_lr", "erp_ts", "ts_lr+prior", "erp_ts+prior"]
    prior_report = result.reports["ts_lr+prior"]
    assert prior_report["alignment"]["prior"]["domains"] == 2 and prior_report["alignment"]["prior"]["n_trials"] == 30
    assert prior_report["alignment"]["method"] == "recenter"
    assert result.reports["erp_ts+prior"]["alignment"]["method"] == "euclidean"  # signals aligned: any pipeline
    model = load_model(result.model_path)
    assert set(model.manifest["guided"]["tried"]) == {"csp_lda", "ts_lr", "erp_ts", "ts_lr+prior", "erp_ts+prior"}
    # earlier sessions that cannot serve as a prior (another sampling rate) are skipped, not fatal
    bad = guided.session_dir(tmp_path, "01", "00") / "eeg"
    bad.mkdir(parents=True)
    raw = mne.io.read_raw(physionet_sensorimotor(1, 4, src), preload=True, verbose="error")
    raw.resample(80, verbose="error")
    raw.annotations.rename({"T1": "cue/left_hand", "T2": "cue/right_hand"})
    raw.save(bad / "sub-01_ses-00_task-mi_run-01_eeg.fif", verbose="error")
    again = guided.train_guided(guided.runs_of(tmp_path, "01", "02", "mi"), "mi", ["left_hand", "right_hand"],
                                tmp_path, "01", "02", pipelines=["ts_lr"], cv=3,
                                prior=guided.earlier_runs(tmp_path, "01", "02", "mi"))
    assert list(again.reports) == ["ts_lr"]
    assert "80 Hz" in load_model(again.model_path).manifest["guided"]["skipped"]["ts_lr+prior"]
