"""SlidingDecoder: the online code path equals the offline one, window for window."""

from __future__ import annotations

import numpy as np
import pytest
from mne.decoding import CSP
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.pipeline import make_pipeline

from bcigui.core.data import load_recordings, make_epochs
from bcigui.core.online import ModelSpec, SlidingDecoder, pseudo_online
from bcigui.core.signal.filters import FilterSpec, filter_continuous
from tests.conftest import physionet_file

FILT = FilterSpec(8, 30)


@pytest.fixture(scope="module")
def trained():
    recs = load_recordings([physionet_file(1, r) for r in (4, 8, 12)])
    ep = make_epochs(recs, {"T1": "left", "T2": "right"}, 0.5, 2.5, FILT)
    pipe = make_pipeline(CSP(4), LinearDiscriminantAnalysis()).fit(ep.X, ep.y)
    manifest = {"classes": list(pipe.classes_), "ch_names": ep.ch_names, "sfreq": ep.sfreq,
                "tmin": 0.5, "tmax": 2.5, "filter": FILT.to_dict()}
    return recs, ep, pipe, manifest


def test_pseudo_online_matches_offline_windows(trained):
    recs, ep, pipe, manifest = trained
    rec = recs[0]
    data = rec.raw.get_data().T
    preds = pseudo_online(pipe, manifest, data, rec.sfreq, rec.ch_names, hop=0.25, chunk=17)
    assert len(preds) > 100
    filtered = filter_continuous(data, rec.sfreq, FILT)
    n = ModelSpec.from_manifest(manifest).n_times
    for p in preds[::10]:
        win = filtered[p.sample_index + 1 - n : p.sample_index + 1].T[None]
        np.testing.assert_allclose(p.proba, pipe.predict_proba(win)[0], atol=1e-9)
    # chunking does not change anything
    other = pseudo_online(pipe, manifest, data, rec.sfreq, rec.ch_names, hop=0.25, chunk=160)
    assert [p.sample_index for p in other] == [p.sample_index for p in preds]
    np.testing.assert_allclose([p.proba for p in other], [p.proba for p in preds], atol=1e-9)


def test_window_at_trial_equals_training_epoch(trained):
    recs, ep, pipe, manifest = trained
    rec = recs[0]
    data = rec.raw.get_data().T
    spec = ModelSpec.from_manifest(manifest)
    onset = ep.onsets[0]
    end = int(round((onset + spec.tmin) * rec.sfreq)) + spec.n_times  # exclusive end of epoch 0
    dec = SlidingDecoder(pipe, spec, rec.ch_names, rec.sfreq, hop=1 / rec.sfreq)
    preds = dec.process(data[:end], np.arange(end) / rec.sfreq)
    assert preds[-1].sample_index == end - 1
    np.testing.assert_allclose(preds[-1].proba, pipe.predict_proba(ep.X[:1])[0], atol=1e-9)


def test_nonfinite_samples_skip_windows_and_never_predict_nan(trained):
    recs, ep, pipe, manifest = trained
    rec = recs[0]
    data = rec.raw.get_data().T[: 40 * 160].copy()
    data[2000:2010, 3] = np.nan
    data[3000, :] = np.inf
    preds = pseudo_online(pipe, manifest, data, rec.sfreq, rec.ch_names, hop=0.1)
    spec = ModelSpec.from_manifest(manifest)
    dec = SlidingDecoder(pipe, spec, rec.ch_names, rec.sfreq, hop=0.1)
    dec.process(data, np.arange(len(data)) / rec.sfreq)
    assert dec.stats.skipped_nonfinite > 0
    assert all(np.all(np.isfinite(p.proba)) for p in preds)
    for p in preds:  # no prediction from a window overlapping the bad samples
        start = p.sample_index + 1 - spec.n_times
        assert not (start <= 2009 and p.sample_index >= 2000)
        assert not (start <= 3000 and p.sample_index >= 3000)


