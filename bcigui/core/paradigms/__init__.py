"""Calibration paradigms (motor imagery, SSVEP): headless schedules and the marker name scheme.

Stimulus drawing lives in :mod:`bcigui.gui.paradigms`; this package never imports Qt.
"""

from bcigui.core.paradigms.base import Paradigm, Phase, ScheduleRunner
from bcigui.core.paradigms.markers import class_from_marker, default_event_map

__all__ = ["Paradigm", "Phase", "ScheduleRunner", "class_from_marker", "default_event_map", "make_paradigm",
           "paradigm_spec", "stimulus_view"]


DEFAULT_STIMULUS = "bcigui.gui.paradigms.stimulus:MICueWindow"


def paradigm_spec(name: str):
    """The plugin spec of paradigm ``name`` (the built-ins even without installed entry points)."""
    from bcigui.core.paradigms.plugins import PLUGINS
    from bcigui.core.plugins import get_registry

    try:
        return get_registry().get("paradigm", name)
    except KeyError:
        builtin = {s.name: s for s in PLUGINS}
        if name in builtin:  # entry points not installed (source checkout)
            return builtin[name]
        raise


def stimulus_view(paradigm: Paradigm) -> str:
    """``"module:Class"`` of the window drawing ``paradigm`` (its spec's ``stimulus`` tag)."""
    try:
        spec = paradigm_spec(paradigm.name)
    except KeyError:
        return DEFAULT_STIMULUS
    return str(spec.tags.get("stimulus") or DEFAULT_STIMULUS)


def make_paradigm(name: str, **params) -> Paradigm:
    """Create the paradigm plugin ``name`` (``"mi"``, ``"ssvep"`` or a user plugin) with validated params."""
    from bcigui.core.plugins import get_registry

    reg = get_registry()
    try:
        reg.get("paradigm", name)
    except KeyError:
        return paradigm_spec(name).create(**params)  # a built-in without installed entry points
    return reg.create("paradigm", name, **params)  # a failure to load is recorded for the plugin dialog
