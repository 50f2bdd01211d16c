"""The bad-input corpus: every case in tests/corpus/cases.yaml, run through the CLI.

Each case names its input file (kept under tests/corpus/, or made at test time when it is
large, a folder, missing or unreadable: ``make:``), the command line, and the exit code and
exact output it must produce. Every case also proves that no output file is created or left
behind and that nothing prints a traceback.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from taskgate.cli import app
from tests.sandbox import Outcome, run_measured, unprivileged, world_readable_folder

CORPUS = Path(__file__).resolve().parent / "corpus"
MANIFEST = CORPUS / "cases.yaml"
SHARED = "valid"
"""Valid inputs every case may use: {runs}, {runs_without_tasks}, {tasks}."""
BASELINE = "baseline.json"
"""A valid baseline, scored from {runs} at test time: {baseline}."""

# A 50 MB line: past the 10,000,000 bytes a record may take, so it is refused unparsed.
BIG_LINE_BYTES = 50_000_000
# Memory the subprocess may use to refuse it: the reader keeps at most one line's allowance.
BIG_LINE_MAX_RSS_KB = 150_000


def load_cases(kind: str) -> list[dict[str, Any]]:
    """``cases``: bad inputs, refused; ``tolerated``: odd inputs that are accepted on purpose."""
    cases: list[dict[str, Any]] = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))[kind]
    return cases


# --- files made at test time -------------------------------------------------------------


def _valid_runs() -> bytes:
    return (CORPUS / SHARED / "runs.jsonl").read_bytes()


def _nested(depth: int) -> bytes:
    value = b"[" * depth + b"]" * depth
    return b'{"run_id":"r1","task_id":"t1","final_result":' + value + b"}\n"


def _big_line(path: Path) -> None:
    with path.open("wb") as handle:
        handle.write(b'{"run_id":"r1","task_id":"t1","final_result":"')
        chunk = b"word " * 200_000
        for _ in range(BIG_LINE_BYTES // len(chunk)):
            handle.write(chunk)
        handle.write(b'"}\n')


def _truncated_gzip(path: Path) -> None:
    packed = gzip.compress(_valid_runs() * 20, mtime=0)
    path.write_bytes(packed[: len(packed) // 2])


def _corrupt_gzip(path: Path) -> None:
    packed = bytearray(gzip.compress(_valid_runs() * 20, mtime=0))
    packed[20:40] = b"\xff" * 20
    path.write_bytes(bytes(packed))


def _unreadable(path: Path) -> None:
    path.write_bytes(_valid_runs())
    path.chmod(0)


def _symlink_loop(path: Path) -> None:
    path.symlink_to(path.name)


def _under_a_file(path: Path) -> None:
    path.parent.rmdir()  # made a folder by lay_out: a file takes its place
    path.parent.write_bytes(_valid_runs())


def _deep_expected_arguments(path: Path) -> None:
    deep = "[" * 600 + "]" * 600
    task = {"description": "d", "expected_calls": [{"name": "f", "arguments": deep}]}
    line = {"run_id": "r1", "task_id": "t1", "task": task, "steps": []}
    path.write_text(json.dumps(line) + "\n")


def _deep_config(path: Path) -> None:
    path.write_text("gate: " + "[" * 400 + "]" * 400 + "\n")


def _wide_config(path: Path) -> None:
    path.write_text("cohorts: [" + ", ".join(f"c{i}" for i in range(10_001)) + "]\n")


MAKERS: dict[str, Callable[[Path], None]] = {
    "symlink_loop": _symlink_loop,
    "name_too_long": lambda path: None,
    "under_a_file": _under_a_file,
    "deep_expected_arguments": _deep_expected_arguments,
    "deep_config": _deep_config,
    "wide_config": _wide_config,
    "directory": lambda path: path.mkdir(),
    "missing": lambda path: None,
    "plain_file": lambda path: path.write_bytes(b""),
    "unreadable": _unreadable,
    "nested_500": lambda path: path.write_bytes(_nested(500)),
    "nested_2000": lambda path: path.write_bytes(_nested(2000)),
    "big_line": _big_line,
    "gzip_truncated": _truncated_gzip,
    "gzip_corrupt": _corrupt_gzip,
}


# --- laying out and running a case --------------------------------------------------------


@pytest.fixture(scope="session")
def baseline_bytes() -> bytes:
    from taskgate.api import score
    from taskgate.report.json import render_json

    here = Path.cwd()
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(CORPUS / SHARED, Path(folder) / SHARED)
        os.chdir(folder)
        try:
            return render_json(score(f"{SHARED}/runs.jsonl"))
        finally:
            os.chdir(here)


def lay_out(case: dict[str, Any], where: Path, baseline: bytes) -> dict[str, str]:
    """Put the case's inputs in ``where``; return the placeholders of its command line."""
    shutil.copytree(CORPUS / SHARED, where / SHARED)
    (where / BASELINE).write_bytes(baseline)
    name: str = case.get("file", "")
    if name:
        target = where / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if "make" in case:
            MAKERS[case["make"]](target)
        else:
            shutil.copyfile(CORPUS / name, target)
    return {
        "file": name,
        "runs": f"{SHARED}/runs.jsonl",
        "runs_without_tasks": f"{SHARED}/runs_without_tasks.jsonl",
        "tasks": f"{SHARED}/tasks.jsonl",
        "baseline": BASELINE,
    }


