"""Paradigm plugin declarations (light: factories are imported on first use).

Tags: ``paradigm`` (``"mi"`` | ``"ssvep"``: which decoders apply) and ``stimulus``, the window that draws
the paradigm's phases (``"module:Class"``, constructed as ``Class(session, refresh_rate=None)``; see
:mod:`bcigui.gui.paradigms.stimulus`). A third-party paradigm names its own window there.
"""

from __future__ import annotations

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec


def _dur(name: str, default: float, help: str) -> Param:
    return Param(name, "float", default, help, minimum=0.0, maximum=3600.0, unit="s")


MI_PARAMS = (
    Param("classes", "str", "left_hand,right_hand",
          "comma-separated classes among left_hand, right_hand, feet, tongue, rest"),
    Param("trials_per_class", "int", 20, "trials per class", minimum=1, maximum=500),
    _dur("baseline_duration", 30.0, "eyes-open baseline at the start"),
    _dur("fixation_duration", 2.0, "fixation cross before the warning"),
    _dur("warning_duration", 1.0, "warning (beep / flash of the cross) before the cue"),
    _dur("cue_duration", 1.25, "time the cue is shown (imagery starts with the cue)"),
    _dur("imagery_duration", 4.0, "imagery period, from the cue onset"),
    _dur("rest_duration", 1.5, "rest after each trial (minimum)"),
    _dur("rest_jitter", 1.0, "random extra rest, uniform in [0, rest_jitter]"),
    Param("cue_style", "str", "arrow", "how the cue is drawn", choices=("arrow", "word")),
    Param("beep", "bool", True, "warning tone (if sound is available) in addition to the flash"),
    Param("seed", "int", 0, "seed of the randomised class order and jitter", minimum=0),
)

SSVEP_PARAMS = (
    Param("frequencies", "floats", "13,17,21", "comma-separated target frequencies (2 to 40 targets)", unit="Hz"),
    Param("phases", "floats", "", "comma-separated phases in units of pi (empty: all 0)"),
    Param("mode", "str", "sinusoid", "sampled sinusoid (any frequency) or on/off (R/f integer)",
          choices=("sinusoid", "onoff")),
    Param("trials_per_class", "int", 8, "trials per target", minimum=1, maximum=500),
    _dur("baseline_duration", 10.0, "baseline at the start"),
    _dur("cue_duration", 1.0, "target highlighted before flickering"),
    _dur("flicker_duration", 5.0, "flicker (stimulation) duration"),
    _dur("rest_duration", 1.5, "rest after each trial (minimum)"),
    _dur("rest_jitter", 0.5, "random extra rest, uniform in [0, rest_jitter]"),
    Param("seed", "int", 0, "seed of the randomised target order and jitter", minimum=0),
)

PLUGINS = [
    PluginSpec(
        name="mi",
        kind="paradigm",
        factory="bcigui.core.paradigms.mi:MotorImageryParadigm",
        description="Graz-style motor-imagery calibration (fixation, beep, cue, imagery, rest)",
        params=MI_PARAMS,
        tags={"paradigm": "mi", "stimulus": "bcigui.gui.paradigms.stimulus:MICueWindow"},
    ),
    PluginSpec(
        name="ssvep",
        kind="paradigm",
        factory="bcigui.core.paradigms.ssvep:SSVEPParadigm",
        description="SSVEP calibration: 2-40 flickering targets, sampled-sinusoid or on/off",
        params=SSVEP_PARAMS,
        tags={"paradigm": "ssvep", "stimulus": "bcigui.gui.paradigms.stimulus:SSVEPWindow"},
    ),
]
