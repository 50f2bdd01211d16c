from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.monitor.windows import WINDOWS, preceding, stamp, window_start

UTC = timezone.utc


@pytest.mark.parametrize(
    ("window", "start"),
    [
        ("1h", "2026-11-05T13:00:00Z"),
        ("6h", "2026-11-05T12:00:00Z"),
        ("1d", "2026-11-05T00:00:00Z"),
        ("7d", "2026-11-02T00:00:00Z"),  # the Monday before that Thursday
    ],
)
def test_a_run_falls_in_its_calendar_window(window: str, start: str) -> None:
    moment = datetime(2026, 11, 5, 13, 47, 12, tzinfo=UTC)
    assert stamp(window_start(moment, window)) == start


def test_windows_are_utc_whatever_the_zone_a_time_is_given_in() -> None:
    local = datetime(2026, 11, 5, 1, 30, tzinfo=timezone(timedelta(hours=3)))
    assert stamp(window_start(local, "1d")) == "2026-11-04T00:00:00Z"


def test_the_preceding_windows_oldest_first() -> None:
    start = datetime(2026, 11, 5, tzinfo=UTC)
    assert [stamp(s) for s in preceding(start, "1d", 3)] == [
        "2026-11-02T00:00:00Z",
        "2026-11-03T00:00:00Z",
        "2026-11-04T00:00:00Z",
    ]


moments = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)


@given(moments, st.sampled_from(sorted(WINDOWS)))
def test_every_moment_is_in_the_window_that_starts_at_or_before_it(
    moment: datetime, window: str
) -> None:
    start = window_start(moment, window)
    assert start <= moment < start + WINDOWS[window]
    assert window_start(start, window) == start
