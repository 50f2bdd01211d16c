"""Cohort values are labels: normalised, bounded, and never taskgate's own names."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from taskgate.aggregate.cohort_bounds import split_dimensions
from taskgate.api import score
from taskgate.cli import app
from taskgate.config.gate_settings import CohortValuesRule
from taskgate.config.model import Config
from taskgate.model.record import RunRecord
from tests.conftest import make_result, write_jsonl

runner = CliRunner()


def _record(cohort: dict[str, Any]) -> RunRecord:
    return RunRecord.model_validate({"run_id": "r", "task_id": "t", "cohort": cohort})


@pytest.mark.parametrize("value", [1, 1.0, "1", 1e0, True])
def test_numbers_are_labels_by_value(value: Any) -> None:
    expected = "true" if value is True else "1"
    assert _record({"k": value}).cohort == {"k": expected}


def test_a_hundred_written_two_ways_is_one_cohort() -> None:
    assert _record({"k": 100}).cohort == _record({"k": 1e2}).cohort == {"k": "100"}
    assert _record({"k": 0.5}).cohort == {"k": "0.5"}
    assert _record({"k": -0.0}).cohort == {"k": "0"}
    assert _record({"k": 2.0**60}).cohort == {"k": str(2.0**60)}  # past exact integers


def test_composed_and_decomposed_spellings_are_one_cohort() -> None:
    composed, decomposed = "Caf\u00e9", "Cafe\u0301"
    assert _record({"team": decomposed}).cohort == {"team": composed}
    assert _record({"t\u0065\u0301am": "x"}).cohort == {"t\u00e9am": "x"}


@given(st.text(min_size=1))
def test_every_value_is_stored_in_nfc(text: str) -> None:
    stored = _record({"k": text}).cohort["k"]
    assert stored == unicodedata.normalize("NFC", text)


@pytest.mark.parametrize("key", ["all", "step_budget_exceeded"])
def test_taskgates_own_keys_are_refused_in_a_run(key: str) -> None:
    with pytest.raises(ValidationError) as caught:
        _record({key: "x"})
    assert "is taskgate's own" in str(caught.value)


def test_taskgates_own_keys_are_refused_by_cohort_and_by_the_config(tmp_path: Path) -> None:
    runs = write_jsonl(tmp_path / "runs.jsonl", [{"run_id": "r", "task_id": "t", "steps": []}])
    result = runner.invoke(app, ["score", str(runs), "--cohort", "all"])
    assert (result.exit_code, result.output.splitlines()) == (
        2,
        [
            "error: reserved cohort dimension: check --cohort",
            f"{runs}: cohort: --cohort all: 'all' is always reported (the cohort of every run); "
            "name keys of the runs' cohort objects",
        ],
    )
    with pytest.raises(ValidationError) as caught:
        Config.model_validate({"cohorts": ["segment", "step_budget_exceeded"]})
    assert "'step_budget_exceeded' is always reported" in str(caught.value)


RULE = CohortValuesRule(max_values=3, max_length=5)


def test_a_dimension_over_the_limits_is_counted_not_broken_down() -> None:
    runs = [
        make_result(f"r{i}", "t", cohort={"id": f"v{i}", "team": "a", "note": "long text"})
        for i in range(4)
    ]
    kept, wide = split_dimensions(runs, ["id", "team", "note"], RULE)
    assert kept == ["team"]
    assert [(d.name, d.cohorts, d.broken_down, d.longest_value) for d in wide] == [
        ("id", 4, False, 2),
        ("note", 1, False, 9),
    ]
    at_limit = [make_result(f"r{i}", "t", cohort={"id": f"v{i}"}) for i in range(3)]
    assert split_dimensions(at_limit, ["id"], RULE) == (["id"], [])


def test_a_wide_dimension_is_said_and_has_no_cohorts(tmp_path: Path) -> None:
    records = [
        {
            "run_id": f"r{i}",
            "task_id": f"t{i % 5}",
            "cohort": {"session": f"s{i}", "team": "a"},
            "task": {"description": "d", "expected_result": "x"},
            "steps": [{"message": "x", "is_final": True}],
            "final_result": "x",
        }
        for i in range(300)
    ]
    report = score(write_jsonl(tmp_path / "runs.jsonl", records))
    assert {c.dimension for c in report.cohorts} == {"all", "team", "step_budget_exceeded"}
    [finding] = [f for f in report.verdict.findings if f.rule == "cohort_values"]
    assert (finding.level, finding.dimension, finding.observed, finding.limit) == (
        "warn",
        "session",
        300,
        200,
    )
    assert finding.message == (
        "session: 300 distinct values, more than gate.cohort_values.max_values 200; its cohorts "
        "were not judged. Is it an id or a free text? Leave it out of cohorts: (or --cohort), "
        "or raise the limit"
    )
    off = Config.model_validate({"gate": {"cohort_values": {"level": "off"}}})
    findings = score(tmp_path / "runs.jsonl", config=off).verdict.findings
    assert not any(f.rule == "cohort_values" for f in findings)


def test_cohort_names_asked_for_are_normalised_as_the_keys_are(tmp_path: Path) -> None:
    records = [
        {"run_id": f"r{i}", "task_id": "t", "cohort": {"Caf\u00e9": "a"}, "steps": []}
        for i in range(2)
    ]
    path = write_jsonl(tmp_path / "runs.jsonl", records)
    result = runner.invoke(app, ["score", str(path), "--cohort", "Cafe\u0301"])
    assert result.exit_code in (0, 1), result.output
