"""What scoring produces: per-run results, per-cohort summaries, findings and
the report (SPEC §8), which is also the baseline format."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from taskgate.model.names import RuleLevel

REPORT_VERSION = 1
Status = Literal["green", "yellow", "red"]
Level = Literal["fail", "warn"]

# Unknown fields are ignored, not refused: a report gains fields between versions, and a
# baseline written by a newer taskgate of the same report_version must still be read.
# taskgate never writes inf or nan; a baseline holding one (1E400) is refused.
_FROZEN = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)
UnitScore = Annotated[float, Field(ge=0.0, le=1.0)]


class JudgedCheck(BaseModel):
    """A check the judge decided instead of the rules (``judge`` in the config)."""

    model_config = _FROZEN

    check: str
    """outcome or criterion."""
    subject: str | None = None
    """The criterion, as reasons name it; null for the outcome."""
    verdict: bool
    score: UnitScore | None = None
    reason: str
    judge: str
    """The judge's name."""


@dataclass(frozen=True, slots=True)
class Observed:
    """What ``monitor`` reads of a run beyond its scores; never written to reports."""

    started_at: datetime | None
    latency_ms: float | None
    tool_calls: int
    tool_errors: int
    final_step: bool
    """A final step reached within the step budget."""
    trace_id: str | None
    span_id: str | None
    reasons: dict[str, str]
    """Each evaluator's one-line reason."""


class RunResult(BaseModel):
    """One run, scored. Kept for every run: small, no trajectory."""

    model_config = _FROZEN

    run_id: str
    task_id: str
    trial: int | None
    cohort: dict[str, str]
    scores: dict[str, UnitScore | None]
    """Every evaluator's score, in [0, 1]; null when the run cannot be judged on it."""
    passed: bool | None
    """Every check the task states holds; null when the task states nothing to check
    beyond a final step (unjudged: never counted as a pass)."""
    failure_shape: str | None = None
    """How a failed run failed (passed for a pass); null when unjudged."""
    diagnosis: str | None = None
    """For a failed run, the component with the lowest score."""
    reason: str
    """Why it passed or failed: the first check that failed, else the checks that held."""
    failed_check: str | None = None
    """The first check that failed (status, final_step, outcome, criterion, expected_call,
    extra_call, required_tool, forbidden_tool, hallucinated_tool, write); null for a pass."""
    status: str
    error_kind: str | None = None
    """With an errored run: agent or infrastructure, as the record says; None: unknown."""
    underspecified: bool
    final_step_only: bool = False
    """Its task gives no expected result, criteria or expected calls: completion could be
    judged only on whether a final step was reached."""
    step_budget_exceeded: bool
    steps: int
    cost_usd: float | None = None
    tokens: int | None = None
    reward: float | None = None
    """The record's outside judgment (labels.reward), when it has one; never scored."""
    must_pass: bool = False
    """The task is must_pass: any failed trial fails the gate."""
    tools: dict[str, int] | None = None
    """Calls per tool name; null in reports written before taskgate counted them."""
    judged: tuple[JudgedCheck, ...] | None = Field(
        default=None, exclude_if=lambda value: value is None
    )
    """The checks a judge decided; absent when none was."""
    task_digest: str | None = Field(default=None, exclude=True)
    """A hash of the run's task definition, to find trials of one task_id whose tasks
    differ; not written to reports."""
    observed: SkipJsonSchema[Observed | None] = Field(default=None, exclude=True)
    """What monitor reads beyond the scores, when the scorer was asked to keep it."""


class MetricSummary(BaseModel):
    model_config = _FROZEN

    n: int
    """Runs judged on this metric (null scores are left out)."""
    mean: float | None
    tail: float | None
    """Mean of the worst decile: the lowest ceil(n/10) scores."""
    gap: float | None
    """mean - tail."""
    pass_rate: float | None
    """Share of judged runs at or above the metric's green threshold."""
    status: Status | None
    """From the mean and the thresholds; null for a metric without thresholds."""


