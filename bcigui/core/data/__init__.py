"""Offline data: loading recordings of any supported format, epoching."""

from bcigui.core.data.epochs import EpochsData, find_bad_epochs, make_epochs, parse_event_map
from bcigui.core.data.recordings import Event, Recording, load_recording, load_recordings

__all__ = [
    "EpochsData",
    "Event",
    "Recording",
    "find_bad_epochs",
    "load_recording",
    "load_recordings",
    "make_epochs",
    "parse_event_map",
]
