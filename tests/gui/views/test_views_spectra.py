"""Spectrum, band-power, spectrogram and topomap views on simulated MI data with known content."""

from __future__ import annotations

import numpy as np
import pytest

from bcigui.core.plugins.params import parse_bands
from bcigui.core.signal.spectra import band_power, welch_psd
from bcigui.gui.views.bandpower import BandPowerView
from bcigui.gui.views.spectrogram import SpectrogramView
from bcigui.gui.views.spectrum import SpectrumView
from bcigui.gui.views.topomap import TopomapView, montage_positions

SFREQ = 250.0


def _with_tone(src_factory, f0: float, channels: list[int], amp: float = 30e-6, seconds: float = 8.0):
    src = src_factory(32, SFREQ, seconds, fill=False)
    from bcigui.core.stream.simulator import generate

    data = generate("mi", 32, SFREQ, seconds, seed=5).data.copy()
    t = np.arange(data.shape[0]) / SFREQ
    data[:, channels] += amp * np.sin(2 * np.pi * f0 * t)[:, None]
    src.push(data)
    return src


def test_spectrum_shows_injected_peak(source_factory, shown, screenshot_dir):
    src = _with_tone(source_factory, 23.0, [1])
    view = shown(SpectrumView(src, seconds=4), 900, 550)
    assert view.freqs[0] >= 1.0 and view.freqs[-1] <= 100.0
    c3 = view.psd[:, 1]
    assert view.freqs[np.argmax(c3)] == pytest.approx(23.0, abs=0.6)
    others = np.delete(view.psd, 1, axis=1)
    k = np.argmin(np.abs(view.freqs - 23))
    assert c3[k] > 20 * np.median(others[k])
    view.set_selected([1, 5])
    assert sorted(view.curves) == [1, 5]
    x, y = view.curves[1].getData()
    np.testing.assert_allclose(10 ** y, np.maximum(c3, 1e-12), rtol=1e-6)  # log-mode curve
    view.grab().save(str(screenshot_dir / "spectrum_mi.png"))


def test_band_power_view_and_editable_bands(source_factory, shown, screenshot_dir):
    src = _with_tone(source_factory, 10.0, list(range(32)), amp=40e-6)
    view = shown(BandPowerView(src, seconds=4), 700, 450)
    names = list(view.bands)
    assert view.values.sum() == pytest.approx(100.0)
    assert names[int(np.argmax(view.values))] == "alpha/mu"
    view.grab().save(str(screenshot_dir / "bandpower_mi.png"))
    view.bands_edit.setText("slow:1-8, alpha:8-13, fast:13-40")
    view.bands_edit.editingFinished.emit()
    assert list(view.bands) == ["slow", "alpha", "fast"] and len(view.values) == 3
    view.bands_edit.setText("alpha=8..13")
    view.bands_edit.editingFinished.emit()
    assert "name:low-high" in view.error.text() and list(view.bands) == ["slow", "alpha", "fast"]
    with pytest.raises(ValueError, match="low must be >= 0 and below high, got 13-8 Hz"):
        parse_bands("beta:13-8", named=True)


def test_spectrogram_tracks_the_chosen_channel(source_factory, shown, screenshot_dir):
    src = _with_tone(source_factory, 17.0, [3], amp=40e-6, seconds=10)
    view = shown(SpectrogramView(src, seconds=10, channel=src.ch_names[3]), 900, 450)
    db = view.power_db
    f = np.linspace(0, 60, db.shape[0])
    assert abs(f[np.argmax(db.mean(axis=1)[f > 4]) + np.sum(f <= 4)] - 17) < 2.5
    view.channel_box.setCurrentIndex(0)
    assert view.power_db[np.argmin(np.abs(f - 17))].mean() < db[np.argmin(np.abs(f - 17))].mean() - 6
    view.grab().save(str(screenshot_dir / "spectrogram_mi.png"))


def test_topomap_places_channels_and_maps_power(source_factory, shown, screenshot_dir):
    occipital = ["O1", "Oz", "O2"]
    src0 = source_factory(32, SFREQ, 1.0, fill=False)
    idx = [src0.ch_names.index(n) for n in occipital]
    src = _with_tone(source_factory, 10.0, idx, amp=60e-6)
    view = shown(TopomapView(src, seconds=2, band="alpha/mu"), 600, 600)
    assert len(view.picks) == 32
    pos = view.positions
    cz = pos[src.ch_names.index("Cz")]
    assert np.hypot(*cz) < 0.1
    assert pos[src.ch_names.index("Fpz" if "Fpz" in src.ch_names else "Fp1")][1] > 0.8
    assert pos[src.ch_names.index("Oz")][1] < -0.8
    grid = view.grid_values
    r, c = np.unravel_index(np.nanargmax(grid), grid.shape)
    assert r < grid.shape[0] / 3  # image row 0 is y = -1: the maximum is at the back of the head
    view.grab().save(str(screenshot_dir / "topomap_mi.png"))


def test_topomap_label_matching_and_unknown_channels():
    pos = montage_positions(["Fc5.", "EEG Cz", "cz", "FOO", "t7"])
    assert set(pos) == {0, 1, 2, 4}
    assert pos[4][0] < -0.9  # T7 on the left


def test_core_spectra_helpers():
    rng = np.random.default_rng(0)
    t = np.arange(2000) / SFREQ
    x = np.column_stack([np.sin(2 * np.pi * 10 * t), rng.standard_normal(2000)]) * 1e-5
    f, p = welch_psd(x, SFREQ, 1, 40)
    bp = band_power(f, p, {"a": (8, 12), "b": (20, 30)})
    assert bp.shape == (2, 2) and bp[0, 0] > 100 * bp[1, 0]
    with pytest.raises(ValueError, match="at least 8 samples"):
        welch_psd(x[:3], SFREQ)