def command_line(case: dict[str, Any], names: dict[str, str]) -> list[str]:
    return [part.format(**names) for part in case["args"].split()]


def run_in_process(args: list[str], where: Path, stdin: bytes | None) -> Outcome:
    here = Path.cwd()
    os.chdir(where)
    try:
        result = CliRunner().invoke(app, args, input=stdin)
    finally:
        os.chdir(here)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Outcome(result.exit_code, result.output)


def warm_up() -> None:
    """Import what a command needs before dropping privileges (see sandbox.unprivileged)."""
    run_in_process(["validate", f"{SHARED}/runs.jsonl"], CORPUS, None)


CASES = load_cases("cases")
TOLERATED = load_cases("tolerated")


def files_in(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


@pytest.mark.parametrize("case", CASES + TOLERATED, ids=[c["id"] for c in CASES + TOLERATED])
def test_corpus_case(case: dict[str, Any], tmp_path: Path, baseline_bytes: bytes) -> None:
    # As root, an unreadable file is only unreadable to someone else: see sandbox.unprivileged.
    unreadable = case.get("make") == "unreadable"
    with world_readable_folder() if unreadable else nullcontext(tmp_path) as where:
        names = lay_out(case, where, baseline_bytes)
        before = files_in(where)
        outcome = run_case(case, names, where, unreadable)
        expected = case["output"].format(**names)
        assert (outcome.exit_code, outcome.output) == (case["exit"], expected)
        assert "Traceback" not in outcome.output
        assert files_in(where) == before, "an output file was created or left behind"


def run_case(case: dict[str, Any], names: dict[str, str], where: Path, unreadable: bool) -> Outcome:
    args = command_line(case, names)
    if case.get("subprocess"):
        stdin = where / names["file"] if case.get("stdin") else None
        outcome, peak_kb = run_measured(args, where, stdin)
        if case.get("make") == "big_line":
            assert peak_kb < BIG_LINE_MAX_RSS_KB
        return outcome
    given = (where / names["file"]).read_bytes() if case.get("stdin") else None
    with unprivileged(warm_up) if unreadable else nullcontext():
        return run_in_process(args, where, given)


def test_the_corpus_is_large_and_every_case_is_distinct() -> None:
    ids = [case["id"] for case in CASES + TOLERATED]
    assert len(ids) == len(set(ids))
    assert len(CASES) >= 80
    assert all(case["exit"] == 2 for case in CASES)
    assert all(case["exit"] == 0 for case in TOLERATED)


def test_every_corpus_file_is_used() -> None:
    named = {c["file"] for c in CASES + TOLERATED if "file" in c and "make" not in c}
    kept = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.parent.name != SHARED and p != MANIFEST
    }
    assert kept == named
