"""Windows: fixed calendar buckets of UTC time that production runs fall in.

A window is named by its start. Days start at midnight UTC, 6-hour windows at 00, 06, 12
and 18, weeks on Monday: every machine, whatever its clock's zone, puts a run in the
same window, and two monitors over parts of the same sample agree on the buckets.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Literal

WindowName = Literal["1h", "6h", "1d", "7d"]
WINDOWS: dict[str, timedelta] = {
    "1h": timedelta(hours=1),
    "6h": timedelta(hours=6),
    "1d": timedelta(days=1),
    "7d": timedelta(days=7),
}
_EPOCH_MONDAY = datetime(1970, 1, 5, tzinfo=timezone.utc)


def window_start(moment: datetime, window: str) -> datetime:
    """The start of the window ``moment`` falls in."""
    size = WINDOWS[window]
    since = moment.astimezone(timezone.utc) - _EPOCH_MONDAY
    return _EPOCH_MONDAY + size * (since // size)


def window_end(start: datetime, window: str) -> datetime:
    return start + WINDOWS[window]


def stamp(moment: datetime) -> str:
    """A window's start as written in the state and the reports: RFC 3339, UTC, 'Z'."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def preceding(start: datetime, window: str, count: int) -> list[datetime]:
    """The starts of the ``count`` windows before the one starting at ``start``, oldest first."""
    size = WINDOWS[window]
    return [start - size * back for back in range(count, 0, -1)]
