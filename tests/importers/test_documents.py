"""A whole JSON document given where run records are expected: one line saying what it is."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.errors import InputError
from taskgate.importers.documents import refuse_documents
from tests.conftest import FIXTURES

runner = CliRunner()
IMPORTS = FIXTURES / "import"


def refusal(path: Path | str) -> str:
    with pytest.raises(InputError) as caught:
        refuse_documents(str(path))
    [problem] = caught.value.problems
    assert (problem.source, problem.line, problem.field) == (str(path), None, None)
    return problem.message


@pytest.mark.parametrize(
    ("path", "kind", "name"),
    [
        (IMPORTS / "tau-bench" / "gpt-4o-airline.json", "tau-bench", "a τ-bench results file"),
        (IMPORTS / "tau2" / "airline-grok-3.json", "tau2", "a τ²-bench simulation file"),
        (IMPORTS / "otel" / "otlp-traces.json", "otel", "an OpenTelemetry span export"),
        (IMPORTS / "otel" / "spans.jsonl", "otel", "an OpenTelemetry span export"),
    ],
)
def test_other_tools_files_name_the_importer(path: Path, kind: str, name: str) -> None:
    assert refusal(path) == (
        f"this is {name}, not taskgate run records; convert it first: "
        f"taskgate import {kind} {path} -o runs.jsonl"
    )


def test_a_report_is_named_with_the_commands_that_read_it() -> None:
    assert refusal(FIXTURES / "baseline.json") == (
        "this is a taskgate JSON report, not a run file: give it as --baseline, or compare "
        "two reports with taskgate diff BASELINE CANDIDATE"
    )


def test_a_json_array_of_records_and_any_other_document(tmp_path: Path) -> None:
    lines = (FIXTURES / "golden.jsonl").read_bytes().splitlines()[:2]
    array = tmp_path / "runs.json"
    array.write_bytes(
        orjson.dumps([orjson.loads(line) for line in lines], option=orjson.OPT_INDENT_2)
    )
    assert refusal(array) == (
        "this is one JSON array, not JSON lines: write one run record per line (JSONL), "
        f"e.g. jq -c '.[]' {array} > runs.jsonl"
    )
    record = tmp_path / "record.jsonl"
    record.write_bytes(orjson.dumps(orjson.loads(lines[0]), option=orjson.OPT_INDENT_2))
    assert refusal(record) == (
        "this is one run record over several lines, not JSON lines: write each record on one "
        f"line (JSONL), e.g. jq -c . {record} > runs.jsonl"
    )
    document = tmp_path / "doc.json"
    document.write_text('{\n  "name": "not runs"\n}\n')
    assert refusal(document) == (
        "this is one JSON document, not JSON lines: write one run record per line (JSONL)"
    )


def test_run_files_and_broken_run_files_pass_through(tmp_path: Path) -> None:
    refuse_documents(str(FIXTURES / "golden.jsonl"))
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"run_id": "r1"}\n{"run_id": \n')  # the record's own problems say what
    refuse_documents(str(broken))
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n")
    refuse_documents(str(empty))


@pytest.mark.parametrize("command", [["score"], ["validate"], ["explain", "{path}", "r-1"]])
def test_every_command_that_reads_runs_says_it_in_one_line(command: list[str]) -> None:
    path = str(IMPORTS / "tau-bench" / "gpt-4o-airline.json")
    args = [arg.format(path=path) for arg in command]
    if "{path}" not in command:
        args.append(path)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        f"error: {path}: this is a τ-bench results file, not taskgate run records; convert it "
        f"first: taskgate import tau-bench {path} -o runs.jsonl"
    ]


def test_a_pipe_is_read_once_and_whole() -> None:
    # `taskgate score <(cat runs.jsonl)`: a pipe cannot be read twice, so nothing may peek.
    import os

    from taskgate.api import score

    lines = (FIXTURES / "golden.jsonl").read_bytes().splitlines(keepends=True)[:20]
    read, write = os.pipe()
    os.write(write, b"".join(lines))
    os.close(write)
    try:
        report = score(f"/dev/fd/{read}")
    finally:
        os.close(read)
    assert report.dataset.runs == 20


def test_one_benchmark_run_per_line_points_at_the_benchmark_file(tmp_path: Path) -> None:
    runs = orjson.loads((IMPORTS / "tau-bench" / "gpt-4o-airline.json").read_bytes())[:2]
    path = tmp_path / "tb.jsonl"
    path.write_bytes(b"".join(orjson.dumps(run) + b"\n" for run in runs))
    assert refusal(path) == (
        "each line looks like one run of a τ-bench results file, not a taskgate run record; "
        "taskgate import tau-bench reads the benchmark's own results file (one JSON document)"
    )
