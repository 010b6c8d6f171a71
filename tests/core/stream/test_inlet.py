"""StreamReader / Acquisition against real LSL outlets on loopback (no mocks).

Outlets push in real time from a thread, with explicit timestamps, and carry a sample-index channel
so that a lost or duplicated sample is visible.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pylsl
import pytest

from bcigui.core.plugins.registry import get_registry
from bcigui.core.stream.acquisition import Acquisition
from bcigui.core.stream.lsl import find_stream, make_stream_info
from bcigui.core.stream.reader import StreamReader

SRATE = 250.0


def eeg_outlet(name: str, n_eeg: int = 2) -> pylsl.StreamOutlet:
    """Index channel (no unit) plus ``n_eeg`` channels in microvolts."""
    labels = ["index"] + [f"E{i}" for i in range(n_eeg)]
    return pylsl.StreamOutlet(make_stream_info(
        name, "EEG", labels, SRATE, source_id=f"{name}-src",
        units=[""] + ["microvolts"] * n_eeg, ch_type=["MISC"] + ["EEG"] * n_eeg))


class Pusher(threading.Thread):
    """Push samples ``index, 10*index uV, -index uV`` in real time, stamped ``t0 + k / SRATE``."""

    def __init__(self, outlet: pylsl.StreamOutlet, first_index: int = 0) -> None:
        super().__init__(daemon=True)
        self.outlet, self.next = outlet, first_index
        self.first_index = first_index
        self.t0 = pylsl.local_clock() - first_index / SRATE
        self.halt = threading.Event()
        self.markers: list[tuple[pylsl.StreamOutlet, int, object]] = []  # pushed with sample k

    def stamp(self, k: int) -> float:
        return self.t0 + k / SRATE

    def run(self) -> None:
        while not self.halt.wait(0.01):
            due = int((pylsl.local_clock() - self.t0) * SRATE)
            if due <= self.next:
                continue
            k = np.arange(self.next, due, dtype=np.float64)
            chunk = np.column_stack([k, 10 * k, -k]).astype(np.float32)
            self.outlet.push_chunk(chunk, timestamp=self.stamp(due - 1))
            for outlet, at, value in self.markers:
                if self.next <= at < due:
                    outlet.push_sample([value], timestamp=self.stamp(at))
            self.next = due

    def stop(self) -> int:
        self.halt.set()
        self.join(timeout=5)
        return self.next  # samples pushed: first_index .. next - 1


def wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return predicate()


def test_round_trip_rate_units_timestamps_and_markers(unique_name):
    outlet = eeg_outlet(unique_name)
    mk_str = pylsl.StreamOutlet(make_stream_info(f"{unique_name}-str", "Markers", ["m"], 0, fmt="string"))
    mk_int = pylsl.StreamOutlet(make_stream_info(f"{unique_name}-int", "Markers", ["m"], 0, fmt="int32"))
    acq = Acquisition(unique_name, markers=[f"{unique_name}-str", f"{unique_name}-int"], buffer_seconds=30)
    assert acq.sfreq == SRATE and acq.ch_names == ["index", "E0", "E1"]
    pusher = Pusher(outlet)
    marker_at = list(range(100, 900, 125))
    pusher.markers = [(mk_str, k, f"m{k}") for k in marker_at] + [(mk_int, k + 7, k + 7) for k in marker_at]
    with acq:
        pusher.start()
        time.sleep(4.0)
        stats = acq.stats()
        n_pushed = pusher.stop()
        assert wait_for(lambda: acq.buffer.n_written >= n_pushed, 2.0)
    data, ts = acq.buffer.get_data()
    index = data[:, 0].astype(int)
    # nothing lost, nothing duplicated, values converted from microvolts to volts
    np.testing.assert_array_equal(index, np.arange(n_pushed))
    np.testing.assert_allclose(data[:, 1], 10e-6 * index, rtol=1e-6)
    np.testing.assert_allclose(data[:, 2], -1e-6 * index, rtol=1e-6)
    assert np.all(np.diff(ts) > 0)
    # rate: from the dejittered timestamps and from the live counter
    assert abs((len(ts) - 1) / (ts[-1] - ts[0]) - SRATE) < 0.01 * SRATE
    assert abs(stats.effective_rate - SRATE) < 0.01 * SRATE, stats
    assert stats.connected and stats.status == "connected" and stats.gaps == 0
    assert 0 < stats.samples <= n_pushed
    assert 0 <= stats.latency_ms < 250, stats
    # each marker lands within 5 ms of the received timestamp of the sample it was pushed with
    markers = acq.markers.all()
    expected = {f"m{k}": k for k in marker_at} | {str(k + 7): k + 7 for k in marker_at}
    assert sorted(lab for _, lab in markers) == sorted(expected)
    for t, lab in markers:
        assert abs(t - ts[expected[lab]]) < 0.005, (lab, t - ts[expected[lab]])
    assert acq.stats().n_markers == len(expected)
    assert [len(r.markers) for r in acq.marker_readers] == [len(marker_at)] * 2


def test_outlet_killed_and_restarted_records_gap_and_resumes(unique_name):
    events: list[tuple[str, dict]] = []
    outlet = eeg_outlet(unique_name)
    reader = StreamReader(unique_name, buffer_seconds=20)
    reader.subscribe(lambda ev, info: events.append((ev, info)))
    reader.subscribe(lambda ev, info: 1 / 0)  # a broken subscriber must not break the reader
    pusher = Pusher(outlet)
    with reader:
        pusher.start()
        time.sleep(1.5)
        n1 = pusher.stop()
        last_before = pusher.stamp(n1 - 1)
        assert wait_for(lambda: reader.stats().samples == n1, 2.0)
        del outlet
        assert wait_for(lambda: reader.status == "lost", 2.0)
        assert not reader.stats().connected
        time.sleep(1.0)
        outlet = eeg_outlet(unique_name)  # same name and source_id, new uid
        pusher = Pusher(outlet, first_index=n1 + 10_000)
        pusher.start()
        first_after = pusher.stamp(pusher.first_index)
        assert wait_for(lambda: reader.status == "connected", 5.0), reader.stats()
        time.sleep(1.0)
        n2 = pusher.stop()
        assert wait_for(lambda: reader.buffer.n_written >= n1 + 100, 2.0)
        time.sleep(0.2)
        stats = reader.stats()
    assert [e for e, _ in events] == ["connected", "lost", "recovered", "stopped"]
    assert stats.gaps == 1 and len(reader.gaps) == 1
    gap = reader.gaps[0]
    assert events[2][1]["gap"] == gap and events[1][1]["stream"] == unique_name
    assert abs(gap.onset - (last_before + 1 / SRATE)) < 0.01
    # the gap spans the downtime, plus at most the time needed to notice the new outlet
    assert first_after - gap.onset - 0.01 < gap.duration < first_after - gap.onset + 1.5
    data, ts = reader.buffer.get_data()
    index = data[:, 0].astype(int)
    before, after = index[index < n1], index[index >= n1]
    np.testing.assert_array_equal(before, np.arange(n1))
    np.testing.assert_array_equal(after, np.arange(after[0], n2))  # contiguous once reconnected
    assert stats.samples == len(index)
    k = len(before)
    assert ts[k] == pytest.approx(gap.onset + gap.duration, abs=1e-6)
    assert np.all(np.diff(ts) > 0)


def test_silent_outlet_is_lost_then_recovered(unique_name):
    outlet = eeg_outlet(unique_name)
    events: list[str] = []
    pusher = Pusher(outlet)
    with StreamReader(unique_name, buffer_seconds=20) as reader:
        reader.subscribe(lambda ev, info: events.append(ev))
        pusher.start()
        time.sleep(1.0)
        n1 = pusher.stop()
        end_before = pusher.stamp(n1)  # where the next sample would have been
        t_silent = time.monotonic()
        assert wait_for(lambda: reader.status == "lost", 3.0)
        detected = time.monotonic() - t_silent
        assert 0.9 < detected < 2.5  # no data for > 1 s, noticed soon after
        time.sleep(0.5)
        pusher = Pusher(outlet, first_index=n1 + 500)  # the same outlet talks again
        pusher.start()
        assert wait_for(lambda: reader.status == "connected", 4.0)
        time.sleep(0.5)
        n2 = pusher.stop()
        assert wait_for(lambda: reader.buffer.n_written == n1 + n2 - pusher.first_index, 2.0)
    assert events == ["lost", "recovered", "stopped"]
    assert len(reader.gaps) == 1
    gap = reader.gaps[0]
    # timestamps after the stall are the sender's, not bent by a de-jitter that assumed no stall
    data, ts = reader.buffer.get_data()
    index = data[:, 0].astype(int)
    np.testing.assert_array_equal(index, np.r_[np.arange(n1), np.arange(pusher.first_index, n2)])
    np.testing.assert_allclose(ts[n1:], pusher.stamp(index[n1:]), atol=0.005)
    assert gap.onset + gap.duration == pytest.approx(pusher.stamp(pusher.first_index), abs=0.005)
    assert gap.onset == pytest.approx(end_before, abs=0.005)
    assert gap.duration == pytest.approx(pusher.stamp(pusher.first_index) - end_before, abs=0.01)


def test_marker_stream_recovers_and_no_recover_stays_lost(unique_name):
    # generous waits: re-resolution polls the network, slower on a loaded machine (seen > 3 s)
    name = f"{unique_name}-mk"
    outlet = pylsl.StreamOutlet(make_stream_info(name, "Markers", ["m"], 0, fmt="string"))
    events: list[tuple[str, dict]] = []
    with StreamReader(name) as reader, StreamReader(name, recover=False) as fixed:
        reader.subscribe(lambda ev, info: events.append((ev, info)))
        assert reader.markers is not None and reader.buffer is None
        outlet.push_sample(["a"])
        assert wait_for(lambda: len(reader.markers) == 1 and len(fixed.markers) == 1, 2.0)
        del outlet
        assert wait_for(lambda: reader.status == "lost" and fixed.status == "lost", 10.0)
        # a look-alike with another layout (same name and source_id, 2 channels) is refused
        other = pylsl.StreamOutlet(make_stream_info(name, "Markers", ["m", "n"], 0, fmt="string"))
        assert wait_for(lambda: any(ev == "incompatible" for ev, _ in events), 15.0)
        assert reader.status == "lost" and dict(events)["incompatible"]["n_channels"] == 2
        del other
        outlet = pylsl.StreamOutlet(make_stream_info(name, "Markers", ["m"], 0, fmt="string"))
        assert wait_for(lambda: reader.status == "connected", 15.0)
        outlet.push_sample(["b"])
        assert wait_for(lambda: len(reader.markers) == 2, 10.0)
        time.sleep(0.3)
        assert fixed.status == "lost" and len(fixed.markers) == 1 and not fixed.gaps
    assert [lab for _, lab in reader.markers.all()] == ["a", "b"]
    assert len(reader.gaps) == 1 and reader.gaps[0].duration > 0


def test_auto_markers_include_streams_appearing_later(unique_name):
    outlet = eeg_outlet(unique_name)
    early = pylsl.StreamOutlet(make_stream_info(f"{unique_name}-early", "Markers", ["m"], 0, fmt="string"))
    added: list[str] = []
    with Acquisition(unique_name, markers="auto") as acq:
        acq.subscribe(lambda ev, info: added.append(info["stream"]) if ev == "marker_stream_added" else None)
        assert f"{unique_name}-early" in acq.stream_names
        late = pylsl.StreamOutlet(make_stream_info(f"{unique_name}-late", "Markers", ["m"], 0, fmt="string"))
        assert wait_for(lambda: f"{unique_name}-late" in added, 5.0)
        assert f"{unique_name}-late" in acq.stream_names
        reader = next(r for r in acq.marker_readers if r.desc.name == f"{unique_name}-late")
        assert wait_for(lambda: reader.status == "connected", 2.0)
        late.push_sample(["late-marker"])
        early.push_sample(["early-marker"])
        # other marker streams on the network may be merged too: look for ours
        assert wait_for(lambda: {"late-marker", "early-marker"} <= {lab for _, lab in acq.markers.all()}, 2.0)
    del outlet, early, late


def test_bad_streams_give_clear_errors(unique_name):
    irregular = pylsl.StreamOutlet(make_stream_info(f"{unique_name}-irr", "EEG", ["a", "b"], 0.0))
    empty = pylsl.StreamOutlet(pylsl.StreamInfo(f"{unique_name}-empty", "EEG", 0, 100.0, "float32", "e"))
    with pytest.raises(ValueError, match=r"irregular sampling rate \(srate=0\)"):
        Acquisition(f"{unique_name}-irr", markers=None)
    with pytest.raises(ValueError, match="n_channels=0"):
        Acquisition(find_stream(f"{unique_name}-empty"), markers=None)
    with pytest.raises(ValueError, match="n_channels=0"):
        StreamReader(f"{unique_name}-empty")
    with pytest.raises(ValueError, match=rf"No LSL stream named '{unique_name}-x'.*available streams:.*{unique_name}-irr"):
        StreamReader(f"{unique_name}-x", timeout=0.3)
    with pytest.raises(ValueError, match="buffer_seconds must be > 0, got 0"):
        StreamReader(find_stream(f"{unique_name}-irr"), buffer_seconds=0)
    regular = eeg_outlet(f"{unique_name}-reg")
    with pytest.raises(ValueError, match="marker stream .*-reg' must have an irregular rate"):
        Acquisition(f"{unique_name}-reg", markers=[f"{unique_name}-reg"])
    del irregular, empty, regular


def test_lsl_source_plugin_creates_an_acquisition(unique_name):
    outlet = eeg_outlet(unique_name)
    acq = get_registry().create("source", "lsl", eeg=unique_name, markers="none", buffer_seconds=5)
    assert isinstance(acq, Acquisition) and acq.marker_readers == []
    assert acq.buffer.capacity == int(5 * SRATE)
    warnings: list[str] = []
    acq.subscribe(lambda ev, info: warnings.append(info["message"]) if ev == "warning" else None)
    with acq:
        chunk = np.zeros((10, 3), np.float32)
        chunk[4, 2] = np.nan  # bad values are kept (as NaN) and reported, never a crash
        outlet.push_chunk(chunk)
        assert wait_for(lambda: acq.buffer.n_written == 10, 2.0)
        assert wait_for(lambda: warnings == ["stream contains NaN values"], 1.0)
        assert np.isnan(acq.buffer.get_data()[0]).sum() == 1
    del outlet


def test_a_paused_outlet_that_resumes_without_losing_a_sample_leaves_no_gap(unique_name):
    """SIGSTOP-like pause: silence for 2 s, then the sender catches up with every sample it owed. The
    reader reports lost then recovered, but records no gap (nothing is missing), so decoding and
    recording go on without a restart."""
    outlet = eeg_outlet(unique_name)
    events: list[tuple[str, dict]] = []
    pusher = Pusher(outlet)
    with StreamReader(unique_name, buffer_seconds=20) as reader:
        reader.subscribe(lambda ev, info: events.append((ev, info)))
        pusher.start()
        time.sleep(1.0)
        n1 = pusher.stop()
        assert wait_for(lambda: reader.status == "lost", 3.0)
        time.sleep(0.5)
        resumed = Pusher(outlet, first_index=n1)
        resumed.t0 = pusher.t0  # the same clock: the samples of the pause are pushed late, not dropped
        resumed.start()
        assert wait_for(lambda: reader.status == "connected", 4.0)
        time.sleep(0.5)
        n2 = resumed.stop()
        assert wait_for(lambda: reader.buffer.n_written == n2, 2.0)
    assert [e for e, _ in events] == ["lost", "recovered", "stopped"]
    assert events[1][1]["gap"].duration == 0.0 and reader.gaps == []
    index = reader.buffer.get_data()[0][:, 0].astype(int)
    np.testing.assert_array_equal(index, np.arange(n2))
