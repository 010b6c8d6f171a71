"""Signal processing: causal filters with carried state, quality metrics."""
