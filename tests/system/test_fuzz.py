"""Fuzzing the way in and the way out with hypothesis.

Any JSON value in any field of an otherwise valid record, written as a JSON line (with
NaN, Infinity and integers beyond 64 bits among the values), goes through the whole
pipeline: the reader, every evaluator, aggregation and the gate. Nothing may raise but
taskgate's own errors, and every score stays in [0, 1] or is null. Reports assembled from
fuzzed runs (any cohort names, task ids, reasons) go through every renderer.
"""

from __future__ import annotations

import copy
import json
import math
import os
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from taskgate.api import score
from taskgate.api.pipeline import assemble
from taskgate.config.load import default_config
from taskgate.errors import TaskgateError
from taskgate.model.report import Dataset, Report, RunResult
from taskgate.report import RENDERERS
from taskgate.report.terminal import render_summary, render_terminal

pytestmark = pytest.mark.system

EXAMPLES = int(os.environ.get("TASKGATE_FUZZ_EXAMPLES", "200"))
"""Examples per property; docs/guarantees.md's count is this times the properties below."""
settings.register_profile(
    "fuzz",
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
FUZZ = settings.get_profile("fuzz")

BASE: dict[str, Any] = {
    "run_id": "r-1",
    "task_id": "refund-17",
    "trial": 0,
    "cohort": {"segment": "enterprise", "variant": "planner-v2"},
    "task": {
        "description": "Refund order 1182",
        "expected_result": "Refund of $20.50 issued for order 1182",
        "success_criteria": [
            "receipt parsed",
            {"id": "refund_issued", "tool_called": "issue_refund"},
            {"result_contains": "20.50"},
            {"result_matches": "order \\d+"},
            {"observation_contains": "total"},
            {"not": {"tool_called": {"name": "delete_account", "arguments": {"id": 1}}}},
        ],
        "required_tools": ["parse_receipt", "issue_refund"],
        "forbidden_tools": ["delete_account"],
        "available_tools": ["parse_receipt", "issue_refund", "send_email"],
        "expected_calls": [
            {"name": "issue_refund", "arguments": {"order_id": "1182"}},
            {
                "name": "send_email",
                "arguments": {"body": "Refund issued", "amount": 20.5, "ref": "R-\\d+"},
                "match": {"body": "fuzzy", "amount": "numeric", "ref": "regex"},
                "turn": 1,
                "optional": True,
            },
        ],
        "call_order": "unordered",
        "outcome_match": "contains",
        "outcome_tolerance": 0.01,
        "write_tools": ["issue_refund", "delete_*"],
        "optimal_steps": 2,
        "step_budget": 20,
    },
    "steps": [
        {"role": "user", "message": "Please refund order 1182."},
        {"agent": "triage", "handoff": {"from": "triage", "to": "billing"}},
        {
            "thought": "parse it",
            "tool_calls": [
                {
                    "name": "parse_receipt",
                    "arguments": {"order_id": "1182"},
                    "result": {"total": 20.5},
                    "error": None,
                }
            ],
            "observation": "total 20.5",
            "is_final": False,
        },
        {"message": "Refund of $20.50 issued for order 1182.", "is_final": True},
    ],
    "final_result": "Refund of $20.50 issued for order 1182.",
    "status": "completed",
    "step_budget_exceeded": False,
    "usage": {"input_tokens": 5120, "output_tokens": 610, "cost_usd": 0.021, "latency_ms": 8400},
    "labels": {"reward": 1.0},
}


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """Every place in the record a value can stand: each key and list item, at every level."""
    if prefix:
        yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, (*prefix, index))


FIELDS = sorted(set(_paths(BASE)), key=str)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN and infinities included: json.dumps writes them as NaN/Infinity
    | st.text(max_size=30)
    | st.sampled_from(["", " ", "(a|a)*$", "[", "issue_refund", "completed", "1e400", "-0"])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=12,
)


