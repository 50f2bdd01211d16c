"""How often does ``taskgate monitor`` alert on months where nothing happened, and does it
catch the incidents planted in one where things did?

Each month comes from fixtures/monitor/generate.py. It is delivered the way a daily sample
is (a file a day, 1% of runs a day late) and monitored the way cron would: just after
midnight, the day's file is added to the state and the day that just ended is judged. A
judged cohort-window is one the monitor compared (not said to be too small or too new).

    python benchmarks/monitor_calibration.py --months 20
    python benchmarks/monitor_calibration.py --incidents

The false-alert rate is alerts per judged cohort-window on quiet months, by rule and level.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from taskgate.config.load import default_config
from taskgate.config.model import Config
from taskgate.model.monitor import Alert, MonitorReport
from taskgate.monitor.run import UNJUDGED, MonitorOptions, monitor

ROOT = Path(__file__).resolve().parent.parent


def _generator() -> ModuleType:
    path = ROOT / "fixtures" / "monitor" / "generate.py"
    spec = importlib.util.spec_from_file_location("monitor_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


generate = _generator()


@dataclass(frozen=True)
class Day:
    """One daily monitor run: the file it added and what it found."""

    delivered: date
    report: MonitorReport

    @property
    def judged(self) -> date | None:
        """The day judged: the newest complete window (the delivery day's, unless that file
        holds only late runs of the day before)."""
        window = self.report.judged_window
        return None if window is None else date.fromisoformat(window[:10])

    @property
    def judged_cohorts(self) -> set[tuple[str, str]]:
        """The (dimension, cohort) pairs compared in the judged window."""
        unjudged = {
            (notice.dimension, notice.cohort)
            for notice in self.report.notices
            if notice.kind in UNJUDGED
        }
        cohorts = {(series.dimension, series.cohort) for series in self.report.cohorts}
        return {pair for pair in cohorts if pair not in unjudged}


def daily(
    records: Iterable[dict[str, Any]], folder: Path, config: Config | None = None
) -> list[Day]:
    """Monitor ``records`` a delivery day at a time, each run just after midnight judging
    the day that ended; the days of the records judged."""
    config = config or default_config()
    state = folder / "state.jsonl"
    records = list(records)
    sampled = {date.fromisoformat(record["started_at"][:10]) for record in records}
    days: list[Day] = []
    for day, found in sorted(generate.by_delivery_day(records).items()):
        path = folder / f"{day}.jsonl"
        generate.write(path, found)
        now = datetime.combine(day + timedelta(days=1), time(0, 10), tzinfo=timezone.utc)
        report = monitor([str(path)], state, config, MonitorOptions(now=now))
        done = Day(day, report)
        if done.judged in sampled:  # not the day after the month, of late runs alone
            days.append(done)
    return days


def quiet_months(months: int, first_seed: int = 1000) -> tuple[Counter[str], int]:
    """Alerts by ``rule/level`` over ``months`` quiet months, and the cohort-windows judged."""
    alerts: Counter[str] = Counter()
    judged = 0
    for seed in range(first_seed, first_seed + months):
        with tempfile.TemporaryDirectory() as folder:
            for day in daily(generate.month(seed=seed, quiet=True), Path(folder)):
                judged += len(day.judged_cohorts)
                alerts.update(f"{alert.rule}/{alert.level}" for alert in day.report.alerts)
    return alerts, judged


def first_alerts(days: list[Day]) -> dict[tuple[str, str], date]:
    """The first judged day each (rule, cohort) alerted on."""
    first: dict[tuple[str, str], date] = {}
    for day in days:
        for alert in day.report.alerts:
            first.setdefault((alert.rule, alert.cohort), date.fromisoformat(alert.window[:10]))
    return first


def _line(alert: Alert) -> str:
    return f"{alert.window[:10]} {alert.level:4} {alert.rule:14} {alert.cohort:10} {alert.message}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--months", type=int, default=20, help="quiet months to monitor")
    parser.add_argument("--incidents", action="store_true", help="monitor the planted month")
    args = parser.parse_args()
    if args.incidents:
        with tempfile.TemporaryDirectory() as folder:
            for day in daily(generate.month(), Path(folder)):
                for alert in day.report.alerts:
                    print(_line(alert))
        return 0
    alerts, judged = quiet_months(args.months)
    total = sum(alerts.values())
    fails = sum(count for key, count in alerts.items() if key.endswith("/fail"))
    print(f"{args.months} quiet months, {judged} cohort-windows judged")
    print(f"alerts: {total} ({total / judged:.2%} of judged cohort-windows)")
    print(f"fail alerts: {fails} ({fails / judged:.2%})")
    for key, count in sorted(alerts.items()):
        print(f"  {key}: {count} ({count / judged:.2%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
