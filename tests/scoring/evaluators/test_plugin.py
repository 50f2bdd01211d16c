"""A plugin as an evaluator: what it may return, what it may not, and how it joins the rest."""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from taskgate.api import score_records, score_runs
from taskgate.cli import app
from taskgate.config import plugins as plugin_loading
from taskgate.config.model import Config
from taskgate.errors import EvaluatorError, InputError
from taskgate.scoring.scorer import Scorer
from tests.conftest import make_record, write_jsonl

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "cost_budget"

CHECKS = '''\
ANSWERS = {}


def answer(run, settings):
    """Whatever the test set for this run."""
    return ANSWERS[run.run_id]


def steps(run, settings):
    return min(1.0, len(run.steps) / settings["per"]), f"{len(run.steps)} steps"


def boom(run, settings):
    raise KeyError("missing")


def leave(run, settings):
    raise SystemExit(0)


def picky(run, settings):
    if run.run_id in settings["fail_on"]:
        raise ValueError("cannot read this one")
    return 1.0
'''


@pytest.fixture(autouse=True)
def checks(tmp_path: Path) -> Iterator[Any]:
    """The test plugins' module, importable as test_plugin_checks."""
    (tmp_path / "test_plugin_checks.py").write_text(CHECKS, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    plugin_loading._LOADED.clear()
    import test_plugin_checks

    yield test_plugin_checks
    sys.path.remove(str(tmp_path))
    plugin_loading._LOADED.clear()
    del sys.modules["test_plugin_checks"]


def config(function: str, **more: Any) -> Config:
    plugin = {"name": "custom", "function": f"test_plugin_checks:{function}", **more}
    return Config.model_validate({"evaluators": {"plugins": [plugin]}})


def scored(answer: object, checks: Any, run_id: str = "r-1") -> tuple[float | None, str]:
    checks.ANSWERS[run_id] = answer
    score = Scorer(config("answer")).score(make_record(run_id=run_id)).scores["custom"]
    return score.value, score.reason


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        (0.25, (0.25, "custom: 0.25.")),
        (1, (1.0, "custom: 1.00.")),
        (0, (0.0, "custom: 0.00.")),
        (None, (None, "custom: not judged.")),
        ((0.5, "two of four links dead"), (0.5, "two of four links dead")),
        ((None, "no links to check"), (None, "no links to check")),
    ],
)
def test_what_a_plugin_may_return(answer: object, expected: object, checks: Any) -> None:
    assert scored(answer, checks) == expected


PREFIX = "plugin 'custom' (test_plugin_checks:answer) returned "
SUFFIX = " for run 'r-1'; return a score from 0 to 1, None, or (score, reason)"


@pytest.mark.parametrize(
    ("answer", "what"),
    [
        (1.5, "1.5, outside 0 to 1"),
        (-0.1, "-0.1, outside 0 to 1"),
        (math.nan, "nan, outside 0 to 1"),
        (True, "True (a bool)"),
        ("0.5", "'0.5' (a str)"),
        ([0.5, "why"], "[0.5, 'why'] (a list)"),
        ((0.5, 3), "a reason of type int, not text"),
        ((0.5, "why", "more"), "(0.5, 'why', 'more') (a tuple)"),
    ],
)
def test_a_bad_answer_names_the_plugin_and_the_run(answer: object, what: str, checks: Any) -> None:
    with pytest.raises(EvaluatorError) as caught:
        scored(answer, checks)
    assert caught.value.field == "evaluators.plugins.custom"
    assert caught.value.message == PREFIX + what + SUFFIX


@given(st.floats(allow_nan=False))
def test_any_number_from_0_to_1_is_the_score_and_nothing_else_is(value: float) -> None:
    module = sys.modules["test_plugin_checks"]
    if 0.0 <= value <= 1.0:
        assert scored(value, module)[0] == value
    else:
        with pytest.raises(EvaluatorError):
            scored(value, module)


@pytest.mark.parametrize(
    ("function", "what"),
    [
        ("boom", "raised KeyError on run 'r-9': 'missing'"),
        # sys.exit(0) in a plugin must not end taskgate with 0: a silent pass
        ("leave", "raised SystemExit on run 'r-9': 0"),
    ],
)
def test_a_plugin_that_raises_or_exits_is_named_with_the_run(
    function: str, what: str, checks: Any
) -> None:
    with pytest.raises(EvaluatorError) as caught:
        Scorer(config(function)).score(make_record(run_id="r-9"))
    assert caught.value.message == (
        f"plugin 'custom' (test_plugin_checks:{function}) {what}; fix the plugin, or remove it"
    )


def test_the_plugin_gets_its_settings_read_only(checks: Any) -> None:
    seen: list[object] = []

    def keep(run: Any, settings: Any) -> float:
        seen.append(settings)
        with pytest.raises(TypeError):
            settings["per"] = 1
        return 1.0

    checks.keep = keep
    Scorer(config("keep", settings={"per": 4})).score(make_record())
    assert [dict(s) for s in seen] == [{"per": 4}]  # type: ignore[call-overload]


