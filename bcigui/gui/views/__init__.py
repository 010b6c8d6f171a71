"""Live signal views (traces, spectra, band power, spectrogram, topomap, signal quality).

Importing this package imports no Qt; the view plugins are declared in :mod:`.plugins` and their
widget modules are imported on first use.
"""
