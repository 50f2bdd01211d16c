from __future__ import annotations

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
