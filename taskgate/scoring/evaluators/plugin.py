"""A custom evaluator: the plugin the config names, called on each run (SPEC §11).

The plugin is called with the validated run (a :class:`taskgate.model.record.RunRecord`) and
its ``settings`` (read-only), and returns

- a score: a number from 0 to 1 (a bool is refused: ``True`` is not a score);
- ``None``: the plugin cannot judge this run, which leaves the metric null for it;
- or either of those with a reason: ``(0.5, "two of four links dead")``.

Anything else is the plugin's bug, said with the run it happened on: a plugin that raises or
returns anything else is an :class:`EvaluatorError` naming the run: the file is refused
(exit 2) whatever ``gate.invalid_runs.max`` allows, never a traceback and never a silent 0.
"""

from __future__ import annotations

import math
from pathlib import Path
from types import MappingProxyType

from taskgate.config.model import PluginSettings
from taskgate.config.plugins import load_plugin, quoted
from taskgate.errors import EvaluatorError
from taskgate.scoring.context import RunContext
from taskgate.scoring.evaluators.base import Evaluator, Score


def plugin_evaluator(spec: PluginSettings, near: Path | None = None) -> Evaluator:
    """An evaluator calling the plugin ``spec`` names on each run."""
    plugin = load_plugin(spec, near)
    settings = MappingProxyType(dict(spec.settings))
    field = f"evaluators.plugins.{spec.name}"

    def score(ctx: RunContext) -> Score:
        record = ctx.record
        try:
            answer = plugin.function(record, settings)
        # sys.exit() in a plugin would end taskgate with its code, perhaps 0: a silent pass
        except (Exception, SystemExit) as error:  # the plugin's bug, said with the run
            raise EvaluatorError(
                field,
                f"plugin {plugin.name!r} ({plugin.origin}) raised {type(error).__name__} on "
                f"run {record.run_id!r}: {quoted(error)}; fix the plugin, or remove it",
            ) from None
        value, reason = _read_answer(answer)
        if isinstance(value, str):
            raise EvaluatorError(
                field,
                f"plugin {plugin.name!r} ({plugin.origin}) returned {value} for run "
                f"{record.run_id!r}; return a score from 0 to 1, None, or (score, reason)",
            )
        if reason is None:
            reason = (
                f"{plugin.name}: not judged." if value is None else f"{plugin.name}: {value:.2f}."
            )
        return Score(value, reason, {"plugin": plugin.origin})

    return score


def _read_answer(answer: object) -> tuple[float | str | None, str | None]:
    """(score or None, reason or None); a str in place of the score describes what was
    wrong with the answer."""
    reason: str | None = None
    if isinstance(answer, tuple) and len(answer) == 2:
        answer, given = answer
        if not isinstance(given, str):
            return f"a reason of type {type(given).__name__}, not text", None
        reason = given
    if answer is None:
        return None, reason
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        return f"{_shown(answer)} (a {type(answer).__name__})", None
    value = float(answer)
    if not (math.isfinite(value) and 0.0 <= value <= 1.0):
        return f"{_shown(answer)}, outside 0 to 1", None
    return value, reason


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
