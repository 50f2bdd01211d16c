"""JUnit XML for CI test reporters (Jenkins, GitLab, GitHub Actions).

``<testsuites name="taskgate">`` holds one ``<testsuite name="taskgate.<rule>">`` per rule,
each with one ``<testcase>`` per cohort (and metric) the rule evaluated, named like
``tool_surface=mcp-identity task_completion`` (``all ...`` for the whole dataset,
``dataset`` for dataset-wide rules). What each outcome becomes:

- a ``fail`` finding: ``<failure>``, so the CI job fails as the gate did;
- a ``warn`` finding: a *passing* testcase whose ``<system-out>`` says ``WARN ...``.
  Not ``<skipped>``: reporters show skipped as "not run", but the check did run, and
  it must not fail the job. Jenkins and GitLab show a passing test's output on its page;
- ``<skipped>``: a check the gate did not make, for a cohort too small to judge;
- a line skipped as an invalid record: an ``<error>`` in the ``taskgate.input`` suite.

Testcases are the checks the gate recorded (``verdict.checks``: every cohort x metric it
judged against the bands and the baseline, coverage, every task whose state changed) and
then the findings; other rules appear through their findings only. Findings with the same
rule and name (several vanished cohorts of one dimension, say) share one testcase.

The tree is built with ElementTree and serialised once: attributes keep their insertion
order, so the same report gives the same bytes.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field

from taskgate.aggregate.cohorts import ALL
from taskgate.model.report import Check, Finding, Report, TaskSummary
from taskgate.report.coverage_line import coverage_line

INPUT_SUITE = "taskgate.input"
DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
# Characters XML 1.0 cannot carry at all, not even escaped.
_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SPACES = re.compile("[\t\n]")
_COUNTS = ("tests", "failures", "errors", "skipped")


def xml_safe(text: str) -> str:
    """Text with XML-illegal control characters replaced by U+FFFD, and line ends as ``\\n``
    (a parser would turn ``\\r`` into ``\\n`` anyway; this keeps the bytes the same)."""
    return _ILLEGAL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def _attribute(text: str) -> str:
    # A parser turns white space in attributes into spaces; doing it here keeps the bytes
    # independent of how each Python version escapes it.
    return _SPACES.sub(" ", xml_safe(text))


def xml_element(tag: str, text: str | None = None, **attributes: str) -> ET.Element:
    element = ET.Element(tag, {key: _attribute(value) for key, value in attributes.items()})
    if text is not None:
        element.text = xml_safe(text)
    return element


@dataclass
class Case:
    """One testcase: what the gate found for one rule and one cohort (and metric)."""

    findings: list[Finding] = field(default_factory=list)
    skipped: str | None = None
    """Why the gate did not make this check, when it did not."""
    note: str | None = None
    """What the check saw, for its output (coverage: which tasks ran)."""


Suites = dict[str, dict[str, Case]]


def case_name(dimension: str | None, cohort: str | None, metric: str | None) -> str:
    if dimension is None:
        where = "dataset"
    elif cohort is None or dimension == ALL:
        where = dimension
    else:
        where = f"{dimension}={cohort}"
    return f"{where} {metric}" if metric else where


def collect(report: Report) -> Suites:
    """Testcases by rule and name: every check the gate made, then every finding."""
    suites: Suites = {}
    changed = {task.task_id: task for task in report.tasks}
    for check in report.verdict.checks:
        note = None
        if check.rule == "coverage":
            note = coverage_line(report)
        elif check.task is not None and check.task in changed:
            note = task_change_note(changed[check.task])
        suites.setdefault(check.rule, {})[_name(check)] = Case(skipped=check.skipped, note=note)
    for finding in report.verdict.findings:
        case = suites.setdefault(finding.rule, {}).setdefault(_name(finding), Case())
        case.findings.append(finding)
    return suites


def _name(where: Check | Finding) -> str:
    if where.task is not None:
        return f"task {where.task}"
    return case_name(where.dimension, where.cohort, where.metric)


def task_change_note(task: TaskSummary) -> str:
    """E.g. "newly_failing: 4/4 passed in the baseline, 0/4 now (p=0.0143); runs a, b"."""
    return (
        f"{task.change}: {task.baseline_passed}/{task.baseline_trials} passed in the baseline, "
        f"{task.passed}/{task.trials} now (p={task.p_value:.4f}); runs {', '.join(task.runs)}"
    )


def _detail(finding: Finding) -> str:
    numbers = [
        f"{key}: {value:g}"
        for key, value in (("observed", finding.observed), ("limit", finding.limit))
        if value is not None
    ]
    return "\n".join([finding.message, *numbers])


def testcase(rule: str, name: str, case: Case) -> ET.Element:
    element = xml_element("testcase", classname=f"taskgate.{rule}", name=name, time="0")
    fails = [f for f in case.findings if f.level == "fail"]
    warns = [f for f in case.findings if f.level == "warn"]
    if fails:
        text = "\n\n".join(_detail(f) for f in fails)
        element.append(xml_element("failure", text, message=fails[0].message, type=rule))
    elif case.skipped is not None:
        element.append(xml_element("skipped", message=case.skipped))
    output = ([case.note] if case.note else []) + [f"WARN {f.message}" for f in warns]
    if output:
        element.append(xml_element("system-out", "\n".join(output)))
    return element


def input_case(problem: str) -> ET.Element:
    """A line skipped as an invalid record: ``source:line: what was wrong``."""
    element = xml_element("testcase", classname=INPUT_SUITE, name=problem.split(": ")[0], time="0")
    element.append(xml_element("error", problem, message=problem, type="invalid_record"))
    return element


def _counts(cases: list[ET.Element]) -> dict[str, int]:
    return {
        "tests": len(cases),
        "failures": sum(c.find("failure") is not None for c in cases),
        "errors": sum(c.find("error") is not None for c in cases),
        "skipped": sum(c.find("skipped") is not None for c in cases),
    }


def testsuite(name: str, cases: list[ET.Element]) -> tuple[ET.Element, dict[str, int]]:
    counts = _counts(cases)
    element = xml_element(
        "testsuite", name=name, **{k: str(v) for k, v in counts.items()}, time="0"
    )
    element.extend(cases)
    return element, counts


def _all_cases(report: Report) -> Iterator[tuple[str, list[ET.Element]]]:
    for rule, cases in collect(report).items():
        yield f"taskgate.{rule}", [testcase(rule, name, case) for name, case in cases.items()]
    if report.dataset.skipped:
        yield INPUT_SUITE, [input_case(problem) for problem in report.dataset.skipped]


def build_tree(report: Report) -> ET.Element:
    suites = [testsuite(name, cases) for name, cases in _all_cases(report)]
    totals = {key: sum(counts[key] for _, counts in suites) for key in _COUNTS}
    counts = {key: str(value) for key, value in totals.items()}
    root = xml_element("testsuites", name="taskgate", **counts, time="0")
    root.extend(element for element, _ in suites)
    return root


def render_junit(report: Report) -> bytes:
    root = build_tree(report)
    ET.indent(root, space="  ")
    return (DECLARATION + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")
