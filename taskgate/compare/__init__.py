"""A report against its baseline: deltas, p-values, coverage, power."""
