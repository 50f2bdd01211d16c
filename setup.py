"""The build: pure Python by default; with ``TASKGATE_COMPILE=1`` the scoring modules are
compiled to C extensions by mypyc (the published wheels are built so). The same source runs
either way, and every test runs against both (.ci/run).

    TASKGATE_COMPILE=1 pip wheel --no-deps . -w dist        # a wheel; needs a C compiler
    TASKGATE_COMPILE=1 python setup.py build_ext --inplace  # next to the sources; needs mypy

The backend (buildsystem/taskgate_build.py) asks for mypy when the variable is set.

Metadata is in pyproject.toml; this file only chooses the extensions.
"""

from __future__ import annotations

import os
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent

COMPILED = [
    "taskgate/scoring/argument_modes.py",
    "taskgate/scoring/arguments.py",
    "taskgate/scoring/calls.py",
    "taskgate/scoring/checks.py",
    "taskgate/scoring/context.py",
    "taskgate/scoring/criteria.py",
    "taskgate/scoring/facts.py",
    "taskgate/scoring/failure.py",
    "taskgate/scoring/grounding.py",
    "taskgate/scoring/matching.py",
    "taskgate/scoring/outcome.py",
    "taskgate/scoring/outcome_modes.py",
    "taskgate/scoring/outcome_text.py",
    "taskgate/scoring/scores.py",
    "taskgate/scoring/sparse_matching.py",
    "taskgate/scoring/stated_facts.py",
    "taskgate/scoring/text.py",
    "taskgate/scoring/evaluators/function_calls.py",
    "taskgate/scoring/evaluators/goal_progress.py",
    "taskgate/scoring/evaluators/grounding.py",
    "taskgate/scoring/evaluators/step_efficiency.py",
    "taskgate/scoring/evaluators/task_completion.py",
    "taskgate/scoring/evaluators/tool_selection.py",
    "taskgate/scoring/evaluators/trajectory_score.py",
]
"""The modules scoring spends its time in. Left pure: those that build pydantic models or
call plugins and judges (file, scorer, judging, judge_command, plugin, breakdown,
record_warnings), the evaluator registry, and everything outside scoring, where a run's
time is not spent."""


def extensions() -> list[object]:
    if os.environ.get("TASKGATE_COMPILE") != "1":
        return []
    from mypyc.build import mypycify  # only the compiled build needs mypy

    os.chdir(HERE)  # mypycify takes paths relative to the project
    return list(mypycify(COMPILED, opt_level="3", group_name="taskgate.scoring"))


setup(ext_modules=extensions())
