"""Decoder plugin declarations (light: factories are imported on first use).

Tags: ``paradigm`` (``"mi"`` | ``"ssvep"``), ``filter`` (default causal FilterSpec as a dict, applied
to the continuous signal before epoching), ``tmin``/``tmax`` (default epoch window, seconds) and
``requires`` (assumptions about the data, checked at training: see :mod:`.assumptions`).
"""

from __future__ import annotations

from dataclasses import replace

from bcigui.core.catalog import (
    CONNECTIVITY_METHODS,
    COV_ESTIMATORS,
    FEATURE_CLASSIFIERS,
    PSD_METHODS,
    REST_MODES,
)
from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec

_FEATURE_CLFS = FEATURE_CLASSIFIERS
_COV = Param("cov_estimator", "str", "oas", "covariance estimator (shrinkage: oas, lwf; plain: scm)",
             choices=COV_ESTIMATORS)
_CHANNELS = Param("channels", "channels", "", "channel subset: '' (all), 'sensorimotor' (FC/C/CP rows) or 'C3,Cz,C4'")
_BANDS = "filter-bank bands in Hz, e.g. '8-12,12-16'"
_REST = Param("rest_mode", "str", "threshold", "no-target class: threshold on the best score, or learned by LDA",
              choices=REST_MODES)
# order 2: Butterworth band-pass of order 4 overall, with less group delay than order 4 (causal filter)
_MI = {"paradigm": "mi", "filter": {"l_freq": 8.0, "h_freq": 30.0, "order": 2}, "tmin": 0.5, "tmax": 2.5}
_MI_WIDE = {"paradigm": "mi", "filter": {"l_freq": 4.0, "h_freq": 40.0, "order": 2}, "tmin": 0.5, "tmax": 2.5}
# HappyFeat's power features: a common-average reference first (as the analysis window's default): PSD
# ranked by r² on the raw reference is dominated by channels' differing reference and eye/muscle noise
_MI_WIDE_CAR = {**_MI_WIDE, "filter": {**_MI_WIDE["filter"], "reference": "average"}}
_MI_LOW = {"paradigm": "mi", "filter": {"l_freq": 1.0, "h_freq": 40.0, "order": 2}, "tmin": 0.0, "tmax": 3.0}
_SSVEP = {"paradigm": "ssvep", "filter": {"l_freq": 3.0, "h_freq": 60.0}, "tmin": 1.0, "tmax": 4.0}
_P = "bcigui.core.decoders.pipelines:"
_S = "bcigui.core.decoders.ssvep:"

