"""Scored runs to per-cohort and per-task summaries."""
