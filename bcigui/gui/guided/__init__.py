"""The guided session for clinicians (patient -> signal check -> calibration -> training -> feedback -> report)."""

from bcigui.gui.guided.wizard import GuidedSession

__all__ = ["GuidedSession"]
