"""Compare a candidate's cohorts with a baseline report: deltas, intervals, p-values.

Deltas are computed on per-task means (trials averaged per task), paired by
task_id when both sides ran the same tasks, so a task with four trials
weighs as much as a task with one.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson
from pydantic import ValidationError

from taskgate.aggregate.cohorts import ALL, BUDGET_DIMENSION, cohort_value
from taskgate.compare.behaviour import behaviour
from taskgate.compare.coverage import shared_tasks
from taskgate.config.gate_settings import RegressionRule
from taskgate.errors import BaselineError, Problem, unreadable_path
from taskgate.model.messages import show_value
from taskgate.model.report import (
    REPORT_VERSION,
    BaselineCohort,
    BaselineRef,
    CohortRef,
    CohortSummary,
    MetricDelta,
    Report,
    RunResult,
)
from taskgate.read.runs import validation_problems
from taskgate.stats.bootstrap import compare_trials, trials_by_task
from taskgate.stats.measures import rounded
from taskgate.stats.power import Design, comparison_design, min_detectable_drop, unpaired_design
from taskgate.stats.randomness import seed_for

_WRITE_AGAIN = "write it again with taskgate score -o"


def load_report(path: Path) -> Report:
    """Read a JSON report (a baseline); every problem names the file and field."""
    source = str(path)
    data = _read_json(path)
    _check_version(data, source)
    try:
        return Report.model_validate(data)
    except ValidationError as exc:
        problems = [  # "add it" is no advice for a report: it is written again, not edited
            Problem(p.source, None, p.field, p.message.removesuffix("; add it"))
            for p in validation_problems(source, 0, exc)
        ]
        headline = f"{source}: not a taskgate report; {_WRITE_AGAIN}"
        raise BaselineError(problems, headline=headline) from None


def _unreadable(path: Path, message: str, line: int | None = None) -> BaselineError:
    return BaselineError([Problem(str(path), line, None, message)])


MAX_REPORT_BYTES = 4 << 30
"""The largest baseline read: a report takes about 1.3 KB a run, so some 3 million runs."""


def _read_bounded(path: Path) -> bytes:
    """The file, unless it is no JSON (its first byte is neither '{' nor '[') or never ends."""
    with path.open("rb") as handle:
        start = handle.read(64 << 10)
        if start.lstrip()[:1] not in (b"{", b"[", b""):
            return start  # not JSON at all: decoding says why, without reading the rest
        rest = handle.read(MAX_REPORT_BYTES + 1 - len(start))
    raw = start + rest
    if len(raw) > MAX_REPORT_BYTES:
        raise _unreadable(
            path,
            f"the file is larger than {MAX_REPORT_BYTES:,} bytes, the most a baseline may "
            "take; is it a report? (taskgate score -o baseline.json writes one)",
        )
    return raw


def _read_json(path: Path) -> Any:
    try:
        raw = _read_bounded(path)
    except OSError as exc:
        raise _unreadable(path, unreadable_path(exc, "give a JSON report file")) from None
    if not raw.strip():
        raise _unreadable(path, f"the file is empty; {_WRITE_AGAIN}")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise _unreadable(path, _json_problem(raw, exc), exc.lineno) from None


def _json_problem(raw: bytes, exc: orjson.JSONDecodeError) -> str:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return f"the file is not UTF-8 text, so not a taskgate report; {_WRITE_AGAIN}"
    reason = exc.msg.split(":")[0]
    if reason.startswith("unexpected end of data"):
        return f"not valid JSON ({reason}): the file is truncated; {_WRITE_AGAIN}"
    return f"not valid JSON ({reason}); expected a JSON report written by taskgate score -o"


def _check_version(data: Any, source: str) -> None:
    if not isinstance(data, dict):
        message = f"expected a JSON object, got {show_value(data)}: not a taskgate report"
        raise BaselineError([Problem(source, None, None, f"{message}; {_WRITE_AGAIN}")])
    version = data.get("report_version")
    if version == REPORT_VERSION:
        return
    if version is None:
        message = f"required field is missing: not a taskgate report; {_WRITE_AGAIN}"
    else:
        message = (
            f"report_version {version!r} is not {REPORT_VERSION}, the version this taskgate "
            "writes; score the baseline again with this version"
        )
    raise BaselineError([Problem(source, None, "report_version", message)])


def check_fingerprint(
    report: Report, fingerprint: str, source: str, allow: bool, role: str = "baseline"
) -> None:
    """Refuse a report scored under another evaluator config: its scores do not compare."""
    if allow or report.config_fingerprint == fingerprint:
        return
    message = (
        f"the {role} was scored under a different evaluator config than this one, so its "
        "scores do not compare; score it again with this config, or pass --allow-config-change"
    )
    raise BaselineError([Problem(source, None, "config_fingerprint", message)])


def _cohort_runs(runs: Sequence[RunResult], dimension: str, value: str) -> list[RunResult]:
    return [run for run in runs if cohort_value(run, dimension) == value]


def _scores(runs: Sequence[RunResult], metric: str) -> dict[str, list[float]]:
    return trials_by_task([(r.task_id, s) for r in runs if (s := r.scores.get(metric)) is not None])


def metric_delta(
    base: Sequence[RunResult],
    cand: Sequence[RunResult],
    metric: str,
    label: str,
    rule: RegressionRule | None = None,
) -> MetricDelta | None:
    """The change on one metric, over the tasks both sides ran (tasks on one side only are
    named by the coverage rule, never compared), with what the comparison can detect."""
    rule = rule or RegressionRule()
    before, after = _scores(base, metric), _scores(cand, metric)
    compared = compare_trials(before, after, seed_for(f"{label}:{metric}"))
    if compared is None:
        return None
    design = comparison_design(before, after) or unpaired_design(before, after)
    assert design is not None  # both sides have scores, or compare_trials gave None
    return MetricDelta(
        mean=compared.mean.delta,
        tail=compared.tail.delta,
        ci=compared.mean.ci,
        p_value=compared.mean.p_value,
        tail_ci=compared.tail.ci,
        tail_p_value=compared.tail.p_value,
        paired=compared.method != "unpaired",
        tasks=compared.tasks,
        method=compared.method,
        trials=rounded(design.trials),
        se=rounded(design.se),
        smallest_p=float(f"{design.smallest_p:.6g}"),
        min_detectable_drop=min_detectable_drop(design, rule.alpha, rule.power),
        tail_min_detectable_drop=min_detectable_drop(
            Design(design.tasks, design.trials, compared.tail_null_sd, design.smallest_p),
            rule.alpha,
            rule.power,
        ),
    )


def _baseline_side(cohort: CohortSummary) -> BaselineCohort:
    return BaselineCohort(
        n=cohort.n,
        pass_rate=cohort.pass_rate,
        status=cohort.status,
        means={name: m.mean for name, m in cohort.metrics.items()},
        tails={name: m.tail for name, m in cohort.metrics.items()},
        steps_mean=cohort.steps.get("mean"),
        per_pass_usd=cohort.cost.get("per_pass_usd"),
    )


def compare_cohorts(
    cohorts: Sequence[CohortSummary],
    runs: Sequence[RunResult],
    baseline: Report,
    rule: RegressionRule,
) -> list[CohortSummary]:
    """The candidate's cohorts with their baseline side and deltas filled in."""
    before = {(c.dimension, c.value): c for c in baseline.cohorts}
    compared = []
    for cohort in cohorts:
        match = before.get((cohort.dimension, cohort.value))
        if match is None:
            compared.append(cohort)
            continue
        base_runs = _cohort_runs(baseline.runs, cohort.dimension, cohort.value)
        cand_runs = _cohort_runs(runs, cohort.dimension, cohort.value)
        label = f"{cohort.dimension}={cohort.value}"
        deltas = {
            m: d for m in rule.metrics if (d := metric_delta(base_runs, cand_runs, m, label, rule))
        }
        compared.append(
            cohort.model_copy(
                update={
                    "baseline": _baseline_side(match),
                    "delta": deltas,
                    "pass_rate_delta": _change(cohort.pass_rate, match.pass_rate),
                    "behaviour": behaviour(base_runs, cand_runs, label, rule.alpha),
                }
            )
        )
    return compared


