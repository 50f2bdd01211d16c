"""What the CLI prints: quiet mode, colour, the step summary, the progress bar."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from taskgate import cli
from taskgate.cli import gating
from tests.conftest import FIXTURES

runner = CliRunner()
CANDIDATE = str(FIXTURES / "candidate.jsonl")


def test_quiet_prints_only_the_verdict_line() -> None:
    result = runner.invoke(cli.app, ["score", CANDIDATE, "-q"])
    assert (result.exit_code, result.output) == (
        1,
        "FAIL: 3 findings failed the gate, 17 warnings; 597 runs scored\n",
    )


def test_no_color_leaves_no_escape_codes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")  # as if on a terminal
    coloured = runner.invoke(cli.app, ["score", CANDIDATE, "-q"])
    plain = runner.invoke(cli.app, ["score", CANDIDATE, "-q", "--no-color"])
    assert "\x1b[" in coloured.output
    assert "\x1b[" not in plain.output


def test_github_step_summary_gets_the_markdown_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    runner.invoke(cli.app, ["score", CANDIDATE, "-q"])
    text = summary.read_text()
    assert text.startswith("earlier step\n## ❌ taskgate: FAIL — 3 findings failed the gate")


def test_an_unwritable_step_summary_is_a_warning_and_the_verdict_keeps_its_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "no-such-folder" / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    report = tmp_path / "report.json"
    result = runner.invoke(cli.app, ["score", CANDIDATE, "-q", "-o", str(report)])
    assert result.exit_code == 1  # the verdict's, not 2
    assert report.exists()
    assert (
        f"warning: cannot append to GITHUB_STEP_SUMMARY ({summary}): No such file or directory; "
        "the job summary lacks the report, the exit code is the verdict's"
    ) in result.output.splitlines()


def test_no_progress_bar_for_small_files_or_pipes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with gating._progress(CANDIDATE, quiet=False) as progress:
        assert progress is None  # 1.8 MB: under the threshold
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with gating._progress("-", quiet=False) as progress:
        assert progress is None  # not a terminal


def test_progress_bar_counts_bytes_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    monkeypatch.setattr(gating, "PROGRESS_MIN_BYTES", 1)
    seen: list[int] = []
    with gating._progress(CANDIDATE, quiet=False) as progress:
        assert progress is not None
        progress(100)
        seen.append(100)
    with gating._progress(CANDIDATE, quiet=True) as quiet:
        assert quiet is None
    assert seen == [100]
