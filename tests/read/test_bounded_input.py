"""Inputs that would be read without end, or whose problems would fill the memory, are
refused after bounded work, at the line where that became clear."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.compare import baseline as compare
from taskgate.errors import MAX_KEPT_PROBLEMS, InputError
from taskgate.read import runs as io
from taskgate.read.runs import RunReader, iter_lines
from tests.conftest import FIXTURES

runner = CliRunner()
GOLDEN = str(FIXTURES / "golden.jsonl")
DEVICE = (
    "is a device, not a file (its input never ends); give a .jsonl file, or - for standard input"
)
needs_devices = pytest.mark.skipif(not Path("/dev/urandom").exists(), reason="needs /dev/urandom")


@needs_devices
@pytest.mark.parametrize(
    "args",
    [["score", "{}"], ["validate", "{}"], ["score", GOLDEN, "--tasks", "{}"]],
    ids=["runs", "validate", "tasks"],
)
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_an_endless_device_is_refused_before_it_is_read(args: list[str], device: str) -> None:
    result = runner.invoke(app, [a.replace("{}", device) for a in args])
    assert (result.exit_code, result.output) == (2, f"error: {device}: {DEVICE}\n")


@needs_devices
@pytest.mark.parametrize(
    ("device", "message"),
    [
        (
            "/dev/zero",
            "not valid JSON (unexpected character, expected a JSON value); expected a JSON "
            "report written by taskgate score -o",
        ),
        (
            "/dev/urandom",
            "the file is not UTF-8 text, so not a taskgate report; write it again with "
            "taskgate score -o",
        ),
    ],
)
def test_a_baseline_or_config_on_a_device_is_refused_after_a_bounded_read(
    device: str, message: str
) -> None:
    result = runner.invoke(app, ["score", GOLDEN, "--baseline", device])
    assert (result.exit_code, result.output) == (2, f"error: {device}:1: {message}\n")
    config = runner.invoke(app, ["score", GOLDEN, "-c", "/dev/zero"])
    assert config.exit_code == 2
    assert config.output.splitlines()[-1] == (
        "/dev/zero: the file is larger than 1,000,000 bytes, the most a config may take (a full "
        "config is about 5 KB); check that this is the config"
    )


def test_a_line_that_never_ends_stops_the_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(io, "MAX_LINE_BYTES", 1000)
    monkeypatch.setattr(io, "MAX_SKIPPED_BYTES", 5000)
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b"{}\n" + b"x" * 20_000)
    with pytest.raises(InputError) as caught:
        list(iter_lines(str(path)))
    assert caught.value.message == (
        f"{path}:2: the line does not end within 5,000 bytes; is this a run file? (it reads as "
        "one endless line, as /dev/zero does)"
    )


def test_a_line_long_but_ending_is_skipped_and_reading_goes_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(io, "MAX_LINE_BYTES", 1000)
    path = tmp_path / "runs.jsonl"
    path.write_bytes(b"x" * 4000 + b"\n{}\n")
    assert [(n, len(raw)) for n, raw in iter_lines(str(path))] == [(1, 1001), (2, 3)]


def test_a_gzip_that_expands_as_no_run_file_does_is_stopped(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n" * 8_000_000))  # 8 MB from about 8 KB
    with pytest.raises(InputError) as caught:
        list(iter_lines(str(path)))
    [problem] = caught.value.problems
    assert problem.message.startswith("the compressed file expands more than 400 times its size (")
    assert problem.line is not None and problem.line <= 4_300_000  # not the whole file


def test_a_gzip_of_real_runs_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "golden.jsonl.gz"
    original = Path(GOLDEN).read_bytes()
    path.write_bytes(gzip.compress(original * 12))  # 8 MB: over the smallest bomb, 12 copies
    assert sum(len(raw) for _, raw in iter_lines(str(path))) == len(original) * 12


def test_problems_beyond_the_kept_ones_are_counted_not_kept(tmp_path: Path) -> None:
    line = orjson.dumps({"run_id": "dup", "task_id": "t", "steps": []}) + b"\n"
    path = tmp_path / "runs.jsonl"
    path.write_bytes(line * 3000)
    reader = RunReader(str(path))
    assert len(list(reader)) == 1  # the first line; 2,999 duplicates of it
    assert (reader.invalid_lines, len(reader.problems)) == (2999, MAX_KEPT_PROBLEMS)
    assert reader.unkept == 2999 - MAX_KEPT_PROBLEMS
    result = runner.invoke(app, ["validate", str(path)])
    assert result.output.splitlines()[-1] == f"... and {2999 - 20} more problems"


def test_a_baseline_larger_than_any_report_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(compare, "MAX_REPORT_BYTES", 100_000)
    path = tmp_path / "baseline.json"
    path.write_bytes(b'{"runs": [' + b" " * 200_000 + b"]}")
    result = runner.invoke(app, ["score", GOLDEN, "--baseline", str(path)])
    assert (result.exit_code, result.output) == (
        2,
        f"error: {path}: the file is larger than 100,000 bytes, the most a baseline may take; "
        "is it a report? (taskgate score -o baseline.json writes one)\n",
    )


def test_diff_names_a_candidate_with_no_runs(tmp_path: Path) -> None:
    report = orjson.loads((FIXTURES / "baseline.json").read_bytes())
    report["runs"], report["cohorts"] = [], []
    empty = tmp_path / "candidate.json"
    empty.write_bytes(orjson.dumps(report))
    result = runner.invoke(app, ["diff", str(FIXTURES / "baseline.json"), str(empty)])
    assert (result.exit_code, result.output) == (
        2,
        f"error: {empty}: runs: the candidate report has no runs, so there is nothing to gate; "
        "write it again with taskgate score -o\n",
    )


def test_a_fifo_is_still_read(tmp_path: Path) -> None:
    fifo = tmp_path / "runs.fifo"
    os.mkfifo(fifo)
    pid = os.fork()
    if pid == 0:  # the writer
        with fifo.open("wb") as handle:
            handle.write(Path(GOLDEN).read_bytes())
        os._exit(0)
    lines = sum(1 for _ in iter_lines(str(fifo)))
    os.waitpid(pid, 0)
    assert lines == Path(GOLDEN).read_bytes().count(b"\n")


def test_dev_null_is_an_empty_file_not_an_endless_device() -> None:
    result = runner.invoke(app, ["score", os.devnull])
    assert (result.exit_code, result.output) == (
        2,
        f"error: {os.devnull}: no run records; nothing to judge\n",
    )


def test_a_gzip_bomb_through_a_pipe_is_stopped_too(tmp_path: Path) -> None:
    import subprocess
    import sys

    packed = gzip.compress(b"\n" * 8_000_000)
    done = subprocess.run(
        [sys.executable, "-m", "taskgate", "score", "-"],
        input=packed,
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert b"the compressed file expands more than 400 times its size" in done.stderr


def test_a_large_baseline_that_is_a_list_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b"[" + b" " * 100_000 + b"1]")
    result = runner.invoke(app, ["score", GOLDEN, "--baseline", str(path)])
    assert result.exit_code == 2
    assert "truncated" not in result.output
