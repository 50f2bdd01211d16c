"""The monitor's JSON report, and the schema `taskgate schema monitor` prints for it."""

from __future__ import annotations

import json
from typing import Any

from taskgate.model.monitor import MonitorReport
from taskgate.report.json import render_monitor_json


def definition(schema: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = schema["$defs"][name]
    return found


def test_the_schema_names_every_field_the_report_writes(monitor_failing: MonitorReport) -> None:
    written = json.loads(render_monitor_json(monitor_failing))
    schema = MonitorReport.model_json_schema()
    assert (
        set(written)
        == set(schema["properties"])
        == set(schema["required"]) | {"monitor_report_version"}
    )
    alert = definition(schema, "Alert")
    assert all(set(item) == set(alert["properties"]) for item in written["alerts"])
    assert set(written["notices"][0]) == set(definition(schema, "Notice")["properties"])
    assert schema["properties"]["status"]["enum"] == ["pass", "fail", "not_judged"]
    rules = alert["properties"]["rule"]["enum"]
    assert {"budget", "tool_errors", "tokens", "vanished"} <= set(rules)
