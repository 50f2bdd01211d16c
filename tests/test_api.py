"""The public API: the names ``taskgate`` exports, and that each gives what the CLI does."""

from __future__ import annotations

import itertools
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import taskgate
from taskgate.errors import InputError

FIXTURES = Path(__file__).parent.parent / "fixtures"
GOLDEN = FIXTURES / "golden.jsonl"
RECORDS: list[dict[str, Any]] = [orjson.loads(line) for line in GOLDEN.read_bytes().splitlines()]


def _written(tmp_path: Path, records: list[dict[str, Any]]) -> Path:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b"".join(orjson.dumps(record) + b"\n" for record in records))
    return path


def test_score_records_gives_the_report_score_gives_for_the_same_lines(tmp_path: Path) -> None:
    path = _written(tmp_path, RECORDS)
    from_file = taskgate.score(path, baseline=FIXTURES / "baseline.json")
    from_records = taskgate.score_records(
        RECORDS, baseline=FIXTURES / "baseline.json", source=str(path)
    )
    assert taskgate.render(from_records, "json") == taskgate.render(from_file, "json")


def test_records_are_named_by_their_position_when_invalid() -> None:
    records = [RECORDS[0], {"run_id": "x"}, *RECORDS[1:20]]
    with pytest.raises(InputError) as caught:
        taskgate.score_records(records)
    assert caught.value.problems[0].source == "<records>"
    assert caught.value.problems[0].line == 2
    assert str(caught.value).startswith(
        "<records>: 1 of 21 records are not valid run records (gate.invalid_runs.max allows 0)"
    )


def test_a_value_json_cannot_hold_is_an_input_error() -> None:
    with pytest.raises(InputError) as caught:
        taskgate.score_records([RECORDS[0], {"run_id": {1, 2}}])
    assert [str(p) for p in caught.value.problems] == [
        "<records>:2: cannot be written as JSON (Type is not JSON serializable: set); "
        "give JSON values only"
    ]


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, len(RECORDS) - 1), max_size=4, unique=True))
def test_parts_gated_together_judge_as_the_whole(cuts: list[int]) -> None:
    bounds = [0, *sorted(cuts), len(RECORDS)]
    parts = [
        taskgate.score_runs(RECORDS[a:b], source=f"part{i}")
        for i, (a, b) in enumerate(itertools.pairwise(bounds))
        if b > a
    ]
    merged = taskgate.gate_runs(parts)
    whole = WHOLE
    assert merged.verdict == whole.verdict
    assert merged.cohorts == whole.cohorts
    assert merged.runs == whole.runs
    assert merged.dataset.runs == whole.dataset.runs == len(RECORDS)


WHOLE = taskgate.score_records(RECORDS)


def test_one_part_is_score_records() -> None:
    part = taskgate.score_runs(RECORDS)
    assert taskgate.gate_runs(part) == WHOLE
    assert taskgate.gate_runs([part]) == WHOLE


def test_a_run_id_in_two_parts_is_refused() -> None:
    first = taskgate.score_runs(RECORDS[:3], source="a")
    second = taskgate.score_runs(RECORDS[2:5], source="b")
    with pytest.raises(InputError) as caught:
        taskgate.gate_runs([first, second])
    run_id = RECORDS[2]["run_id"]
    assert [str(p) for p in caught.value.problems] == [
        f"b: run_id: duplicate run_id {run_id!r} (also in part 1); "
        "run ids must be unique across the parts"
    ]


def test_the_digest_of_parts_is_of_their_digests_in_order() -> None:
    import hashlib

    first = taskgate.score_runs(RECORDS[:3])
    second = taskgate.score_runs(RECORDS[3:6])
    expected = hashlib.sha256((first.sha256 + second.sha256).encode()).hexdigest()
    assert taskgate.gate_runs([first, second]).dataset.sha256 == expected
    lines = b"".join(orjson.dumps(record) + b"\n" for record in RECORDS[:3])
    assert first.sha256 == hashlib.sha256(lines).hexdigest()