class MetricDelta(BaseModel):
    """A cohort's change on one metric against the baseline, over per-task means."""

    model_config = _FROZEN

    mean: float
    """Change of the task-averaged mean, candidate minus baseline."""
    tail: float
    """Change of the worst decile of task means."""
    ci: tuple[float, float]
    """95% bootstrap interval of the mean change."""
    p_value: float
    """One-sided p-value for a drop of the mean: runs exchanged only within a task."""
    tail_ci: tuple[float, float]
    tail_p_value: float
    paired: bool
    """Compared task by task over the tasks both sides ran; false when the sides share no
    task and are compared as two independent samples."""
    tasks: int
    """Tasks behind the comparison: the shared ones when paired, the candidate's otherwise."""
    method: Literal["trials", "tasks", "unpaired"] = "tasks"
    """What the interval resampled: trials within tasks (every task has two or more a side),
    whole tasks, or each side's tasks apart (unpaired)."""
    trials: float = 1.0
    """Trials a task a side, averaged."""
    se: float | None = None
    """Standard error of the mean change under "nothing changed"."""
    smallest_p: float | None = None
    """The smallest p-value the test can reach with these tasks and trials."""
    min_detectable_drop: float | None = None
    """The smallest drop of the mean caught with the configured power at alpha (before the
    correction over comparisons); null when no drop can be detected at all."""
    tail_min_detectable_drop: float | None = None
    """The same for the worst decile, from the spread of its permutation null."""


ToolChangeKind = Literal["appeared", "vanished", "more", "less"]


class ToolChange(BaseModel):
    """A tool called more or less often than in the baseline, or newly or no longer."""

    model_config = _FROZEN

    tool: str
    before: float
    """Calls per run in the baseline."""
    after: float
    change: ToolChangeKind
    """more or less: by half or more of the baseline's rate."""


class Behaviour(BaseModel):
    """How the cohort's runs behave, against the baseline, whatever their scores."""

    model_config = _FROZEN

    tools: list[ToolChange] | None
    """Tools whose calls changed; null when the baseline was written before taskgate
    counted calls."""
    steps_before: dict[str, float | None]
    """Steps per run in the baseline: mean, p50, p90."""
    steps_after: dict[str, float | None]
    steps_p_value: float | None
    """One-sided p-value for more steps per run (runs exchanged within tasks)."""
    cost_per_run_before: float | None
    cost_per_run_after: float | None


class BaselineCohort(BaseModel):
    """The same cohort in the baseline report."""

    model_config = _FROZEN

    n: int
    pass_rate: float | None
    status: Status | None
    means: dict[str, float | None]
    tails: dict[str, float | None]
    steps_mean: float | None
    per_pass_usd: float | None


class CohortSummary(BaseModel):
    model_config = _FROZEN

    dimension: str
    value: str
    n: int
    pass_rate: float | None
    """Share of the judged runs that passed (SPEC §3); null when none could be judged."""
    pass_status: Status | None = None
    """pass_rate against thresholds.pass_rate; null when no run could be judged."""
    unjudged: int = 0
    """Runs whose task states nothing to check beyond a final step: not in pass_rate."""
    status: Status | None
    """The worst status over the metrics with thresholds and the pass rate."""
    metrics: dict[str, MetricSummary]
    underspecified: int = 0
    failure_shapes: dict[str, int] = Field(default_factory=dict)
    """Runs per failure shape (passed included)."""
    diagnoses: dict[str, int] = Field(default_factory=dict)
    """Failed runs per diagnosed component."""
    steps: dict[str, float | None] = Field(default_factory=dict)
    """Steps per run: mean, p50, p90 (nearest rank)."""
    cost: dict[str, float | None] = Field(default_factory=dict)
    """total_usd; per_pass_usd and tokens_per_pass: all runs' spend per passed run."""
    pass_k: dict[str, float] = Field(default_factory=dict)
    """Unbiased pass^k by k, for k up to the most trials of a task."""
    baseline: BaselineCohort | None = None
    """Set when a baseline was given and it has this cohort."""
    delta: dict[str, MetricDelta] | None = None
    """Per regression metric; set with ``baseline``."""
    pass_rate_delta: float | None = None
    behaviour: Behaviour | None = None
    """Set with ``baseline``: tools, steps and cost per run then and now."""
    task_states: dict[str, int] = Field(default_factory=dict)
    """Tasks with two or more judged trials: stable_pass, flaky, stable_fail."""


