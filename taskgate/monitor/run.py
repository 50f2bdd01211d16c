"""``taskgate monitor``: production runs summarised per window and cohort, added to the
state, and the newest complete window of each cohort judged against its trailing ones.

Runs stream through the scorer and into per-window accumulators; nothing per run is
kept, so memory follows the number of windows and cohorts, not of runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from taskgate import __version__
from taskgate.config.load import config_fingerprint
from taskgate.config.model import Config
from taskgate.errors import InputError, Problem
from taskgate.model.monitor import Alert, CohortSeries, MonitorReport, MonitorStatus, Notice
from taskgate.model.report import RunResult
from taskgate.monitor.alerts import Cohort, judge
from taskgate.monitor.metrics import window_metrics
from taskgate.monitor.state import State, check_config, load_state, save_state
from taskgate.monitor.summary import Accumulator, Contribution, WindowSummary, contribution
from taskgate.monitor.windows import WINDOWS, preceding, stamp, window_start
from taskgate.read.run_ids import RunIdDigests
from taskgate.read.runs import Progress, RunReader, iter_lines
from taskgate.scoring.file import iter_reduced, iter_scored, worker_count

ALL = "all"
UNJUDGED = ("small_window", "short_history")
"""Notices that mean a cohort's window was not compared at all."""
EventSink = Callable[[RunResult], None]


@dataclass(frozen=True)
class Summarised:
    """One input's runs, summarised."""

    source: str
    digest: str
    runs: int
    summaries: list[WindowSummary]
    skipped: list[Problem]
    """The invalid lines gate.invalid_runs.max let through, with what is wrong with each."""
    skipped_count: int = 0


def summarise(
    source: str,
    config: Config,
    window: str,
    *,
    workers: int | None = None,
    events: EventSink | None = None,
    progress: Progress | None = None,
    lines: Iterable[bytes] | None = None,
) -> Summarised:
    """Score every run of ``source`` (or ``lines``, given: JSON lines named ``source``)
    and summarise them per window and cohort.

    Raises InputError when the file cannot be judged: more invalid lines than
    gate.invalid_runs.max allows (a run without started_at is one), or no runs at all."""
    reader = RunReader(source, progress=progress, seen=RunIdDigests())
    wanted = set(config.cohorts) if config.cohorts is not None else None
    cells: dict[tuple[datetime, str, str], Accumulator] = {}
    count = 0
    numbered = None if lines is None else reader.lines_of(lines)
    processes = worker_count(source, workers) if lines is None else 1
    for run in _contributions(reader, config, processes, numbered, events):
        start = window_start(run.started_at, window)
        count += 1
        for dimension, value in ((ALL, ALL), *run.cohort):
            if dimension == ALL or wanted is None or dimension in wanted:
                key = (start, dimension, value)
                cell = cells.get(key)
                if cell is None:
                    cell = cells[key] = Accumulator()
                cell.count(run)
    _refuse_unjudgeable(reader, count, config.gate.invalid_runs.max)
    fingerprint = config_fingerprint(config)
    summaries = [
        cell.summary(window, stamp(start), dimension, value, reader.sha256, fingerprint)
        for (start, dimension, value), cell in sorted(cells.items())
    ]
    return Summarised(
        source, reader.sha256, count, summaries, reader.problems, reader.invalid_lines
    )


def _contributions(
    reader: RunReader,
    config: Config,
    workers: int,
    lines: Iterable[tuple[int, bytes]] | None,
    events: EventSink | None,
) -> Iterator[Contribution]:
    """Each run's contribution, made in the workers; with events, from the whole results,
    which the events need."""
    if events is None:
        yield from iter_reduced(reader, config, contribution, workers, lines)
        return
    for run in iter_scored(reader, config, workers, lines, observe=True):
        events(run)
        yield contribution(run)


def _refuse_unjudgeable(reader: RunReader, count: int, allowed: int) -> None:
    if reader.invalid_lines > allowed:
        headline = (
            f"{reader.source}: {reader.invalid_lines} of {reader.invalid_lines + count} records "
            f"are not valid run records (gate.invalid_runs.max allows {allowed}); fix them and "
            "run again"
        )
        raise InputError(reader.problems, headline=headline, unkept=reader.unkept)
    if not count:
        raise InputError([Problem(reader.source, None, None, "no run records; nothing to judge")])


