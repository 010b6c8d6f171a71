"""Calibration paradigms (motor imagery, SSVEP): headless schedules and the marker name scheme.

Stimulus drawing lives in :mod:`bcigui.gui.paradigms`; this package never imports Qt.
"""

from bcigui.core.paradigms.base import Paradigm, Phase, ScheduleRunner
from bcigui.core.paradigms.markers import class_from_marker, default_event_map

__all__ = ["Paradigm", "Phase", "ScheduleRunner", "class_from_marker", "default_event_map", "make_paradigm"]


def make_paradigm(name: str, **params) -> Paradigm:
    """Create the paradigm plugin ``name`` (``"mi"``, ``"ssvep"`` or a user plugin) with validated params."""
    from bcigui.core.paradigms.plugins import PLUGINS
    from bcigui.core.plugins import get_registry

    reg = get_registry()
    builtin = {s.name: s for s in PLUGINS}
    try:
        reg.get("paradigm", name)
    except KeyError:
        if name in builtin:  # entry points not installed (source checkout): use the built-ins
            return builtin[name].create(**params)
        raise
    return reg.create("paradigm", name, **params)