def with_value(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    record = copy.deepcopy(BASE)
    target: Any = record
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return record


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def assert_scores_in_range(report: Report) -> None:
    for run in report.runs:
        for value in run.scores.values():
            assert value is None or (math.isfinite(value) and 0.0 <= value <= 1.0), run
    for cohort in report.cohorts:
        for metric in cohort.metrics.values():
            for value in (metric.mean, metric.tail, metric.pass_rate):
                assert value is None or 0.0 <= value <= 1.0
        assert cohort.pass_rate is None or 0.0 <= cohort.pass_rate <= 1.0
        assert 0 <= cohort.unjudged <= cohort.n


def render_everything(report: Report) -> None:
    for suffix, render in RENDERERS.items():
        data = render(report)
        assert isinstance(data, bytes)
        data.decode("utf-8")
        if suffix == ".json":
            json.loads(data)
        if suffix == ".xml":
            ET.fromstring(data)
    from rich.console import Console

    console = Console(width=140, file=open(os.devnull, "w"), color_system=None)  # noqa: SIM115
    console.print(render_terminal(report, 140))
    console.print(render_summary(report))
    console.file.close()


def score_lines(folder: Path, lines: list[str]) -> Report | None:
    path = folder / "runs.jsonl"
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    try:
        report = score(str(path), config=default_config())
    except TaskgateError as error:
        event(f"refused: {type(error).__name__}")
        return None
    event("scored" if report.dataset.invalid == 0 else "scored, lines skipped")
    return report


@FUZZ
@given(path=st.sampled_from(FIELDS), value=json_values)
def test_any_value_in_any_field_scores_or_is_refused_cleanly(
    folder: Path, path: tuple[str | int, ...], value: Any
) -> None:
    line = json.dumps(with_value(path, value))
    report = score_lines(folder, [line, json.dumps(BASE | {"run_id": "r-2"})])
    if report is not None:
        assert_scores_in_range(report)
        render_everything(report)


def well_typed(original: Any) -> st.SearchStrategy[Any]:
    """Values of the type the field had: mostly accepted, so the evaluators see them."""
    if isinstance(original, bool):
        return st.booleans()
    if isinstance(original, int):
        return st.integers(min_value=0, max_value=10**6)
    if isinstance(original, float):
        return st.floats(min_value=0.0, max_value=1e6)
    if isinstance(original, str):
        return st.text(max_size=40) | st.sampled_from(["issue_refund", "parse_receipt", "1182"])
    return json_values


@FUZZ
@given(data=st.data())
def test_well_typed_values_score_in_range(folder: Path, data: st.DataObject) -> None:
    record = copy.deepcopy(BASE)
    for path in data.draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=8)):
        try:
            original = _get(record, path)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced the container this path goes through
        record = _set(record, path, data.draw(well_typed(original)))
    report = score_lines(folder, [json.dumps(record)])
    if report is not None:
        assert_scores_in_range(report)


def _get(record: dict[str, Any], path: tuple[str | int, ...]) -> Any:
    target: Any = record
    for part in path:
        if not isinstance(target, dict | list):  # "abc"[0] would pass for a list item
            raise TypeError(part)
        target = target[part]
    return target


@FUZZ
@given(changes=st.lists(st.tuples(st.sampled_from(FIELDS), json_values), min_size=1, max_size=6))
def test_several_fuzzed_fields_in_one_record(
    folder: Path, changes: list[tuple[tuple[str | int, ...], Any]]
) -> None:
    record = copy.deepcopy(BASE)
    for path, value in changes:
        try:
            record = _set(record, path, value)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced the container this path goes through
    report = score_lines(folder, [json.dumps(record)])
    if report is not None:
        assert_scores_in_range(report)


