"""The benchmarks' own code runs: their datasets are valid records and the program that
valgrind counts (benchmarks/instructions.py) does each stage. Their numbers are in
benchmarks/README.md; no test here times anything."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from taskgate.read.runs import RunReader
from tests.conftest import FIXTURES

BENCHMARKS = FIXTURES.parent / "benchmarks"


def _load(name: str) -> ModuleType:
    sys.path.insert(0, str(BENCHMARKS))
    try:
        spec = importlib.util.spec_from_file_location(name, BENCHMARKS / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCHMARKS))


instructions = _load("instructions")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path: Path = instructions.write_dataset(tmp_path_factory.mktemp("bench") / "runs.jsonl", 40)
    return path


def test_benchmark_runs_are_valid_records(dataset: Path) -> None:
    reader = RunReader(str(dataset))
    assert (sum(1 for _ in reader), reader.problems) == (40, [])


@pytest.mark.parametrize("stage", instructions.STAGES)
def test_each_counted_stage_runs(dataset: Path, stage: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", instructions.CHILD, str(dataset), stage, "40"],
        capture_output=True,
        text=True,
    )
    assert (done.returncode, done.stderr) == (0, "")


def timed_small(script: str) -> list[str]:
    """The lines a timing script prints for 20 runs of a 40-run dataset, timed once."""
    small = ["--size", "40", "--runs", "20", "--repeats", "1"]
    done = subprocess.run(
        [sys.executable, str(BENCHMARKS / script), *small], capture_output=True, text=True
    )
    assert (done.returncode, done.stderr) == (0, "")
    return done.stdout.splitlines()


def test_the_stage_timer_names_every_stage() -> None:
    stages = [line[:42].strip() for line in timed_small("stages.py")[2:]]
    assert stages == [
        "parse (orjson.loads): L",
        "read: a checked record",
        "score: the default panel",
        "task_completion alone",
        "goal_progress alone",
        "tool_selection alone",
        "function_calls alone",
        "step_efficiency alone",
        "grounding alone",
        "hand-over: a line pickled + unpickled",
        "hand-over: a result pickled + unpickled",
        "assembly: the report, per run",
    ]


def test_the_read_timer_names_every_piece() -> None:
    head, _, *rows = timed_small("read_paths.py")
    pieces = [line[:42].strip() for line in rows]
    today = [
        "parse (orjson.loads): L",
        "depth check",
        "pydantic: the record, steps aside",
        "pydantic: the steps, as Step objects",
        "field-name checks",
        "read: all of it (read_record)",
    ]
    if importlib.util.find_spec("msgspec") is None:
        assert head.endswith("msgspec is not installed: pip install msgspec to time its rows too")
        assert pieces == today
    else:  # the prototype held the same values as the Step objects, or the script would fail
        assert head.endswith("the same values as the Step objects, checked on every run")
        assert pieces == [
            *today,
            "msgspec: the steps, checked",
            "msgspec: the steps, as the scorer reads",
        ]
