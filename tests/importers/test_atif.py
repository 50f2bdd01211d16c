"""atif: Agent Trajectory Interchange Format trajectories, one a run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest

from taskgate.errors import InputError
from taskgate.importers import detect_format, import_files
from tests.importers.helpers import ATIF, assert_round_trips, clean_import, step_rows, write_json

TRAJECTORY: dict[str, Any] = orjson.loads(ATIF.read_bytes())


def test_a_trajectory_maps_exactly() -> None:
    [run] = clean_import("atif", ATIF)
    assert (run.run_id, run.task_id, run.trial, run.cohort) == (
        "atif-0a1b",
        "stock-price",
        None,
        {"agent": "harbor-agent", "model": "gemini-2.5-flash"},
    )
    search = "financial_search"
    assert step_rows(run, thought=True) == [
        ("user", None, None, "What is Alphabet (GOOGL) trading at?", [], False),
        (
            "agent",
            None,
            "Two data points; two calls at once.",
            "Looking up price and volume.",
            [
                (
                    search,
                    {"ticker": "GOOGL", "metric": "price"},
                    "GOOGL is trading at $185.35",
                    None,
                ),
                (
                    search,
                    {"ticker": "GOOGL", "metric": "volume"},
                    None,
                    "Error: volume feed unavailable",
                ),
                (
                    "news_search",
                    {"query": "GOOGL"},
                    "delegated to sub-agent session atif-news-77",
                    None,
                ),
            ],
            False,
        ),
        ("agent", None, None, "Alphabet (GOOGL) is trading at $185.35.", [], True),
    ]
    assert run.steps[1].observation == "market is open"  # a result for no call
    assert run.final_result == "Alphabet (GOOGL) is trading at $185.35."
    # final_metrics win over the steps' metrics.
    assert (run.usage.input_tokens, run.usage.output_tokens, run.usage.cost_usd) == (
        1120,
        124,
        0.00078,
    )
    assert run.model_extra is not None
    assert run.model_extra["messages"] == [
        {"role": "system", "content": "You answer questions about markets.", "after_steps": 0}
    ]
    assert_round_trips([run])


def test_a_list_of_trajectories_is_the_trials_of_the_files_task(tmp_path: Path) -> None:
    bare = {
        key: value for key, value in TRAJECTORY.items() if key not in ("extra", "final_metrics")
    }
    second = {**bare, "session_id": "atif-2"}
    path = write_json(tmp_path / "stock-price.json", [bare, second])
    runs = import_files("atif", [path]).records
    assert [(r.run_id, r.task_id, r.trial) for r in runs] == [
        ("atif-0a1b", "stock-price", 0),
        ("atif-2", "stock-price", 1),
    ]
    # Without final_metrics, the steps' metrics are summed.
    assert (runs[0].usage.input_tokens, runs[0].usage.output_tokens) == (1120, 124)


def test_a_run_whose_agent_last_called_a_tool_did_not_finish(tmp_path: Path) -> None:
    cut = {**TRAJECTORY, "steps": TRAJECTORY["steps"][:3]}
    [run] = import_files("atif", [write_json(tmp_path / "t.json", cut)]).records
    assert [step.is_final for step in run.steps] == [False, False]
    assert run.final_result == "Looking up price and volume."


def test_a_step_it_cannot_read_is_listed_with_where_and_why(tmp_path: Path) -> None:
    steps = TRAJECTORY["steps"]
    bad_source = {**TRAJECTORY, "session_id": "a", "steps": [{"step_id": 1, "source": "robot"}]}
    orphan = {
        **TRAJECTORY,
        "session_id": "b",
        "steps": [
            {**steps[2], "tool_calls": [], "observation": {"results": [{"source_call_id": "x"}]}}
        ],
    }
    path = write_json(tmp_path / "bad.json", [bad_source, orphan, TRAJECTORY])
    result = import_files("atif", [path])
    assert [r.run_id for r in result.records] == ["atif-0a1b"]
    assert [str(p) for p in result.problems] == [
        f"{path}: [0].steps[0].source: unknown source 'robot'; expected user, agent or system",
        f"{path}: [1].steps[0].observation.results[0].source_call_id: a result for call 'x', "
        "which this step does not make",
    ]


def test_the_format_is_named_when_given_elsewhere() -> None:
    assert detect_format(str(ATIF)) == "atif"
    with pytest.raises(InputError) as caught:
        import_files("tau2", [str(ATIF)])
    assert str(caught.value.problems[0]).endswith(
        f"it looks like an ATIF trajectory file; use: taskgate import atif {ATIF} -o OUT.jsonl"
    )
