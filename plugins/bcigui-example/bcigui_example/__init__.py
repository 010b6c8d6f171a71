"""Example third-party bcigui plugin package.

It declares one ``feature`` plugin through the ``bcigui.plugins`` entry point. The estimator lives
in :mod:`bcigui_example.logvar` and is imported only when the plugin is first used.
"""

from bcigui.core.plugins import Param, PluginSpec

PLUGINS = [
    PluginSpec(
        name="example_logvar",
        kind="feature",
        factory="bcigui_example.logvar:LogVariance",
        description="Log-variance of each channel (example third-party plugin)",
        version="0.1.0",
        params=(
            Param("floor", "float", 1e-12, "variance floor before the log", minimum=0.0),
        ),
    )
]
