"""Build a settings form from a plugin's typed parameters (:class:`~bcigui.core.plugins.Param`).

Every plugin's settings use this one form, so no plugin needs GUI code: ``int``/``float`` become
spin boxes with their range and unit, ``bool`` a check box, ``choices`` a combo box and ``str`` a
line edit; ``help`` becomes the tooltip. Invalid entries are outlined in red with the reason shown
under the form.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from bcigui.core.plugins import Param

_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_FLOAT_LIMIT = 1e9


def _decimals(*values: float | None) -> int:
    """Decimals a spin box needs to show ``values`` exactly (1..6)."""
    need = 1
    for v in values:
        if v is None or v == 0:
            continue
        text = f"{abs(v):.10g}"
        if "e" not in text and "." in text:
            need = max(need, len(text.split(".")[1]))
    return min(need, 6)


def _spin_friendly(p: Param) -> bool:
    """Floats a spin box shows well (not None, not tiny/huge); others get a line edit."""
    vals = [v for v in (p.default, p.minimum, p.maximum) if v not in (None, 0)]
    return p.default is not None and all(1e-4 <= abs(v) < _FLOAT_LIMIT for v in vals)


_UNIT_SUFFIXES = {"s", "ms", "sec", "hz", "uv", "v", "pct"}


def label_for(name: str) -> str:
    """``"n_components"`` -> ``"N components"``; a unit suffix is dropped (``"window_s"`` -> ``"Window"``)."""
    parts = [p for p in name.split("_") if p]
    if len(parts) > 1 and parts[-1].lower() in _UNIT_SUFFIXES:
        parts = parts[:-1]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def describe(p: Param) -> str:
    """Tooltip text: help, type, allowed values and default."""
    lines = [p.help] if p.help else []
    if p.choices is not None:
        lines.append("Allowed: " + ", ".join(map(str, p.choices)))
    elif p.minimum is not None or p.maximum is not None:
        lo = "−∞" if p.minimum is None else f"{p.minimum:g}"
        hi = "∞" if p.maximum is None else f"{p.maximum:g}"
        lines.append(f"Range: {lo} … {hi}{' ' + p.unit if p.unit else ''}")
    lines.append(f"Type: {p.type}; default: {p.default!r}")
    return "\n".join(lines)


class ParamForm(QWidget):
    """A form for ``params``; ``values()`` returns the validated values as a dict.

    Signals: ``changed(name, value)`` on each edit, ``validity_changed(bool)`` when the form
    becomes valid or invalid.
    """

    changed = Signal(str, object)
    validity_changed = Signal(bool)

    def __init__(
        self, params: tuple[Param, ...], values: dict[str, Any] | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.params = {p.name: p for p in params}
        self.widgets: dict[str, QWidget] = {}
        self._errors: dict[str, str] = {}
        self._valid = True
        self._form = QFormLayout()
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        for p in params:
            w = self._make_widget(p)
            w.setToolTip(describe(p))
            w.setObjectName(f"param_{p.name}")
            label = QLabel(label_for(p.name) + (f" ({p.unit})" if p.unit and not isinstance(
                w, QSpinBox | QDoubleSpinBox) else ""))
            label.setToolTip(describe(p))
            label.setBuddy(w)
            self._form.addRow(label, w)
            self.widgets[p.name] = w
        self.error_label = QLabel()
        self.error_label.setObjectName("formError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        if not params:
            self._form.addRow(QLabel("This plugin has no settings."))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self._form)
        layout.addWidget(self.error_label)
        self.set_values({p.name: p.default for p in params} | dict(values or {}))
        self.changed.connect(lambda _n, _v: self._show_applicable())

    def _show_applicable(self) -> None:
        """Hide the rows of parameters that mean nothing with the current values (``Param.when``)."""
        current = {}
        for name in self.params:
            try:
                current[name] = self._validate(name, self._raw(name))
            except ValueError:
                continue
        for name, p in self.params.items():
            if p.when is not None:
                self._form.setRowVisible(self.widgets[name], p.applies(current))

    # -- widgets ------------------------------------------------------------------------------
    def _make_widget(self, p: Param) -> QWidget:
        if p.choices is not None:
            w = QComboBox()
            for choice in p.choices:
                w.addItem(str(choice), choice)
            w.currentIndexChanged.connect(lambda _=0, n=p.name: self._edited(n))
        elif p.type == "bool":
            w = QCheckBox()
            w.toggled.connect(lambda _=False, n=p.name: self._edited(n))
        elif p.type == "int" and p.default is not None:
            w = QSpinBox()
            w.setRange(
                int(max(p.minimum, _INT_MIN)) if p.minimum is not None else _INT_MIN,
                int(min(p.maximum, _INT_MAX)) if p.maximum is not None else _INT_MAX,
            )
            self._setup_spin(w, p)
        elif p.type == "float" and _spin_friendly(p):
            w = QDoubleSpinBox()
            w.setDecimals(_decimals(p.default, p.minimum, p.maximum))
            w.setRange(
                p.minimum if p.minimum is not None else -_FLOAT_LIMIT,
                p.maximum if p.maximum is not None else _FLOAT_LIMIT,
            )
            w.setStepType(QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
            self._setup_spin(w, p)
        else:  # str, or numbers a spin box cannot show (None default, 1e-12...)
            w = QLineEdit()
            if p.default is None:
                w.setPlaceholderText("automatic (leave empty)")
            w.textChanged.connect(lambda _="", n=p.name: self._edited(n))
        return w

    def _setup_spin(self, w: QSpinBox | QDoubleSpinBox, p: Param) -> None:
        if p.unit:
            w.setSuffix(f" {p.unit}")
        w.setKeyboardTracking(False)
        w.setAccelerated(True)
        w.valueChanged.connect(lambda _=0, n=p.name: self._edited(n))
        w.lineEdit().textEdited.connect(lambda _="", n=p.name: self._check_text(n))

    def _raw(self, name: str) -> Any:
        w = self.widgets[name]
        if isinstance(w, QComboBox):
            return w.currentData()
        if isinstance(w, QCheckBox):
            return w.isChecked()
        if isinstance(w, QSpinBox | QDoubleSpinBox):
            return w.value()
        text = w.text().strip()
        if not text and self.params[name].default is None:
            return None
        return w.text() if self.params[name].type == "str" else text

    # -- validation ---------------------------------------------------------------------------
    def _validate(self, name: str, value: Any) -> Any:
        p = self.params[name]
        if value is None and p.default is None:
            return None
        return p.validate(value)

    def _set_error(self, name: str, message: str | None) -> None:
        w = self.widgets[name]
        if message:
            self._errors[name] = message
        else:
            self._errors.pop(name, None)
        w.setProperty("invalid", bool(message))
        w.style().unpolish(w)
        w.style().polish(w)
        self.error_label.setText("\n".join(self._errors.values()))
        self.error_label.setVisible(bool(self._errors))
        valid = not self._errors
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    def _check_text(self, name: str) -> None:
        """Spin boxes: flag text that is out of range while it is being typed."""
        w = self.widgets[name]
        if w.hasAcceptableInput():
            self._set_error(name, None)
            return
        p = self.params[name]
        text = w.lineEdit().text().removesuffix(w.suffix()).strip()
        self._set_error(
            name,
            f"{label_for(name)}: must be a number from {w.minimum():g} to {w.maximum():g}"
            f"{' ' + p.unit if p.unit else ''}, got {text!r}",
        )

    def _edited(self, name: str) -> None:
        try:
            value = self._validate(name, self._raw(name))
        except ValueError as err:
            self._set_error(name, f"{label_for(name)}: {err}")
            return
        self._set_error(name, None)
        self.changed.emit(name, value)

    # -- public -------------------------------------------------------------------------------
    def errors(self) -> dict[str, str]:
        """Current validation errors by parameter name."""
        return dict(self._errors)

    def is_valid(self) -> bool:
        return not self._errors

    def values(self) -> dict[str, Any]:
        """Validated values of all parameters; ``ValueError`` listing every invalid entry."""
        out, problems = {}, []
        for name in self.params:
            if name in self._errors:
                problems.append(self._errors[name])
                continue
            try:
                out[name] = self._validate(name, self._raw(name))
            except ValueError as err:
                problems.append(str(err))
        if problems:
            raise ValueError("Invalid settings: " + "; ".join(problems))
        return out

    def set_values(self, values: dict[str, Any]) -> None:
        """Show ``values``; ``ValueError`` (and red outline) for unknown or invalid entries."""
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise ValueError(f"Unknown parameter(s) {unknown}; allowed parameters are {sorted(self.params)}")
        problems = []
        for name, value in values.items():
            try:
                value = self._validate(name, value)
            except ValueError as err:
                self._set_error(name, f"{label_for(name)}: {err}")
                problems.append(str(err))
                continue
            self._show(name, value)
            self._set_error(name, None)
        self._show_applicable()
        if problems:
            raise ValueError("; ".join(problems))

    def _show(self, name: str, value: Any) -> None:
        w = self.widgets[name]
        w.blockSignals(True)
        try:
            if isinstance(w, QComboBox):
                w.setCurrentIndex(w.findData(value))
            elif isinstance(w, QCheckBox):
                w.setChecked(bool(value))
            elif isinstance(w, QSpinBox | QDoubleSpinBox):
                w.setValue(value)
            else:
                w.setText("" if value is None else str(value))
        finally:
            w.blockSignals(False)

    def reset(self) -> None:
        """Back to the defaults."""
        self.set_values({p.name: p.default for p in self.params.values()})




class ParamDialog(QDialog):
    """A dialog around :class:`ParamForm` (OK is disabled while the form is invalid)."""

    def __init__(self, title: str, params: tuple[Param, ...], values: dict[str, Any] | None = None,
                 description: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = ParamForm(params, values)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults).clicked.connect(self.form.reset)
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.form.validity_changed.connect(ok.setEnabled)
        ok.setEnabled(self.form.is_valid())
        layout = QVBoxLayout(self)
        if description:
            head = QLabel(description)
            head.setWordWrap(True)
            layout.addWidget(head)
        layout.addWidget(self.form)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)

    def values(self) -> dict[str, Any]:
        return self.form.values()


__all__ = ["ParamDialog", "ParamForm", "describe", "label_for"]
