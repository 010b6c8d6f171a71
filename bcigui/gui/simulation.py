"""The main window's built-in simulator: the Stream menu's virtual subjects, started through the core
source registry (``start_source("simulator", ...)``) off the GUI thread and connected to."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction

from bcigui.gui.workers import run_in_thread


def start_simulator(paradigm: str, name: str, outlet: Any) -> Any:
    """Start the built-in simulator (worker thread) as a virtual subject that follows the cues of
    ``outlet`` (the app's session marker outlet: every run it starts pushes there); return it."""
    from bcigui.core.stream.sources import start_source

    return start_source("simulator", {"paradigm": paradigm, "name": name, "follow": outlet.name,
                                      "follow_source_id": outlet.source_id})


class SimulatorMenu:
    """Mixed into :class:`~bcigui.gui.main_window.MainWindow` (which has ``panel``, ``session_outlet``,
    ``simulator``, ``_action``, ``show_message``): the virtual-subject actions and what they do."""

    def _build_simulator_actions(self) -> None:
        self.sim_actions: dict[str, QAction] = {}
        for key, text, tip in (
            ("mi", "Simulated subject: &motor imagery", "Simulated EEG; the subject imagines what the cues ask"),
            ("ssvep", "Simulated subject: &SSVEP", "Simulated EEG; the subject looks at the cued target"),
            ("rest", "Simulated subject: &resting", "Simulated EEG; the subject ignores the cues"),
        ):
            act = self._action(text, lambda _=False, k=key: self.simulate(k), None, None, tip)
            act.setCheckable(True)
            self.sim_actions[key] = act
        self.act_sim_stop = self._action("S&top the simulator", self.stop_simulation, None, None,
                                         "Stop the built-in simulator and disconnect from it")

    def start_simulation(self, paradigm: str, name: str = "bcigui-sim") -> None:
        """Start the in-process simulator (off the GUI thread), then connect to it."""
        self.show_message(f"Starting the {paradigm.upper()} simulator…")
        self.panel.indicator.set_state("busy", "Starting simulator…", f"Simulated {paradigm.upper()} EEG.")
        run_in_thread(start_simulator, paradigm, name, self.session_outlet, on_done=self._on_simulator,
                      on_error=lambda err, _tb: self.panel._report_error(f"Could not start the simulator: {err}"))

    def _on_simulator(self, sim: Any) -> None:
        if self._closing:
            sim.stop()
            return
        self.simulator = sim
        eeg_name = sim.stream_names[0]
        self.setWindowTitle(f"bcigui — simulated {sim.paradigm.upper()} EEG")
        self.panel.connect_to(eeg_name)
        self.panel.refresh()
        self._update_simulator_actions()

    def simulate(self, paradigm: str) -> None:
        """Start the virtual subject, or switch what the running one does (no reconnection)."""
        sim = self.simulator
        if sim is not None and getattr(sim, "follow", None):
            sim.set_activity(paradigm)
            self.setWindowTitle(f"bcigui — simulated {paradigm.upper()} EEG")
            self.show_message(f"Simulated subject: {paradigm.upper()}")
        else:
            self.start_simulation(paradigm)
        self._update_simulator_actions(paradigm)

    def stop_simulation(self) -> None:
        sim, self.simulator = self.simulator, None
        if sim is None:
            return
        if self.panel.acquisition is not None and sim.name in (getattr(self.panel.acquisition, "stream_names", None)
                                                               or [])[:1]:
            self.panel.disconnect_stream()
        sim.stop()
        self.setWindowTitle("bcigui")
        self.show_message("Simulator stopped")
        self._update_simulator_actions()

    def _update_simulator_actions(self, paradigm: str | None = None) -> None:
        if not hasattr(self, "sim_actions"):
            return
        current = paradigm or (self.simulator.paradigm if self.simulator is not None else None)
        for key, act in self.sim_actions.items():
            act.setChecked(key == current)
        self.act_sim_stop.setEnabled(self.simulator is not None)