@pytest.mark.parametrize("fmt", ["json", "jsonl", "md", "xml", "html"])
def test_render_gives_the_bytes_the_cli_writes(tmp_path: Path, fmt: str) -> None:
    from typer.testing import CliRunner

    from taskgate.cli import app

    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(app, ["score", str(GOLDEN), "-q", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert taskgate.render(taskgate.score(GOLDEN), fmt).encode() == out.read_bytes()  # type: ignore[arg-type]


def test_render_refuses_an_unknown_format() -> None:
    with pytest.raises(taskgate.TaskgateError) as caught:
        taskgate.render(WHOLE, "pdf")  # type: ignore[arg-type]
    assert str(caught.value) == "unknown format 'pdf'; give one of: json, jsonl, md, xml, html"


def test_diff_and_explain_take_reports_and_paths(tmp_path: Path) -> None:
    baseline = taskgate.score(GOLDEN)
    candidate = taskgate.score(FIXTURES / "candidate.jsonl")
    by_value = taskgate.diff(baseline, candidate)
    saved = tmp_path / "candidate.json"
    saved.write_text(taskgate.render(candidate, "json"))
    by_path = taskgate.diff(FIXTURES / "baseline.json", saved)
    assert by_value.verdict.status == by_path.verdict.status == "fail"
    assert by_value.cohorts == by_path.cohorts
    explanation = taskgate.explain(GOLDEN, RECORDS[0]["run_id"])
    assert explanation.result.run_id == RECORDS[0]["run_id"]


def test_config_may_be_a_path_or_a_config(tmp_path: Path) -> None:
    path = tmp_path / "taskgate.yaml"
    path.write_text("evaluators:\n  function_calls: {arguments: subset}\n")
    by_path = taskgate.score_records(RECORDS, config=path)
    by_value = taskgate.score_records(RECORDS, config=taskgate.load_config(path))
    assert by_path == by_value
    assert by_path.config_fingerprint != WHOLE.config_fingerprint


def test_every_public_name_resolves_and_others_do_not() -> None:
    for name in taskgate.__all__:
        assert getattr(taskgate, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'pipeline'"):
        taskgate.pipeline  # type: ignore[attr-defined]  # noqa: B018


def test_importing_taskgate_imports_no_stage() -> None:
    code = "import sys, taskgate; print(sorted(m for m in sys.modules if m.startswith('taskgate')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "['taskgate']"


def test_an_empty_part_is_no_error_but_nothing_at_all_is() -> None:
    empty = taskgate.score_runs([], source="empty")
    assert (empty.runs, empty.invalid) == ([], 0)
    assert taskgate.gate_runs([empty, taskgate.score_runs(RECORDS)]).verdict == WHOLE.verdict
    with pytest.raises(InputError) as caught:
        taskgate.gate_runs([empty])
    assert [str(p) for p in caught.value.problems] == ["empty: no run records; nothing to judge"]


def test_invalid_records_are_counted_over_all_the_parts() -> None:
    config = taskgate.Config.model_validate({"gate": {"invalid_runs": {"max": 1}}})
    parts = [
        taskgate.score_runs([*RECORDS[:5], {"run_id": "x"}], source="a"),
        taskgate.score_runs([*RECORDS[5:10], {"task_id": "y"}], source="b"),
    ]
    assert [part.invalid for part in parts] == [1, 1]
    with pytest.raises(InputError) as caught:
        taskgate.gate_runs(parts, config=config)
    assert str(caught.value).startswith(
        "a + b: 2 of 12 records are not valid run records (gate.invalid_runs.max allows 1)"
    )
    assert [(p.source, p.line) for p in caught.value.problems] == [("a", 6), ("b", 6)]
    one = taskgate.gate_runs(parts[:1], config=config)
    assert one.dataset.invalid == 1 and one.dataset.skipped[0].startswith("a:6: ")


def _examples(page: str) -> list[str]:
    text = (FIXTURES.parent / "docs" / page).read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```python\n")[1:]]


def test_the_notebook_examples_of_the_api_page_run(capsys: pytest.CaptureFixture[str]) -> None:
    blocks = [b for b in _examples("api.md") if "records = [" in b or b.startswith("try:")]
    assert len(blocks) == 2
    namespace: dict[str, Any] = {"taskgate": taskgate}
    for block in blocks:
        exec(compile(block, "docs/api.md", "exec"), namespace)
    printed = capsys.readouterr().out.splitlines()
    assert printed[0] == "pass 0"
    assert printed[-1] == "1 run_id required field is missing; add it"
