from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from taskgate.errors import OutputError
from taskgate.output import refuse_overwriting_inputs, write_all_atomic, write_atomic
from tests.conftest import FIXTURES


def test_write_atomic_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_bytes(b"old")
    write_atomic(target, b"new")
    assert target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["report.json"]


def test_write_atomic_into_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(OutputError) as caught:
        write_atomic(tmp_path / "nope" / "report.json", b"x")
    assert caught.value.message == (
        f"cannot write {tmp_path}/nope/report.json: folder '{tmp_path}/nope' does not exist; "
        "create it"
    )


def test_write_atomic_gives_new_files_the_umask_mode_and_keeps_old_modes(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        fresh = tmp_path / "fresh.json"
        write_atomic(fresh, b"x")
        assert fresh.stat().st_mode & 0o777 == 0o644
        kept = tmp_path / "kept.json"
        kept.write_bytes(b"old")
        kept.chmod(0o600)
        write_atomic(kept, b"new")
        assert kept.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(umask)


def test_write_all_atomic_writes_all_or_none(tmp_path: Path) -> None:
    first = tmp_path / "report.json"
    first.write_bytes(b"old")
    with pytest.raises(OutputError):
        write_all_atomic([(first, b"new"), (tmp_path / "nope" / "report.md", b"new")])
    assert first.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["report.json"]
    write_all_atomic([(first, b"new"), (tmp_path / "report.md", b"new")])
    assert sorted(os.listdir(tmp_path)) == ["report.json", "report.md"]
    assert first.read_bytes() == b"new"


def test_an_output_that_is_an_input_is_refused_by_name_link_or_hard_link(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    runs.write_text("{}\n")
    link, hard, other = tmp_path / "link.jsonl", tmp_path / "hard.jsonl", tmp_path / "out.jsonl"
    link.symlink_to(runs)
    os.link(runs, hard)
    for output in (runs, link, hard):
        with pytest.raises(OutputError) as caught:
            refuse_overwriting_inputs([other, output], [None, "-", runs])
        assert caught.value.message == (
            f"cannot write {output}: the output is the input {runs}; give another file name for -o"
        )
    refuse_overwriting_inputs([other, tmp_path / "new.json"], ["-", runs, None])


def test_score_refuses_to_overwrite_its_runs_and_leaves_them_whole(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from taskgate.cli import app

    runs = tmp_path / "runs.jsonl"
    runs.write_bytes((FIXTURES / "golden.jsonl").read_bytes())
    result = CliRunner().invoke(app, ["score", str(runs), "-o", str(runs)])
    assert result.exit_code == 2
    assert "the output is the input" in result.output
    assert runs.read_bytes() == (FIXTURES / "golden.jsonl").read_bytes()


def test_an_output_that_is_a_link_is_written_through_it_and_stays_a_link(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    try:
        target = tmp_path / "reports" / "report.json"
        target.parent.mkdir()
        target.write_bytes(b"old")
        target.chmod(0o640)
        link = tmp_path / "latest.json"
        link.symlink_to(target)
        write_atomic(link, b"new")
        assert (link.is_symlink(), target.read_bytes(), target.stat().st_mode & 0o777) == (
            True,
            b"new",
            0o640,
        )
        dangling = tmp_path / "next.json"
        dangling.symlink_to(tmp_path / "reports" / "next-target.json")
        write_atomic(dangling, b"fresh")
        made = tmp_path / "reports" / "next-target.json"
        assert (dangling.is_symlink(), made.read_bytes(), made.stat().st_mode & 0o777) == (
            True,
            b"fresh",
            0o644,  # a new file's mode, not the link's
        )
        assert sorted(os.listdir(tmp_path / "reports")) == ["next-target.json", "report.json"]
    finally:
        os.umask(umask)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_link_to_a_device_writes_into_it_and_never_replaces_it(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to("/dev/full")
    with pytest.raises(OutputError) as caught:
        write_atomic(link, b"x")
    assert caught.value.message == (
        f"cannot write {link}: No space left on device; the disk is full; free some space or "
        "write elsewhere"
    )
    assert Path("/dev/full").is_char_device() and link.is_symlink()
    assert os.listdir(tmp_path) == ["report.json"]


def test_stale_temporaries_of_a_killed_run_are_removed_by_the_next_write(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    gone = _finished_pid()
    names = {
        "old-and-gone": f".report.json.{gone}.abc1_3xy.tmp",
        "recent-and-gone": f".report.json.{gone}.def456xy.tmp",
        "old-but-running": f".report.json.{os.getpid()}.ghi789xy.tmp",
        "another-output": f".other.json.{gone}.jkl012xy.tmp",
        "no-process-id": ".report.json.mno345xy.tmp",
        "not-our-form": f".report.json.{gone}.my notes.tmp",
    }
    for name in names.values():
        (tmp_path / name).write_bytes(b"partial")
    hour_ago = time.time() - 3600
    for key in (
        "old-and-gone",
        "old-but-running",
        "another-output",
        "no-process-id",
        "not-our-form",
    ):
        os.utime(tmp_path / names[key], (hour_ago, hour_ago))
    write_atomic(target, b"whole")
    assert sorted(os.listdir(tmp_path)) == sorted(
        ["report.json", *(names[k] for k in names if k != "old-and-gone")]
    )


def _finished_pid() -> int:
    """The id of a process that has ended (and been reaped)."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_a_link_to_standard_output_is_written_through(tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to("/dev/stdout")
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from taskgate.output import write_atomic; from pathlib import Path; "
            f"write_atomic(Path({str(link)!r}), b'{{}}')",
        ],
        capture_output=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, b"{}")
    assert link.is_symlink()


def test_a_pipe_nobody_reads_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "report.json"
    os.mkfifo(fifo)
    with pytest.raises(OutputError) as caught:
        write_atomic(fifo, b"{}")
    assert caught.value.message == (
        f"cannot write {fifo}: it is a pipe that no process reads; start the reader first, or "
        "write to a file"
    )
