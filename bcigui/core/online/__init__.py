"""Online decoding: the one decode path (:mod:`.decoder`), live running (:mod:`.runner`) and
trial-level scoring against cues (:mod:`.scoring`); submodules are imported on use."""

from bcigui.core.lazy import lazy_exports

_EXPORTS = {
    **dict.fromkeys(["REJECTED", "DecoderStats", "ModelSpec", "Prediction", "SlidingDecoder", "class_probabilities",
                     "map_channels", "pseudo_online"], "decoder"),
    "OnlineRunner": "runner", "RunnerOptions": "runner", "RunnerStatus": "runner",
    "DecoderProcess": "process",
    "TrialResult": "scoring", "TrialScorer": "scoring", "pseudo_online_trials": "scoring",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
