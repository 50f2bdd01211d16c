from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, settings

from taskgate.model.record import RunRecord
from taskgate.model.report import RunResult
from taskgate.scoring.context import RunContext

# These machines are shared: how long a test or its input generation takes is noise, never a
# result (speed is measured by benchmarks/). Properties judge values only.
settings.register_profile("taskgate", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("taskgate")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def make_record(**fields: Any) -> RunRecord:
    """A valid record with the given fields; run_id and task_id filled in."""
    return RunRecord.model_validate({"run_id": "r-1", "task_id": "t-1", **fields})


def make_context(**fields: Any) -> RunContext:
    return RunContext(make_record(**fields))


def make_result(run_id: str, task_id: str, **fields: Any) -> RunResult:
    """A scored run with neutral defaults (passed, completed, one step, no scores)."""
    defaults: dict[str, Any] = {
        "trial": None,
        "cohort": {},
        "scores": {},
        "passed": True,
        "reason": "",
        "status": "completed",
        "underspecified": False,
        "step_budget_exceeded": False,
        "steps": 1,
    }
    return RunResult(run_id=run_id, task_id=task_id, **{**defaults, **fields})


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


@pytest.fixture
def fixtures_dir() -> Path:
    return FIXTURES


SYSTEM_TESTS = "TASKGATE_SYSTEM_TESTS"
"""Set to 1 to run the system tests too; CI (.ci/run) does."""


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"system: long system tests (faults, fuzz, determinism, the action, calibration); "
        f"left out of the default run, run in CI and with {SYSTEM_TESTS}=1",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Leave out the system tests unless asked for (the variable, or ``-m`` naming them)."""
    if os.environ.get(SYSTEM_TESTS) == "1" or "system" in (config.option.markexpr or ""):
        return
    kept = [item for item in items if item.get_closest_marker("system") is None]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
