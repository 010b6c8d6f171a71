"""View plugins (kind ``view``): declarations only, no Qt import.

Each factory is a ``QWidget`` subclass constructed as ``factory(acquisition, parent=None, **params)``.
"""

from __future__ import annotations

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec

_M = "bcigui.gui.views"

PLUGINS = [
    PluginSpec(
        "traces", "view", f"{_M}.trace:TraceView",
        "Scrolling/sweep multichannel traces with live display filters, markers and quality dots",
        params=(
            Param("window_s", "float", 10.0, "time window", minimum=1, maximum=30, unit="s"),
            Param("mode", "str", "scroll", "display mode", choices=("scroll", "sweep")),
            Param("fps", "float", 30.0, "refresh rate", minimum=1, maximum=240, unit="Hz"),
            Param("channels_per_page", "int", 0, "channels shown per page (0: as many as fit, 16 px each)",
                  minimum=0, maximum=1024),
        ),
    ),
    PluginSpec(
        "spectrum", "view", f"{_M}.spectrum:SpectrumView",
        "Welch power spectral density of the last seconds, per channel (log power, 1-100 Hz)",
        params=(Param("seconds", "float", 4.0, "data length", minimum=1, maximum=30, unit="s"),),
    ),
    PluginSpec(
        "bandpower", "view", f"{_M}.bandpower:BandPowerView",
        "Band power bars (delta, theta, alpha/mu, beta, gamma; editable bands)",
        params=(Param("seconds", "float", 4.0, "data length", minimum=1, maximum=30, unit="s"),),
    ),
    PluginSpec(
        "spectrogram", "view", f"{_M}.spectrogram:SpectrogramView",
        "Scrolling time-frequency spectrogram of one channel",
        params=(Param("seconds", "float", 20.0, "time span", minimum=2, maximum=60, unit="s"),),
    ),
    PluginSpec(
        "topomap", "view", f"{_M}.topomap:TopomapView",
        "Scalp map of band power (standard 10-05 positions matched by channel label)",
        params=(Param("seconds", "float", 2.0, "data length", minimum=0.5, maximum=30, unit="s"),),
    ),
    PluginSpec(
        "connectivity", "view", f"{_M}.connectivity:ConnectivityView",
        "Connectivity in one band (imaginary coherence, coherence): channel x channel matrix and the "
        "strongest links on the head, refreshed about once a second",
        params=(Param("seconds", "float", 4.0, "data length", minimum=2, maximum=30, unit="s"),
                Param("method", "str", "imcoh", "connectivity measure", choices=("imcoh", "coh", "lagged")),
                Param("edges", "int", 20, "strongest links drawn on the head", minimum=1, maximum=200)),
    ),
    PluginSpec(
        "quality", "view", f"{_M}.quality:QualityView",
        "Signal quality per channel: flat, clipping, variance, line noise (traffic light + reason)",
        params=(Param("seconds", "float", 2.0, "data length", minimum=0.5, maximum=30, unit="s"),),
    ),
]
