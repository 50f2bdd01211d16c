"""Standard streams that cannot be written never change an exit code.

Each case runs taskgate in a process of its own with stdout or stderr on /dev/full (every
write fails with ENOSPC) or on a pipe closed by its reader, as a shell would set them up.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from taskgate.cli.streams import GuardedStream
from tests.conftest import FIXTURES
from tests.sandbox import taskgate_command
from tests.system.test_faults import BUG

FULL = Path("/dev/full")
GOLDEN, CANDIDATE, BASELINE = (
    str(FIXTURES / name) for name in ("golden.jsonl", "candidate.jsonl", "baseline.json")
)
needs_dev_full = pytest.mark.skipif(not FULL.exists(), reason="needs /dev/full")
LOST = "standard output could not be written (No space left on device)"


def run(
    command: list[str], cwd: Path, stdout: str = "pipe", stderr: str = "pipe"
) -> tuple[int, str]:
    """The exit code and what reached stderr (empty when stderr is the full device)."""
    with FULL.open("w") as full:
        chosen = {"pipe": subprocess.PIPE, "full": full}
        done = subprocess.run(
            command,
            cwd=cwd,
            env={**os.environ, "TMPDIR": str(cwd), "NO_COLOR": "1"},
            stdout=chosen[stdout],
            stderr=chosen[stderr],
            timeout=120,
        )
    return done.returncode, (done.stderr or b"").decode()


@needs_dev_full
@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["score", GOLDEN], 0),
        (["score", CANDIDATE, "--baseline", BASELINE], 1),
        (["score", "missing.jsonl"], 2),
        (["validate", GOLDEN], 0),
    ],
    ids=["pass", "fail", "input-error", "validate"],
)
@pytest.mark.parametrize("full", ["stdout", "stderr", "both"])
def test_the_exit_code_follows_the_outcome_whatever_the_streams(
    tmp_path: Path, args: list[str], code: int, full: str
) -> None:
    streams = {
        "stdout": "full" if full in ("stdout", "both") else "pipe",
        "stderr": "full" if full in ("stderr", "both") else "pipe",
    }
    returned, err = run(taskgate_command(*args), tmp_path, **streams)
    assert returned == code, err
    assert "this is a bug" not in err
    if full == "stdout" and code != 2:  # an input error prints to stderr only
        assert err.splitlines()[-1] == (
            f"warning: {LOST}; the exit code ({code}) is still the command's outcome"
        )


@needs_dev_full
def test_a_bug_still_exits_3_when_stderr_cannot_take_its_message(tmp_path: Path) -> None:
    returned, _ = run([sys.executable, "-c", BUG, "score", GOLDEN], tmp_path, stderr="full")
    assert returned == 3


@needs_dev_full
@pytest.mark.parametrize(
    "args", [["schema", "report"], ["plan", BASELINE], ["explain", GOLDEN, "r-00001"]]
)
def test_a_command_whose_product_is_stdout_exits_2_when_stdout_is_full(
    tmp_path: Path, args: list[str]
) -> None:
    returned, err = run(taskgate_command(*args), tmp_path, stdout="full")
    assert (returned, err) == (
        2,
        f"error: {LOST}; free space on its device or redirect it elsewhere\n",
    )


def test_a_reader_that_stops_reading_is_no_error(tmp_path: Path) -> None:
    process = subprocess.Popen(
        taskgate_command("schema", "report"),
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None
    process.stdout.read(10)
    process.stdout.close()  # as `| head -c 10` does
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, b"")


class _Failing(io.StringIO):
    def __init__(self, fail_on: str) -> None:
        super().__init__()
        self.fail_on = fail_on

    def write(self, text: str) -> int:
        if self.fail_on == "write":
            raise OSError(28, "No space left on device")
        return super().write(text)

    def flush(self) -> None:
        if self.fail_on == "flush":
            raise BrokenPipeError(32, "Broken pipe")


def test_the_first_failure_is_kept_and_later_writes_are_dropped() -> None:
    stream = GuardedStream(_Failing("write"))
    assert (stream.write("abc"), stream.write("de")) == (3, 2)
    assert stream.failure is not None and stream.failure.errno == 28
    flushed = GuardedStream(_Failing("flush"))
    assert flushed.write("kept") == 4
    flushed.flush()
    assert flushed.failure is not None and flushed.failure.errno == 32
    assert flushed.getvalue() == "kept"  # anything else is the wrapped stream's


@pytest.mark.parametrize(
    ("args", "closed", "code"),
    [
        (["score", GOLDEN], ">&-", 0),
        (["score", "missing.jsonl"], ">&-", 2),
        (["score", "missing.jsonl"], "2>&-", 2),
        (["score", CANDIDATE, "--baseline", BASELINE], "2>&-", 1),
        (["schema", "report"], ">&-", 2),
    ],
)
def test_a_stream_the_shell_closed_is_no_crash(
    tmp_path: Path, args: list[str], closed: str, code: int
) -> None:
    command = " ".join(f"'{part}'" for part in taskgate_command(*args))
    done = subprocess.run(
        f"{command} {closed}", shell=True, cwd=tmp_path, capture_output=True, timeout=120
    )
    assert done.returncode == code, done.stderr
    assert b"Traceback" not in done.stderr and b"this is a bug" not in done.stderr
