"""Escape sequences and reordering characters in run ids, cohort values and results are
shown as escapes by the terminal table, explain, Markdown and HTML, never obeyed."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from tests.conftest import write_jsonl

runner = CliRunner()
RAW = re.compile("[\x1b\x07\u202e]")
RUN_ID = "r\x1b[31mRED\u202e0"


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    records = [
        {
            "run_id": RUN_ID if i == 0 else f"r{i}",
            "task_id": f"t{i}",
            "cohort": {"team": "evil\x1b]0;title\x07\u202eoof"},
            "task": {"description": "d", "expected_result": "x"},
            "steps": [{"message": "said \x1b[2K", "is_final": True}],
            "final_result": "nope\x1b[2K",
        }
        for i in range(12)
    ]
    return write_jsonl(tmp_path / "runs.jsonl", records)


def test_the_terminal_shows_escapes(hostile: Path) -> None:
    result = runner.invoke(app, ["score", str(hostile), "--no-color"])
    assert not RAW.search(result.output)
    assert "evil\\x1b]0;title\\x07\\u202eoof" in result.output


def test_explain_shows_escapes(hostile: Path) -> None:
    result = runner.invoke(app, ["explain", str(hostile), RUN_ID, "--no-color"])
    assert result.exit_code == 0, result.output
    assert not RAW.search(result.output)
    assert result.output.startswith("run r\\x1b[31mRED\\u202e0 (task t0) FAILED")
    assert "said \\x1b[2K" in result.output


def test_json_keeps_the_data_as_it_was(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    runner.invoke(app, ["score", str(hostile), "-o", str(out), "-o", str(tmp_path / "r.md")])
    report = orjson.loads(out.read_bytes())
    assert report["runs"][0]["run_id"] == RUN_ID  # data, exactly as given
    assert not RAW.search((tmp_path / "r.md").read_text())


def test_html_shows_escapes(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    runner.invoke(app, ["score", str(hostile), "-o", str(out)])
    page = out.read_text()
    assert not RAW.search(page)
    assert "evil\\x1b]0;title\\x07\\u202eoof" in page


def test_a_cohort_key_or_value_that_looks_like_markup_is_printed_as_text(tmp_path: Path) -> None:
    records = [
        {"run_id": f"r{i}", "task_id": f"t{i}", "cohort": {"[/bold]x": "[red]v"}, "steps": []}
        for i in range(3)
    ]
    result = runner.invoke(app, ["score", str(write_jsonl(tmp_path / "r.jsonl", records))])
    assert result.exit_code in (0, 1), result.output
    assert "[/bold]x" in result.output and "[red]v" in result.output


def test_error_messages_show_names_from_the_input_escaped(tmp_path: Path) -> None:
    records = [{"run_id": "r", "task_id": "t", "cohort": {"\u202eevil": "x"}, "steps": []}]
    path = write_jsonl(tmp_path / "r.jsonl", records)
    result = runner.invoke(app, ["score", str(path), "--cohort", "team"])
    assert result.exit_code == 2
    assert "keys found: \\u202eevil" in result.output and "\u202e" not in result.output