PLUGINS = [
    PluginSpec("csp_lda", "decoder", _P + "make_csp_lda", "CSP log-variance + shrinkage LDA", tags=_MI, params=(
        Param("n_components", "int", 6, "number of CSP filters", minimum=2, maximum=64), _COV,
        Param("classifier", "str", "lda", "classifier", choices=_FEATURE_CLFS), _CHANNELS)),
    PluginSpec("fbcsp_svm", "decoder", _P + "make_fbcsp", "filter-bank CSP + linear SVM", tags=_MI_WIDE, params=(
        Param("bands", "bands", "4-8,8-12,12-16,16-20,20-24,24-28,28-32,32-40", _BANDS),
        Param("n_components", "int", 4, "CSP filters per band", minimum=2, maximum=64), _COV,
        Param("classifier", "str", "svm_linear", "classifier", choices=_FEATURE_CLFS), _CHANNELS)),
    PluginSpec("ts_lr", "decoder", _P + "make_ts", "Riemannian tangent space + logistic regression (C by inner CV)",
               tags=_MI, params=(_COV, Param("classifier", "str", "lr", "classifier",
                                             choices=(*_FEATURE_CLFS, "mdm")), _CHANNELS)),
    PluginSpec("fbts", "decoder", _P + "make_fbts",
               "filter-bank tangent space + ridge (penalty by leave-one-out CV)", tags=_MI_WIDE, params=(
                   Param("bands", "bands", "8-12,12-16,16-20,20-24,24-28,28-32", _BANDS), _COV,
                   Param("classifier", "str", "ridge", "classifier", choices=_FEATURE_CLFS), _CHANNELS)),
    PluginSpec("erp_ts", "decoder", _P + "make_erp_ts",
               "slow potentials (Xdawn covariances, 1-4 Hz) + mu/beta covariances, tangent space + shrinkage LDA",
               tags=_MI_LOW, params=(
                   Param("erp_band", "bands", "1-4", "band of the movement-related potentials, Hz"),
                   Param("bands", "bands", "8-32", "rhythm band(s), " + _BANDS),
                   Param("n_xdawn", "int", 4, "Xdawn filters per class", minimum=1, maximum=16),
                   Param("rhythm", "str", "ts", "rhythm features: tangent space or CSP log-variance", choices=("ts", "csp")),
                   Param("n_csp", "int", 6, "CSP filters (rhythm='csp')", minimum=2, maximum=64), _COV,
                   Param("classifier", "str", "lda", "classifier", choices=_FEATURE_CLFS), _CHANNELS)),
    PluginSpec("mdm", "decoder", _P + "make_mdm", "minimum distance to Riemannian mean", tags=_MI, params=(_COV, _CHANNELS)),
    PluginSpec("happyfeat", "decoder", _P + "make_happyfeat",
               "HappyFeat: PSD/connectivity features selected by r² inside the folds + shrinkage LDA",
               tags=_MI_WIDE_CAR, params=(
                   Param("feature", "str", "psd", "feature family: psd, connectivity, psd+connectivity (both, rows "
                         "'psd:C3', 'imcoh:C3') or the name of any tensor feature plugin"),
                   Param("method", "str", "welch", "PSD method", choices=PSD_METHODS),
                   Param("fmin", "float", 4.0, "lowest frequency", minimum=0.5, unit="Hz"),
                   Param("fmax", "float", 40.0, "highest frequency", minimum=1.0, unit="Hz"),
                   Param("selection", "str", "", "fixed features 'C3;12, C4;8:12' (empty: automatic by r²)"),
                   Param("n_features", "int", 6, "automatic selection: number of features", minimum=1, maximum=256),
                   Param("channels", "channels", "sensorimotor", "automatic selection: candidate channels, "
                         "'sensorimotor' (FC/C/CP rows, all channels when fewer than 4 are present), 'C3,C4,...' "
                         "or empty (all)"),
                   Param("classifier", "str", "lda", "classifier", choices=_FEATURE_CLFS),
                   Param("connectivity_method", "str", "imcoh", "connectivity measure (node strength)",
                         choices=CONNECTIVITY_METHODS))),
    PluginSpec("cca", "decoder", _S + "make_cca", "training-free CCA with sine/cosine references", tags=_SSVEP,
               params=(Param("n_harmonics", "int", 3, "harmonics in the references", minimum=1, maximum=6),
                       Param("n_bands", "int", 1, "filter-bank sub-bands (1 = plain CCA)", minimum=1, maximum=8),
                       _REST)),
    PluginSpec("fbcca", "decoder", _S + "make_fbcca", "filter-bank CCA", tags=_SSVEP,
               params=(Param("n_harmonics", "int", 3, "harmonics in the references", minimum=1, maximum=6),
                       Param("n_bands", "int", 3, "filter-bank sub-bands", minimum=2, maximum=8),
                       Param("rest_mode", "str", "learned", _REST.help, choices=_REST.choices))),
    PluginSpec("trca", "decoder", _S + "make_trca", "task-related component analysis (phase-locked stimuli)",
               tags={**_SSVEP, "requires": ("phase_locked",)}, params=(Param("ensemble", "bool", False, "ensemble TRCA"),
                                    Param("n_bands", "int", 1, "filter-bank sub-bands", minimum=1, maximum=8), _REST)),
    PluginSpec("etrca", "decoder", _S + "make_etrca", "ensemble TRCA (phase-locked stimuli)",
               tags={**_SSVEP, "requires": ("phase_locked",)},
               params=(Param("n_bands", "int", 1, "filter-bank sub-bands", minimum=1, maximum=8), _REST)),
    PluginSpec("ssvep_ts_lr", "decoder", _S + "make_ssvep_ts",
               "covariance of signals band-passed at each stimulus frequency, tangent space + LR", tags=_SSVEP,
               params=(Param("bandwidth", "float", 1.0, "half-width of each band", minimum=0.25, maximum=5, unit="Hz"),
                       Param("classifier", "str", "lr", "classifier", choices=(*_FEATURE_CLFS, "mdm")))),
    PluginSpec("ssvep_features", "decoder", _S + "make_ssvep_features",
               "narrow-band power + filter-bank CCA scores + shrinkage LDA (learns rest)", tags=_SSVEP,
               params=(Param("n_harmonics", "int", 2, "harmonics in the power features", minimum=1, maximum=5),
                       Param("n_bands", "int", 3, "filter-bank CCA sub-bands (0 = no CCA scores)", minimum=0, maximum=8),
                       Param("classifier", "str", "lda", "classifier", choices=_FEATURE_CLFS))),
]

# The bcigui classes a fitted pipeline of each decoder may hold, whatever its parameters: model files
# trust them through the registry, exactly as they trust a third-party plugin's own classes.
_D = "bcigui.core.decoders."
_F = "bcigui.core.features."
_BLOCKS = (_D + "pipelines.PickChannels", _D + "pipelines.FilterBank", _F + "riemann.Covariances",
           _F + "riemann.TangentSpace", _F + "spatial.CSPFeatures", _D + "transfer.AlignedDecoder",
           _D + "transfer.Recenter", _D + "transfer.EuclideanAligned")
_TRUSTED = {
    "happyfeat": (*_BLOCKS, _F + "psd.PSDFeatures", _F + "connectivity.ConnectivityFeatures",
                  _F + "selection.AutoFeatSelector", _F + "selection.ManualSelector", _F + "combine.CombinedFeatures",
                  _F + "selection.SelectedTensorFeatures"),
    "cca": (_D + "ssvep.CCA",), "fbcca": (_D + "ssvep.CCA",), "trca": (_D + "ssvep.TRCA",), "etrca": (_D + "ssvep.TRCA",),
    "ssvep_ts_lr": (_D + "ssvep.FilterBankStack", _F + "riemann.Covariances", _F + "riemann.TangentSpace"),
    "ssvep_features": (_D + "ssvep.SSVEPFeatures", _D + "ssvep.CCA"),
}
_LR = _D + "classifiers.SmallSampleLogisticRegressionCV"  # the "lr" classifier any decoder may hold
PLUGINS = [replace(s, trusted_types=(*_TRUSTED.get(s.name, _BLOCKS), _LR)) for s in PLUGINS]
