"""An opt-in judge for what deterministic rules find ambiguous (SPEC §11).

The rules decide first. An outcome whose score lands in ``judge.ask_when.outcome_between``
(matched in part, not equal) and, with ``judge.criteria: phrase``, a phrase criterion with a
share of its keywords in ``phrase_between`` (found in part) is a *question* for the judge.
The judge's verdict decides the check instead of the rule, and the run's result names the
checks a judge decided (``runs[].judged``).

Questions are asked by the user's command (:mod:`taskgate.scoring.judge_command`) and their
verdicts are cached by a hash of what was judged and the judge's name, so scoring with the
cache asks nothing and gives the same bytes. A model must not judge its own family: the
agent's family (``judge.agent_family``, else the run's ``cohort.model_family``) must be
known and differ from the judge's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import orjson

from taskgate.config.model import JudgeSettings, same_family
from taskgate.errors import EvaluatorError
from taskgate.model.report import JudgedCheck
from taskgate.scoring.criteria import CriterionResult, phrase_share
from taskgate.scoring.outcome import outcome_score
from taskgate.scoring.outcome_modes import OutcomeCheck

if TYPE_CHECKING:
    from taskgate.scoring.facts import RunFacts

EVIDENCE_CHARACTERS = 16_000
"""What the run saw (tool results, observations), sent with a question up to this length."""
OUTCOME_CRITERION = "The final result achieves what the expected result describes."


@dataclass(frozen=True)
class Verdict:
    """The judge's answer to one question."""

    verdict: bool
    score: float | None
    reason: str


@dataclass(frozen=True)
class Question:
    """What the judge is asked: the request it is sent, and the hash that keys its verdict."""

    key: str
    run_id: str
    """The first run that asked it (another run may ask the same)."""
    what: str
    """``outcome``, or ``criterion 'x'``: how messages name it."""
    request: dict[str, Any]


class Judging:
    """The judge's settings and the verdicts known for one scoring pass. A question without
    a verdict is kept in ``pending`` and left to the rules; ``asking`` False (a pass that
    cannot ask, such as ``explain``) makes it a problem instead."""

    def __init__(
        self, settings: JudgeSettings, verdicts: Mapping[str, Verdict], asking: bool = True
    ) -> None:
        self.settings, self.verdicts, self.asking = settings, verdicts, asking
        self.pending: dict[str, Question] = {}

    def outcome(
        self, ctx: RunFacts, check: OutcomeCheck
    ) -> tuple[OutcomeCheck, JudgedCheck | None]:
        """The outcome check, decided by the judge when its score is ambiguous."""
        task = ctx.task
        value = outcome_score(task.expected_result, ctx.result, check.holds)
        low, high = self.settings.ask_when.outcome_between
        if not low <= value < high:
            return check, None
        verdict = self._verdict(ctx, "outcome", OUTCOME_CRITERION, value)
        if verdict is None:
            return check, None
        why = f"judged by {self.settings.label}: {verdict.reason}"
        return OutcomeCheck(verdict.verdict, why), self._judged("outcome", None, verdict)

    def criteria(
        self, ctx: RunFacts, results: list[CriterionResult]
    ) -> tuple[list[CriterionResult], list[JudgedCheck]]:
        """The criteria, phrase ones with an ambiguous share decided by the judge."""
        if self.settings.criteria == "none":
            return results, []
        low, high = self.settings.ask_when.phrase_between
        decided: list[CriterionResult] = []
        judged: list[JudgedCheck] = []
        for criterion, result in zip(ctx.task.success_criteria, results, strict=True):
            share = phrase_share(ctx, criterion) if isinstance(criterion, str) else None
            verdict = None
            if share is not None and low <= share < high:
                verdict = self._verdict(ctx, "criterion", str(criterion), share)
            if verdict is None:
                decided.append(result)
                continue
            by = f"judged by {self.settings.label}: {verdict.reason}"
            decided.append(CriterionResult(result.name, verdict.verdict, by))
            judged.append(self._judged("criterion", result.name, verdict))
        return decided, judged

    def _verdict(
        self, ctx: RunFacts, kind: Literal["outcome", "criterion"], criterion: str, value: float
    ) -> Verdict | None:
        record = ctx.record
        what = "outcome" if kind == "outcome" else f"criterion {criterion!r}"
        self._check_family(ctx, what)
        request = _request(ctx, kind, criterion, value)
        key = question_key(self.settings.label, request)
        verdict = self.verdicts.get(key)
        if verdict is None and not self.asking:
            raise EvaluatorError(
                "judge",
                f"run {record.run_id!r}, {what}: the judge has no cached verdict for it; "
                "score the runs with taskgate score to ask, or use --no-judge",
            )
        if verdict is None:
            self.pending.setdefault(key, Question(key, record.run_id, what, request))
        return verdict

    def _check_family(self, ctx: RunFacts, what: str) -> None:
        settings, record = self.settings, ctx.record
        agent = settings.agent_family or record.cohort.get("model_family")
        if agent is None:
            raise EvaluatorError(
                "cohort.model_family",
                f"run {record.run_id!r}, {what}: would be judged, but the agent's model family "
                "is unknown; set cohort.model_family in the runs, or judge.agent_family",
            )
        if same_family(agent, settings.model_family):
            raise EvaluatorError(
                "cohort.model_family",
                f"run {record.run_id!r}: the agent's model family {agent!r} is the judge's "
                f"({settings.model_family!r}); a model judging its own family inflates "
                "scores; use a judge of another family",
            )

    def _judged(self, check: str, subject: str | None, verdict: Verdict) -> JudgedCheck:
        return JudgedCheck(
            check=check,
            subject=subject,
            verdict=verdict.verdict,
            score=verdict.score,
            reason=verdict.reason,
            judge=self.settings.label,
        )


def _request(
    ctx: RunFacts, kind: Literal["outcome", "criterion"], criterion: str, value: float
) -> dict[str, Any]:
    record, task = ctx.record, ctx.task
    evidence: list[str] = []
    room = EVIDENCE_CHARACTERS
    truncated = False
    for text in ctx.observed_texts:
        if len(text) > room:
            truncated = True
            if room:
                evidence.append(text[:room])
            break
        evidence.append(text)
        room -= len(text)
    return {
        "kind": kind,
        "run_id": record.run_id,
        "task_id": record.task_id,
        "task": {"description": task.description},
        "expected": task.expected_result,
        "result": ctx.result,  # as the rules read it: else the final step's message
        "criterion": criterion,
        "rule_score": round(value, 6),
        "evidence": evidence,
        "evidence_truncated": truncated,
    }


def question_key(judge: str, request: Mapping[str, Any]) -> str:
    """A hash of what is judged (the request, but for the run's id: the same question from
    another run has the same verdict) and who judges it."""
    judged = {name: value for name, value in request.items() if name != "run_id"}
    content = orjson.dumps({"judge": judge, "request": judged}, option=orjson.OPT_SORT_KEYS)
    return "sha256:" + hashlib.sha256(content).hexdigest()
