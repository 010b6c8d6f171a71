"""Source plugins of the stream package (declarations only: nothing heavy is imported here)."""

from __future__ import annotations

from bcigui.core.plugins.params import Param
from bcigui.core.plugins.registry import PluginSpec

PLUGINS = [
    PluginSpec(
        name="lsl",
        kind="source",
        factory="bcigui.core.stream.acquisition:Acquisition",
        description="EEG and marker streams from Lab Streaming Layer outlets on the network",
        params=(
            Param("eeg", "str", "", help="name of the EEG stream (empty: first stream of type EEG)"),
            Param("markers", "str", "auto",
                  help="marker streams: 'auto' (all, including later ones), 'none', or comma-separated names"),
            Param("buffer_seconds", "float", 60.0, help="length of the ring buffer",
                  minimum=1.0, maximum=3600.0, unit="s"),
            Param("timeout", "float", 2.0, help="how long to wait for the streams",
                  minimum=0.1, maximum=60.0, unit="s"),
        ),
    ),
    PluginSpec(
        name="simulator",
        kind="source",
        factory="bcigui.core.stream.simulator:Simulator",
        description="Built-in EEG simulator publishing EEG and marker LSL streams",
        params=(
            Param("paradigm", "str", "mi", help="simulated brain activity", choices=("mi", "ssvep", "rest")),
            Param("n_channels", "int", 32, help="number of EEG channels", minimum=8, maximum=256),
            Param("srate", "float", 500.0, help="sampling rate", minimum=64.0, maximum=10000.0, unit="Hz"),
            Param("seed", "int", 0, help="random seed"),
            Param("name", "str", "bcigui-sim", help="name of the EEG stream"),
            Param("follow", "str", "", help="marker stream whose cues the virtual subject obeys (empty: own cues)"),
            Param("follow_source_id", "str", "", help="source_id of that marker stream (when several share its name)"),
            Param("skill", "float", 1.0, help="how well the virtual subject performs (0: no class information)",
                  minimum=0.0, maximum=1.0),
        ),
    ),
    PluginSpec(
        name="replay",
        kind="source",
        factory="bcigui.core.stream.replay:Replayer",
        description="Replay a recording file (FIF, EDF/BDF, GDF, XDF, BrainVision) as LSL EEG + markers",
        params=(
            Param("path", "str", "", help="recording file"),
            Param("speed", "float", 1.0, help="replay speed factor", minimum=0.01, maximum=1000.0),
            Param("loop", "bool", False, help="start over at the end of the file"),
            Param("name", "str", "", help="EEG stream name (empty: bcigui-replay-<file>)"),
        ),
    ),
]