def digest_of(source: str) -> str:
    """The sha256 of an input's lines, as its summaries name it: a quick pass that lets a
    rerun skip inputs the state already holds without scoring them."""
    import hashlib

    digest = hashlib.sha256()
    for _ in iter_lines(source, digest):
        pass
    return digest.hexdigest()


@dataclass(frozen=True)
class MonitorOptions:
    now: datetime
    """What time it is: the windows that ended by then are complete."""
    window: str | None = None
    """The window size; None: the state's (1d for a new state)."""
    merge: Sequence[Path] = ()
    """Other state files whose summaries to add (partitions summarised elsewhere)."""
    allow_config_change: bool = False
    workers: int | None = None
    events: EventSink | None = None
    """Told every run scored, for the evaluation events."""


def monitor(
    runs: Sequence[str], state_path: Path, config: Config, options: MonitorOptions
) -> MonitorReport:
    """Summarise ``runs`` into the state at ``state_path`` and judge the newest window."""
    state = load_state(state_path, options.window)
    if not state.raw and options.window is None and options.merge:
        # A new state made of partitions takes their window size, not the default.
        state = State(state.path, load_state(options.merge[0], None).window)
    fingerprint = config_fingerprint(config)
    others = check_config(state, fingerprint, options.allow_config_change)
    known = set(state.sources)
    added: list[WindowSummary] = []
    skips: list[Notice] = []
    inputs = [*(_merged_state(path, state, known, added) for path in options.merge)]
    for source in runs:
        inputs.append(_add_input(source, config, state, known, added, options, skips))
    check_config(State(state.path, state.window, added), fingerprint, options.allow_config_change)
    # Judged before it is written: what cannot be judged must not be kept either.
    after = State(state.path, state.window, [*state.summaries, *added], state.raw)
    report = _report(after, config, fingerprint, inputs, others, options.now)
    save_state(state, added)
    return report.model_copy(update={"notices": [*skips, *report.notices]})


def _add_input(
    source: str,
    config: Config,
    state: State,
    known: set[str],
    added: list[WindowSummary],
    options: MonitorOptions,
    skips: list[Notice],
) -> str:
    digest = digest_of(source) if source != "-" else None
    if digest in known and options.events is None:
        return f"{source}: already in the state (sha256 {digest}); nothing added"
    done = summarise(source, config, state.window, workers=options.workers, events=options.events)
    if done.digest in known:
        return f"{source}: already in the state (sha256 {done.digest}); nothing added"
    known.add(done.digest)
    added.extend(done.summaries)
    said = f"{source}: {done.runs} runs added (sha256 {done.digest})"
    if done.skipped_count:
        skipped = (
            f"{done.skipped_count} invalid records skipped, as gate.invalid_runs.max allows "
            f"(first: {done.skipped[0]})"
        )
        said += f"; {skipped}"
        skips.append(
            Notice(
                kind="skipped_runs",
                window=None,
                dimension=None,
                cohort=None,
                message=f"{source}: {skipped}",
            )
        )
    return said


def _merged_state(path: Path, state: State, known: set[str], added: list[WindowSummary]) -> str:
    other = load_state(path, None)
    if other.window != state.window:
        message = (
            f"this partition holds {other.window} windows and the state {state.path} holds "
            f"{state.window} windows; partitions merge only into a state of their window size: "
            f"summarise them with --window {state.window}, or merge them into another --state"
        )
        raise InputError([Problem(str(path), 1, "window", message)])
    new = [s for s in other.summaries if not set(s.sources) <= known]
    for summary in new:
        known.update(summary.sources)
    added.extend(new)
    kept = len(other.summaries) - len(new)
    return f"{path}: {len(new)} window summaries merged, {kept} already in the state"


