"""Offline analysis as the analysis window runs it, without Qt: feature maps and pipeline training.

- :mod:`.extractors`: the feature plugins that give ``(epoch, row, frequency)`` tensors, their
  user-settable parameters and :func:`~.extractors.extract` (through
  :func:`bcigui.core.workspace.extract_features`, cached by a :class:`~bcigui.core.workspace.Workspace`);
- :mod:`.maps`: class contrasts, signed r², top-k, class spectra, ERD/ERS and connectivity by class;
- :mod:`.pipelines`: the decoder choices, cross-validated evaluation and export, through
  :mod:`bcigui.core.decoders.training` (the path ``bcigui train`` takes).
"""
