"""Decoders: scikit-learn pipelines on epochs (MI in ``pipelines``, SSVEP in ``ssvep``), the
classifier catalog, honest evaluation (``evaluation``) and training from recordings (``training``).

Declared as ``decoder`` plugins in ``plugins`` (light module); heavy modules load on first use.
"""
