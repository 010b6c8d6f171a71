"""Offline data: loading recordings of any supported format, epoching (submodules imported on use)."""

from bcigui.core.lazy import lazy_exports

_EXPORTS = {
    "EpochsData": "epochs", "find_bad_epochs": "epochs", "make_epochs": "epochs", "parse_event_map": "epochs",
    "Event": "recordings", "Recording": "recordings", "load_recording": "recordings", "load_recordings": "recordings",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
