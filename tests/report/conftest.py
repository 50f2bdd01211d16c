"""Reports of the bundled fixtures, scored once for every renderer's tests.

Scored from the repository's folder, so that the paths the reports name read as a user
running the README's commands sees them (``fixtures/candidate.jsonl``)."""

from __future__ import annotations

import pytest

from taskgate.api import score
from taskgate.model.monitor import Alert, MonitorReport, MonitorStatus, Notice
from taskgate.model.report import Report
from tests.conftest import FIXTURES

REPO = FIXTURES.parent


@pytest.fixture(scope="session")
def candidate() -> Report:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        return score("fixtures/candidate.jsonl", baseline="fixtures/baseline.json")


@pytest.fixture(scope="session")
def golden() -> Report:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        return score("fixtures/golden.jsonl")


HOSTILE = "<script>alert('x')</script> | `tick` *star*"
"""A cohort value that would break out of Markdown tables or HTML if it were not escaped."""


@pytest.fixture(scope="session")
def monitor_failing(tmp_path_factory: pytest.TempPathFactory) -> MonitorReport:
    """Eight quiet days of two segments (one named with markup), then a ninth on which no
    run of the hostile segment reaches its final step; judged just after it."""
    from datetime import date, datetime, timedelta, timezone

    from taskgate.config.load import default_config
    from taskgate.monitor.run import MonitorOptions, monitor
    from tests.conftest import write_jsonl
    from tests.monitor.conftest import day_of_runs

    folder = tmp_path_factory.mktemp("monitor")
    files = []
    for index in range(9):
        day = date(2026, 11, 1) + timedelta(days=index)
        quiet = day_of_runs(day, 30, segment="plain")
        broken = index == 8
        hostile = day_of_runs(day, 30, seed=1, segment=HOSTILE, final=not broken)
        for number, run in enumerate(hostile):
            run["run_id"] = f"h-{day:%m%d}-{number}"
        files.append(str(write_jsonl(folder / f"{day}.jsonl", quiet + hostile)))
    options = MonitorOptions(now=datetime(2026, 11, 10, 0, 10, tzinfo=timezone.utc))
    return monitor(files, folder / "state.jsonl", default_config(), options)


DAY_9 = "2026-11-09T00:00:00Z"


def made_monitor_report(
    status: MonitorStatus, alerts: list[Alert], notices: list[Notice], judged: str | None = DAY_9
) -> MonitorReport:
    """A monitor report built by hand, without running the monitor."""
    return MonitorReport(
        taskgate_version="0.1.0",
        config_fingerprint="sha256:0",
        window="1d",
        judged_window=judged,
        trailing=7,
        inputs=[],
        status=status,
        exit_code=0 if status == "pass" else 1,
        judged_cohorts=0 if status == "not_judged" else 1,
        alerts=alerts,
        notices=notices,
        cohorts=[],
    )