def test_nonfinite_samples_offline_as_online(trained):
    """make_epochs keeps exactly the trials whose window the online decoder classifies, with the same
    probabilities: both hold the last valid value and skip windows that see a bad sample."""
    from dataclasses import replace

    recs, ep, pipe, manifest = trained
    rec = recs[0]
    raw = rec.raw.copy().crop(0, 60).load_data()
    raw._data[3, 2000:2010] = np.nan
    raw._data[:, 5000] = np.inf
    bad = replace(rec, raw=raw, events=[e for e in rec.events if e.onset < 57])
    with pytest.warns(UserWarning, match=r"epoch\(s\) dropped: non-finite samples"):
        kept = make_epochs([bad], {"T1": "left", "T2": "right"}, 0.5, 2.5, FILT)
    every = make_epochs([replace(bad, raw=rec.raw.copy().crop(0, 60))], {"T1": "left", "T2": "right"}, 0.5, 2.5,
                        FILT)
    assert 0 < len(kept) < len(every)
    spec = ModelSpec.from_manifest(manifest)
    data = raw.get_data().T
    dec = SlidingDecoder(pipe, spec, rec.ch_names, rec.sfreq, hop=1 / rec.sfreq)
    online = {p.sample_index: p.proba for p in dec.process(data, np.arange(len(data)) / rec.sfreq)}
    for onset in every.onsets:
        end = int(round((onset + spec.tmin) * rec.sfreq)) + spec.n_times - 1
        assert (onset in kept.onsets) == (end in online), onset
        if end in online:
            i = int(np.flatnonzero(kept.onsets == onset)[0])
            np.testing.assert_allclose(online[end], pipe.predict_proba(kept.X[i:i + 1])[0], atol=1e-9)


def test_channel_and_rate_errors(trained):
    recs, ep, pipe, manifest = trained
    spec = ModelSpec.from_manifest(manifest)
    names = [c for c in ep.ch_names if c not in ("C3", "Cz")]
    with pytest.raises(ValueError, match=r"lacks 2 channel\(s\) the model needs: \['C3', 'Cz'\]"):
        SlidingDecoder(pipe, spec, names, 160.0)
    with pytest.raises(ValueError, match="sampling rate is 250 Hz but the model was trained at 160 Hz"):
        SlidingDecoder(pipe, spec, ep.ch_names, 250.0)


def test_pseudo_online_trial_accuracy_on_held_out_run():
    """Train on runs 4/8, replay run 12 window by window: trials decided well above chance."""
    from bcigui.core.online import Prediction
    from bcigui.core.online.scoring import TrialScorer, pseudo_online_trials

    recs = load_recordings([physionet_file(1, r) for r in (6, 10, 14)])
    ep = make_epochs(recs[:2], {"T1": "hands", "T2": "feet"}, 1.0, 2.0, FilterSpec(7, 30))
    pipe = make_pipeline(CSP(4, log=True), LinearDiscriminantAnalysis()).fit(ep.X, ep.y)
    manifest = {"classes": list(pipe.classes_), "ch_names": ep.ch_names, "sfreq": ep.sfreq,
                "tmin": 1.0, "tmax": 2.0, "filter": FilterSpec(7, 30).to_dict()}
    res = pseudo_online_trials(pipe, manifest, [recs[2]], {"T1": "hands", "T2": "feet"}, hop=0.1)
    assert res["n_trials"] == 15 and res["n_scored"] == 15
    assert res["accuracy"] >= 0.75 > res["chance_level"] + 0.1

    scorer = TrialScorer(["a", "b"], start=0.0, stop=1.0)
    scorer.add_cue(10.0, "a")
    scorer.add_cue(20.0, "b")
    scorer.add_prediction(Prediction(10.5, 0, np.array([0.8, 0.2]), "a", 0))
    scorer.add_prediction(Prediction(20.5, 0, np.array([0.6, 0.4]), "a", 0))
    summ = scorer.summary()
    assert summ["n_trials"] == 2 and summ["n_scored"] == 2 and summ["accuracy"] == 0.5 and summ["chance_level"] == 0.5
    assert summ["significant_from"] > 1  # 2 of 2 right is p = 0.25: no number of 2 trials is significant
    for k in range(2, 12):  # 10 more trials, all right
        scorer.add_cue(10.0 * k + 10, "a")
        scorer.add_prediction(Prediction(10.0 * k + 10.5, 0, np.array([0.8, 0.2]), "a", 0))
    # 12 trials at chance 0.5: 9 right is p = 0.073, 10 right is p = 0.019
    assert scorer.summary()["significant_from"] == pytest.approx(10 / 12)
    assert scorer.summary(now=15.0)["n_trials"] == 1


def test_probability_columns_follow_the_manifest_class_order():
    """Manifest classes in event-map order, pipeline.classes_ sorted: columns are matched by name;
    classifiers without predict_proba (SVM) get a softmax of their decision values."""
    from sklearn.svm import SVC

    from bcigui.core.online import class_probabilities

    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 3, 50))
    y = np.array(["rest", "13", "17"] * 20)
    X[y == "13", 0] *= 4
    X[y == "17", 1] *= 4
    lda = make_pipeline(CSP(3, log=True), LinearDiscriminantAnalysis()).fit(X, y)
    order = ["rest", "13", "17"]
    p = class_probabilities(lda, X[:6], order)
    np.testing.assert_allclose(p, lda.predict_proba(X[:6])[:, [2, 0, 1]])
    assert [order[i] for i in p.argmax(axis=1)] == list(lda.predict(X[:6]))
    svm = make_pipeline(CSP(3, log=True), SVC(kernel="linear")).fit(X, y)
    ps = class_probabilities(svm, X[:6], order)
    np.testing.assert_allclose(ps.sum(axis=1), 1.0)
    assert [order[i] for i in ps.argmax(axis=1)] == list(svm.predict(X[:6]))
    with pytest.raises(ValueError, match=r"does not know the class\(es\) \['21'\]"):
        class_probabilities(lda, X[:1], ["21", "13"])


