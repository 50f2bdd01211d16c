"""The state file: window summaries, one a line, after a header naming the window size.

Lines are only ever added: a rerun keeps every byte already there, and the file is
rewritten whole through a temporary file, so an interrupted monitor leaves the old state.
Each summary names the inputs (by content digest) it summarises, which is how a rerun
over the same inputs knows there is nothing to add.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, ValidationError

from taskgate.errors import InputError, Problem
from taskgate.monitor.summary import WindowSummary, merge
from taskgate.output import write_atomic
from taskgate.read.runs import validation_problems

STATE_VERSION = 1


class StateHeader(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["monitor_state"] = "monitor_state"
    state_version: Literal[1] = 1
    window: str


@dataclass
class State:
    path: Path
    window: str
    summaries: list[WindowSummary] = field(default_factory=list)
    raw: bytes = b""
    """The file's bytes as read: kept as they are when lines are added."""

    @property
    def sources(self) -> set[str]:
        return {source for summary in self.summaries for source in summary.sources}

    def merged(self) -> dict[tuple[str, str, str], WindowSummary]:
        """Every (start, dimension, cohort) with its sources' summaries merged."""
        parts: dict[tuple[str, str, str], list[WindowSummary]] = {}
        for summary in self.summaries:
            key = (summary.start, summary.dimension, summary.cohort)
            parts.setdefault(key, []).append(summary)
        return {key: merge(found) for key, found in sorted(parts.items())}

    def fingerprints(self) -> set[str]:
        return {summary.config_fingerprint for summary in self.summaries}


def load_state(path: Path, window: str | None) -> State:
    """The state at ``path`` (a new one when the file does not exist or is empty)."""
    source = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return State(path, window or "1d")
    except OSError as exc:
        problem = Problem(source, None, None, f"cannot read it ({exc.strerror})")
        raise InputError([problem]) from None
    if not raw.strip():
        return State(path, window or "1d")
    lines = raw.split(b"\n")
    header = _header(source, lines[0])
    if window is not None and window != header.window:
        message = (
            f"this state holds {header.window} windows and --window is {window}; give "
            f"--window {header.window}, or another --state file for {window} windows"
        )
        raise InputError([Problem(source, 1, "window", message)])
    summaries, problems = _summaries(source, lines, header.window)
    if problems:
        raise InputError(problems, headline=f"{source}: not a taskgate monitor state file")
    state = State(path, header.window, summaries, raw if raw.endswith(b"\n") else raw + b"\n")
    return state


def _header(source: str, line: bytes) -> StateHeader:
    try:
        return StateHeader.model_validate(orjson.loads(line))
    except (orjson.JSONDecodeError, ValidationError):
        message = (
            "the first line is not a monitor state header; give the file an earlier "
            "taskgate monitor --state wrote, or a new path"
        )
        raise InputError([Problem(source, 1, None, message)]) from None


def _summaries(
    source: str, lines: list[bytes], window: str
) -> tuple[list[WindowSummary], list[Problem]]:
    summaries: list[WindowSummary] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, str, str, tuple[str, ...]], int] = {}
    for number, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        try:
            summary = WindowSummary.model_validate(orjson.loads(line))
            if summary.window != window:
                message = f"a {summary.window} window in a state of {window} windows"
                problems.append(Problem(source, number, "window", message))
                continue
            key = (summary.start, summary.dimension, summary.cohort, summary.sources)
            first = seen.setdefault(key, number)
            if first != number:  # the same input's runs of the same cell, counted twice
                message = f"the same window, cohort and inputs as line {first}; remove one"
                problems.append(Problem(source, number, "sources", message))
                continue
            summaries.append(summary)
        except orjson.JSONDecodeError as exc:
            problems.append(Problem(source, number, None, f"not JSON ({exc.msg})"))
        except ValidationError as exc:
            problems.extend(validation_problems(source, number, exc))
    return summaries, problems


def check_config(state: State, fingerprint: str, allow_change: bool) -> list[str]:
    """The other configs' fingerprints in the state; InputError unless that is allowed."""
    others = sorted(state.fingerprints() - {fingerprint})
    if others and not allow_change:
        message = (
            f"its windows were summarised under another evaluator config ({', '.join(others)}; "
            f"this one is {fingerprint}), so they would not compare; use the config they were "
            "summarised with, start a new --state, or pass --allow-config-change"
        )
        raise InputError([Problem(str(state.path), None, "config_fingerprint", message)])
    return others


def save_state(state: State, added: list[WindowSummary], *, always: bool = False) -> None:
    """The state with ``added`` appended, written atomically; nothing when none is added,
    unless ``always`` (a new state of no summaries is its header)."""
    if not added and not always:
        return
    head = state.raw or orjson.dumps(StateHeader(window=state.window).model_dump()) + b"\n"
    lines = b"".join(orjson.dumps(summary.model_dump(mode="json")) + b"\n" for summary in added)
    write_atomic(state.path, head + lines)
    state.raw = head + lines
    state.summaries.extend(added)
