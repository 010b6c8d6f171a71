"""Marker scheme: classes from markers without configuration, documentation, simulator alignment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bcigui.core.paradigms import markers as mk

DOC = Path(__file__).resolve().parents[3] / "docs" / "markers.md"


@pytest.mark.parametrize("cls", mk.MI_CLASSES)
def test_mi_cue_round_trip(cls):
    assert mk.class_from_marker(mk.cue_marker(cls)) == cls


@pytest.mark.parametrize(("name", "cls"), [
    ("cue/left", "left_hand"), ("cue/right", "right_hand"), ("cue/both_feet", "feet"),
    ("cue/Left_Hand", "left_hand"), ("cue/ssvep/13", "13.0Hz"), ("cue/ssvep/8.571428", "8.571Hz"),
    ("cue/ssvep/21.0", "21.0Hz"),
])
def test_aliases_and_ssvep(name, cls):
    assert mk.class_from_marker(name) == cls


@pytest.mark.parametrize("name", [*mk.STRUCTURE_MARKERS, "cue/unknown", "cue/ssvep/abc", "T1", "", "left_hand"])
def test_non_class_markers(name):
    assert mk.class_from_marker(name) is None


def test_ssvep_frequency_and_codes():
    assert mk.ssvep_cue_marker(13) == "cue/ssvep/13.0"
    assert mk.ssvep_frequency("13.0Hz") == 13.0
    assert mk.ssvep_frequency("cue/ssvep/17.5") == 17.5
    assert mk.ssvep_frequency("left_hand") is None
    codes = mk.event_codes(["21.0Hz", "right_hand", "13.0Hz", "left_hand"])
    assert codes == {"left_hand": 1, "right_hand": 2, "13.0Hz": 3, "21.0Hz": 4}


def test_default_event_map():
    assert mk.default_event_map() == {f"cue/{c}": c for c in mk.MI_CLASSES}
    seen = ["session/start", "cue/ssvep/13.0", "flicker/start", "cue/ssvep/21.0", "cue/ssvep/13.0"]
    assert mk.default_event_map(seen) == {"cue/ssvep/13.0": "13.0Hz", "cue/ssvep/21.0": "21.0Hz"}


def test_cue_marker_rejects_unknown_class():
    with pytest.raises(ValueError, match="left_hand"):
        mk.cue_marker("left")


def test_every_marker_is_documented():
    text = DOC.read_text(encoding="utf-8")
    missing = [m for m in mk.STRUCTURE_MARKERS if f"`{m}`" not in text]
    missing += [c for c in mk.MI_CLASSES if f"`cue/{c}`" not in text]
    assert not missing, f"docs/markers.md does not document {missing}"


def test_simulator_cues_map_to_classes():
    sim = pytest.importorskip("bcigui.core.stream.simulator")
    for cls in ("left_hand", "right_hand", "feet", "tongue"):
        assert mk.class_from_marker(sim.cue_marker(cls)) == cls
    for f in (13.0, 17.0, 21.0):
        assert mk.class_from_marker(sim.ssvep_marker(f)) == mk.ssvep_class(f)
