"""Main window: stream panel, dockable views (view plugins), menus, status bar, dialogs."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QToolButton,
    QWidget,
)

from bcigui.core.plugins import PluginSpec, Registry
from bcigui.gui.app import apply_theme, icon
from bcigui.gui.settings import PreferencesDialog, Settings
from bcigui.gui.simulation import SimulatorMenu
from bcigui.gui.stream_panel import StreamPanel
from bcigui.gui.workers import run_in_thread

MESSAGE_MS = 8000


def _scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area: a tall panel scrolls instead of growing its window."""
    area = QScrollArea()
    area.setWidget(content)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class MainWindow(SimulatorMenu, QMainWindow):
    """The application window. ``simulate`` ("mi", "ssvep", "rest") starts the simulator and
    connects to it; ``simulator_name`` names its LSL streams."""

    view_opened = Signal(QDockWidget)

    def __init__(
        self,
        registry: Registry,
        settings: Settings,
        simulate: str | None = None,
        simulator_name: str = "bcigui-sim",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.registry = registry
        self.settings = settings
        from bcigui.gui import folders

        folders.configure(settings)
        self.simulator: Any = None
        self._closing = False
        self._views_state = settings.window_state
        self.views: list[QDockWidget] = []
        self._view_counter = 0
        self._views_to_reopen: list[str] = settings.open_views
        self.online_dock: QDockWidget | None = None
        self.online_panel: Any = None  # the OnlinePanel inside online_dock (in a scroll area)
        self.analysis_window: QWidget | None = None
        self.calibration: Any = None
        self._session_outlet: Any = None
        self.guided: QWidget | None = None
        self.setWindowTitle("bcigui")
        self.setWindowIcon(icon("app"))
        self.setDockNestingEnabled(True)
        self.setDockOptions(
            QMainWindow.DockOption.AnimatedDocks | QMainWindow.DockOption.AllowNestedDocks
            | QMainWindow.DockOption.AllowTabbedDocks
        )

        self.panel = StreamPanel(discovery_timeout=float(settings.get("discovery_timeout")))
        self.panel.message.connect(self.show_message)
        self.panel.connected.connect(self._on_connected)
        self.panel.disconnected.connect(self._on_disconnected)
        self.stream_dock = QDockWidget("Streams", self)
        self.stream_dock.setObjectName("dock_streams")
        self.stream_dock.setWidget(self.panel)
        self.stream_dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
            | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.stream_dock)

        self.placeholder = QLabel()
        self.placeholder.setObjectName("placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setMinimumWidth(120)
        self.setCentralWidget(self.placeholder)

        self._build_actions()
        self._build_menus()
        self._build_toolbar()
        self._build_status_bar()
        self._set_placeholder_text(connected=False)
        self.resize(1280, 800)
        self.resizeDocks([self.stream_dock], [600], Qt.Orientation.Horizontal)
        if settings.geometry is not None:
            self.restoreGeometry(settings.geometry)
        if settings.window_state is not None:
            self.restoreState(settings.window_state)

        self.session_outlet  # noqa: B018 - opened now, so the acquisition and the virtual subject find it
        if simulate:
            QTimer.singleShot(0, lambda: self.start_simulation(simulate, simulator_name))
        else:
            QTimer.singleShot(0, self._startup_connect)

    # -- building -----------------------------------------------------------------------------
    def _action(self, text: str, slot: Any, icon_name: str | None = None, shortcut: Any = None,
                tip: str = "") -> QAction:
        act = QAction(text, self)
        if icon_name:
            act.setIcon(icon(icon_name))
        if shortcut is not None:
            act.setShortcut(QKeySequence(shortcut))
        if tip:
            act.setToolTip(tip)
            act.setStatusTip(tip)
        act.triggered.connect(lambda *_: slot())
        return act

    def _build_actions(self) -> None:
        self.act_refresh = self._action("&Refresh streams", self.panel.refresh, "refresh",
                                        QKeySequence.StandardKey.Refresh, "Look for LSL streams on the network")
        self.act_connect = self._action("&Connect", self.panel.connect_selected, "connect",
                                        None, "Connect to the selected stream")
        self.act_disconnect = self._action("&Disconnect", self.panel.disconnect_stream, "disconnect",
                                           None, "Disconnect from the current stream")
        self.act_prefs = self._action("&Preferences…", self.show_preferences, "settings",
                                      QKeySequence.StandardKey.Preferences, "Theme, plugin folder, start-up")
        self.act_plugins = self._action("&Plugins…", self.show_plugins, "plugins", None,
                                        "Loaded and failed plugins")
        self.act_about = self._action("&About bcigui", self.show_about, "about")
        self.act_guided = self._action("&Guided session…", self.show_guided, None, "Ctrl+Shift+G",
                                       "Step by step for one patient: signal check, calibration, training, "
                                       "feedback, report")
        self.act_calibrate = self._action("New &calibration session…", self.new_calibration, None,
                                          "Ctrl+Shift+C", "Run a motor-imagery or SSVEP calibration and record it")
        self.act_analysis = self._action("&Analysis and training…", self.show_analysis, None, "Ctrl+Shift+A",
                                         "Look at what separates the classes, pick features, train a decoder")
        self.act_compare = self._action("Compare pipelines across &subjects…", self.show_compare, None, None,
                                        "Cross-validate pipelines on every subject of a data set (bcigui benchmark)")
        self.act_online = self._action("&Online decoding", self.show_online, None, "Ctrl+Shift+O",
                                       "Deploy a trained model on the connected stream, with feedback")
        self.act_quit = self._action("&Quit", self.close, None, QKeySequence.StandardKey.Quit)
        self.act_export = self._action("&Export recording…", self.export_recording, None, "Ctrl+E",
                                       "Write a recording as EDF, BDF, BrainVision, XDF or FIF for other tools")
        self._build_simulator_actions()

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu("&File")
        m.addAction(self.act_export)
        m.addAction(self.act_prefs)
        m.addSeparator()
        m.addAction(self.act_quit)
        m = mb.addMenu("&Stream")
        for a in (self.act_refresh, self.act_connect, self.act_disconnect):
            m.addAction(a)
        m.addSeparator()
        for a in (*self.sim_actions.values(), self.act_sim_stop):
            m.addAction(a)
        self._update_simulator_actions()
        m = mb.addMenu("&Session")
        m.addAction(self.act_guided)
        m.addSeparator()
        for a in (self.act_calibrate, self.act_analysis, self.act_compare, self.act_online):
            m.addAction(a)
        self.view_menu = mb.addMenu("&View")
        self.view_menu.addAction(self.stream_dock.toggleViewAction())
        self.view_menu.addSeparator()
        self.view_actions: dict[str, QAction] = {}
        specs = self.registry.list("view")
        for spec in specs:
            act = self._action(spec.name.replace("_", " ").capitalize(),
                               lambda s=spec: self.open_view(s.name), "view", None, spec.description)
            self.view_menu.addAction(act)
            self.view_actions[spec.name] = act
        if not specs:
            none = self.view_menu.addAction("No view plugins installed")
            none.setEnabled(False)
        configurable = [s for s in specs if s.params]
        if configurable:
            self.view_menu.addSeparator()
            sub = self.view_menu.addMenu(icon("settings"), "View settings")
            for spec in configurable:
                sub.addAction(self._action(spec.name.replace("_", " ").capitalize() + "…",
                                           lambda s=spec: self.edit_view_settings(s.name)))
        m = mb.addMenu("&Help")
        m.addAction(self._action("&User guide", self.show_guide, None, QKeySequence.StandardKey.HelpContents,
                                 "The clinician's and the researcher's paths, with pictures (F1)"))
        m.addAction(self.act_plugins)
        m.addAction(self.act_about)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setMovable(False)
        for a in (self.act_refresh, self.act_connect, self.act_disconnect):
            tb.addAction(a)
        tb.addSeparator()
        if self.view_actions:
            views = QToolButton()
            views.setText("Open view")
            views.setToolTip("Open a live view of the connected stream (traces, spectrum, topomap, connectivity...)")
            views.setIcon(icon("view"))
            views.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            views.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
            for act in self.view_actions.values():
                views.addAction(act)
            tb.addWidget(views)
            tb.addSeparator()
        for a in (self.act_guided, self.act_calibrate, self.act_analysis, self.act_online):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_plugins)
        tb.addAction(self.act_prefs)
        self.panel.table.itemSelectionChanged.connect(self._update_actions)
        self.panel.connected.connect(lambda *_: self._update_actions())
        self.panel.disconnected.connect(self._update_actions)
        self._update_actions()

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.stream_label = QLabel("Not connected")
        sb.addPermanentWidget(self.stream_label)
        self.panel.indicator.level_changed.connect(self._colour_stream_label)
        self.plugin_badge = QToolButton()
        self.plugin_badge.setObjectName("pluginBadge")
        self.plugin_badge.setIcon(icon("warning"))
        self.plugin_badge.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.plugin_badge.clicked.connect(lambda: self.show_plugins(failed=True))
        sb.addPermanentWidget(self.plugin_badge)
        self.update_plugin_badge()

    def _colour_stream_label(self, level: str) -> None:
        from bcigui.gui.stream_panel import COLOURS

        self.stream_label.setStyleSheet(f"color: {COLOURS[level]}; font-weight: bold;"
                                        if level in ("warn", "error") else "")

    def update_plugin_badge(self) -> None:
        """Show "N plugin(s) failed" in the status bar when the registry recorded failures."""
        n = len(self.registry.failures)
        self.plugin_badge.setText(f"{n} plugin{'s' if n != 1 else ''} failed")
        self.plugin_badge.setToolTip("Some plugins could not be loaded. Click for details.")
        self.plugin_badge.setVisible(n > 0)

    def _update_actions(self) -> None:
        self.act_connect.setEnabled(self.panel.connect_button.isEnabled())
        self.act_disconnect.setEnabled(self.panel.acquisition is not None)

    # -- messages -----------------------------------------------------------------------------
    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, MESSAGE_MS)

    def show_error(self, title: str, text: str, modal: bool = False) -> None:
        """Status-bar message, plus a message box when ``modal`` (never blocks in tests)."""
        self.show_message(text)
        if modal:
            QMessageBox.warning(self, title, text)

    # -- start-up --------------------------------------------------------------------------
    def _startup_connect(self) -> None:
        self.panel.refresh()
        last = self.settings.last_stream
        if last and self.settings.get("auto_connect"):
            self.panel.connect_to(last)

    # -- views --------------------------------------------------------------------------------
    def _on_connected(self, acq: Any) -> None:
        name = acq.stream_names[0] if getattr(acq, "stream_names", None) else self.panel._target_name
        self.settings.last_stream = name
        self.settings.sync()
        rate = getattr(acq, "sfreq", 0)
        self.stream_label.setText(f"● {name} · {len(acq.ch_names)} ch · {rate:g} Hz")
        self._set_placeholder_text(connected=True)
        if self.online_dock is not None:
            self.online_panel.set_acquisition(acq)
        reopen, self._views_to_reopen = self._views_to_reopen, []
        for view in reopen:
            if view in self.view_actions:
                self.open_view(view, restore=True)
        if reopen and self._views_state is not None:
            self.restoreState(self._views_state)
        elif not reopen and not self.views and "traces" in self.view_actions:
            self.open_view("traces")  # a first connection shows the signal at once

    def _on_disconnected(self) -> None:
        self.stream_label.setText("Not connected")
        if self.online_dock is not None:
            self.online_panel.set_acquisition(None)
        self._set_placeholder_text(connected=False)
        self._views_to_reopen = [d.property("view_name") for d in self.views]
        if self.views:
            self._views_state = self.saveState()  # layout to restore with the views
        for dock in list(self.views):
            if dock.widget() is not None:
                dock.widget().close()  # stops its timers before the acquisition goes away
            dock.close()

    def open_view(self, name: str, restore: bool = False) -> QDockWidget | None:
        """Open a new dock with view plugin ``name`` on the current acquisition."""
        acq = self.panel.acquisition
        if acq is None:
            if self.panel.connecting:
                self._views_to_reopen.append(name)
                self.show_message("The view opens as soon as the stream is connected.")
            else:
                self.show_message("Connect to a stream first: views show the connected stream.")
            return None
        try:
            spec: PluginSpec = self.registry.get("view", name)
            widget = self._create_view(spec, acq)
        except Exception as err:
            self.registry.record_failure(name, self._origin(name), err)
            self.update_plugin_badge()
            self.show_error("View failed", f"The view {name!r} could not be opened: {err}")
            return None
        same = sum(1 for d in self.views if d.property("view_name") == name)
        self._view_counter += 1
        title = spec.name.replace("_", " ").capitalize() + (f" ({same + 1})" if same else "")
        dock = QDockWidget(title, self)
        dock.setObjectName(f"view_{name}_{same}")
        dock.setProperty("view_name", name)
        dock.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dock.setWidget(widget)
        area = Qt.DockWidgetArea.RightDockWidgetArea
        placed = [d for d in self.views if self.dockWidgetArea(d) == area and not d.isFloating()]
        self.addDockWidget(area, dock)
        if not restore:
            self._arrange(dock, placed)
        dock.destroyed.connect(lambda *_, d=dock: self._forget_view(d))
        dock.visibilityChanged.connect(lambda *_: self._update_placeholder())
        self.views.append(dock)
        self._update_placeholder()
        self.view_opened.emit(dock)
        return dock

    def _arrange(self, dock: QDockWidget, placed: list[QDockWidget]) -> None:
        """Default layout: the first view takes the whole area (the stream list shrinks to a side column);
        the second goes below it (the first keeps 60 % of the height); later ones sit beside the second
        on a wide window (up to three), else in tabs with it, so that no view is squeezed to a strip."""
        if not placed:
            self.resizeDocks([self.stream_dock], [min(340, self.width() // 4)], Qt.Orientation.Horizontal)
            return
        first, rest = placed[0], placed[1:]
        if not rest:
            self.splitDockWidget(first, dock, Qt.Orientation.Vertical)
            self.resizeDocks([first, dock], [int(self.height() * 0.6), int(self.height() * 0.4)],
                             Qt.Orientation.Vertical)
        elif self.width() >= 1600 and len(rest) < 3:
            self.splitDockWidget(rest[-1], dock, Qt.Orientation.Horizontal)
            QTimer.singleShot(0, self._share_bottom_row)  # once the layout has the new widths
        else:
            self.tabifyDockWidget(rest[-1], dock)
            dock.raise_()

    def _share_bottom_row(self) -> None:
        """Views side by side below the first one share its width equally."""
        area = Qt.DockWidgetArea.RightDockWidgetArea
        placed = [d for d in self.views if self.dockWidgetArea(d) == area and not d.isFloating()]
        row = [d for d in placed[1:] if not self.tabifiedDockWidgets(d)]
        if len(row) > 1 and placed:
            self.resizeDocks(row, [placed[0].width() // len(row)] * len(row), Qt.Orientation.Horizontal)

    def view_params(self, spec: PluginSpec) -> dict[str, Any]:
        """Saved settings of view ``spec`` (defaults if none or no longer valid)."""
        saved = self.settings.qsettings.value(f"views/{spec.name}")
        try:
            return spec.resolve(dict(saved) if isinstance(saved, dict) else {})
        except ValueError:
            return spec.resolve({})

    def _create_view(self, spec: PluginSpec, acq: Any) -> QWidget:
        return spec.load()(acq, None, **self.view_params(spec))

    def edit_view_settings(self, name: str) -> QDialog:
        """Edit a view plugin's parameters (generic form); open views of it are re-created."""
        from bcigui.gui.param_form import ParamDialog

        spec = self.registry.get("view", name)
        title = spec.name.replace("_", " ").capitalize()
        dlg = ParamDialog(f"{title} settings", spec.params, self.view_params(spec), spec.description, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(lambda: self._apply_view_settings(spec, dlg.values()))
        dlg.open()
        return dlg

    def _apply_view_settings(self, spec: PluginSpec, values: dict[str, Any]) -> None:
        self.settings.qsettings.setValue(f"views/{spec.name}", values)
        acq = self.panel.acquisition
        for dock in [d for d in self.views if d.property("view_name") == spec.name]:
            if acq is None:
                break
            try:
                widget = self._create_view(spec, acq)
            except Exception as err:
                self.show_error("View failed", f"The view {spec.name!r} could not be re-created: {err}")
                continue
            old = dock.widget()
            dock.setWidget(widget)
            if old is not None:
                old.close()
                old.deleteLater()
        self.show_message(f"{spec.name.replace('_', ' ').capitalize()} settings saved.")

    def _origin(self, name: str) -> str:
        try:
            return self.registry.origin(self.registry.get("view", name))
        except KeyError:
            return "unknown"

    def _forget_view(self, dock: QDockWidget) -> None:
        if dock in self.views:
            self.views.remove(dock)
        try:
            self._update_placeholder()
        except RuntimeError:  # the window itself is being destroyed
            pass

    def _set_placeholder_text(self, connected: bool) -> None:
        if not self.view_actions:
            hint = "No view plugins are installed (see Help ▸ Plugins)."
        elif connected:
            hint = "Open a view of the signal from the View menu or with “Open view” in the toolbar."
        else:
            hint = "Connect to a stream, then open a view from the View menu."
        self.placeholder.setText("No view open.\n" + hint)

    def _update_placeholder(self) -> None:
        try:
            visible = any(d.isVisible() for d in self.views)
        except RuntimeError:  # a dock being deleted
            visible = bool(self.views)
        self.placeholder.setVisible(not visible)

    # -- dialogs ------------------------------------------------------------------------------
    def show_plugins(self, failed: bool = False) -> QDialog:
        """Open the Plugins dialog (window-modal, non-blocking); ``failed`` shows the failures tab."""
        from bcigui.gui.plugins_dialog import PluginsDialog

        dlg = PluginsDialog(self.registry, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if failed:
            dlg.show_failed()
        dlg.open()
        return dlg

    def show_guide(self, section: str = "start") -> QDialog:
        """The user guide, at ``section`` (see :data:`bcigui.gui.guide.SECTIONS`)."""
        from bcigui.gui.guide import show_guide

        return show_guide(self, section)

    def show_about(self) -> QDialog:
        from bcigui.gui.about import AboutDialog

        dlg = AboutDialog(self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.open()
        return dlg

    def show_preferences(self) -> QDialog:
        dlg = PreferencesDialog(self.settings, self)
        dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dlg.accepted.connect(self._preferences_saved)
        dlg.open()
        return dlg

    def _preferences_saved(self) -> None:
        apply_theme(self.settings.theme)
        self.panel.discovery_timeout = float(self.settings.get("discovery_timeout"))
        self.show_message("Preferences saved. A new plugin folder is used at the next start.")

    # -- export -------------------------------------------------------------------------------
    EXPORT_FILTERS = {"BrainVision (*.vhdr)": "brainvision", "EDF (*.edf)": "edf", "BDF (*.bdf)": "bdf",
                      "XDF (*.xdf)": "xdf", "FIF (*.fif)": "fif"}

    def export_recording(self, source: str | None = None, out: str | None = None, fmt: str | None = None):
        """Export a run (a ``.bcirec`` folder, chosen by its ``header.json``, or a recording file) with
        ``bcigui.core.recording.export.export_run`` in a worker thread; returns the task (None if
        the dialogs were cancelled)."""
        from PySide6.QtWidgets import QFileDialog

        from bcigui.core.recording.export import export_run
        from bcigui.gui import folders

        folder = folders.start_folder()
        if source is None:
            source, _ = QFileDialog.getOpenFileName(
                self, "Recording to export", folder,
                "Recordings (header.json *.vhdr *.edf *.bdf *.gdf *.fif *.xdf);;All files (*)")
            if not source:
                return None
        if source.endswith("header.json"):  # a crash-safe .bcirec folder is chosen by its header
            source = source[: -len("header.json")].rstrip("/\\")
        if out is None:
            out, chosen = QFileDialog.getSaveFileName(self, "Export as", folder, ";;".join(self.EXPORT_FILTERS))
            if not out:
                return None
            fmt = fmt or self.EXPORT_FILTERS.get(chosen)
            ext = {v: k.split("*")[1].rstrip(")") for k, v in self.EXPORT_FILTERS.items()}.get(fmt or "", "")
            if ext and not out.lower().endswith(ext):
                out += ext
        self.show_message(f"Exporting {source}…")
        return run_in_thread(export_run, source, out, fmt,
                             on_done=lambda path: self.show_message(f"Exported to {path}"),
                             on_error=lambda err, _tb: self.show_error("Export", f"Export failed: {err}"))

    # -- sessions -----------------------------------------------------------------------------
    def new_calibration(self) -> QDialog | None:
        """Dialog for a calibration session on the connected stream; starts it when accepted."""
        from bcigui.gui.session_dialog import CalibrationDialog

        if self.panel.acquisition is None:
            self.show_error("No stream", "Connect to an EEG stream before starting a calibration session.")
            return None
        last = self.settings.qsettings.value("calibration/last")
        try:
            last = json.loads(last) if isinstance(last, str) else None
        except ValueError:
            last = None
        dlg = CalibrationDialog(self.registry, str(self.settings.get("data_dir") or ""), self, last=last)
        dlg.accepted.connect(lambda: self._start_calibration(self._remember_calibration(dlg.values())))
        dlg.open()
        return dlg

    def _remember_calibration(self, values: dict[str, Any]) -> dict[str, Any]:
        """Store the dialog's values: the next calibration starts from them."""
        self.settings.qsettings.setValue("calibration/last", json.dumps(values, default=str))
        self.settings.sync()
        return values

    @property
    def session_outlet(self) -> Any:
        """The app's one marker outlet: every run it starts pushes its cues there (the acquisition
        and the virtual subject subscribe once; ``source_id`` unique to this app instance)."""
        if self._session_outlet is None:
            from bcigui.core.paradigms.outlet import MarkerOutlet

            self._session_outlet = MarkerOutlet()
        return self._session_outlet

    def _start_calibration(self, values: dict[str, Any]) -> None:
        from bcigui.gui.session_dialog import CalibrationRun

        self.settings.set("data_dir", values["out"])
        try:
            self.calibration = CalibrationRun(self.panel.acquisition, values, self, self.session_outlet)
        except Exception as err:
            self.show_error("Calibration", f"Could not start the session: {err}")
            return
        self.calibration.finished.connect(self._calibration_saved)
        self.calibration.failed.connect(lambda err: self.show_error("Calibration", f"Saving failed: {err}"))
        self.calibration.start()
        self.show_message(f"Calibration run {self.calibration.session.plan.run} started")

    def show_guided(self) -> QWidget:
        """The guided session window (one, reused while open)."""
        from bcigui.gui.guided import GuidedSession

        if self.guided is None or not self.guided.isVisible():
            self.guided = GuidedSession(self, self)
        self.guided.show()
        self.guided.raise_()
        return self.guided

    def _calibration_saved(self, path: str) -> QMessageBox:
        """Say where the recording is (until dismissed) and offer the next steps: analyse it, or run another."""
        self.show_message(f"Calibration saved: {path}")
        box = QMessageBox(QMessageBox.Icon.Information, "Calibration saved",
                          f"The recording was saved as\n{path}", QMessageBox.StandardButton.Close, self)
        analyse = box.addButton("Analyse it now", QMessageBox.ButtonRole.AcceptRole)
        analyse.clicked.connect(lambda: self.show_analysis().dataset.add_files([path]))
        another = box.addButton("Run another", QMessageBox.ButtonRole.ActionRole)
        another.clicked.connect(self.new_calibration)
        box.setModal(False)
        box.open()
        return box

    def show_compare(self) -> QWidget:
        """The "compare across subjects" window (batch evaluation; one, reused)."""
        from bcigui.gui.analysis.compare_window import CompareWindow

        if getattr(self, "compare_window", None) is None:
            self.compare_window = CompareWindow(self)
        self.compare_window.show()
        self.compare_window.raise_()
        return self.compare_window

    def show_analysis(self) -> QWidget:
        """The analysis and training workspace (one window, reused)."""
        if self.analysis_window is None:
            from bcigui.gui.analysis import AnalysisWindow

            self.analysis_window = AnalysisWindow()
            self.analysis_window.dataset.start_dir = ""  # dialogs open in the last folder used (gui.folders)
        self.analysis_window.show()
        self.analysis_window.raise_()
        return self.analysis_window

    def show_online(self) -> QDockWidget:
        """The online decoding panel (:attr:`online_panel`), docked, fed by the connected stream."""
        if self.online_dock is None:
            from bcigui.gui.online.panel import OnlinePanel

            self.online_dock = QDockWidget("Online decoding", self)
            self.online_dock.setObjectName("dock_online")
            panel = self.online_panel = OnlinePanel()
            panel.own_source_id = self.session_outlet.source_id
            panel.set_acquisition(self.panel.acquisition)
            self.online_dock.setWidget(_scrolling(panel))
            # beside the stream list (not needed while decoding), never making the window taller than the screen
            self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.online_dock)
            self.tabifyDockWidget(self.stream_dock, self.online_dock)
            self.resizeDocks([self.online_dock], [min(680, self.width() // 2)], Qt.Orientation.Horizontal)
            QTimer.singleShot(0, self._share_bottom_row)
        self.online_dock.show()
        self.online_dock.raise_()
        return self.online_dock

    # -- shutdown -----------------------------------------------------------------------------
    def save_settings(self) -> None:
        open_views = [d.property("view_name") for d in self.views] or self._views_to_reopen
        self.settings.open_views = [v for v in open_views if v]
        self.settings.geometry = self.saveGeometry()
        keep = not self.views and self._views_to_reopen and self._views_state is not None
        self.settings.window_state = self._views_state if keep else self.saveState()
        self.settings.sync()

    def shutdown(self) -> None:
        """Stop acquisition threads and the simulator; safe to call more than once."""
        self._closing = True
        self.panel.timer.stop()
        open_views = [d.property("view_name") for d in self.views]
        for dock in list(self.views):
            w = dock.widget()
            if w is not None:
                w.close()
        if self.online_dock is not None:
            self.online_panel.shutdown()
        if self.analysis_window is not None:
            self.analysis_window.close()
        self.panel.shutdown()
        if open_views:
            self._views_to_reopen = open_views
        sim, self.simulator = self.simulator, None
        if sim is not None:
            try:
                sim.stop()
            except Exception as err:
                self.show_message(f"Error while stopping the simulator: {err}")

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt name)
        self.save_settings()
        self.shutdown()
        super().closeEvent(event)
