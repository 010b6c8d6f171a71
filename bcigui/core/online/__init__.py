"""Online decoding: the one decode path (:mod:`.decoder`), live running (:mod:`.runner`) and
trial-level scoring against cues (:mod:`.scoring`)."""

from bcigui.core.online.decoder import (
    REJECTED,
    DecoderStats,
    ModelSpec,
    Prediction,
    SlidingDecoder,
    class_probabilities,
    map_channels,
    pseudo_online,
)
from bcigui.core.online.runner import OnlineRunner, RunnerStatus
from bcigui.core.online.scoring import TrialResult, TrialScorer, pseudo_online_trials

__all__ = [
    "REJECTED", "DecoderStats", "ModelSpec", "OnlineRunner", "Prediction", "RunnerStatus", "SlidingDecoder",
    "TrialResult", "TrialScorer", "class_probabilities", "map_channels", "pseudo_online", "pseudo_online_trials",
]
