"""The per-run context the checks and evaluators read: the run's facts, and its judgments
under the config's settings, each computed once and typed.

task_completion, goal_progress, function_calls and the pass checks judge the same criteria,
outcome and calls; the first to ask computes them, the others read them. An evaluator whose
own settings differ from the context's (a test's, say) gets them computed for it, uncached.
"""

from __future__ import annotations

from taskgate.config.fields import ArgumentMatch
from taskgate.config.load import default_config
from taskgate.model.names import CallOrder
from taskgate.model.record import OutcomeMode, RunRecord
from taskgate.model.report import JudgedCheck
from taskgate.scoring.calls import CallMatch, Credits, credit_matrix, match_calls
from taskgate.scoring.checks import (
    CheckSettings,
    RunChecks,
    check_settings,
    judge,
    judge_outcome,
)
from taskgate.scoring.criteria import CriterionResult, evaluate_criteria
from taskgate.scoring.facts import RunFacts
from taskgate.scoring.judging import Judging
from taskgate.scoring.outcome_modes import OutcomeCheck

DEFAULT_SETTINGS = check_settings(default_config())


class RunContext(RunFacts):
    """A run's facts and its judgments under ``settings``, each made when first asked for."""

    __slots__ = (
        "_call_match",
        "_checks",
        "_credits",
        "_criteria",
        "_exact_credits",
        "_outcome",
        "judging",
        "settings",
    )
    settings: CheckSettings
    judging: Judging | None
    """The judge, for the outcome and criteria the rules find ambiguous; None: the rules."""
    _criteria: tuple[list[CriterionResult], list[JudgedCheck]]
    _outcome: tuple[OutcomeCheck | None, JudgedCheck | None]
    _credits: Credits
    _exact_credits: Credits
    _call_match: CallMatch
    _checks: RunChecks

    def __init__(
        self,
        record: RunRecord,
        settings: CheckSettings = DEFAULT_SETTINGS,
        judging: Judging | None = None,
    ) -> None:
        super().__init__(record)
        self.settings, self.judging = settings, judging

    @property
    def criteria(self) -> list[CriterionResult]:
        return self._judged_criteria[0]

    @property
    def _judged_criteria(self) -> tuple[list[CriterionResult], list[JudgedCheck]]:
        try:
            return self._criteria
        except AttributeError:
            results = evaluate_criteria(self, self.settings.keyword_share)
            judging = self.judging
            self._criteria = (results, []) if judging is None else judging.criteria(self, results)
            return self._criteria

    @property
    def outcome(self) -> OutcomeCheck | None:
        """The outcome under the task's mode; None when the task states no expected result."""
        return self._judged_outcome[0]

    @property
    def _judged_outcome(self) -> tuple[OutcomeCheck | None, JudgedCheck | None]:
        try:
            return self._outcome
        except AttributeError:
            settings = self.settings
            check = judge_outcome(self, settings.outcome_match, settings.outcome_tolerance)
            judging = self.judging
            self._outcome = (
                (check, None) if check is None or judging is None else judging.outcome(self, check)
            )
            return self._outcome

    @property
    def judged(self) -> tuple[JudgedCheck, ...]:
        """The checks the judge decided: the outcome first, then criteria in order."""
        outcome = self._judged_outcome[1]
        return (*(() if outcome is None else (outcome,)), *self._judged_criteria[1])

    @property
    def credits(self) -> Credits:
        """The credit of every pair of an expected call and a call made, under the
        settings' argument mode."""
        try:
            return self._credits
        except AttributeError:
            self._credits = credit_matrix(self, self.settings.arguments)
            return self._credits

    @property
    def exact_credits(self) -> Credits:
        """As ``credits``, with exact arguments (goal_progress counts calls made so)."""
        if self.settings.arguments == "exact":
            return self.credits
        try:
            return self._exact_credits
        except AttributeError:
            self._exact_credits = credit_matrix(self, "exact")
            return self._exact_credits

    @property
    def call_match(self) -> CallMatch:
        try:
            return self._call_match
        except AttributeError:
            order = self.task.call_order or self.settings.order
            self._call_match = match_calls(self, order, self.settings.arguments, self.credits)
            return self._call_match

    @property
    def checks(self) -> RunChecks:
        """Every check the task states, held or not: whether the run passes."""
        try:
            return self._checks
        except AttributeError:
            settings = self.settings
            self._checks = judge(self, settings, self.outcome, self.criteria, self.credits)
            return self._checks

    def criteria_for(self, keyword_share: float) -> list[CriterionResult]:
        if keyword_share == self.settings.keyword_share:
            return self.criteria
        return evaluate_criteria(self, keyword_share)

    def outcome_for(self, mode: OutcomeMode, tolerance: float | None) -> OutcomeCheck | None:
        if (mode, tolerance) == (self.settings.outcome_match, self.settings.outcome_tolerance):
            return self.outcome
        return judge_outcome(self, mode, tolerance)

    def credits_for(self, arguments: ArgumentMatch) -> Credits:
        if arguments == self.settings.arguments:
            return self.credits
        return self.exact_credits if arguments == "exact" else credit_matrix(self, arguments)

    def call_match_for(self, order: CallOrder, arguments: ArgumentMatch) -> CallMatch:
        """``order``: the task's call order, or else the evaluator's default."""
        mine = self.task.call_order or self.settings.order
        if (order, arguments) == (mine, self.settings.arguments):
            return self.call_match
        return match_calls(self, order, arguments, self.credits_for(arguments))

    def checks_for(self, settings: CheckSettings) -> RunChecks:
        if settings == self.settings:
            return self.checks
        criteria = self.criteria_for(settings.keyword_share)
        outcome = self.outcome_for(settings.outcome_match, settings.outcome_tolerance)
        return judge(self, settings, outcome, criteria, self.credits_for(settings.arguments))
