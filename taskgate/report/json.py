"""The JSON report (also the baseline format) and the per-run JSONL stream."""

from __future__ import annotations

import orjson

from taskgate.model.monitor import MonitorReport
from taskgate.model.report import Report


def render_json(report: Report) -> bytes:
    return orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_INDENT_2) + b"\n"


def render_jsonl(report: Report) -> bytes:
    return b"".join(orjson.dumps(run.model_dump(mode="json")) + b"\n" for run in report.runs)


def render_monitor_json(report: MonitorReport) -> bytes:
    return orjson.dumps(report.model_dump(mode="json"), option=orjson.OPT_INDENT_2) + b"\n"
