from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.api import score
from taskgate.errors import InputError, Problem
from taskgate.model.record import Task
from taskgate.read.runs import (
    MAX_DEPTH,
    RunReader,
    load_tasks,
    nesting_depth,
)
from tests.conftest import write_jsonl

GOOD = {"run_id": "r-1", "task_id": "t-1", "steps": [{"message": "hi", "is_final": True}]}


def read(path: Path, tasks: dict[str, Task] | None = None) -> tuple[list[str], list[str]]:
    reader = RunReader(str(path), tasks)
    ids = [record.run_id for _, record in reader]
    return ids, [str(p) for p in reader.problems]


def test_reads_records_and_skips_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"run_id": "a", "task_id": "t"}\n\n   \n{"run_id": "b", "task_id": "t"}\n')
    assert read(path) == (["a", "b"], [])


def test_lists_every_problem_with_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(
        b'{"run_id": "a", "task_id": "t"}\n'
        b'{"run_id": "a", "task_id": "t"}\n'
        b'{"task_id": "t", "steps": [{"tool_calls": [{"arguments": {}}]}]}\n'
        b"[1, 2]\n"
        b'{"run_id": "c", "task_id": "t", "status": "crashed"}\n'
        b'{"run_id": "d", "task_id": \n'
        b'{"run_id": "e", "task_id": "t", "note": "\xff"}\n'
        b'{"run_id": "f", "task_id": "t", "trial": NaN}\n'
    )
    ids, problems = read(path)
    assert ids == ["a"]
    p = str(path)
    assert problems == [
        f"{p}:2: run_id: duplicate run_id 'a' (first on line 1); run ids must be unique",
        f"{p}:3: run_id: required field is missing; add it",
        f"{p}:3: steps[0].tool_calls[0].name: required field is missing; add it",
        f"{p}:4: expected a JSON object, got a list",
        f"{p}:5: status: expected one of 'completed', 'error' or 'timeout', got 'crashed'",
        f"{p}:6: not valid JSON at column 28 (unexpected end of data); "
        "each line must be one JSON object",
        f"{p}:7: line is not valid UTF-8; save the file as UTF-8",
        f"{p}:8: not valid JSON at column 42: NaN and Infinity are not JSON; write null",
    ]


def test_utf8_bom_is_tolerated(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b'\xef\xbb\xbf{"run_id": "a", "task_id": "t"}\n')
    assert read(path) == (["a"], [])


def test_gzip_input_and_digest_of_the_decompressed_lines(tmp_path: Path) -> None:
    plain = write_jsonl(tmp_path / "runs.jsonl", [GOOD])
    packed = tmp_path / "runs.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    first, second = RunReader(str(plain)), RunReader(str(packed))
    assert [r.run_id for _, r in first] == [r.run_id for _, r in second] == ["r-1"]
    assert first.sha256 == second.sha256


def test_truncated_gzip_is_an_input_error(tmp_path: Path) -> None:
    packed = tmp_path / "runs.jsonl.gz"
    packed.write_bytes(gzip.compress(b'{"run_id": "a", "task_id": "t"}\n' * 50)[:-12])
    with pytest.raises(InputError) as caught:
        list(RunReader(str(packed)))
    assert caught.value.message.endswith("the compressed file is truncated; write it again")


@pytest.mark.parametrize(
    ("name", "message"),
    [("missing.jsonl", "file not found; check the path"), ("", "is a folder; give a .jsonl file")],
)
def test_unopenable_inputs(tmp_path: Path, name: str, message: str) -> None:
    path = tmp_path / name if name else tmp_path
    with pytest.raises(InputError) as caught:
        list(RunReader(str(path)))
    assert caught.value.problems == [Problem(str(path), None, None, message)]


def test_tasks_join_and_unknown_task(tmp_path: Path) -> None:
    tasks_file = write_jsonl(
        tmp_path / "tasks.jsonl", [{"task_id": "t-1", "expected_result": "done"}]
    )
    tasks = load_tasks(str(tasks_file))
    runs = write_jsonl(tmp_path / "runs.jsonl", [GOOD, {**GOOD, "run_id": "r-2", "task_id": "t-9"}])
    reader = RunReader(str(runs), tasks)
    records = [record for _, record in reader]
    assert [r.task.expected_result for r in records if r.task] == ["done"]
    assert [str(p) for p in reader.problems] == [
        f"{runs}:2: task_id: unknown task 't-9': not in the tasks file and the record has no "
        "'task'; add the task to the tasks file"
    ]


def test_tasks_file_problems_are_all_listed(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    path.write_text('{"expected_result": 1}\n{"task_id": "a"}\n{"task_id": "a"}\n"x"\n')
    with pytest.raises(InputError) as caught:
        load_tasks(str(path))
    assert caught.value.message.splitlines() == [
        f"{path}: the tasks file has problems",
        f"{path}:1: task_id: required field is missing; add it",
        f"{path}:3: task_id: duplicate task_id 'a'; keep one line per task",
        f"{path}:4: expected a JSON object with a task_id, got 'x'",
    ]


def test_gzip_is_recognised_by_its_bytes_whatever_the_name(tmp_path: Path) -> None:
    disguised = tmp_path / "runs.jsonl"
    disguised.write_bytes(gzip.compress(b'{"run_id": "a", "task_id": "t"}\n'))
    assert read(disguised) == (["a"], [])


# Limits that keep one record from taking the memory, the time or the stack -------------------


def nested(depth: int) -> str:
    """final_result nested so that the record as a whole is ``depth`` levels deep."""
    inner = depth - 1
    return '{"run_id": "a", "task_id": "t", "final_result": ' + "[" * inner + "]" * inner + "}"


def test_a_record_may_nest_100_levels_and_still_be_scored(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(nested(MAX_DEPTH) + "\n")
    report = score(str(path))  # canonical() and friends recurse: no RecursionError
    assert report.dataset.runs == 1


def test_one_level_deeper_is_refused_naming_the_field(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(nested(MAX_DEPTH + 1) + "\n" + "[" * 5000 + "]" * 5000 + "\n")
    assert read(path) == (
        [],
        [
            f"{path}:1: final_result: nested more than 100 lists or objects deep; "
            "flatten the value",
            f"{path}:2: nested more than 100 lists or objects deep; flatten the value",
        ],
    )


def test_a_line_over_the_limit_is_skipped_unread_and_the_next_line_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("taskgate.read.runs.MAX_LINE_BYTES", 100)
    path = tmp_path / "runs.jsonl"
    fits = b'{"run_id": "a", "task_id": "t", "final_result": "' + b"x" * 49 + b'"}\n'
    assert len(fits) == 101  # 100 bytes and the newline
    too_long = b'{"run_id": "b", "task_id": "t", "final_result": "' + b"x" * 450 + b'"}\n'
    path.write_bytes(fits + too_long + fits.replace(b'"a"', b'"c"'))
    reader = RunReader(str(path))
    assert [record.run_id for _, record in reader] == ["a", "c"]
    assert [str(p) for p in reader.problems] == [
        f"{path}:2: the line is longer than 100 bytes, the most a run record may take; "
        "trim long tool results and observations"
    ]
    assert reader.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def _depth(value: object) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


nested_json = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.text(alphabet='[]{}"\\ab,:'),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(alphabet='[]{}"\\ab'), inner, max_size=3)
    ),
    max_leaves=20,
)


@given(nested_json)
def test_nesting_depth_from_bytes_matches_the_value(value: object) -> None:
    # Brackets, quotes and backslashes inside strings must not count.
    assert nesting_depth(orjson.dumps(value)) == _depth(value)
