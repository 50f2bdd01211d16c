"""A month of production samples with planted incidents (fixtures/monitor/generate.py),
monitored a day at a time as cron would: each incident raises its alerts in the first
window it shows in, on the cohorts it hit, and no other window or cohort alerts."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import orjson
import pytest

from tests.conftest import FIXTURES


def _load(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


generate = _load("monitor_generate", FIXTURES / "monitor" / "generate.py")
calibration = _load(
    "monitor_calibration", FIXTURES.parent / "benchmarks" / "monitor_calibration.py"
)
START = generate.START


@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory) -> list[Any]:
    records = list(generate.month())
    days: list[Any] = calibration.daily(records, tmp_path_factory.mktemp("month"))
    return days


def _day(index: int) -> date:
    return START + timedelta(days=index)


def _incident_days(cohort: str) -> set[date]:
    """The days an incident touches ``cohort`` ('all' is touched by every one), and the
    trailing week after each, whose windows compare with them."""
    touched = set()
    for incident in generate.INCIDENTS:
        if cohort != "all" and cohort not in incident.segments:
            continue
        last = generate.DAYS - 1 if incident.last_day is None else incident.last_day
        for index in range(incident.first_day, min(generate.DAYS, last + 8)):
            touched.add(_day(index))
    return touched


def test_the_bundled_month_is_what_the_generator_writes() -> None:
    bundled = gzip.decompress((FIXTURES / "monitor" / "month.jsonl.gz").read_bytes())
    assert bundled == generate.dump(generate.month())


def test_the_month_has_its_runs_and_cohorts() -> None:
    records = list(generate.month())
    assert len(records) == 6516
    assert {record["cohort"]["segment"] for record in records} == set(generate.SEGMENTS)
    first = orjson.loads(generate.dump(records[:1]))
    assert first["started_at"] == "2026-11-01T00:05:14Z"
    assert len(first["trace_id"]) == 32 and len(first["span_id"]) == 16


@pytest.mark.parametrize("incident", generate.INCIDENTS, ids=lambda incident: incident.name)
def test_each_incident_alerts_in_the_first_window_it_shows_in(
    month: list[Any], incident: Any
) -> None:
    first = calibration.first_alerts(month)
    day = _day(incident.first_day)
    for segment in incident.segments:
        for rule in incident.alerts:
            assert first.get((rule, segment)) == day, (rule, segment)


def test_the_alerts_of_each_window_are_those_of_its_incidents(month: list[Any]) -> None:
    planted = {
        (rule, segment, _day(incident.first_day))
        for incident in generate.INCIDENTS
        for rule in incident.alerts
        for segment in incident.segments
    }
    firsts = {
        (rule, cohort, day) for (rule, cohort), day in calibration.first_alerts(month).items()
    }
    assert planted <= firsts
    rules_of = {
        segment: {rule for i in generate.INCIDENTS if segment in i.segments for rule in i.alerts}
        for segment in generate.SEGMENTS
    }
    # What an incident may also move: a completion drop moves completion, pass rate and the
    # tail; more steps are more steps in 'all' too, and more runs out of their budget.
    related = {"final_step": {"completion", "pass_rate", "tail"}, "steps": {"budget"}}
    for day in month:
        for alert in day.report.alerts:
            cohort = alert.cohort
            assert day.judged in _incident_days(cohort), (day.judged, alert.message)
            allowed = set().union(*rules_of.values()) if cohort == "all" else rules_of[cohort]
            allowed = allowed | {extra for rule in allowed for extra in related.get(rule, set())}
            assert alert.rule in allowed, (day.judged, cohort, alert.message)


@pytest.mark.system  # a second month of daily runs: ten seconds more
def test_the_month_without_its_incidents_raises_no_alert(tmp_path: Path) -> None:
    # The same draws with nothing planted. Quiet months in general alert now and then, at
    # the rate benchmarks/monitor_calibration.py measures (the README has it).
    days = calibration.daily(generate.month(seed=0, quiet=True), tmp_path)
    assert [alert.message for day in days for alert in day.report.alerts] == []
    judged = [len(day.judged_cohorts) for day in days]
    # Three trailing days are needed before a day is judged: then every cohort is.
    assert judged[:3] == [0, 0, 0]
    assert set(judged[3:]) == {4}
    assert [day.report.status for day in days[:3]] == ["not_judged"] * 3