TaskState = Literal["stable_pass", "flaky", "stable_fail"]


class TaskSummary(BaseModel):
    """One task over its trials, and against the baseline's trials of it."""

    model_config = _FROZEN

    task_id: str
    trials: int
    """Judged trials (unjudged ones neither pass nor fail)."""
    passed: int
    state: TaskState | None
    """stable_pass, flaky or stable_fail; null with fewer than two judged trials."""
    must_pass: bool = False
    runs: list[str]
    """Its runs' ids, for taskgate explain."""
    baseline_trials: int | None = None
    """Judged trials in the baseline; null when the baseline does not have the task."""
    baseline_passed: int | None = None
    change: Literal["newly_failing", "newly_passing"] | None = None
    """newly_failing: every baseline trial passed and every trial now fails; newly_passing
    the other way round."""
    p_value: float | None = None
    """One-sided Fisher p-value for so few passes now, if nothing changed."""
    q_value: float | None = None
    """p_value after the Benjamini-Hochberg correction over the shared tasks that could
    reach alpha; null for a task that cannot (its passes admit no p-value below alpha)."""


class Finding(BaseModel):
    model_config = _FROZEN

    rule: str
    level: Level
    dimension: str | None = None
    cohort: str | None = None
    metric: str | None = None
    observed: float | None = None
    limit: float | None = None
    message: str
    task: str | None = None
    """The task a finding is about (newly_failing, must_pass)."""


class Check(BaseModel):
    """One check the gate made: a rule, and where it looked (a cohort and metric, a task,
    or, with neither, the dataset). Findings of the same rule and place are its outcome;
    a check without any passed."""

    model_config = _FROZEN

    rule: str
    dimension: str | None = None
    cohort: str | None = None
    metric: str | None = None
    task: str | None = None
    skipped: str | None = None
    """Why the check could not be made (a cohort too small to judge); null when it was."""


class Verdict(BaseModel):
    model_config = _FROZEN

    status: Literal["pass", "fail"]
    exit_code: Literal[0, 1]
    findings: list[Finding]
    inconclusive: list[str] = []
    """Cohorts (``all``, ``dimension=value``) whose comparison could not have seen an allowed
    drop (the underpowered findings): a pass over them is no evidence that nothing dropped."""
    rules: dict[str, RuleLevel] = {}
    """Each rule's level as configured; an ``off`` rule was not checked, except that no
    level turns off underspecified's failure of a dataset with nothing to judge completion
    by. Empty in reports written before taskgate recorded it."""
    checks: list[Check] = []
    """The cohort, regression, coverage and task checks the gate made, passed or not;
    other rules are seen through their findings. Empty in reports written before."""
    turned_off: list[str] = []
    """Rules on by default that the config turned off: a pass did not check them."""


class Dataset(BaseModel):
    model_config = _FROZEN

    source: str
    """The run file as the user named it."""
    runs: int
    invalid: int
    """Lines skipped because they are not valid run records (gate.invalid_runs.max)."""
    skipped: list[str] = []
    """What was wrong with each skipped line, with its file and line number."""
    underspecified: int
    underspecified_tasks: list[str] = []
    """Tasks with no expected result or no success criteria, sorted."""
    final_step_only: int = 0
    """Runs whose task gives nothing to judge completion by but the final step."""
    unjudged: int = 0
    """Runs that could not be judged (passed is null): never counted as passes."""
    unjudged_tasks: list[str] = []
    """The tasks of the unjudged runs, sorted."""
    infrastructure: int = 0
    """Runs that failed for infrastructure reasons (error_kind): failures, in every
    denominator, counted apart."""
    judged: int = Field(default=0, exclude_if=lambda value: value == 0)
    """Runs with a check a judge decided (runs[].judged); absent without a judge."""
    sha256: str