def test_a_weighted_plugin_takes_its_share_of_trajectory_score(checks: Any) -> None:
    steps = [{"message": "a"}, {"message": "b"}, {"message": "done", "is_final": True}]
    record = make_record(steps=steps, final_result="done")
    plain = Scorer(Config()).score(record).scores
    weighted = Scorer(config("steps", weight=0.2, settings={"per": 4})).score(record).scores
    assert weighted["custom"].value == 0.75
    # The built-in blend keeps 0.8 of the weight, in its proportions; the plugin has 0.2.
    blended = [
        (0.4 * 0.8, plain["task_completion"].value),
        (0.3 * 0.8, plain["step_efficiency"].value),
        (0.3 * 0.8, plain["tool_selection"].value),
        (0.2, 0.75),
    ]
    parts = [(w, v) for w, v in blended if v is not None]
    expected = sum(w * v for w, v in parts) / sum(w for w, _ in parts)
    assert weighted["trajectory_score"].value == pytest.approx(expected, abs=5e-7)
    assert plain["trajectory_score"].value != weighted["trajectory_score"].value


# --- end to end: the CLI, the reports, workers -------------------------------------------------

runner = CliRunner()


def runs(tmp_path: Path, count: int = 24) -> Path:
    records = [
        {
            "run_id": f"r-{i}",
            "task_id": f"t-{i}",
            "cohort": {"surface": "api" if i % 2 else "mcp"},
            "task": {"expected_result": "done"},
            "steps": [{"message": "x"}] * (i % 4) + [{"message": "done", "is_final": True}],
            "final_result": "done",
        }
        for i in range(count)
    ]
    return write_jsonl(tmp_path / "runs.jsonl", records)


def test_a_plugin_joins_scores_cohorts_thresholds_and_every_report(tmp_path: Path) -> None:
    path = tmp_path / "taskgate.yaml"
    path.write_text(
        "evaluators:\n  plugins:\n"
        '    - {name: step_share, function: "test_plugin_checks:steps", settings: {per: 4}}\n'
        "thresholds:\n  step_share: {green: 0.9, yellow: 0.7}\n",
        encoding="utf-8",
    )
    outputs = [tmp_path / f"report.{kind}" for kind in ("json", "md", "html")]
    args = ["score", str(runs(tmp_path)), "--config", str(path), "--workers", "1"]
    result = runner.invoke(app, [*args, *(f"-o{out}" for out in outputs)])
    assert result.exit_code == 1, result.output
    report = orjson.loads(outputs[0].read_bytes())
    shares = {run["run_id"]: run["scores"]["step_share"] for run in report["runs"]}
    assert shares == {f"r-{i}": (i % 4 + 1) / 4 for i in range(24)}
    overall = report["cohorts"][0]["metrics"]["step_share"]
    assert (overall["mean"], overall["status"]) == (0.625, "red")
    assert (
        "FAIL  cohort_status: all: step_share mean 0.625 is red (below 0.70) over 24 runs"
        in result.output
    )
    for written in outputs[1:]:
        assert "step_share" in written.read_text(encoding="utf-8")
    explain = ["explain", str(tmp_path / "runs.jsonl"), "r-3", "-c", str(path)]
    explained = runner.invoke(app, explain)
    assert "step_share" in explained.output and "4 steps" in explained.output


def test_a_broken_plugin_exits_2_naming_each_run(tmp_path: Path) -> None:
    path = tmp_path / "taskgate.yaml"
    path.write_text(
        'evaluators:\n  plugins:\n    - {name: boom, function: "test_plugin_checks:boom"}\n',
        encoding="utf-8",
    )
    source = runs(tmp_path, count=2)
    result = runner.invoke(app, ["score", str(source), "--config", str(path)])
    assert result.exit_code == 2
    for line, run_id in ((1, "r-0"), (2, "r-1")):
        assert (
            f"{source}:{line}: evaluators.plugins.boom: plugin 'boom' (test_plugin_checks:boom) "
            f"raised KeyError on run '{run_id}': 'missing'; fix the plugin, or remove it"
        ) in result.output
    assert "Traceback" not in result.output


def picky_config(tmp_path: Path, allowed: int) -> Path:
    path = tmp_path / "taskgate.yaml"
    path.write_text(
        "evaluators:\n  plugins:\n"
        '    - {name: picky, function: "test_plugin_checks:picky", settings: {fail_on: [r-2]}}\n'
        f"gate:\n  invalid_runs: {{max: {allowed}}}\n",
        encoding="utf-8",
    )
    return path


def failing_runs(tmp_path: Path) -> Path:
    """Three runs, r-2 the only one whose result is wrong."""
    records = [
        {
            "run_id": f"r-{i}",
            "task_id": f"t-{i}",
            "task": {"expected_result": "done"},
            "steps": [{"message": result, "is_final": True}],
            "final_result": result,
        }
        for i, result in enumerate(["done", "done", "nothing yet"])
    ]
    return write_jsonl(tmp_path / "runs.jsonl", records)


