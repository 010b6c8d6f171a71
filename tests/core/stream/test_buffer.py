"""RingBuffer and MarkerList: wrap-around, absolute indices, lost samples, concurrency."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from bcigui.core.stream.buffer import RingBuffer
from bcigui.core.stream.markers import MarkerList


def _block(start: int, n: int, n_channels: int = 3) -> tuple[np.ndarray, np.ndarray]:
    idx = np.arange(start, start + n)
    data = np.repeat(idx[:, None], n_channels, axis=1).astype(np.float32)
    data[:, 1:] *= -1
    return data, idx / 100.0


def test_wraparound_keeps_latest_in_order():
    buf = RingBuffer(3, 10)
    for start in range(0, 27, 9):  # 27 samples in chunks of 9: wraps twice
        buf.write(*_block(start, 9))
    data, times = buf.get_data()
    assert buf.n_written == 27
    np.testing.assert_array_equal(data[:, 0], np.arange(17, 27))
    np.testing.assert_array_equal(data[:, 1], -np.arange(17, 27))
    np.testing.assert_allclose(times, np.arange(17, 27) / 100.0)
    last4, t4 = buf.get_data(4)
    np.testing.assert_array_equal(last4[:, 0], np.arange(23, 27))
    assert buf.get_data(0)[0].shape == (0, 3)
    assert buf.get_data(1000)[0].shape == (10, 3)


def test_get_data_returns_copies():
    buf = RingBuffer(3, 8)
    buf.write(*_block(0, 5))
    data, _ = buf.get_data()
    data[:] = 99
    assert buf.get_data()[0][0, 0] == 0


def test_chunk_larger_than_capacity_keeps_newest():
    buf = RingBuffer(3, 10)
    buf.write(*_block(0, 4))
    buf.write(*_block(4, 25))
    data, times = buf.get_data()
    assert buf.n_written == 29
    np.testing.assert_array_equal(data[:, 0], np.arange(19, 29))
    np.testing.assert_allclose(times, np.arange(19, 29) / 100.0)


def test_read_since_returns_everything_new_then_counts_lost():
    buf = RingBuffer(3, 10)
    buf.write(*_block(0, 6))
    data, _, nxt, lost = buf.read_since(0)
    assert (len(data), nxt, lost) == (6, 6, 0)
    data, _, nxt2, lost = buf.read_since(nxt)
    assert (len(data), nxt2, lost) == (0, 6, 0)
    buf.write(*_block(6, 7))  # 13 written, capacity 10 -> indices 3..12 available
    data, times, nxt3, lost = buf.read_since(nxt)
    np.testing.assert_array_equal(data[:, 0], np.arange(6, 13))
    assert (nxt3, lost) == (13, 0)
    buf.write(*_block(13, 15))  # 28 written -> 18..27 available; reader at 13 lost 5
    data, _, nxt4, lost = buf.read_since(nxt3)
    assert lost == 5
    np.testing.assert_array_equal(data[:, 0], np.arange(18, 28))
    assert nxt4 == 28


def test_read_since_bad_indices():
    buf = RingBuffer(3, 10)
    buf.write(*_block(0, 4))
    data, _, nxt, lost = buf.read_since(7)  # ahead of the writer: nothing yet, index kept sane
    assert (len(data), nxt, lost) == (0, 4, 0)
    with pytest.raises(ValueError, match="index must be >= 0.*got -1"):
        buf.read_since(-1)


@pytest.mark.parametrize(
    "args, match",
    [((0, 10), "n_channels"), ((3, 0), "capacity")],
)
def test_constructor_errors_name_the_parameter(args, match):
    with pytest.raises(ValueError, match=match):
        RingBuffer(*args)


def test_write_shape_errors():
    buf = RingBuffer(3, 10)
    with pytest.raises(ValueError, match=r"shape \(n, 3\).*\(4, 2\)"):
        buf.write(np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="4 samples but 3 timestamps"):
        buf.write(np.zeros((4, 3)), np.zeros(3))
    buf.write(np.zeros((0, 3)), np.zeros(0))
    assert buf.n_written == 0


def test_concurrent_writer_and_reader_lose_nothing():
    buf = RingBuffer(3, 64)
    total = 20_000
    got: list[np.ndarray] = []
    lost_total = 0
    done = threading.Event()

    def writer() -> None:
        rng = np.random.default_rng(0)
        i = 0
        while i < total:
            n = int(min(rng.integers(1, 16), total - i))
            buf.write(*_block(i, n))
            i += n
        done.set()

    def reader() -> None:
        nonlocal lost_total
        index = 0
        while not done.is_set() or index < buf.n_written:
            data, _, index, lost = buf.read_since(index)
            lost_total += lost
            got.append(data)

    threads = [threading.Thread(target=writer), threading.Thread(target=reader)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=20)
    rows = np.concatenate(got)
    values = rows[:, 0]
    assert len(values) + lost_total == total
    np.testing.assert_array_equal(rows[:, 1], -values)  # rows never torn
    assert np.all(np.diff(values) > 0)
    assert values[-1] == total - 1


def test_markers_sorted_between_and_capped():
    ml = MarkerList(max_markers=5)
    for t, lab in [(1.0, "a"), (3.0, "c"), (2.0, "b"), (5.0, "e"), (4.0, "d")]:
        ml.append(t, lab)
    assert [lab for _, lab in ml.all()] == ["a", "b", "c", "d", "e"]
    assert ml.between(2.0, 4.0) == [(2.0, "b"), (3.0, "c")]
    ml.append(6.0, 7)
    assert len(ml) == 5 and ml.n_total == 6
    assert ml.all()[0] == (2.0, "b") and ml.all()[-1] == (6.0, "7")


def test_wait_for_data_wakes_on_write():
    import time

    buf = RingBuffer(2, 100)
    assert buf.wait_for_data(0, 0.01) is False
    t = threading.Timer(0.05, lambda: buf.write(np.ones((3, 2)), np.arange(3.0)))
    t.start()
    t0 = time.perf_counter()
    assert buf.wait_for_data(0, 5.0) is True
    assert time.perf_counter() - t0 < 2.0
    assert buf.wait_for_data(2, 0.0) is True and buf.wait_for_data(3, 0.01) is False
