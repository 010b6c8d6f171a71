"""One training path: a model exported from the analysis window equals the one `bcigui train` makes."""

from __future__ import annotations

import json

import numpy as np

from bcigui.cli import main
from bcigui.core.model_file import load_model
from bcigui.gui.analysis import AnalysisWindow
from tests.conftest import physionet_file

WAIT = 60_000
RUNS = (4, 8, 12)
TIMES = {"created", "versions"}  # when and with what it was written


def test_analysis_export_equals_cli_train(qtbot, shared_data, tmp_path):
    files = [str(physionet_file(1, r)) for r in RUNS]
    win = AnalysisWindow(workspace_dir=tmp_path / "ws")
    qtbot.addWidget(win)
    win.show()
    ds = win.dataset
    ds.add_files(files)
    qtbot.waitUntil(lambda: len(ds.recordings) == 3, timeout=WAIT)
    ds.set_event_map({"T1": "left", "T2": "right"})
    ds.tmin.setValue(0.5)
    ds.tmax.setValue(2.5)
    ds.l_freq.setValue(8.0)
    ds.h_freq.setValue(30.0)
    ds.reference.setCurrentIndex(ds.reference.findData("average"))
    with qtbot.waitSignal(ds.epochs_ready, timeout=WAIT):
        ds.make_button.click()
    panel = win.training
    panel.set_pipeline("csp_lda", {"n_components": 4, "classifier": "lda"})
    panel.cv.setCurrentIndex(panel.cv.findData("kfold"))
    panel.k.setValue(5)
    panel.evaluate_button.click()
    qtbot.waitUntil(lambda: len(panel.attempts) == 1 and panel.task is None, timeout=WAIT)
    with qtbot.waitSignal(panel.exported, timeout=WAIT) as sig:
        panel.export(tmp_path / "gui")
    gui = load_model(sig.args[0])

    out = tmp_path / "cli.bcimodel"
    assert main(["train", "--data", *files, "--paradigm", "mi", "--events", "T1=left,T2=right",
                 "--pipeline", "csp_lda", "--param", "n_components=4", "--param", "classifier=lda",
                 "--tmin", "0.5", "--tmax", "2.5", "--l-freq", "8", "--h-freq", "30", "--reference", "average",
                 "--filter-order", "4", "--cv", "5", "--out", str(out)]) == 0
    cli = load_model(out)

    a = {k: v for k, v in gui.manifest.items() if k not in TIMES}
    b = {k: v for k, v in cli.manifest.items() if k not in TIMES}
    diff = {k: (a.get(k), b.get(k)) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}
    assert not diff, json.dumps(diff, indent=1, default=str)
    assert a["cv"]["accuracy"] > 0.5 and a["training_data"]["n_epochs"] == 45
    x = np.random.default_rng(0).standard_normal((10, 64, 320)) * 1e-5
    np.testing.assert_array_equal(gui.pipeline.predict(x), cli.pipeline.predict(x))
    np.testing.assert_array_equal(gui.pipeline.decision_function(x), cli.pipeline.decision_function(x))
