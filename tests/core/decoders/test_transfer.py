"""Transfer (re-centring, prior, online adaptation) and chronological learning curves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pyriemann.utils.mean import mean_riemann
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis

from bcigui.cli import main
from bcigui.core.decoders.curve import learning_curve
from bcigui.core.decoders.pipelines import make_ts
from bcigui.core.decoders.transfer import (
    AlignedDecoder,
    EuclideanAligned,
    Prior,
    Recenter,
    epoch_covariances,
    make_aligned,
)
from bcigui.core.model_file import load_model
from bcigui.core.online.decoder import ModelSpec, SlidingDecoder
from tests.conftest import physionet_file, physionet_sensorimotor
from tests.core.decoders.decoder_sim import mi_epochs

CH = [f"C{i}" for i in range(8)]


def _spd(n: int, c: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((n, c, 3 * c))
    return A @ A.transpose(0, 2, 1) / (3 * c) + 0.1 * np.eye(c)


def test_recentering_makes_the_session_mean_the_identity() -> None:
    C = _spd(40, 6, 0) * 7.0
    Z = Recenter().fit_transform(C)
    np.testing.assert_allclose(mean_riemann(Z), np.eye(6), atol=1e-6)
    S = Recenter(stretch=True).fit(C)
    assert S.scale_ != 1.0
    np.testing.assert_allclose(mean_riemann(S.transform(C)), np.eye(6), atol=1e-5)


def test_adaptation_on_a_stationary_stream_converges_to_the_offline_alignment() -> None:
    C = _spd(400, 6, 1)
    offline = Recenter().fit(C)
    start = Recenter().fit(_spd(20, 6, 2) * 3.0)  # calibrated on another, scaled session
    start.update(C)
    from pyriemann.utils.distance import distance_riemann

    assert distance_riemann(start.reference_, offline.reference_) < 0.05 * distance_riemann(
        Recenter().fit(_spd(20, 6, 2) * 3.0).reference_, offline.reference_)


@pytest.mark.parametrize("alignment", [None, "euclidean"])  # None: re-centring, for a covariance pipeline
def test_prior_from_a_rescaled_subject_helps_with_few_trials(alignment: str | None) -> None:
    X, y = mi_epochs(n_per_class=40, n_channels=8, effect=0.8, seed=3)
    Xt, yt = mi_epochs(n_per_class=40, n_channels=8, effect=0.8, seed=4)
    Xt = Xt * 5.0  # the new "subject": same sources, five times the amplitude
    few = np.r_[np.nonzero(yt == "left")[0][:4], np.nonzero(yt == "right")[0][:4]]
    test = np.setdiff1d(np.arange(len(yt)), few)
    base = make_ts(128.0, CH, ["left", "right"], classifier="lda")
    with_prior = make_aligned(base, Prior([(X, y)]), alignment).fit(Xt[few], yt[few])
    assert np.mean(with_prior.predict(Xt[test]) == yt[test]) > 0.8
    assert with_prior.set_params(prior=None).prior is None  # what the model file keeps


def test_euclidean_alignment_makes_each_domain_mean_covariance_the_identity() -> None:
    X, y = mi_epochs(n_per_class=20, n_channels=8, seed=7)
    mix = np.random.default_rng(0).standard_normal((8, 8)) + 3 * np.eye(8)  # another head: sources mixed anew
    Xp, yp = mi_epochs(n_per_class=20, n_channels=8, seed=8)
    prior = Prior([(np.einsum("ij,njt->nit", mix, Xp), yp)])
    ea = make_aligned(make_ts(128.0, CH, ["left", "right"], classifier="lda"), prior, "euclidean").fit(X * 4.0, y)
    assert isinstance(ea, EuclideanAligned) and ea.alignment == "euclidean"
    np.testing.assert_allclose(epoch_covariances(ea.aligned(X * 4.0)).mean(axis=0), np.eye(8), atol=1e-8)
    np.testing.assert_allclose(epoch_covariances(prior.aligned_epochs()[0]).mean(axis=0), np.eye(8), atol=1e-8)
    # not a covariance pipeline: the default alignment for it is euclidean; recenter is refused
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import FunctionTransformer

    flat = make_pipeline(FunctionTransformer(lambda Z: Z.reshape(len(Z), -1)), LinearDiscriminantAnalysis())
    assert isinstance(make_aligned(flat, prior), EuclideanAligned)
    with pytest.raises(ValueError, match="covariances"):
        make_aligned(flat, prior, "recenter")


def test_euclidean_adaptation_on_a_stationary_stream_converges_to_the_offline_alignment() -> None:
    X, y = mi_epochs(n_per_class=100, n_channels=6, seed=9)
    base = make_ts(128.0, CH[:6], ["left", "right"], classifier="lda")
    offline = EuclideanAligned(base).fit(X, y)
    start = EuclideanAligned(base).fit(X[:10] * 3.0, y[:10])  # calibrated on a scaled session
    before = np.linalg.norm(start.reference_ - offline.reference_)
    start.adapt(X)
    assert np.linalg.norm(start.reference_ - offline.reference_) < 0.05 * before and start.drift() > 0


class Memoriser(ClassifierMixin, BaseEstimator):
    """Records what it was trained on; predicts by exact match (a perfect leak detector)."""

    trained: list[set[bytes]] = []
    leaked: list[int] = []

    def fit(self, X, y):
        self.memory_ = {x.tobytes(): label for x, label in zip(X, y, strict=True)}
        self.classes_ = np.unique(y)
        Memoriser.trained.append(set(self.memory_))
        return self

    def predict(self, X):
        hits = [x.tobytes() in self.memory_ for x in X]
        Memoriser.leaked.append(int(sum(hits)))
        return np.array([self.memory_.get(x.tobytes(), self.classes_[0]) for x in X])


def test_curve_never_tests_on_a_training_trial_and_a_planted_leak_is_caught() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2, 5))
    y = np.array(["a", "b"] * 30)
    Memoriser.leaked.clear()
    out = learning_curve(X, y, Memoriser, [3, 5, 10], runs=np.repeat([0, 1], 30), onsets=np.tile(np.arange(30.0), 2))
    assert out["trials_per_class"] == [3, 5, 10] and sum(Memoriser.leaked) == 0
    # plant a leak: a late (test) trial duplicated into the first trials -> the memoriser finds it
    X2 = X.copy()
    X2[0] = X2[59]
    y2 = y.copy()
    y2[0] = y2[59]
    Memoriser.leaked.clear()
    learning_curve(X2, y2, Memoriser, [3], starts=False)
    assert sum(Memoriser.leaked) >= 1


@pytest.mark.parametrize(("with_prior", "alignment"), [(False, None), (True, None), (True, "euclidean")])
def test_curve_with_permuted_labels_stays_at_chance(with_prior: bool, alignment: str | None) -> None:
    X, y = mi_epochs(n_per_class=40, n_channels=8, effect=0.8, seed=5)
    alternate = np.ravel(np.column_stack([np.arange(40), np.arange(40, 80)]))  # left, right, left, ...
    X, y = X[alternate], y[alternate]
    Xp, yp = mi_epochs(n_per_class=40, n_channels=8, effect=0.8, seed=6)
    rng = np.random.default_rng(1)
    prior = Prior([(Xp, rng.permutation(yp))]) if with_prior else None
    accs = []
    for seed in range(3):
        yperm = np.random.default_rng(seed).permutation(y)

        def factory() -> AlignedDecoder | EuclideanAligned:
            return make_aligned(make_ts(128.0, CH, ["left", "right"], classifier="lda"), prior, alignment)

        accs.append(learning_curve(X, yperm, factory, [5, 10, 20], starts=False)["accuracy"])
    mean = np.mean(accs, axis=0)
    assert np.all(mean < 0.65) and np.all(mean > 0.35), mean
    true_prior = Prior([(Xp, yp)]) if with_prior else None
    real = learning_curve(X, y, lambda: make_aligned(make_ts(128.0, CH, ["left", "right"], classifier="lda"),
                                                     true_prior, alignment), [10], starts=False)["accuracy"][0]
    assert real > 0.75  # the same curve does learn the true labels


def test_train_with_prior_exports_an_aligned_model_that_adapts_online(shared_data: Path, tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture) -> None:
    model, report, curve = tmp_path / "s1.bcimodel", tmp_path / "r.json", tmp_path / "c.json"
    events = ["--paradigm", "mi", "--events", "T1=left,T2=right", "--tmin", "0", "--tmax", "3", "--pipeline", "ts_lr"]
    prior = ["--prior", str(physionet_file(2, 4)), str(physionet_file(3, 4))]
    assert main(["train", "--data", str(physionet_file(1, 4)), str(physionet_file(1, 8)), *events, *prior,
                 "--out", str(model), "--report", str(report)]) == 0
    loaded = load_model(model)
    assert isinstance(loaded.pipeline, AlignedDecoder) and loaded.pipeline.prior is None
    al = loaded.manifest["alignment"]
    assert al["method"] == "recenter" and al["prior"]["domains"] == 2 and al["prior"]["n_trials"] == 30
    assert al["adapt"] == "recommended"
    # --prior repeating --data is refused
    assert main(["train", "--data", str(physionet_file(1, 4)), *events, "--prior", str(physionet_file(1, 4)),
                 "--out", str(tmp_path / "x.bcimodel")]) != 0
    assert "repeats --data" in capsys.readouterr().err and not (tmp_path / "x.bcimodel").exists()
    # online adaptation moves the reference, the file's model is untouched
    from bcigui.core.data.recordings import load_recording

    rec = load_recording(physionet_file(1, 12))
    data = rec.raw.get_data().T[: int(40 * rec.sfreq)]
    dec = SlidingDecoder(loaded.pipeline, ModelSpec.from_manifest(loaded.manifest), rec.ch_names, rec.sfreq, adapt=True)
    for s in range(0, len(data), 32):
        dec.process(data[s:s + 32], np.arange(s, min(s + 32, len(data))) / rec.sfreq)
    assert dec.stats.adapted >= 10 and loaded.pipeline.drift() > 0
    assert load_model(model).pipeline.drift() < 1e-9 < loaded.pipeline.drift()
    # the learning curve command
    assert main(["curve", "--data", *(str(physionet_file(1, r)) for r in (4, 8, 12)), *events,
                 "--trials", "5,10", "--report", str(curve)]) == 0
    out = json.loads(curve.read_text())
    assert out["trials_per_class"] == [5, 10] and len(out["accuracy"]) == 2 and out["n_test"][0] > out["n_test"][1]
    assert 0.4 < out["chance_level"] < 0.6


def test_erp_ts_with_a_prior_is_euclidean_aligned_exported_and_decodes_online_as_offline(
        shared_data: Path, tmp_path: Path) -> None:
    model = tmp_path / "erp.bcimodel"
    data, *prior = (str(physionet_sensorimotor(s, 4, tmp_path)) for s in (1, 2, 3))
    assert main(["train", "--data", data, "--paradigm", "mi", "--events", "T1=left,T2=right",
                 "--tmin", "0", "--tmax", "3", "--pipeline", "erp_ts", "--cv", "3",
                 "--prior", *prior, "--out", str(model)]) == 0
    loaded = load_model(model)  # the safe loader trusts the wrapper through the decoders' registry
    assert isinstance(loaded.pipeline, EuclideanAligned) and loaded.pipeline.prior is None
    al = loaded.manifest["alignment"]
    assert al["method"] == "euclidean" and al["prior"]["domains"] == 2 and al["adapt"] == "recommended"
    # online = offline: the window that ends where epoch 0 ends gives the epoch's probabilities
    from bcigui.core.data import load_recordings, make_epochs
    from bcigui.core.signal.filters import FilterSpec

    spec = ModelSpec.from_manifest(loaded.manifest)
    recs = load_recordings([data])
    ep = make_epochs(recs, {"T1": "left", "T2": "right"}, 0.0, 3.0, FilterSpec.from_dict(loaded.manifest["filter"]))
    rec = recs[0]
    end = int(round((ep.onsets[0] + spec.tmin) * rec.sfreq)) + spec.n_times
    dec = SlidingDecoder(loaded.pipeline, spec, rec.ch_names, rec.sfreq, hop=1 / rec.sfreq)
    preds = dec.process(rec.raw.get_data().T[:end], np.arange(end) / rec.sfreq)
    np.testing.assert_allclose(preds[-1].proba, loaded.pipeline.predict_proba(ep.X[:1])[0], atol=1e-9)


def test_adapt_needs_an_aligned_model() -> None:
    X, y = mi_epochs(n_per_class=10, n_channels=8, seed=1)
    pipe = make_ts(128.0, CH, ["left", "right"], classifier="lda").fit(X, y)
    spec = ModelSpec.from_manifest({"classes": ["left", "right"], "ch_names": CH, "sfreq": 128.0, "tmin": 0.0,
                                    "tmax": 2.0, "n_times": 256, "filter": None})
    with pytest.raises(ValueError, match="alignment"):
        SlidingDecoder(pipe, spec, CH, 128.0, adapt=True)


def test_lr_decoders_train_on_five_trials_per_class() -> None:
    """5-fold CV of 5 trials per class leaves 4 per class: the inner C search must still run."""
    from bcigui.core.decoders.evaluation import cross_validate

    X, y = mi_epochs(n_per_class=5, n_channels=8, seed=2)
    rep = cross_validate(make_ts(128.0, CH, ["left", "right"]), X, y, cv=5, classes=["left", "right"])
    assert rep["n_trials"] == 10
    pipe = make_ts(128.0, CH, ["left", "right"]).fit(X[[0, 1, 5, 6]], y[[0, 1, 5, 6]])  # 2 per class
    assert pipe.steps[-1][1].cv == 5 and len(pipe.predict(X)) == 10