PICKY = (
    "plugin 'picky' (test_plugin_checks:picky) raised ValueError on run 'r-2': "
    "cannot read this one; fix the plugin, or remove it"
)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_run_the_plugin_breaks_on_is_never_skipped_as_an_invalid_line(
    tmp_path: Path, workers: str
) -> None:
    # Skipped, r-2 (the one failing run) would leave the gate to pass on r-0 and r-1.
    source = failing_runs(tmp_path)
    config_path = picky_config(tmp_path, allowed=1)
    args = ["score", str(source), "-c", str(config_path), "--workers", workers]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert result.output == (
        f"error: {source}: the evaluators could not score 1 run(s), so nothing was judged "
        "(gate.invalid_runs.max does not skip these: the gate could pass on the runs left); "
        f"fix what each line says and run again\n{source}:3: evaluators.plugins.picky: {PICKY}\n"
    )


def test_the_api_refuses_a_run_the_plugin_breaks_on(tmp_path: Path) -> None:
    records = [orjson.loads(line) for line in failing_runs(tmp_path).read_bytes().splitlines()]
    config_path = picky_config(tmp_path, allowed=1)
    for call in (score_runs, score_records):
        with pytest.raises(InputError) as caught:
            call(records, config=config_path, source="part-1")
        assert [str(p) for p in caught.value.problems] == [
            f"part-1:3: evaluators.plugins.picky: {PICKY}"
        ]


def test_workers_give_the_same_bytes_as_one(tmp_path: Path) -> None:
    path = tmp_path / "taskgate.yaml"
    path.write_text(
        "evaluators:\n  plugins:\n"
        '    - {name: step_share, function: "test_plugin_checks:steps", settings: {per: 4}}\n',
        encoding="utf-8",
    )
    source = runs(tmp_path, count=300)
    written = []
    for workers in ("1", "2"):
        out = tmp_path / f"w{workers}.json"
        args = ["score", str(source), "-c", str(path), "--workers", workers, "-o", str(out)]
        result = runner.invoke(app, args)
        assert result.exit_code in (0, 1), result.output
        written.append(out.read_bytes())
    assert written[0] == written[1]


def test_the_example_plugin_scores_cost_against_its_budget(tmp_path: Path) -> None:
    sys.path.insert(0, str(EXAMPLE))
    try:
        plugin = {
            "name": "cost_budget",
            "function": "taskgate_cost_budget:cost_budget",
            "settings": {"max_cost_usd": 0.05},
        }
        scorer = Scorer(Config.model_validate({"evaluators": {"plugins": [plugin]}}))
        scores = [
            scorer.score(make_record(run_id=f"r-{cost}", usage=usage)).scores["cost_budget"]
            for cost, usage in ((1, {"cost_usd": 0.04}), (2, {"cost_usd": 0.1}), (3, {}))
        ]
    finally:
        sys.path.remove(str(EXAMPLE))
        sys.modules.pop("taskgate_cost_budget", None)
    assert [(s.value, s.reason) for s in scores] == [
        (1.0, "$0.0400 is within the $0.0500 budget."),
        (0.5, "$0.1000 is 2.0x the $0.0500 budget."),
        (None, "The run records no cost."),
    ]


def cost_budget_scores(site: Path, tmp_path: Path, costs: tuple[float, ...]) -> list[object]:
    """The example plugin's scores of runs of these costs, from `taskgate score` in a fresh
    process with ``site`` (where it is installed) on its path, named by its entry point."""
    import subprocess

    path = tmp_path / "taskgate.yaml"
    path.write_text(
        "evaluators:\n  plugins:\n    - {name: cost_budget, settings: {max_cost_usd: 0.05}}\n",
        encoding="utf-8",
    )
    records = [
        {**make_record(run_id=f"r-{i}").model_dump(exclude_none=True), "usage": {"cost_usd": c}}
        for i, c in enumerate(costs)
    ]
    source = write_jsonl(tmp_path / "runs.jsonl", records)
    out = tmp_path / "report.json"
    env = {"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"}
    command = [sys.executable, "-m", "taskgate", "score", str(source), "-c", str(path)]
    subprocess.run([*command, "-o", str(out), "-q"], env=env, check=False, cwd=tmp_path)
    return [run["scores"]["cost_budget"] for run in orjson.loads(out.read_bytes())["runs"]]


def test_the_example_plugin_installed_scores_through_the_cli(tmp_path: Path) -> None:
    """Installed as pip installs it (tests/config/test_plugins.install)."""
    from tests.config.test_plugins import install

    install(tmp_path / "site")
    assert cost_budget_scores(tmp_path / "site", tmp_path, (0.04, 0.1)) == [1.0, 0.5]
