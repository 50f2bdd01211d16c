"""The evaluators: one module each, a factory of a pure function of a run."""
