"""Scores as numbers: in [0, 1], free of float noise."""

from __future__ import annotations


def clamp(value: float) -> float:
    """Keep a score in [0, 1] and free of float noise in the last digits."""
    return round(min(1.0, max(0.0, value)), 6)
