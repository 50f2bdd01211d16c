"""Production-like runs for the monitor's tests, made to order."""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from taskgate.monitor.summary import WindowSummary
from tests.conftest import write_jsonl

DAY = timedelta(days=1)


def prod_run(
    run_id: str,
    started: datetime,
    *,
    segment: str = "a",
    steps: int = 4,
    final: bool = True,
    cost: float | None = 0.01,
    latency_ms: float | None = 3000.0,
    infrastructure: bool = False,
    criteria: bool = True,
    met: bool = True,
) -> dict[str, Any]:
    """One production run: ``steps - 1`` tool steps then, when ``final``, a final step."""
    body: list[dict[str, Any]] = [
        {"tool_calls": [{"name": "lookup", "arguments": {"k": k}, "result": "ok"}]}
        for k in range(steps - 1 if final else steps)
    ]
    answer = "the order was refunded" if met else "sorry, something went wrong"
    record: dict[str, Any] = {
        "run_id": run_id,
        "task_id": f"t-{int(run_id.rsplit('-', 1)[-1]) % 5}",
        "started_at": started.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "cohort": {"segment": segment},
        "task": {"description": "refund the order"},
        "steps": body,
        "status": "completed",
        "usage": {},
    }
    if criteria:
        record["task"]["success_criteria"] = ["refunded"]
    if final:
        body.append({"message": answer, "is_final": True})
        record["final_result"] = answer
    if infrastructure:
        record.update(status="error", error_kind="infrastructure")
        record.pop("final_result", None)
    if cost is not None:
        record["usage"]["cost_usd"] = cost
    if latency_ms is not None:
        record["usage"]["latency_ms"] = latency_ms
    return record


def day_of_runs(
    day: date, count: int = 40, *, seed: int = 0, **changes: Any
) -> list[dict[str, Any]]:
    """``count`` quiet runs of segment a spread over ``day``; ``changes`` apply to all."""
    rng = random.Random(f"{seed}-{day}")
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc)
    runs = []
    for i in range(count):
        fields: dict[str, Any] = {"steps": rng.choice((3, 4, 4, 5, 5, 6)), **changes}
        moment = start + timedelta(seconds=rng.randrange(86_400))
        runs.append(prod_run(f"{day:%m%d}-{i}", moment, **fields))
    return runs


def write_days(folder: Path, first: date, days: int, count: int = 40, **changes: Any) -> list[Path]:
    """A file of quiet runs per day from ``first``."""
    return [
        write_jsonl(folder / f"{first + DAY * n}.jsonl", day_of_runs(first + DAY * n, count))
        for n in range(days)
    ]


def window_summary(
    day: int, steps: dict[int, int], *, final: int | None = None, infrastructure: int = 0
) -> WindowSummary:
    """Day ``day`` of November 2026 as a window of runs that completed, with the step
    counts given, and ``infrastructure`` runs more that the infrastructure failed."""
    agent = sum(steps.values())
    n = agent + infrastructure
    return WindowSummary(
        window="1d",
        start=f"{date(2026, 11, 1) + timedelta(days=day):%Y-%m-%d}T00:00:00Z",
        dimension="segment",
        cohort="a",
        sources=("0" * 64,),
        config_fingerprint="f" * 16,
        n=n,
        completed=agent,
        errors=0,
        infrastructure=infrastructure,
        final_step=agent if final is None else final,
        budget_exceeded=0,
        tool_calls=0,
        tool_errors=0,
        judged=0,
        passed=0,
        steps=tuple(sorted(steps.items())),
        cost_runs=0,
        cost_micro_usd=0,
        token_runs=0,
        tokens=0,
        latency=(),
        scores={},
    )
