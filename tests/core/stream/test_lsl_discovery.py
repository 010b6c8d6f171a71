"""Discovery of real LSL outlets on loopback, with channel metadata from ``desc``."""

from __future__ import annotations

import json

import pylsl
import pytest

from bcigui.cli import main
from bcigui.core.stream.lsl import StreamDescription, discover, find_stream, make_stream_info, unit_scale


@pytest.fixture
def outlets(unique_name):
    eeg = pylsl.StreamOutlet(make_stream_info(
        unique_name, "EEG", ["Fz", "Cz", "Trig"], 250.0, source_id=f"{unique_name}-src",
        units=["microvolts", "µV", ""], ch_type=["EEG", "EEG", "STIM"]))
    mk = pylsl.StreamOutlet(make_stream_info(f"{unique_name}-mk", "Markers", ["label"], 0.0, fmt="string",
                                             units="", ch_type="Marker"))
    yield eeg, mk
    del eeg, mk


def _by_name(streams: list[StreamDescription], name: str) -> StreamDescription:
    found = [s for s in streams if s.name == name]
    assert len(found) == 1, [s.name for s in streams]
    return found[0]


def test_discover_reports_properties_and_channel_metadata(outlets, unique_name):
    streams = discover(timeout=1.0)
    eeg = _by_name(streams, unique_name)
    assert (eeg.type, eeg.n_channels, eeg.srate, eeg.channel_format) == ("EEG", 3, 250.0, "float32")
    assert eeg.source_id == f"{unique_name}-src"
    assert eeg.hostname and eeg.uid
    assert eeg.ch_names == ("Fz", "Cz", "Trig")
    assert eeg.units == ("microvolts", "µV", "")
    assert eeg.ch_types == ("EEG", "EEG", "STIM")
    assert not eeg.is_marker
    mk = _by_name(streams, f"{unique_name}-mk")
    assert mk.is_marker and mk.channel_format == "string" and mk.srate == 0
    assert mk.source_id == f"{unique_name}-mk"  # defaulted to the name, so inlets can recover
    assert json.loads(json.dumps(eeg.to_dict()))["ch_names"] == ["Fz", "Cz", "Trig"]


def test_find_stream_by_name_and_type(outlets, unique_name):
    d = find_stream(unique_name, timeout=2.0)
    assert d.ch_names == ("Fz", "Cz", "Trig")
    assert find_stream(f"{unique_name}-mk", timeout=2.0, stype="Markers").is_marker
    with pytest.raises(ValueError, match="of type 'EEG'"):
        find_stream(f"{unique_name}-mk", timeout=0.3, stype="EEG")


def test_unknown_name_lists_available_streams(outlets, unique_name):
    with pytest.raises(ValueError) as err:
        find_stream(f"{unique_name}-nope", timeout=0.3)
    msg = str(err.value)
    assert f"{unique_name}-nope" in msg and "available streams" in msg
    assert repr(unique_name) in msg and repr(f"{unique_name}-mk") in msg


def test_missing_desc_gets_default_channel_names(unique_name):
    info = pylsl.StreamInfo(unique_name, "EEG", 2, 100.0, "double64", "x")  # no <channels>
    outlet = pylsl.StreamOutlet(info)
    d = find_stream(unique_name, timeout=2.0)
    assert d.ch_names == ("Ch1", "Ch2") and d.units == ("", "") and d.ch_types == ("EEG", "EEG")
    assert d.channel_format == "double64"
    del outlet


def test_make_stream_info_validates_arguments():
    with pytest.raises(ValueError, match="fmt must be one of .*'float32'.*got 'float16'"):
        make_stream_info("x", "EEG", ["a"], 100.0, fmt="float16")
    with pytest.raises(ValueError, match="units must be one string or 2 strings.*got 3"):
        make_stream_info("x", "EEG", ["a", "b"], 100.0, units=["uV", "uV", "uV"])
    with pytest.raises(ValueError, match="srate must be >= 0"):
        make_stream_info("x", "EEG", ["a"], -1.0)
    with pytest.raises(ValueError, match="timeout must be > 0"):
        discover(timeout=0)


@pytest.mark.parametrize("unit, scale", [("microvolts", 1e-6), ("uV", 1e-6), ("µV", 1e-6), ("μV", 1e-6),
                                         ("mV", 1e-3), ("V", 1.0), ("", 1.0), ("degC", 1.0)])
def test_unit_scale(unit, scale):
    assert unit_scale(unit) == scale


def test_cli_lists_streams(outlets, unique_name, capsys):
    assert main(["streams", "--json", "--timeout", "1"]) == 0
    streams = json.loads(capsys.readouterr().out)["streams"]
    eeg = [s for s in streams if s["name"] == unique_name]
    assert eeg and eeg[0]["n_channels"] == 3 and eeg[0]["srate"] == 250.0
    assert main(["streams", "--timeout", "1"]) == 0
    out = capsys.readouterr().out
    assert unique_name in out and "Fz, Cz, Trig" in out and "irregular" in out
