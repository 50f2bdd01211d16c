from __future__ import annotations

from rich.console import Console

from taskgate.api import score
from taskgate.report.terminal import render_terminal
from tests.conftest import FIXTURES

REPORT = score(FIXTURES / "candidate.jsonl", cohorts=["tool_surface"])


def rendered(width: int) -> str:
    console = Console(width=width, record=True, color_system=None)
    console.print(render_terminal(REPORT, width))
    return console.export_text()


def test_narrow_terminal_keeps_the_gated_columns_within_80_columns() -> None:
    text = rendered(80)
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "│ mcp-identity │  82 │  33% │        0 │      0.481 │ 0.000 │ 0.481 │ red    │" in text
    assert "top failure" not in text
    assert text.splitlines()[-1] == "FAIL: 3 findings failed the gate, 5 warnings; 597 runs scored"


def test_wide_terminal_adds_trajectory_and_failures() -> None:
    text = rendered(140)
    assert (
        "top failure" in text and "loop_exhaustion (20)" in text and "function_calls (28)" in text
    )


def test_failure_counts_are_always_shown() -> None:
    assert (
        "How runs failed: 27 early_stop, 25 loop_exhaustion, 17 tool_misuse, 6 wrong_task_drift; "
        "broke at: 3 criteria, 18 final_step, 35 function_calls, 19 outcome"
    ) in rendered(200)


def test_status_reads_without_colour() -> None:
    assert "red" in rendered(80) and "green" in rendered(80)
