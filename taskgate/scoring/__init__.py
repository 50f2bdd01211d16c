"""One run at a time: its shared facts, the pass checks and the evaluators."""
