"""Feature extraction (scikit-learn transformers on epochs), discriminability maps and selection.

Heavy submodules are imported on demand; import from them directly, e.g.
``from bcigui.core.features.psd import PSDFeatures``.
"""
