"""taskgate: a release gate for AI agents.

The Python API, the same one the ``taskgate`` command calls::

    import taskgate

    report = taskgate.score("runs.jsonl", baseline="baseline.json")
    if report.verdict.status == "fail":
        print(taskgate.render(report, "md"))

Names are imported on first use, so ``import taskgate`` (and ``taskgate --help``) stays
quick. See docs/api.md.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "score": "taskgate.api",
    "score_records": "taskgate.api",
    "score_runs": "taskgate.api",
    "gate_runs": "taskgate.api",
    "diff": "taskgate.api",
    "explain": "taskgate.api",
    "render": "taskgate.api",
    "summarise": "taskgate.api",
    "write_state": "taskgate.api",
    "monitor_runs": "taskgate.api",
    "load_config": "taskgate.config.load",
    "Config": "taskgate.config.model",
    "RunRecord": "taskgate.model.record",
    "Report": "taskgate.model.report",
    "Finding": "taskgate.model.report",
    "ScoredRuns": "taskgate.scoring.file",
    "Explanation": "taskgate.scoring.breakdown",
    "TaskgateError": "taskgate.errors",
    "InputError": "taskgate.errors",
    "ConfigError": "taskgate.errors",
    "WindowSummary": "taskgate.monitor.summary",
    "MonitorReport": "taskgate.model.monitor",
}

__all__ = [  # noqa: RUF022 (in the order of _PUBLIC)
    "__version__",
    "score",
    "score_records",
    "score_runs",
    "gate_runs",
    "diff",
    "explain",
    "render",
    "summarise",
    "write_state",
    "monitor_runs",
    "load_config",
    "Config",
    "RunRecord",
    "Report",
    "Finding",
    "ScoredRuns",
    "Explanation",
    "TaskgateError",
    "InputError",
    "ConfigError",
    "WindowSummary",
    "MonitorReport",
]

if TYPE_CHECKING:
    from taskgate.api import (
        diff,
        explain,
        gate_runs,
        monitor_runs,
        render,
        score,
        score_records,
        score_runs,
        summarise,
        write_state,
    )
    from taskgate.config.load import load_config
    from taskgate.config.model import Config
    from taskgate.errors import ConfigError, InputError, TaskgateError
    from taskgate.model.monitor import MonitorReport
    from taskgate.model.record import RunRecord
    from taskgate.model.report import Finding, Report
    from taskgate.monitor.summary import WindowSummary
    from taskgate.scoring.breakdown import Explanation
    from taskgate.scoring.file import ScoredRuns


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'taskgate' has no attribute {name!r}")
    value = getattr(import_module(_PUBLIC[name]), name)
    globals()[name] = value  # looked up once
    return value
