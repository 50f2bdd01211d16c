# Reasons use the multiplication sign on purpose; tests assert them verbatim.
# ruff: noqa: RUF001
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from taskgate.config.model import DEFAULT_TRAJECTORY_WEIGHTS
from taskgate.scoring.evaluators.base import Score
from taskgate.scoring.evaluators.trajectory_score import trajectory_score

blend = trajectory_score(DEFAULT_TRAJECTORY_WEIGHTS)
SCORES: dict[str, float | None] = {
    "task_completion": 0.88,
    "step_efficiency": 0.5,
    "tool_selection": 1.0,
    "function_calls": None,
    "goal_progress": 0.3,
}


def test_default_blend() -> None:
    score = blend(SCORES)
    assert score.value == 0.802
    assert score.reason == "0.4×completion 0.88 + 0.3×efficiency 0.50 + 0.3×tools 1.00"
    assert score.details == {
        "weights": {"task_completion": 0.4, "step_efficiency": 0.3, "tool_selection": 0.3},
        "dropped": [],
    }


def test_function_calls_joins_tool_selection() -> None:
    score = blend({**SCORES, "function_calls": 0.75})
    # 0.4 x 0.88 + 0.3 x 0.5 + 0.15 x 1.0 + 0.15 x 0.75
    assert score.value == 0.7645
    assert score.reason == (
        "0.4×completion 0.88 + 0.3×efficiency 0.50 + 0.15×tools 1.00 + 0.15×calls 0.75"
    )


def test_function_calls_with_its_own_weight_does_not_split() -> None:
    weights = {"task_completion": 0.5, "tool_selection": 0.3, "function_calls": 0.2}
    score = trajectory_score(weights)({**SCORES, "function_calls": 0.5})
    assert score.value == 0.84
    assert score.reason == "0.5×completion 0.88 + 0.3×tools 1.00 + 0.2×calls 0.50"


def test_missing_metrics_are_dropped_and_the_rest_reweighted() -> None:
    score = blend({**SCORES, "tool_selection": None})
    # (0.4 x 0.88 + 0.3 x 0.5) / 0.7
    assert score.value == 0.717143
    assert score.reason == "0.57×completion 0.88 + 0.43×efficiency 0.50 (tools not judged)"
    assert score.details["dropped"] == ["tool_selection"]


def test_function_calls_takes_the_whole_share_when_tools_are_not_judged() -> None:
    score = blend({**SCORES, "tool_selection": None, "function_calls": 0.0})
    # (0.352 + 0.15 + 0.15 x 0) / 0.85
    assert score.value == 0.590588
    assert score.reason.endswith("+ 0.18×calls 0.00 (tools not judged)")


def test_nothing_to_blend() -> None:
    score = blend({"goal_progress": 0.5})
    assert score == Score(
        None,
        "No weighted metric has a value to blend.",
        {
            "weights": dict(DEFAULT_TRAJECTORY_WEIGHTS),
            "dropped": ["task_completion", "step_efficiency", "tool_selection"],
        },
    )


unit = st.none() | st.floats(0, 1)


@given(st.fixed_dictionaries({name: unit for name in SCORES}))
def test_blend_in_unit_interval(scores: dict[str, float | None]) -> None:
    value = blend(scores).value
    judged = [scores[n] for n in ("task_completion", "step_efficiency", "tool_selection")]
    assert (value is None) == all(v is None for v in [*judged, scores["function_calls"]])
    assert value is None or 0.0 <= value <= 1.0