def _report(
    state: State,
    config: Config,
    fingerprint: str,
    inputs: list[str],
    others: list[str],
    now: datetime,
) -> MonitorReport:
    settings = config.monitor
    merged = state.merged()
    # The window that ended last is judged, runs or none: a sample that stopped coming
    # is said (no runs), never yesterday's verdict again.
    last = stamp(window_start(now, state.window) - WINDOWS[state.window])
    judged = last if any(start <= last for start, _, _ in merged) else None
    alerts: list[Alert] = []
    notices = [_config_notice(others)] if others else []
    ahead = _runs_ahead(merged, stamp(window_start(now, state.window)))
    if ahead:
        notices.append(ahead)
    judged_cohorts = 0
    for cohort in _cohorts(merged, judged, state.window, settings.trailing):
        found, said = judge(cohort, settings)
        alerts.extend(found)
        notices.extend(said)
        judged_cohorts += not any(notice.kind in UNJUDGED for notice in said)
    failed = any(alert.level == "fail" for alert in alerts)
    status: MonitorStatus = "fail" if failed else "pass" if judged_cohorts else "not_judged"
    return MonitorReport(
        taskgate_version=__version__,
        config_fingerprint=fingerprint,
        window=state.window,
        judged_window=judged,
        trailing=settings.trailing,
        inputs=inputs,
        status=status,
        exit_code=0 if status == "pass" else 1,
        judged_cohorts=judged_cohorts,
        alerts=alerts,
        notices=notices,
        cohorts=_series(merged, judged, state.window, settings.trailing, now),
    )


Merged = dict[tuple[str, str, str], WindowSummary]


def _pairs(merged: Merged) -> list[tuple[str, str]]:
    return sorted({(dimension, cohort) for _, dimension, cohort in merged})


def _cohorts(merged: Merged, judged: str | None, window: str, trailing: int) -> list[Cohort]:
    """The cohorts with runs in the judged window or its trailing ones, to be judged."""
    if judged is None:
        return []
    starts = [stamp(start) for start in preceding(_parse(judged), window, trailing)]
    cohorts = []
    for dimension, value in _pairs(merged):
        history = [merged.get((start, dimension, value)) for start in starts]
        before = [summary for summary in history if summary is not None]
        current = merged.get((judged, dimension, value))
        if current is not None or before:
            cohorts.append(Cohort(judged, dimension, value, current, before))
    return cohorts


def _series(
    merged: Merged, judged: str | None, window: str, trailing: int, now: datetime
) -> list[CohortSeries]:
    """Every cohort's windows from the judged window's trailing ones on (all without one),
    up to the one open at ``now``: windows after it (runs from a clock ahead) are left out."""
    oldest = None if judged is None else stamp(preceding(_parse(judged), window, trailing)[0])
    newest = stamp(window_start(now, window))
    series = {
        pair: CohortSeries(dimension=pair[0], cohort=pair[1], windows=[]) for pair in _pairs(merged)
    }
    for (start, dimension, value), summary in merged.items():
        if (oldest is None or start >= oldest) and start <= newest:
            series[(dimension, value)].windows.append(window_metrics(summary))
    return [cohort for cohort in series.values() if cohort.windows]


def _parse(start: str) -> datetime:
    from taskgate.model.record import rfc3339

    return rfc3339(start)


def _runs_ahead(merged: Merged, open_window: str) -> Notice | None:
    """Runs in windows after the one open now: kept in the state, not in this report."""
    later = [(start, s.n) for (start, dimension, _), s in merged.items() if dimension == ALL]
    ahead = [(start, n) for start, n in later if start > open_window]
    if not ahead:
        return None
    runs = sum(n for _, n in ahead)
    message = (
        f"{runs} runs start after the window open now ({open_window}), the first in the "
        f"window from {min(ahead)[0]}: kept in the state, left out of this report; check the "
        "clock of what wrote them, or --now"
    )
    return Notice(kind="future_runs", window=None, dimension=None, cohort=None, message=message)


def _config_notice(others: list[str]) -> Notice:
    return Notice(
        kind="config_changed",
        window=None,
        dimension=None,
        cohort=None,
        message=(
            "windows in the state were summarised under another evaluator config ("
            + ", ".join(others)
            + "); they are compared as they are (--allow-config-change)"
        ),
    )
