"""Statistics the stages share: summaries, resampling, power."""
