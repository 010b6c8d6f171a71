"""bcigui: a desktop application for brain-computer-interface experiments."""

__version__ = "0.1.0"
