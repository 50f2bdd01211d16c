"""The run ids a reader has seen, for the duplicate check, in a few bytes each.

A dict of run ids costs about 140 bytes a run (the string, its entry, the line number):
nothing beside a scored file's results, but the one thing that grows with the runs when
the monitor keeps only window summaries. ``RunIdDigests`` keeps a 64-bit digest of each
id and the line it was first on, in an open-addressing table of two flat arrays: 16
bytes a slot, 24 to 48 bytes a run. Two different ids share a digest with probability
about n² / 2⁶⁵ (one in 37 million for a million runs in one file): the line would be
refused as a duplicate naming the other id's line, loudly, never counted twice.
"""

from __future__ import annotations

import hashlib
from array import array
from typing import Protocol

_EMPTY = 0
_FIRST_SIZE = 1 << 12


class FirstLines(Protocol):
    """What the reader asks of its seen run ids: the line an id was first on, recording
    ``number`` when the id is new (``dict.setdefault`` is one)."""

    def setdefault(self, run_id: str, number: int, /) -> int: ...


def _digest(run_id: str) -> int:
    key = int.from_bytes(hashlib.blake2b(run_id.encode(), digest_size=8).digest(), "little")
    return key or 1  # 0 marks an empty slot


class RunIdDigests:
    """Run ids as 64-bit digests with their first line, in linear-probing arrays kept at
    most two thirds full."""

    def __init__(self) -> None:
        self._keys = array("Q", bytes(8 * _FIRST_SIZE))
        self._lines = array("Q", bytes(8 * _FIRST_SIZE))
        self._count = 0

    def __len__(self) -> int:
        return self._count

    @property
    def slots(self) -> int:
        return len(self._keys)

    def setdefault(self, run_id: str, number: int, /) -> int:
        key = _digest(run_id)
        keys = self._keys
        mask = len(keys) - 1
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key:
                return int(self._lines[slot])
            if found == _EMPTY:
                break
            slot = (slot + 1) & mask
        keys[slot] = key
        self._lines[slot] = number
        self._count += 1
        if 3 * self._count > 2 * len(keys):
            self._grow()
        return number

    def _grow(self) -> None:
        old_keys, old_lines = self._keys, self._lines
        size = 2 * len(old_keys)
        self._keys = keys = array("Q", bytes(8 * size))
        self._lines = lines = array("Q", bytes(8 * size))
        mask = size - 1
        for key, line in zip(old_keys, old_lines, strict=True):
            if key == _EMPTY:
                continue
            slot = key & mask
            while keys[slot] != _EMPTY:
                slot = (slot + 1) & mask
            keys[slot] = key
            lines[slot] = line
