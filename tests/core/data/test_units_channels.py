"""Unit notations other tools write, and the one channel-name normaliser every path uses."""

from __future__ import annotations

import time

import mne
import numpy as np
import pylsl
import pytest

from bcigui.core.data.channels import match_channels, normalize_channel_name, normalize_channel_names
from bcigui.core.data.units import resolve_unit, resolve_units, voltage_scale
from bcigui.core.online.decoder import map_channels
from bcigui.core.stream.acquisition import Acquisition
from bcigui.core.stream.lsl import make_stream_info
from tests.conftest import physionet_file


@pytest.mark.parametrize("unit, scale", [
    ("V", 1.0), ("volts", 1.0), ("Volt", 1.0), ("mV", 1e-3), ("millivolts", 1e-3), ("uV", 1e-6), ("µV", 1e-6),
    ("μV", 1e-6), ("microvolts", 1e-6), (" Micro Volts ", 1e-6), ("nV", 1e-9), ("nanovolt", 1e-9),
    ("-6", 1e-6), ("0", 1.0), ("-3", 1e-3), ("-9", 1e-9), ("+0", 1.0),
])
def test_voltage_notations_on_eeg_channels(unit, scale):
    u = resolve_unit("C3", unit, "EEG")
    assert u.scale == pytest.approx(scale, rel=1e-12) and u.stored == "V" and not u.problem


@pytest.mark.parametrize("unit", ["", "degC", "MV", "counts", "µT", "1e-6"])
def test_unknown_units_on_eeg_channels_are_reported_never_guessed(unit):
    u = resolve_unit("C3", unit, "EEG", stream="amp")
    assert u.scale == 1.0 and u.stored != "V"
    assert "'C3'" in u.problem and (repr(unit) in u.problem if unit else "declares no unit" in u.problem)
    assert "stream 'amp'" in u.problem


def test_non_voltage_channels_are_kept_as_sent():
    assert resolve_unit("idx", "count", "MISC").problem == ""
    assert resolve_unit("trig", "-6", "STIM").stored == "-6"  # an exponent of an unknown SI unit: as sent
    assert resolve_unit("aux", "mV", "MISC").scale == 1e-3  # a voltage is a voltage whatever the type
    assert voltage_scale("-6") is None and voltage_scale("-6", exponent=True) == 1e-6


def test_units_override():
    units = resolve_units(["C3", "C4"], ["", ""], ["EEG", "EEG"], override="uV")
    assert [u.scale for u in units] == [1e-6, 1e-6]
    with pytest.raises(ValueError, match="units override names unknown channel.*'Cz'"):
        resolve_units(["C3"], [""], ["EEG"], override={"Cz": "uV"})
    with pytest.raises(ValueError, match="'C3': 'furlongs' is not a voltage notation"):
        resolve_units(["C3"], [""], ["EEG"], override="furlongs")


def test_names_of_physionet_and_prefixed_labels():
    raw = mne.io.read_raw_edf(physionet_file(1, 4), verbose="error")
    names = normalize_channel_names(raw.ch_names)
    assert names[:8] == ["FC5", "FC3", "FC1", "FCz", "FC2", "FC4", "FC6", "C5"] and "Iz" in names
    assert [normalize_channel_name(n) for n in ["EEG Cz", "EEG-C3", "EEG 001", "Trig", "FCZ..", "fp1"]] == [
        "Cz", "C3", "EEG 001", "Trig", "FCz", "Fp1"]
    assert normalize_channel_names(["Cz", "Cz."]) == ["Cz", "Cz."]  # a collision keeps the labels
    assert match_channels(["FC5", "Cz", "X"], ["Fc5.", "CZ"]) == ([0, 1], ["X"])
    assert map_channels(["FC5", "FCz"], ["Fcz.", "Fc5."]) == [1, 0]


def test_stream_in_an_unknown_unit_is_reported_and_kept_as_sent(unique_name, caplog):
    info = make_stream_info(unique_name, "EEG", ["Fc5.", "C3..", "idx"], 100.0, units=["-6", "bananas", "count"],
                            ch_type=["EEG", "EEG", "MISC"])
    outlet = pylsl.StreamOutlet(info)
    events = []
    with caplog.at_level("WARNING"):
        acq = Acquisition(unique_name, markers=None)
        acq.subscribe(lambda e, i: events.append((e, i)))
        with acq:
            for _ in range(30):
                outlet.push_sample([100.0, 100.0, 7.0])
            t_end = pylsl.local_clock() + 3
            while acq.buffer.n_written < 30 and pylsl.local_clock() < t_end:
                time.sleep(0.05)
    assert acq.ch_names == ["FC5", "C3", "idx"]
    data, *_ = acq.buffer.read_since(0)
    assert np.allclose(data[-1], [1e-4, 100.0, 7.0])
    assert [u.stored for u in acq.eeg.units] == ["V", "bananas", "count"]
    warned = [i["message"] for e, i in events if e == "warning"]
    assert warned and "C3='bananas'" in warned[0] and "C3='bananas'" in caplog.text


def test_stored_1005_labels_are_the_template_montage():
    """Channel names are normalised against a stored list (no MNE import on the live path): it must be
    the template montage's."""
    from bcigui.core.data.montage import standard_montage
    from bcigui.core.data.names_1005 import NAMES_1005

    assert list(NAMES_1005) == list(standard_montage().ch_names)