def test_stream_resampler_is_chunk_invariant_and_accurate():
    from bcigui.core.signal.resample import StreamResampler

    fs_in, fs_out = 500.0, 160.0
    t = np.arange(5000) / fs_in
    x = np.stack([np.sin(2 * np.pi * 3 * t), np.cos(2 * np.pi * 7 * t)], axis=1)
    bad = np.zeros(len(t), dtype=bool)
    bad[2000] = True

    def run(chunk):
        r = StreamResampler(fs_in, fs_out, 2)
        outs = [r.process(x[i : i + chunk], t[i : i + chunk], bad[i : i + chunk]) for i in range(0, len(t), chunk)]
        return [np.concatenate([o[k] for o in outs]) for k in range(3)]

    a, b = run(7), run(500)
    np.testing.assert_allclose(a[0], b[0], atol=1e-12)
    np.testing.assert_allclose(a[1], b[1], atol=1e-12)
    assert abs(len(a[0]) - len(t) * fs_out / fs_in) <= 1
    np.testing.assert_allclose(np.diff(a[1]), 1 / fs_out, atol=1e-9)
    # amplitude kept; the causal anti-alias filter (8th order at 72 Hz) delays by ~10 ms
    tt = a[1][200:]
    for ch, (f, phase0) in enumerate(((3.0, -np.pi / 2), (7.0, 0.0))):
        basis = np.stack([np.cos(2 * np.pi * f * tt), np.sin(2 * np.pi * f * tt)], axis=1)
        (c, s_), *_ = np.linalg.lstsq(basis, a[0][200:, ch], rcond=None)
        assert abs(np.hypot(c, s_) - 1) < 0.03
        delay = ((phase0 - np.arctan2(-s_, c)) % (2 * np.pi)) / (2 * np.pi * f)
        delay = delay if delay < 0.5 / f else delay - 1 / f
        assert 0 <= delay < 0.015, delay
    assert 1 <= a[2].sum() <= 2 and abs(a[1][a[2]][0] - t[2000]) < 1 / fs_out


def test_decoder_resamples_a_faster_stream_when_enabled(trained):
    from scipy.signal import resample_poly

    recs, ep, pipe, manifest = trained
    rec = recs[0]
    data = rec.raw.get_data().T[: 60 * 160]
    native = pseudo_online(pipe, manifest, data, 160.0, rec.ch_names, hop=0.5)
    fast = resample_poly(data, 2, 1, axis=0)  # the same signal streamed at 320 Hz
    spec = ModelSpec.from_manifest(manifest)
    with pytest.raises(ValueError, match="enable resampling"):
        SlidingDecoder(pipe, spec, rec.ch_names, 320.0)
    dec = SlidingDecoder(pipe, spec, rec.ch_names, 320.0, hop=0.5, resample=True)
    preds = []
    for i in range(0, len(fast), 50):
        preds.extend(dec.process(fast[i : i + 50], np.arange(i, min(i + 50, len(fast))) / 320.0))
    n = min(len(native), len(preds))
    assert n >= 100
    agree = np.mean([p.label == q.label for p, q in zip(native[:n], preds[:n], strict=True)])
    assert agree >= 0.85, agree


def test_warmup_delays_the_first_window_past_the_filter_transient(trained):
    recs, ep, pipe, manifest = trained
    rec = recs[0]
    data = rec.raw.get_data().T[:2000]
    times = np.arange(len(data)) / rec.sfreq
    spec = ModelSpec.from_manifest(manifest)
    dec = SlidingDecoder(pipe, spec, rec.ch_names, rec.sfreq, hop=0.25)
    assert dec.lookback_samples == spec.n_times + dec.settle_samples
    cold = dec.process(data, times)
    dec.reset(0, warmup=10**6)  # capped at the settling span
    warm = dec.process(data, times)
    assert cold[0].sample_index == spec.n_times - 1
    assert warm[0].sample_index == spec.n_times + dec.settle_samples - 1
    # the windows themselves are the offline ones: the filter ran over the warm-up samples
    filtered = filter_continuous(data, rec.sfreq, FILT)
    end = warm[0].sample_index + 1
    np.testing.assert_allclose(warm[0].proba, pipe.predict_proba(filtered[end - spec.n_times:end].T[None])[0],
                               atol=1e-9)
