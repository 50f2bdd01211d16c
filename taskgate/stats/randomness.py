"""Fixed-seed random streams for resampling: the same inputs give the same intervals and
p-values on every machine.

Draws come from splitmix64 over a counter rather than numpy's generators, whose streams may
change between numpy versions.
"""

from __future__ import annotations

import zlib

import numpy as np
import numpy.typing as npt


def seed_for(label: str) -> int:
    """A seed from a cohort and metric label: independent of the order they are compared in."""
    return zlib.crc32(label.encode())


def stream(seed: int, offset: int) -> int:
    """Another seed derived from ``seed``: streams for different draws never overlap."""
    return (seed + offset) & 0xFFFFFFFF


def _splitmix64(counter: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    z = counter + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return np.asarray(z ^ (z >> np.uint64(31)), dtype=np.uint64)


def random_words(seed: int, start: int, rows: int, size: int) -> npt.NDArray[np.uint64]:
    """Rows ``start .. start+rows`` of a stream of 64-bit words, ``size`` per row."""
    first = np.uint64(seed) << np.uint64(32)
    counter = np.arange(start * size, (start + rows) * size, dtype=np.uint64) + first
    return _splitmix64(counter).reshape(rows, size)


def resample_indices(seed: int, start: int, rows: int, size: int) -> npt.NDArray[np.intp]:
    """Bootstrap rows: each draws ``size`` indices with replacement."""
    drawn = random_words(seed, start, rows, size) % np.uint64(size)
    return np.asarray(drawn, dtype=np.intp)
