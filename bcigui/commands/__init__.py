"""One module per ``bcigui`` sub-command (see :mod:`bcigui.cli`)."""