def _set(record: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    target: Any = record
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return record


@FUZZ
@given(data=st.binary(max_size=300))
def test_any_bytes_are_read_or_refused_cleanly(folder: Path, data: bytes) -> None:
    path = folder / "bytes.jsonl"
    path.write_bytes(data)
    try:
        report = score(str(path), config=default_config())
    except TaskgateError:
        return
    assert_scores_in_range(report)


names = st.text(min_size=1, max_size=20)


@st.composite
def fuzzed_runs(draw: st.DrawFn) -> list[RunResult]:
    count = draw(st.integers(min_value=1, max_value=12))
    dimension = draw(names)
    runs = []
    for index in range(count):
        score_value = draw(st.none() | st.floats(min_value=0.0, max_value=1.0))
        passed = draw(st.booleans())
        runs.append(
            RunResult(
                run_id=f"{draw(names)}-{index}",
                task_id=draw(names),
                trial=draw(st.none() | st.integers(min_value=0, max_value=3)),
                cohort={dimension: draw(names)},
                scores={
                    "task_completion": score_value,
                    "goal_progress": draw(st.none() | st.floats(0.0, 1.0)),
                    "tool_selection": draw(st.none() | st.floats(0.0, 1.0)),
                    "function_calls": draw(st.none() | st.floats(0.0, 1.0)),
                    "step_efficiency": draw(st.none() | st.floats(0.0, 1.0)),
                    "trajectory_score": draw(st.none() | st.floats(0.0, 1.0)),
                },
                passed=passed,
                failure_shape="passed" if passed else draw(st.sampled_from(["other", "x"])),
                diagnosis=None if passed else draw(st.none() | names),
                reason=draw(st.text(max_size=60)),
                status=draw(st.sampled_from(["completed", "error", "timeout"])),
                underspecified=draw(st.booleans()),
                step_budget_exceeded=draw(st.booleans()),
                steps=draw(st.integers(min_value=0, max_value=10_000)),
                cost_usd=draw(st.none() | st.floats(min_value=0.0, max_value=1e6)),
                tokens=draw(st.none() | st.integers(min_value=0, max_value=2**40)),
            )
        )
    return runs


@FUZZ
@given(runs=fuzzed_runs(), source=st.text(max_size=40))
def test_renderers_take_any_names(runs: list[RunResult], source: str) -> None:
    config = default_config()
    ids = [run.run_id for run in runs]
    dimensions = sorted({key for run in runs for key in run.cohort})
    dataset = Dataset(
        source=source,
        runs=len(runs),
        invalid=0,
        underspecified=sum(run.underspecified for run in runs),
        sha256="0" * 64,
    )
    report = assemble(runs, dataset, dimensions, config)
    assert [run.run_id for run in report.runs] == ids
    assert_scores_in_range(report)
    render_everything(report)
    baseline = assemble(runs, dataset, dimensions, config)
    compared = assemble(runs, dataset, dimensions, config, (baseline, "baseline.json"))
    render_everything(compared)


def test_every_field_is_fuzzed() -> None:
    assert len(FIELDS) > 60
    assert ("task", "success_criteria", 5, "not", "tool_called", "arguments", "id") in FIELDS


@pytest.fixture(scope="module")
def small_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real report of two runs, as JSON: the document the baseline fuzzing mutates."""
    path = tmp_path_factory.mktemp("baseline") / "runs.jsonl"
    path.write_text(json.dumps(BASE) + "\n" + json.dumps(BASE | {"run_id": "r-2"}) + "\n")
    report: dict[str, Any] = json.loads(RENDERERS[".json"](score(str(path))))
    return report


@FUZZ
@given(data=st.data())
def test_any_baseline_is_compared_or_refused_cleanly(
    folder: Path, small_report: dict[str, Any], data: st.DataObject
) -> None:
    from taskgate.compare.baseline import load_report

    document = copy.deepcopy(small_report)
    path = data.draw(st.sampled_from(sorted(set(_paths(document)), key=str)))
    document = _set(document, path, data.draw(json_values))
    baseline_path = folder / "baseline.json"
    baseline_path.write_text(json.dumps(document))
    try:
        baseline = load_report(baseline_path)
    except TaskgateError as error:
        event(f"refused: {type(error).__name__}")
        return
    event("compared")
    current = Report.model_validate(small_report)
    compared = assemble(
        current.runs, current.dataset, ["segment", "variant"], default_config(), (baseline, "b")
    )
    assert_scores_in_range(compared)
    render_everything(compared)


config_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=15), inner),
    max_leaves=8,
)
CONFIG_KEYS = [
    ("version",),
    ("cohorts",),
    ("evaluators", "task_completion", "weights", "outcome"),
    ("evaluators", "trajectory_score", "weights"),
    ("evaluators", "function_calls", "order"),
    ("thresholds", "task_completion", "green"),
    ("gate", "fail_on"),
    ("gate", "tail", "max_gap"),
    ("gate", "regression", "metrics"),
    ("gate", "invalid_runs", "max"),
]


@FUZZ
@given(key=st.sampled_from(CONFIG_KEYS), value=config_values, raw=st.text(max_size=80))
def test_any_config_is_read_or_refused_cleanly(
    folder: Path, key: tuple[str, ...], value: Any, raw: str
) -> None:
    import yaml

    from taskgate.config.load import load_config
    from taskgate.config.model import Config
    from taskgate.errors import ConfigError

    document: Any = value
    for part in reversed(key):
        document = {part: document}
    for text in (yaml.safe_dump(document), raw):
        path = folder / "taskgate.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            config = load_config(path)
        except ConfigError as error:
            event(f"refused: {type(error).__name__}")
            # Every refusal says where: the file, and something to act on.
            assert error.problems, error.message
            assert all(p.source == str(path) and p.message for p in error.problems)
            assert error.message.startswith(f"{path}: the config ")
        else:
            event("accepted")
            # What was accepted is a whole config: it survives a round trip unchanged.
            assert Config.model_validate(config.model_dump()) == config
