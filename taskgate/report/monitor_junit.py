"""The monitor's JUnit XML, for the CI job that runs it on a schedule.

``<testsuites name="taskgate monitor">`` holds one ``<testsuite name="taskgate.monitor">``:

- a ``verdict`` testcase, failing when the monitor could not judge (``NOT JUDGED`` exits 1,
  and a reporter that showed only the cohorts would show every one skipped and nothing
  failed), its output the verdict line and the notices of no one cohort (a changed config,
  runs from a clock ahead, invalid records let through);
- one testcase per cohort, named as the gate's JUnit names cohorts (``all``,
  ``segment=smb``): ``<failure>`` for its ``fail`` alerts; ``<skipped>`` when it was not
  judged (too few runs, too short a history); its ``warn`` alerts and other notices in
  ``<system-out>`` as ``WARN ...`` and ``NOTE ...`` lines of a testcase that still passes.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from taskgate.model.monitor import Alert, MonitorReport, Notice
from taskgate.report.junit import DECLARATION, case_name, testsuite, xml_element
from taskgate.report.monitor_terminal import status_line

SUITE = "taskgate.monitor"
UNJUDGED = ("small_window", "short_history")


def _detail(alert: Alert) -> str:
    numbers = [f"observed: {alert.observed:g}"]
    if alert.expected is not None:
        numbers.append(f"expected: {alert.expected:g}")
    numbers.append(f"limit: {alert.limit:g}")
    if alert.p_value is not None:
        numbers.append(f"p: {alert.p_value:g}")
    return "\n".join([alert.message, *numbers])


def _cohorts(report: MonitorReport) -> list[tuple[str, str]]:
    """Every cohort the report shows, its series first, then those only alerts or notices
    name (in the order they name them)."""
    found = [(series.dimension, series.cohort) for series in report.cohorts]
    named = [(a.dimension, a.cohort) for a in report.alerts] + [
        (n.dimension, n.cohort or "") for n in report.notices if n.dimension is not None
    ]
    for pair in named:
        if pair not in found:
            found.append(pair)
    return found


def _cohort_case(
    dimension: str, cohort: str, alerts: list[Alert], notices: list[Notice]
) -> ET.Element:
    name = case_name(dimension, cohort, None)
    element = xml_element("testcase", classname=SUITE, name=name, time="0")
    fails = [alert for alert in alerts if alert.level == "fail"]
    unjudged = [notice for notice in notices if notice.kind in UNJUDGED]
    if fails:
        text = "\n\n".join(_detail(alert) for alert in fails)
        element.append(xml_element("failure", text, message=fails[0].message, type=fails[0].rule))
    elif unjudged:
        element.append(xml_element("skipped", message=unjudged[0].message))
    output = [f"WARN {a.message}" for a in alerts if a.level == "warn"]
    output += [f"NOTE {n.message}" for n in notices if not (n in unjudged and not fails)]
    if output:
        element.append(xml_element("system-out", "\n".join(output)))
    return element


def _verdict_case(report: MonitorReport) -> ET.Element:
    element = xml_element("testcase", classname=SUITE, name="verdict", time="0")
    said = status_line(report).plain
    if report.status == "not_judged":
        element.append(xml_element("failure", said, message=said, type="not_judged"))
    general = [f"NOTE {n.message}" for n in report.notices if n.dimension is None]
    element.append(xml_element("system-out", "\n".join([said, *general])))
    return element


def build_monitor_tree(report: MonitorReport) -> ET.Element:
    cases = [_verdict_case(report)]
    for dimension, cohort in _cohorts(report):
        alerts = [a for a in report.alerts if (a.dimension, a.cohort) == (dimension, cohort)]
        notices = [
            n for n in report.notices if n.dimension == dimension and (n.cohort or "") == cohort
        ]
        cases.append(_cohort_case(dimension, cohort, alerts, notices))
    suite, counts = testsuite(SUITE, cases)
    root = xml_element(
        "testsuites", name="taskgate monitor", **{k: str(v) for k, v in counts.items()}, time="0"
    )
    root.append(suite)
    return root


def render_monitor_junit(report: MonitorReport) -> bytes:
    root = build_monitor_tree(report)
    ET.indent(root, space="  ")
    return (DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")
