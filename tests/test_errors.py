"""Paths that cannot be opened, and problems whose file name holds control characters."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.errors import Problem, format_problems, unreadable_path
from tests.conftest import FIXTURES

runner = CliRunner()
GOLDEN = str(FIXTURES / "golden.jsonl")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        (errno.ENOENT, "file not found; check the path"),
        (errno.EACCES, "permission denied; make the file readable"),
        (errno.ELOOP, "the path is a loop of symbolic links; point it at a file"),
        (
            errno.ENAMETOOLONG,
            "the path or one of its names is too long for the file system; give a shorter one",
        ),
        (errno.ENOTDIR, "a part of the path is a file, not a folder; check the path"),
        (errno.EISDIR, "is a folder; give a .jsonl file"),
        (errno.EIO, "cannot be read (Input/output error)"),
    ],
)
def test_every_reason_a_path_cannot_be_opened_has_its_own_advice(code: int, message: str) -> None:
    assert unreadable_path(OSError(code, os.strerror(code)), "give a .jsonl file") == message


def _paths(tmp_path: Path) -> dict[str, str]:
    loop = tmp_path / "loop.jsonl"
    loop.symlink_to(loop)
    return {
        "loop": str(loop),
        "long-name": str(tmp_path / ("a" * 300 + ".jsonl")),
        "under-a-file": f"{GOLDEN}/runs.jsonl",
    }


ADVICE = {
    "loop": "the path is a loop of symbolic links; point it at a file",
    "long-name": "the path or one of its names is too long for the file system; give a shorter one",
    "under-a-file": "a part of the path is a file, not a folder; check the path",
}


@pytest.mark.parametrize("kind", list(ADVICE))
@pytest.mark.parametrize(
    "command",
    [
        ["score", "{}"],
        ["validate", "{}"],
        ["explain", "{}", "r-00001"],
        ["score", GOLDEN, "--tasks", "{}"],
        ["score", GOLDEN, "--baseline", "{}"],
        ["import", "tau2", "{}", "-o", "out.jsonl"],
    ],
    ids=["score", "validate", "explain", "tasks", "baseline", "import"],
)
def test_a_path_that_cannot_be_opened_is_bad_input_not_a_crash(
    tmp_path: Path, kind: str, command: list[str]
) -> None:
    path = _paths(tmp_path)[kind]
    result = runner.invoke(app, [part.replace("{}", path) for part in command])
    assert (result.exit_code, result.output) == (2, f"error: {path}: {ADVICE[kind]}\n")


def test_an_empty_runs_path_is_named_as_such(tmp_path: Path) -> None:
    result = runner.invoke(app, ["score", ""])
    assert (result.exit_code, result.output) == (
        2,
        'error: "": no path given; give a .jsonl file\n',
    )


def test_a_newline_in_a_path_does_not_split_the_message() -> None:
    problem = Problem("runs/a\nb.jsonl", 3, "run_id", "required field is missing")
    assert str(problem) == "runs/a\\nb.jsonl:3: run_id: required field is missing"
    text = format_problems([problem], headline="runs/a\nb.jsonl: 1 of 1 records are not valid")
    assert text.splitlines() == [
        "runs/a\\nb.jsonl: 1 of 1 records are not valid",
        "runs/a\\nb.jsonl:3: run_id: required field is missing",
    ]
