"""Batch evaluation across subjects: declared data sets, one task per (data set, subject, session,
pipeline), run serially or on a dask.distributed cluster, results streamed in MOABB's format.

- ``definition``: :class:`DatasetDefinition` (files per subject/session/run, events, window), read
  from TOML/JSON files or created by ``dataset`` plugins (built-ins in ``builtin``, declared in the
  light module ``plugins``);
- ``tasks``: what runs on a worker (load a subject once, cross-validate one pipeline on it);
- ``results``: ``results.csv`` written row by row, read back for ``--resume``; failures log;
- ``runner``: plans the tasks and runs them (in-process, ``LocalCluster`` or a remote scheduler);
- ``summary``: ``summary.md`` (mean ± SD, paired tests) and ``summary.png``.

See ``docs/batch.md``.
"""
