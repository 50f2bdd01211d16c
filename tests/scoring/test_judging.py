"""Which checks a judge is asked about, and how its verdicts decide them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taskgate.config.model import Config, JudgeSettings
from taskgate.errors import RecordError
from taskgate.scoring.judging import Judging, Verdict, question_key
from taskgate.scoring.scorer import Scorer
from tests.config.test_model import problems_in
from tests.conftest import make_record

JUDGE = {"command": "judge", "model_family": "anthropic", "agent_family": "openai"}


def record(result: str, **task: Any) -> Any:
    return make_record(
        task={"expected_result": "Order 7 cancelled", **task},
        steps=[{"message": result, "is_final": True}],
        final_result=result,
    )


def judging(verdicts: dict[str, Verdict] | None = None, **settings: Any) -> Judging:
    return Judging(JudgeSettings.model_validate({**JUDGE, **settings}), verdicts or {})


def scored(run: Any, judge: Judging) -> Any:
    config = Config.model_validate({"judge": judge.settings.model_dump()})
    return Scorer(config, judge).score(run)


def test_only_an_outcome_in_the_band_is_a_question() -> None:
    judge = judging(criteria="none")
    for result in ("Order 7 cancelled", "Hello", "Order 7 has been cancelled today"):
        scored(record(result), judge)
    assert [q.request["result"] for q in judge.pending.values()] == []
    scored(record("I have cancelled order number 7 for you"), judge)
    (question,) = judge.pending.values()
    assert (question.run_id, question.what) == ("r-1", "outcome")


def test_the_band_is_the_configs() -> None:
    # "contains" holds for this one (0.9): asked only when the band reaches past 0.9
    run = record("Order 7 cancelled, as asked")
    narrow, wide = (
        judging(criteria="none"),
        judging(criteria="none", ask_when={"outcome_between": [0.4, 1.0]}),
    )
    scored(run, narrow)
    scored(run, wide)
    assert (len(narrow.pending), len(wide.pending)) == (0, 1)


def test_a_verdict_decides_the_outcome_and_is_reported() -> None:
    run = record("I have cancelled order number 7 for you")
    asking = judging(criteria="none")
    before = scored(run, asking)
    assert before.result.passed is False and before.result.judged is None
    (key,) = asking.pending
    after = scored(run, judging({key: Verdict(True, 0.8, "cancelled, reworded")}, criteria="none"))
    assert after.result.passed is True
    # no criteria: (0.2 final step + 0.5 x outcome 0.9) / 0.7
    assert after.result.scores["task_completion"] == 0.928571
    (judged,) = after.result.judged
    assert (judged.check, judged.verdict, judged.score, judged.reason, judged.judge) == (
        "outcome",
        True,
        0.8,
        "cancelled, reworded",
        "anthropic: judge",
    )


def test_a_phrase_criterion_found_in_part_is_asked_and_decided() -> None:
    run = record("Order 7 cancelled", success_criteria=["order cancelled refund issued", "order"])
    asking = judging()
    scored(run, asking)
    (question,) = asking.pending.values()  # "order" is found whole: the rules decide it
    assert question.what == "criterion 'order cancelled refund issued'"
    assert question.request["kind"] == "criterion"
    verdicts = {question.key: Verdict(False, None, "no refund stated")}
    result = scored(run, judging(verdicts)).result
    assert result.passed is False
    assert result.reason == (
        "Criterion 'order cancelled refund issued' not met (judged by anthropic: judge: no "
        "refund stated)."
    )


def test_criteria_none_asks_about_outcomes_only() -> None:
    run = record("Order 7 cancelled", success_criteria=["order cancelled refund issued"])
    judge = judging(criteria="none")
    scored(run, judge)
    assert judge.pending == {}


def test_a_pass_that_cannot_ask_names_the_missing_verdict() -> None:
    judge = Judging(JudgeSettings.model_validate(JUDGE), {}, asking=False)
    with pytest.raises(RecordError) as caught:
        scored(record("I have cancelled order number 7 for you"), judge)
    assert caught.value.message == (
        "run 'r-1', outcome: the judge has no cached verdict for it; score the runs with "
        "taskgate score to ask, or use --no-judge"
    )


@given(st.text(), st.text(), st.text(min_size=1))
def test_the_key_is_the_question_and_the_judge_not_the_run(
    run_a: str, run_b: str, name: str
) -> None:
    request = {"kind": "outcome", "result": "x", "expected": [1, {"b": 2, "a": 1}]}
    one = question_key(name, {**request, "run_id": run_a})
    assert one == question_key(name, {"run_id": run_b, **dict(reversed(request.items()))})
    assert one != question_key(name + "'", {**request, "run_id": run_a})
    assert one != question_key(name, {**request, "result": "y", "run_id": run_a})


def test_judge_settings_are_checked_where_they_are_written(tmp_path: Path) -> None:
    content = (
        "judge:\n  command: judge\n  model_family: anthropic\n  agent_family: ' Anthropic'\n"
        "  ask_when: {outcome_between: [0.9, 0.4]}\n"
    )
    assert problems_in(tmp_path, content) == [
        (
            5,
            "judge.ask_when.outcome_between",
            "the band's low end 0.9 must be below its high end 0.4",
        )
    ]
    content = "judge:\n  command: judge\n  model_family: anthropic\n  agent_family: ' Anthropic'\n"
    assert problems_in(tmp_path, content) == [
        (
            1,
            "judge",
            "the judge's model_family 'anthropic' is the agent's (agent_family): a model "
            "judging its own family inflates scores; use a judge of another family",
        )
    ]
