"""Qt layer of bcigui: a thin GUI over :mod:`bcigui.core` (which never imports Qt).

Light on purpose: importing this package imports no Qt; modules are imported where used.
"""
