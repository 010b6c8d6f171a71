"""Built-in feature plugins (entry point ``bcigui.core.features.plugins:PLUGINS``). Imports nothing heavy.

Tags: ``tensor`` -- the extractor can output a ``(n_epochs, n_rows, n_freqs)`` tensor (``output``
parameter) for r² maps and selectors; ``supervised`` -- ``fit`` needs labels. ``sfreq`` is filled in
from the data by callers (``Workspace.extract``, decoders); ``ch_names`` is set with ``set_params``.
"""

from __future__ import annotations

from dataclasses import replace

from bcigui.core.catalog import CONNECTIVITY_METHODS, COV_ESTIMATORS, PSD_METHODS
from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec

_SFREQ = Param("sfreq", "float", None, "sampling rate (filled in from the data)", minimum=1.0, unit="Hz")
_FMIN = Param("fmin", "float", 1.0, "lowest frequency", minimum=0.0, maximum=1000.0, unit="Hz")
_FMAX = Param("fmax", "float", 40.0, "highest frequency", minimum=0.0, maximum=1000.0, unit="Hz")
_RES = Param("freq_resolution", "float", 1.0, "spacing of the output frequencies", minimum=0.05, maximum=10.0, unit="Hz")
_OUT = Param("output", "str", "flat", "flat features or (epochs, channels, freqs) tensor", choices=("flat", "tensor"))
_COV = Param("cov_estimator", "str", "oas", "covariance estimator", choices=COV_ESTIMATORS)
_PSD = "bcigui.core.features.psd:PSDFeatures"

PLUGINS = [
    PluginSpec(
        name="psd",
        kind="feature",
        factory=_PSD,
        description="Log power spectral density per channel and frequency (Welch, multitaper or Burg AR)",
        params=(
            _SFREQ,
            Param("method", "str", "welch", "spectral estimator", choices=PSD_METHODS),
            _FMIN, _FMAX, _RES,
            Param("order", "int", 16, "Burg autoregressive model order", minimum=1, maximum=200,
                  when=("method", ("burg",))),
            Param("bandwidth", "float", 0.0, "multitaper bandwidth (0 = MNE default)", minimum=0.0, unit="Hz",
                  when=("method", ("multitaper",))),
            Param("log", "bool", True, "log10 of the power"),
            _OUT,
        ),
        tags={"tensor": True, "supervised": False},
    ),
    PluginSpec(
        name="band_power",
        kind="feature",
        factory=_PSD,
        description="Log band power per channel (mean PSD within each band)",
        params=(
            _SFREQ,
            Param("bands", "bands", "4-8,8-12,12-16,16-24,24-30", "bands in Hz, 'lo-hi' separated by commas"),
            Param("method", "str", "welch", "spectral estimator", choices=PSD_METHODS),
            Param("freq_resolution", "float", 0.5, "PSD resolution before averaging", minimum=0.05, unit="Hz"),
            Param("order", "int", 16, "Burg autoregressive model order", minimum=1, maximum=200,
                  when=("method", ("burg",))),
            Param("log", "bool", True, "log10 of the power"),
            _OUT,
        ),
        tags={"tensor": True, "supervised": False},
    ),
    PluginSpec(
        name="connectivity",
        kind="feature",
        factory="bcigui.core.features.connectivity:ConnectivityFeatures",
        description="Per-epoch functional connectivity (coherence family, PLV, wPLI) as node strength or edges",
        params=(
            _SFREQ,
            Param("method", "str", "imcoh", "connectivity measure",
                  choices=CONNECTIVITY_METHODS),
            _FMIN, _FMAX, _RES,
            Param("reduce", "str", "node", "node strength per channel or channel-pair edges", choices=("node", "edges")),
            _OUT,
        ),
        tags={"tensor": True, "supervised": False},
    ),
    PluginSpec(
        name="csp",
        kind="feature",
        factory="bcigui.core.features.spatial:CSPFeatures",
        description="Common spatial patterns, log-variance features",
        params=(Param("n_components", "int", 4, "number of spatial filters", minimum=1, maximum=256), _COV),
        tags={"tensor": False, "supervised": True},
    ),
    PluginSpec(
        name="fbcsp",
        kind="feature",
        factory="bcigui.core.features.spatial:FilterBankCSP",
        description="Filter-bank CSP with optional mutual-information band selection",
        params=(
            _SFREQ,
            Param("bands", "bands", "4-8,8-12,12-16,16-20,20-24,24-28,28-32", "bands in Hz, 'lo-hi' separated by commas"),
            Param("n_components", "int", 4, "spatial filters per band", minimum=1, maximum=256),
            Param("n_bands_select", "int", 0, "keep the best bands by mutual information (0 = all)", minimum=0),
            Param("filter_order", "int", 4, "Butterworth order of each band-pass", minimum=1, maximum=10),
            _COV,
        ),
        tags={"tensor": False, "supervised": True},
    ),
    PluginSpec(
        name="tangent_space",
        kind="feature",
        factory="bcigui.core.features.riemann:TangentSpaceFeatures",
        description="Riemannian covariance projected to the tangent space",
        params=(_COV, Param("metric", "str", "riemann", "mean/projection metric", choices=("riemann", "logeuclid", "euclid"))),
        tags={"tensor": False, "supervised": False},
    ),
]

# What a fitted extractor of each plugin holds (its own class; selectors and combinations of
# extractors are built from the analysis window's choices): model files trust them through the registry.
_SELECTION = ("bcigui.core.features.selection.AutoFeatSelector", "bcigui.core.features.selection.ManualSelector",
              "bcigui.core.features.combine.CombinedFeatures")
PLUGINS = [replace(s, trusted_types=(s.factory.replace(":", "."), *_SELECTION)) for s in PLUGINS]