def _change(after: float | None, before: float | None) -> float | None:
    return None if after is None or before is None else rounded(after - before)


def check_shared_tasks(baseline: Report, runs: Sequence[RunResult], source: str) -> None:
    """Refuse a baseline that shares no task id with the runs: nothing can be compared, and a
    delta between two unrelated sets of tasks means nothing."""
    if shared_tasks(runs, baseline):
        return
    if not baseline.runs:
        message = f"the baseline has no runs, so nothing can be compared; {_WRITE_AGAIN}"
        raise BaselineError([Problem(source, None, "runs", message)])
    theirs = sorted({run.task_id for run in baseline.runs})
    ours = sorted({run.task_id for run in runs})
    message = (
        f"the baseline shares no task id with the runs (baseline: {_some(theirs)}; runs: "
        f"{_some(ours)}); is it the report of this golden set? Give the baseline of these "
        "tasks, or score them once without --baseline to make one"
    )
    raise BaselineError([Problem(source, None, "runs", message)])


def _some(tasks: Sequence[str]) -> str:
    count = f"{len(tasks)} task{'s' if len(tasks) != 1 else ''}"
    return f"{count}, such as {', '.join(repr(t) for t in tasks[:3])}" if tasks else "no tasks"


def baseline_ref(
    baseline: Report, cohorts: Sequence[CohortSummary], source: str, runs: Sequence[RunResult]
) -> BaselineRef:
    present = {(c.dimension, c.value) for c in cohorts}
    keys = {key for run in runs for key in run.cohort}
    dimensions = {c.dimension for c in cohorts}
    vanished = [
        CohortRef(dimension=c.dimension, value=c.value, n=c.n)
        for c in baseline.cohorts
        if c.dimension in dimensions and (c.dimension, c.value) not in present
    ]
    return BaselineRef(
        source=source,
        dimensions=[d.name for d in baseline.dimensions if d.broken_down],
        runs=baseline.dataset.runs,
        sha256=baseline.dataset.sha256,
        config_fingerprint=baseline.config_fingerprint,
        vanished=vanished,
        vanished_dimensions=[
            d.name
            for d in baseline.dimensions
            if d.name not in keys and d.name not in (ALL, BUDGET_DIMENSION)
        ],
    )
