"""ParamForm: one widget per parameter type, value round-trip, validation feedback."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLineEdit, QSpinBox

from bcigui.core.plugins import Param, Registry
from bcigui.gui.param_form import ParamForm

PARAMS = (
    Param("n_components", "int", 4, "number of spatial filters", minimum=1, maximum=32),
    Param("fmin", "float", 8.0, "lower band edge", minimum=0.5, maximum=100.0, unit="Hz"),
    Param("log", "bool", True, "take the log of the variance"),
    Param("metric", "str", "riemann", "covariance mean", choices=("riemann", "euclid", "logeuclid")),
    Param("label", "str", "left", "name of the class"),
    Param("reg", "float", 1e-12, "regularisation", minimum=0.0),
    Param("n_jobs", "int", None, "parallel jobs (empty: automatic)", minimum=1),
)


@pytest.fixture
def form(qtbot):
    f = ParamForm(PARAMS)
    qtbot.addWidget(f)
    return f


def test_widgets_by_type(form):
    w = form.widgets
    assert isinstance(w["n_components"], QSpinBox)
    assert (w["n_components"].minimum(), w["n_components"].maximum()) == (1, 32)
    assert isinstance(w["fmin"], QDoubleSpinBox)
    assert w["fmin"].suffix() == " Hz" and w["fmin"].minimum() == 0.5 and w["fmin"].maximum() == 100.0
    assert isinstance(w["log"], QCheckBox)
    assert isinstance(w["metric"], QComboBox)
    assert [w["metric"].itemText(i) for i in range(w["metric"].count())] == ["riemann", "euclid", "logeuclid"]
    assert isinstance(w["label"], QLineEdit)
    assert isinstance(w["reg"], QLineEdit)  # 1e-12 cannot be shown by a spin box
    assert isinstance(w["n_jobs"], QLineEdit)  # None default: empty means automatic
    assert "number of spatial filters" in w["n_components"].toolTip()
    assert "0.5" in w["fmin"].toolTip() and "100" in w["fmin"].toolTip()


def test_defaults_round_trip(form):
    assert form.values() == {p.name: p.default for p in PARAMS}
    new = {"n_components": 6, "fmin": 12.5, "log": False, "metric": "euclid", "label": "feet",
           "reg": 1e-6, "n_jobs": 2}
    form.set_values(new)
    assert form.values() == new
    assert form.is_valid()
    form.reset()
    assert form.values()["n_components"] == 4


def test_values_from_constructor(qtbot):
    f = ParamForm(PARAMS, {"metric": "logeuclid", "fmin": 4.0})
    qtbot.addWidget(f)
    assert f.values()["metric"] == "logeuclid" and f.values()["fmin"] == 4.0


def test_rejects_out_of_range(form, qtbot):
    with pytest.raises(ValueError, match="n_components.*<= 32.*40"):
        form.set_values({"n_components": 40})
    assert form.widgets["n_components"].property("invalid") is True
    assert not form.is_valid() and "n_components" in form.errors()
    assert not form.error_label.isHidden() and "32" in form.error_label.text()
    with pytest.raises(ValueError, match="Invalid settings"):
        form.values()
    form.set_values({"n_components": 3})  # fixing it clears the error
    assert form.is_valid() and form.values()["n_components"] == 3
    assert form.error_label.isHidden()
    with pytest.raises(ValueError, match="metric.*one of"):
        form.set_values({"metric": "cosine"})
    with pytest.raises(ValueError, match="Unknown parameter.*'bogus'"):
        form.set_values({"bogus": 1})


def test_typed_input_feedback(form, qtbot):
    signals = []
    form.validity_changed.connect(signals.append)
    spin = form.widgets["fmin"]
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "500")  # above the 100 Hz maximum: the last key is refused
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert spin.value() == 50.0 and form.values()["fmin"] == 50.0
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "0.2")  # below the 0.5 Hz minimum while typing
    assert "fmin" in form.errors() and "0.5" in form.errors()["fmin"] and "'0.2'" in form.errors()["fmin"]
    assert spin.property("invalid") is True
    assert signals == [False]
    reg = form.widgets["reg"]
    reg.setText("not a number")
    assert "reg" in form.errors()
    with pytest.raises(ValueError, match="reg"):
        form.values()
    reg.setText("-1")  # below minimum 0
    assert "reg" in form.errors()
    reg.setText("2e-9")
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), "30")
    qtbot.keyClick(spin.lineEdit(), Qt.Key.Key_Return)
    assert form.is_valid(), form.errors()
    assert signals == [False, True]
    assert form.values()["reg"] == 2e-9 and form.values()["fmin"] == 30.0
    form.widgets["n_jobs"].setText("")
    assert form.values()["n_jobs"] is None


def test_form_for_every_registered_plugin(qtbot):
    """No plugin-specific GUI code: every installed plugin's settings build and validate."""
    reg = Registry().discover(plugins_dir="/nonexistent")
    specs = reg.list()
    assert specs, "no plugins registered"
    for spec in specs:
        f = ParamForm(spec.params)
        qtbot.addWidget(f)
        assert set(f.widgets) == {p.name for p in spec.params}
        assert f.values() == spec.resolve({}), spec.name


def test_rows_that_mean_nothing_are_hidden(qtbot):
    """Burg's order only with Burg, the multitaper bandwidth only with multitaper (Param.when)."""
    from bcigui.core.plugins import get_registry

    form = ParamForm(get_registry().get("feature", "psd").params)
    qtbot.addWidget(form)
    form.show()

    def shown(name):
        return form._form.isRowVisible(form.widgets[name])

    assert form.values()["method"] == "welch" and not shown("order") and not shown("bandwidth")
    form.set_values({"method": "burg"})
    assert shown("order") and not shown("bandwidth")
    combo = form.widgets["method"]
    combo.setCurrentIndex(combo.findText("multitaper"))  # as the user does
    assert shown("bandwidth") and not shown("order")
    assert form.values()["order"] == 16  # hidden, still passed
