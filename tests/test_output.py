from __future__ import annotations

import os
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
