"""Running taskgate the way users do (a process of its own) and in harsher places.

Shared by the corpus, fault and safety tests: ``python -m taskgate`` as a subprocess
(with its peak memory, if asked), an unprivileged user for a while (as root, file modes
stop nothing), and Linux namespaces (``unshare``) for no network, a full or a read-only disk.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NOBODY = 65534
"""The user that permission tests act as when the tests run as root."""
TIMEOUT_S = 60


@dataclass(frozen=True)
class Outcome:
    exit_code: int
    output: str
    """Standard error, then standard output."""


def taskgate_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "taskgate", *args]


def run(
    command: Sequence[str],
    cwd: Path,
    env: dict[str, str] | None = None,
    stdin: Path | None = None,
) -> Outcome:
    """Run a command to its end; TMPDIR is ``cwd``, so a crash log stays in the test's folder."""
    environment = {**os.environ, "TMPDIR": str(cwd), "NO_COLOR": "1", **(env or {})}
    with open(stdin or os.devnull, "rb") as given:
        done = subprocess.run(
            list(command),
            cwd=cwd,
            env=environment,
            stdin=given,
            capture_output=True,
            timeout=TIMEOUT_S,
            check=False,
        )
    return Outcome(done.returncode, (done.stderr + done.stdout).decode("utf-8"))


# Runs the CLI and, on the way out, notes the peak memory of this process image alone: VmHWM
# of /proc/self/status. (getrusage's peak would count the parent's pages shared before exec.)
MEASURED = """
import atexit, os, runpy, sys
def note_peak():
    with open("/proc/self/status") as status:
        peak = next(line.split()[1] for line in status if line.startswith("VmHWM:"))
    with open(os.environ["PEAK_FILE"], "w") as out:
        out.write(peak)
atexit.register(note_peak)
sys.argv[0] = "taskgate"
runpy.run_module("taskgate", run_name="__main__")
"""


def run_measured(args: Sequence[str], cwd: Path, stdin: Path | None = None) -> tuple[Outcome, int]:
    """``python -m taskgate ARGS``; its outcome and its peak resident memory in KB."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        command = [sys.executable, "-c", MEASURED, *args]
        outcome = run(command, cwd, env={"PEAK_FILE": str(peak_file)}, stdin=stdin)
        return outcome, int(peak_file.read_text())


def run_taskgate(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Outcome:
    return run(taskgate_command(*args), cwd, env)


@contextmanager
def unprivileged(warm_up: Callable[[], object]) -> Iterator[None]:
    """Act as an ordinary user for a while, when running as root (root reads and writes files
    whatever their mode). Only the effective ids change, so root's come back afterwards.
    ``warm_up`` runs first, as root: it should import every module the test will need, since
    Python's own files may be out of an ordinary user's reach.
    """
    warm_up()
    if os.geteuid() != 0:
        yield
        return
    os.setegid(NOBODY)
    os.seteuid(NOBODY)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


@contextmanager
def world_readable_folder() -> Iterator[Path]:
    """A folder an ordinary user can enter (pytest's tmp_path is root's alone)."""
    with tempfile.TemporaryDirectory(prefix="taskgate-test-") as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


@functools.cache
def unshare_works(*flags: str) -> bool:
    """Whether ``unshare FLAGS`` may create namespaces here (root, or user namespaces allowed)."""
    if shutil.which("unshare") is None:
        return False
    probe = ["unshare", *flags, "true"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def in_mount_namespace(script: str, cwd: Path) -> Outcome:
    """Run a shell script in a mount namespace of its own: mounts it makes vanish with it."""
    return run(["unshare", "--mount", "sh", "-ec", script], cwd)
