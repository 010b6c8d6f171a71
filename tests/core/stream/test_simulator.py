"""EEG simulator: determinism, decodability (MI with CSP+LDA, SSVEP with CCA), live LSL outlet, CLI."""

from __future__ import annotations

import time

import mne
import numpy as np
import pylsl
import pytest
from mne.decoding import CSP
from scipy.signal import welch
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from bcigui.cli import main
from bcigui.core.signal.filters import FilterSpec, filter_continuous
from bcigui.core.stream.simulator import (
    IMAGERY_START,
    SSVEP_FREQS,
    SignalGenerator,
    Simulator,
    channel_names,
    generate,
)

mne.set_log_level("WARNING")


def test_generate_is_a_pure_function_of_its_arguments():
    a = generate("mi", 16, 250.0, 12.0, seed=3)
    b = generate("mi", 16, 250.0, 12.0, seed=3)
    c = generate("mi", 16, 250.0, 12.0, seed=4)
    assert a.data.shape == (3000, 16) and a.sfreq == 250.0
    np.testing.assert_array_equal(a.data, b.data)
    assert a.events == b.events and len(a.events) >= 4
    assert not np.allclose(a.data, c.data)
    # a shorter run is an exact prefix (chunking never changes the signal)
    short = generate("mi", 16, 250.0, 7.3, seed=3)
    np.testing.assert_array_equal(short.data, a.data[: short.data.shape[0]])
    assert short.events == [e for e in a.events if e[0] < short.data.shape[0]]
    # reading in arbitrary chunks (as the live outlet does) yields the same samples and events
    gen, rng, parts, events = SignalGenerator("mi", 16, 250.0, seed=3), np.random.default_rng(1), [], []
    while gen.n_read < 3000:
        d, e = gen.read(min(int(rng.integers(1, 40)), 3000 - gen.n_read))
        parts.append(d)
        events += e
    np.testing.assert_array_equal(np.concatenate(parts), a.data)
    assert events == a.events
    # realistic amplitude: tens of microvolts, no NaN
    rms = a.data.std(axis=0)
    assert np.all(np.isfinite(a.data)) and np.all((rms > 3e-6) & (rms < 60e-6))


def test_montage_and_argument_errors():
    for n in (8, 32, 64, 256):
        names = channel_names(n)
        assert len(names) == len(set(names)) == n
        assert {"C3", "Cz", "C4", "O1", "Oz", "O2"} <= set(names)
    assert channel_names(256)[-1] == "E256"
    with pytest.raises(ValueError, match="paradigm must be one of .*'mi'.*got 'p300'"):
        generate("p300", 8, 250.0, 1.0)
    with pytest.raises(ValueError, match="n_channels .* between 8 and 256, got 4"):
        generate("mi", 4, 250.0, 1.0)
    with pytest.raises(ValueError, match="srate .* got 10"):
        generate("mi", 8, 10.0, 1.0)
    with pytest.raises(ValueError, match="classes .* got \\['up'\\]"):
        generate("mi", 8, 250.0, 1.0, classes=("up",))
    with pytest.raises(ValueError, match="seconds must be a positive number"):
        generate("mi", 8, 250.0, 0.0)


def test_rest_spectrum_has_posterior_alpha_and_line_noise():
    sim = generate("rest", 32, 500.0, 30.0, seed=1)
    assert sim.events == []
    f, p = welch(sim.data.T, 500.0, nperseg=1000)
    oz, fz = sim.ch_names.index("Oz"), sim.ch_names.index("Fz")
    alpha = (f >= 8) & (f <= 12)
    assert f[np.argmax(np.where(alpha, p[oz], 0))] == pytest.approx(10.0, abs=1.0)
    assert p[oz, alpha].mean() > 3 * p[fz, alpha].mean()  # alpha is posterior
    i50, i45 = np.argmin(abs(f - 50)), np.argmin(abs(f - 45))
    assert np.all(p[:, i50] > 5 * p[:, i45])  # line noise on every channel
    assert p[oz, np.argmin(abs(f - 4))] > p[oz, np.argmin(abs(f - 30))]  # 1/f background


def _mi_epochs(sim, tmin=0.5, tmax=3.5):
    x = filter_continuous(sim.data, sim.sfreq, FilterSpec(8.0, 30.0))
    X, y, cls = [], [], None
    a, b = int(tmin * sim.sfreq), int(tmax * sim.sfreq)
    for idx, label in sim.events:
        if label.startswith("cue/"):
            cls = label[4:]
        elif label == IMAGERY_START and idx + b <= len(x):
            X.append(x[idx + a : idx + b].T)
            y.append(cls)
    return np.array(X), np.array(y)


def test_mi_is_decodable_by_csp_lda_but_not_trivially():
    sim = generate("mi", 16, 160.0, 760.0, seed=0, classes=("left_hand", "right_hand"))
    X, y = _mi_epochs(sim)
    assert X.shape[0] >= 78 and min(np.unique(y, return_counts=True)[1]) >= 38
    cv = StratifiedKFold(5, shuffle=True, random_state=0)
    pipe = make_pipeline(CSP(n_components=4), LinearDiscriminantAnalysis())
    acc = cross_val_score(pipe, X, y, cv=cv).mean()
    perm = cross_val_score(pipe, X, np.random.default_rng(0).permutation(y), cv=cv).mean()
    assert 0.8 <= acc < 0.99, acc
    assert perm <= 0.65, perm
    # physiology: mu power drops contralaterally (C3 for the right hand, C4 for the left hand)
    logp = np.log((X**2).mean(-1))
    c3, c4 = sim.ch_names.index("C3"), sim.ch_names.index("C4")
    lat = logp[:, c3] - logp[:, c4]
    assert lat[y == "right_hand"].mean() < lat[y == "left_hand"].mean() - 0.2


