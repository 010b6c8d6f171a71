"""Example third-party bcigui plugin package.

It declares a ``feature`` plugin and a ``decoder`` plugin through the ``bcigui.plugins`` entry point.
Their code lives in :mod:`bcigui_example.logvar` and is imported only when a plugin is first used.
The decoder lists its estimator in ``trusted_types`` so that trained models can be exported to
``.bcimodel`` files and loaded wherever this package is installed.
"""

from bcigui.core.plugins import Param, PluginSpec

_FLOOR = Param("floor", "float", 1e-12, "variance floor before the log", minimum=0.0)

PLUGINS = [
    PluginSpec(
        name="example_logvar",
        kind="feature",
        factory="bcigui_example.logvar:LogVariance",
        description="Log-variance of each channel (example third-party plugin)",
        version="0.1.0",
        params=(_FLOOR,),
    ),
    PluginSpec(
        name="example_logvar_lda",
        kind="decoder",
        factory="bcigui_example.logvar:make_logvar_lda",
        description="Log-variance of each channel + shrinkage LDA (example third-party decoder)",
        version="0.1.0",
        params=(_FLOOR,),
        tags={"paradigm": "mi", "filter": {"l_freq": 8.0, "h_freq": 30.0, "order": 2}, "tmin": 0.5, "tmax": 2.5},
        trusted_types=("bcigui_example.logvar.LogVariance",),
    ),
]
