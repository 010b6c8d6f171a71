"""OnlineRunner on real LSL streams: decoding the simulator, surviving outlet loss and NaNs."""

from __future__ import annotations

import gc
import time

import mne
import numpy as np
import pylsl
from mne.decoding import CSP
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline

from bcigui.core.data import Event, Recording, make_epochs
from bcigui.core.online import OnlineRunner
from bcigui.core.signal.filters import FilterSpec
from bcigui.core.stream.acquisition import Acquisition
from bcigui.core.stream.lsl import make_stream_info
from bcigui.core.stream.simulator import Simulator, generate

FILT = FilterSpec(8, 30)
CLASSES = ("left_hand", "right_hand")


def _train_on_simulation(seed: int, n_ch: int, srate: float):
    sim = generate("mi", n_channels=n_ch, srate=srate, seconds=420, seed=seed, classes=CLASSES)
    raw = mne.io.RawArray(sim.data.T, mne.create_info(sim.ch_names, sim.sfreq, "eeg"), verbose=False)
    events = [Event(i / sim.sfreq, 0.0, label) for i, label in sim.events]
    rec = Recording(raw=raw, events=events, path=None, run=0)
    ep = make_epochs([rec], {f"cue/{c}": c for c in CLASSES}, 1.5, 3.5, FILT)
    pipe = make_pipeline(CSP(6, log=True), LinearDiscriminantAnalysis()).fit(ep.X, ep.y)
    manifest = {"classes": list(pipe.classes_), "ch_names": ep.ch_names, "sfreq": ep.sfreq,
                "tmin": 1.5, "tmax": 3.5, "filter": FILT.to_dict(), "paradigm": "mi"}
    return pipe, manifest


def test_simulated_mi_decoded_online_far_above_chance(unique_name, tmp_path):
    pipe, manifest = _train_on_simulation(seed=11, n_ch=16, srate=250.0)
    with Simulator("mi", n_channels=16, srate=250.0, seed=12, name=unique_name, classes=CLASSES) as sim:
        with Acquisition(unique_name, markers=None) as acq:
            log = tmp_path / "pred.jsonl"
            with OnlineRunner(pipe, manifest, acq, hop=0.1, outlet_name=f"{unique_name}-pred", log_path=log) as run:
                pred_inlet = None
                for _ in range(20):
                    found = pylsl.resolve_byprop("name", f"{unique_name}-pred", timeout=0.5)
                    if found:
                        pred_inlet = pylsl.StreamInlet(found[0])
                        pred_inlet.open_stream(timeout=5)
                        break
                assert pred_inlet is not None
                time.sleep(30)  # three cues (one every ~9 s), about 60 scored windows
                samples, stamps = pred_inlet.pull_chunk(timeout=1.0, max_samples=100000)
        truth = sim.ground_truth
    assert run.status.state == "stopped" and run.status.predictions > 200
    cues = [(t, lab[4:]) for t, lab in truth if lab.startswith("cue/")]
    assert len(cues) >= 3
    # every window that lies entirely inside an imagery period is scored against its cue
    hits = total = 0
    for p in run.recent:
        start = p.timestamp - 2.0
        for t, cls in cues:
            if t + 1.0 <= start and p.timestamp <= t + 5.0:
                total += 1
                hits += p.label == cls
    assert total >= 30
    assert hits / total >= 0.8, (hits, total)
    # the LSL outlet carries probabilities + label index, stamped like the window's last sample
    assert len(samples) >= 100
    arr = np.asarray(samples)
    assert arr.shape[1] == 3 and set(np.unique(arr[:, 2])) <= {0.0, 1.0}
    np.testing.assert_allclose(arr[:, :2].sum(axis=1), 1.0, atol=1e-5)
    lines = log.read_text().splitlines()
    assert len(lines) == run.status.predictions


def _outlet(name: str, ch_names, srate):
    info = make_stream_info(name, "EEG", ch_names, srate, source_id=f"{name}-src")
    return pylsl.StreamOutlet(info)


def _push_for(outlet, seconds, srate, n_ch, rng, nan_at: float | None = None):
    t_end = time.monotonic() + seconds
    t0 = time.monotonic()
    chunk = int(srate * 0.02)
    while time.monotonic() < t_end:
        data = rng.standard_normal((chunk, n_ch)).astype(np.float32) * 10
        if nan_at is not None and time.monotonic() - t0 > nan_at:
            data[:, 1] = np.nan
            nan_at = None
        outlet.push_chunk(data)
        time.sleep(0.02)


def test_runner_survives_outlet_loss_and_nans(unique_name):
    srate, names = 200.0, ["C3", "Cz", "C4", "Pz"]
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 4, 200))
    y = np.array(["a", "b"] * 20)
    X[y == "b", 0] *= 3
    pipe = make_pipeline(CSP(2, log=True), LinearDiscriminantAnalysis()).fit(X, y)
    manifest = {"classes": ["a", "b"], "ch_names": names, "sfreq": srate, "tmin": 0.0, "tmax": 1.0,
                "filter": FilterSpec(1, 40).to_dict()}
    outlet = _outlet(unique_name, names, srate)
    with Acquisition(unique_name, markers=None) as acq:
        with OnlineRunner(pipe, manifest, acq, hop=0.1, outlet_name=None) as run:
            _push_for(outlet, 3.0, srate, 4, rng, nan_at=1.8)
            n_before = run.status.predictions
            assert n_before > 5
            assert run.status.skipped_nonfinite > 0
            del outlet  # the stream vanishes
            deadline = time.monotonic() + 10
            while run.status.state != "paused" and time.monotonic() < deadline:
                time.sleep(0.1)
            assert run.status.state == "paused" and "lost" in run.status.reason
            outlet = _outlet(unique_name, names, srate)  # and comes back
            deadline = time.monotonic() + 20  # recovery re-resolves the stream: slower on a loaded machine
            _push_for(outlet, 4.0, srate, 4, rng)
            while (run.status.state != "running" or run.status.predictions <= n_before + 5) \
                    and time.monotonic() < deadline:
                _push_for(outlet, 1.0, srate, 4, rng)
            assert run.status.state == "running"
            assert run.status.predictions > n_before + 5
            assert run.status.resets >= 1
            assert all(np.all(np.isfinite(p.proba)) for p in run.recent)


def test_runner_decodes_samples_received_before_it_started(unique_name):
    """Fast start: with the acquisition running, the first prediction needs no new window of samples
    (its window ends at the newest sample when the decode thread starts)."""
    pipe, manifest = _train_on_simulation(seed=11, n_ch=8, srate=250.0)
    with Simulator("mi", n_channels=8, srate=250.0, seed=12, name=unique_name, classes=CLASSES):
        with Acquisition(unique_name, markers=None) as acq:
            t_end = time.monotonic() + 15
            while acq.buffer.n_written < 4 * 250 and time.monotonic() < t_end:
                time.sleep(0.05)
            at_start = acq.buffer.n_written
            with OnlineRunner(pipe, manifest, acq, hop=0.1, outlet_name=None) as run:
                t_end = time.monotonic() + 10
                while not run.recent and time.monotonic() < t_end:
                    time.sleep(0.01)
                first = run.recent[0]
                gc.collect()  # counted: every collection stops the decode thread too
                assert run.status.gc_pauses >= 1 and run.status.gc_max_ms > 0
                assert gc.get_freeze_count() > 0  # the objects alive at start are out of later collections
    window = 2 * 250
    # before the fast start it ended one whole window after the start; now only the samples received while
    # the runner starts (its one full garbage collection) come after it
    assert at_start - window <= first.sample_index < at_start + window // 2