def _cca_r(x: np.ndarray, ref: np.ndarray) -> float:
    qx, _ = np.linalg.qr(x - x.mean(0))
    qy, _ = np.linalg.qr(ref - ref.mean(0))
    return float(np.linalg.svd(qx.T @ qy, compute_uv=False)[0])


def test_ssvep_target_frequency_found_by_cca():
    sim = generate("ssvep", 8, 256.0, 200.0, seed=2)
    x = filter_continuous(sim.data, sim.sfreq, FilterSpec(5.0, 45.0, notch=50.0))
    fs, hits, n = sim.sfreq, 0, 0
    t = np.arange(int(3 * fs)) / fs
    refs = {f: np.column_stack([fn(2 * np.pi * h * f * t) for h in (1, 2) for fn in (np.sin, np.cos)])
            for f in SSVEP_FREQS}
    for idx, label in sim.events:
        if label.startswith("cue/ssvep/") and idx + int(3.5 * fs) <= len(x):
            seg = x[idx + int(0.5 * fs) : idx + int(0.5 * fs) + len(t)]
            best = max(SSVEP_FREQS, key=lambda f: _cca_r(seg, refs[f]))
            hits += best == float(label.rsplit("/", 1)[1])
            n += 1
    assert n >= 18
    assert hits / n >= 0.8, (hits, n)
    labels = {label for _, label in sim.events}
    assert {"cue/ssvep/13.0", "cue/ssvep/17.0", "cue/ssvep/21.0", "cue/rest", "flicker/end"} <= labels


def _open(name: str, stype: str) -> pylsl.StreamInlet:
    infos = pylsl.resolve_byprop("name", name, minimum=1, timeout=5.0)
    assert infos, f"stream {name!r} not found"
    assert infos[0].type() == stype
    inlet = pylsl.StreamInlet(infos[0], max_buflen=60)
    inlet.open_stream(timeout=5.0)
    return inlet


def test_live_outlet_streams_exactly_the_generated_signal(unique_name):
    fs, n_ch = 250.0, 16
    with Simulator("mi", n_channels=n_ch, srate=fs, seed=5, name=unique_name) as sim:
        assert sim.stream_names == (unique_name, f"{unique_name}-markers")
        eeg = _open(unique_name, "EEG")
        mrk = _open(f"{unique_name}-markers", "Markers")
        info = eeg.info(timeout=5.0)
        ch = info.desc().child("channels").child("channel")
        labels, units = [], []
        while not ch.empty():
            labels.append(ch.child_value("label"))
            units.append(ch.child_value("unit"))
            ch = ch.next_sibling("channel")
        assert labels == channel_names(n_ch) and set(units) == {"microvolts"}
        assert info.nominal_srate() == fs and info.channel_count() == n_ch
        data, stamps, markers = [], [], []
        t_first = None
        deadline = time.monotonic() + 15.0
        while time.monotonic() < deadline:
            d, ts = eeg.pull_chunk(timeout=0.05, max_samples=4096)
            if ts:
                t_first = t_first or time.monotonic()
                data += d
                stamps += ts
            m, mts = mrk.pull_chunk(timeout=0.0)
            markers += [(t, s[0]) for t, s in zip(mts, m, strict=True)]
            if len(markers) >= 2 and time.monotonic() - t_first > 3.0:
                break
        wall = time.monotonic() - t_first
        truth = sim.ground_truth
    assert not sim.running and sim.error is None
    stamps, data = np.array(stamps), np.array(data, dtype=np.float32)
    # nominal rate, exact timestamps, no gaps
    np.testing.assert_allclose(np.diff(stamps), 1 / fs, atol=1e-6)
    assert len(stamps) / wall == pytest.approx(fs, rel=0.2)
    # the received samples are the generated ones (microvolts, float32)
    idx = np.round((stamps - sim.t0) * fs).astype(int)
    np.testing.assert_allclose(stamps, sim.t0 + idx / fs, atol=1e-6)
    ref = generate("mi", n_ch, fs, (idx[-1] + 1) / fs, seed=5)
    np.testing.assert_array_equal(data, (ref.data[idx] * 1e6).astype(np.float32))
    # markers carry the timestamp of their sample and match the generator's events
    assert len(markers) >= 2
    expected = {(i, label) for i, label in ref.events}
    for ts, label in markers:
        assert (round((ts - sim.t0) * fs), label) in expected
        assert (ts, label) in truth


def test_simulator_stops_after_seconds_and_cli(unique_name, capsys):
    sim = Simulator("rest", n_channels=8, srate=200.0, name=unique_name, seconds=0.5).start()
    deadline = time.monotonic() + 10
    while not sim.done and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)
    assert sim.done and sim.n_pushed == 100 and not sim.running
    sim.stop()
    with pytest.raises(ValueError, match="chunk_seconds"):
        Simulator(chunk_seconds=5.0)
    rc = main(["simulate", "--paradigm", "ssvep", "--channels", "8", "--srate", "256", "--seconds", "2.2",
               "--name", unique_name + "-cli"])
    out = capsys.readouterr().out
    assert rc == 0
    assert f"'{unique_name}-cli'" in out and "8 channels, 256 Hz" in out
    assert "2.000 s  trial/start" in out  # printed as sent
    assert "Stopped after 563 samples and 1 markers" in out
    assert main(["simulate", "--channels", "4"]) == 2
    assert "--channels must be an integer between 8 and 256, got 4" in capsys.readouterr().err