class DimensionSummary(BaseModel):
    model_config = _FROZEN

    name: str
    cohorts: int
    """Its distinct values: the cohorts it was broken down into, unless ``broken_down`` is
    false."""
    worst_cohort_gap: dict[str, float | None]
    """Per metric: the overall mean minus the mean of the worst decile of this dimension's
    cohorts (at least one), over cohorts large enough to judge."""
    broken_down: bool = True
    """False when it has more values than gate.cohort_values.max_values, or one longer than
    max_length: then it has no cohorts in the report."""
    longest_value: int | None = None
    """Characters of its longest value; set when it was not broken down."""


class CohortRef(BaseModel):
    model_config = _FROZEN

    dimension: str
    value: str
    n: int


class BaselineRef(BaseModel):
    model_config = _FROZEN

    source: str
    runs: int
    sha256: str
    config_fingerprint: str
    dimensions: list[str] = []
    """The baseline's cohort dimensions (besides all and step_budget_exceeded)."""
    vanished: list[CohortRef]
    """Cohorts of the baseline that the candidate no longer has."""
    vanished_dimensions: list[str] = []
    """Cohort dimensions of the baseline that no run of the candidate has as a cohort key."""


class CohortCoverage(BaseModel):
    """A baseline cohort that lost tasks: how many it had, how many have no run now."""

    model_config = _FROZEN

    dimension: str
    value: str
    tasks: int
    missing: int


class Coverage(BaseModel):
    """Which golden tasks the runs covered, against the baseline's and the --tasks file's."""

    model_config = _FROZEN

    against: list[str]
    """What the runs were checked against: "baseline", "tasks file" or both."""
    expected: int
    """Tasks the runs should cover: the baseline's and the tasks file's, together."""
    ran: int
    """Tasks with at least one run."""
    shared: int | None
    """Tasks both the runs and the baseline have; null without a baseline."""
    missing: list[str]
    """Expected tasks with no run, sorted."""
    new: list[str]
    """Tasks with runs that the baseline does not have, sorted: scored, not compared."""
    missing_by_cohort: list[CohortCoverage] = []
    """Baseline cohorts that lost tasks, the largest share missing first."""


class LabelAgreement(BaseModel):
    """How well the scores agree with an outside judgment of the runs (labels.reward)."""

    model_config = _FROZEN

    runs: int
    """Runs with a reward; a reward of 0.5 or more counts as a success."""
    successes: int
    auroc: dict[str, float | None]
    """Per metric: the chance that a random success outscores a random failure."""
    passed_and_succeeded: int
    passed_but_failed: int
    failed_but_succeeded: int
    failed_and_failed: int
    unjudged_succeeded: int = 0
    """Runs that could not be judged: neither passed nor failed."""
    unjudged_failed: int = 0

    @property
    def accuracy(self) -> float | None:
        """Share of labelled runs where passed agrees with the label; an unjudged run
        agrees with neither."""
        agree = self.passed_and_succeeded + self.failed_and_failed
        return agree / self.runs if self.runs else None


class Report(BaseModel):
    model_config = _FROZEN

    report_version: int = REPORT_VERSION
    taskgate_version: str
    config_fingerprint: str
    dataset: Dataset
    verdict: Verdict
    dimensions: list[DimensionSummary]
    cohorts: list[CohortSummary]
    baseline: BaselineRef | None = None
    coverage: Coverage | None = None
    """Set with a baseline or a tasks file."""
    labels: LabelAgreement | None = None
    """Set when runs carry labels.reward."""
    tasks: list[TaskSummary] = []
    """Every task over its trials, sorted by id."""
    runs: list[RunResult]
