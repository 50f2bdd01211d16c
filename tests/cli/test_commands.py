from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.cli.boundary import Terminated
from tests.conftest import write_jsonl

runner = CliRunner()

TASK = {"expected_result": "Order 7 cancelled", "success_criteria": ["order cancelled"]}


def run(run_id: str, good: bool, **cohort: str) -> dict[str, Any]:
    final = "Order 7 cancelled" if good else "I could not help"
    return {
        "run_id": run_id,
        "task_id": f"t-{run_id}",
        "cohort": cohort,
        "task": TASK,
        "steps": [{"message": final, "is_final": True}],
        "final_result": final,
    }


def dataset(tmp_path: Path, bad_in: str | None = None) -> Path:
    records = [
        run(f"{surface}-{i}", good=surface != bad_in or i % 5 == 0, surface=surface)
        for surface in ("api", "mcp")
        for i in range(12)
    ]
    return write_jsonl(tmp_path / "runs.jsonl", records)


def invoke(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(app, list(args), input=stdin)


def test_score_passes_and_prints_cohort_tables(tmp_path: Path) -> None:
    result = invoke("score", str(dataset(tmp_path)))
    assert result.exit_code == 0, result.output
    assert "surface" in result.output and "mcp" in result.output
    assert result.output.rstrip().endswith(
        "PASS: no finding failed the gate, 0 warnings; 24 runs scored"
    )


def test_score_fails_on_a_red_cohort_and_writes_the_report(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = invoke("score", str(dataset(tmp_path, bad_in="mcp")), "-o", str(out))
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        # 3 of the 12 mcp runs pass: a pass rate below the red line of 30%
        "FAIL  cohort_status: surface=mcp: pass rate 25.0% is red (below 30%) over 12 judged runs",
        "FAIL  cohort_status: surface=mcp: task_completion mean 0.414 is red (below 0.50) over "
        "12 runs",
        "FAIL  worst_cohort: surface: the worst cohorts' task_completion mean is 0.293 below the "
        "overall mean (max_gap 0.15)",
        "FAIL  worst_cohort: surface: the worst cohorts' trajectory_score mean is 0.167 below "
        "the overall mean (max_gap 0.15)",
        "WARN  tail_gap: all: task_completion worst decile 0.219 is 0.488 below the mean 0.707 "
        "(max_gap 0.40)",
        "FAIL: 4 findings failed the gate, 1 warning; 24 runs scored",
    ]
    report = json.loads(out.read_text())
    assert report["verdict"]["findings"][1] == {
        "rule": "cohort_status",
        "level": "fail",
        "dimension": "surface",
        "cohort": "mcp",
        "metric": "task_completion",
        "observed": 0.414489,
        "limit": 0.5,
        "message": "surface=mcp: task_completion mean 0.414 is red (below 0.50) over 12 runs",
        "task": None,  # set only by the rules about one task (newly_failing, must_pass)
    }
    assert report["dataset"]["runs"] == 24
    first = report["runs"][0]
    assert (first["run_id"], first["passed"], first["scores"]) == (
        "api-0",
        True,
        {
            "task_completion": 1.0,
            "goal_progress": 1.0,
            "tool_selection": None,
            "function_calls": None,
            "step_efficiency": 1.0,
            "grounding": None,  # its result states no number, date, time, id or code
            "trajectory_score": 1.0,
        },
    )


def test_reports_are_byte_identical_across_runs(tmp_path: Path) -> None:
    runs = dataset(tmp_path, bad_in="mcp")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    invoke("score", str(runs), "-o", str(first))
    invoke("score", str(runs), "-o", str(second))
    assert first.read_bytes() == second.read_bytes()


def test_score_reads_stdin_and_gzip(tmp_path: Path) -> None:
    runs = dataset(tmp_path)
    assert invoke("score", "-", stdin=runs.read_text()).exit_code == 0
    packed = tmp_path / "runs.jsonl.gz"
    packed.write_bytes(gzip.compress(runs.read_bytes()))
    assert invoke("score", str(packed)).exit_code == 0


def test_score_jsonl_output_has_a_line_per_run(tmp_path: Path) -> None:
    out = tmp_path / "runs.scored.jsonl"
    invoke("score", str(dataset(tmp_path)), "-o", str(out))
    lines = out.read_text().splitlines()
    assert len(lines) == 24
    assert json.loads(lines[0])["run_id"] == "api-0"


def test_bad_input_exits_2_with_every_problem(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"run_id": "a"}\nnot json\n')
    result = invoke("score", str(path))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"error: {path}: 2 of 2 records are not valid run records "
        "(gate.invalid_runs.max allows 0); fix them and run again",
        f"{path}:1: task_id: required field is missing; add it",
        f"{path}:2: not valid JSON at column 1 (invalid literal, expected 'null'); "
        "each line must be one JSON object",
    ]


def test_invalid_runs_allowed_by_config_are_skipped_and_reported(tmp_path: Path) -> None:
    runs = dataset(tmp_path)
    with runs.open("a") as handle:
        handle.write("{broken\n")
    config = tmp_path / "taskgate.yaml"
    config.write_text("gate:\n  invalid_runs: {max: 1}\n")
    result = invoke("score", str(runs), "-c", str(config))
    assert result.exit_code == 0
    assert f"warning: skipped {runs}:25: not valid JSON at column 2" in result.output
    assert "WARN  invalid_runs: 1 invalid line skipped (gate.invalid_runs.max allows 1)" in (
        result.output
    )


def test_empty_file_cannot_pass(tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text("")
    result = invoke("score", str(path))
    assert result.exit_code == 2
    assert result.output == f"error: {path}: no run records; nothing to judge\n"


def test_bad_config_exits_2_with_line_and_key(tmp_path: Path) -> None:
    config = tmp_path / "taskgate.yaml"
    config.write_text("gate:\n  tail: {max_gapp: 0.3}\n")
    result = invoke("score", str(dataset(tmp_path)), "--config", str(config))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"error: {config}: the config is not valid",
        f"{config}:2: gate.tail.max_gapp: unknown key 'max_gapp'; expected one of: level, max_gap; "
        "did you mean 'max_gap'?",
    ]


def test_unknown_output_format_is_refused_before_scoring(tmp_path: Path) -> None:
    result = invoke("score", str(dataset(tmp_path)), "-o", str(tmp_path / "report.pdf"))
    assert result.exit_code == 2
    assert "unknown output format '.pdf'" in result.output
    assert not (tmp_path / "report.pdf").exists()


def test_usage_errors_exit_2() -> None:
    assert invoke("score").exit_code == 2
    assert invoke("frobnicate").exit_code == 2


def test_validate_ok_and_problems(tmp_path: Path) -> None:
    runs = dataset(tmp_path)
    ok = invoke("validate", str(runs))
    assert (ok.exit_code, ok.output) == (0, f"{runs}: 24 runs of 24 tasks, no problems\n")
    runs.write_text('{"run_id": "a", "task_id": "t", "trial": "x"}\n')
    bad = invoke("validate", str(runs))
    assert bad.exit_code == 2
    assert bad.output.splitlines() == [
        f"error: {runs}: 1 of 1 records are not valid run records",
        f"{runs}:1: trial: expected a whole number, got 'x'",
    ]


def test_validate_warns_of_a_turn_beyond_the_runs_user_turns(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    record = {
        "run_id": "a",
        "task_id": "t",
        "task": {"expected_calls": [{"name": "x", "turn": 1}, {"name": "y", "turn": 3}]},
        "steps": [{"role": "user", "message": "hi"}, {"message": "ok", "is_final": True}],
    }
    runs.write_text(json.dumps(record) + "\n")
    result = invoke("validate", str(runs))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"warning: {runs}:1: task.expected_calls[1].turn: turn 3 is beyond the run's 1 user "
        "turn; the call can never be made there, so the run fails this check",
        f"{runs}: 1 run of 1 task, no problems (1 warning)",
    ]


def test_validate_says_what_score_would_fail_on_unjudged_runs_and_missing_tasks(
    tmp_path: Path,
) -> None:
    runs, tasks = tmp_path / "runs.jsonl", tmp_path / "tasks.jsonl"
    lines = [
        {"run_id": f"r{i}", "task_id": task, "steps": [{"message": "ok", "is_final": True}]}
        for i, task in enumerate(["t1", "t1", "t2", "t4"])
    ]
    runs.write_text("".join(json.dumps(line) + "\n" for line in lines))
    tasks.write_text(
        '{"task_id": "t1"}\n{"task_id": "t2", "expected_result": "ok"}\n'
        '{"task_id": "t3", "expected_result": "ok"}\n{"task_id": "t4"}\n'
    )
    result = invoke("validate", str(runs), "--tasks", str(tasks))
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"warning: {runs}: 3 runs cannot be judged: tasks t1, t4 state nothing to check beyond "
        "a final step; score fails on unjudged runs (gate.underspecified)",
        f"warning: {runs}: 1 task of the tasks file has no run: t3; score fails on missing "
        "tasks (gate.coverage)",
        f"{runs}: 4 runs of 3 tasks, no problems (2 warnings)",
    ]


def test_validate_names_contract_2_fields_that_are_wrong(tmp_path: Path) -> None:
    runs = tmp_path / "runs.jsonl"
    task = {
        "outcome_match": "fuzzy",
        "write_tools": ["ok", 3],
        "expected_calls": [{"name": "x", "turn": 0, "match": {"a": "close"}}],
    }
    runs.write_text(json.dumps({"run_id": "a", "task_id": "t", "task": task}) + "\n")
    result = invoke("validate", str(runs))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"error: {runs}: 1 of 1 records are not valid run records",
        f"{runs}:1: task.expected_calls[0].turn: must be at least 1, got 0",
        f"{runs}:1: task.expected_calls[0].match.a: expected one of 'exact', 'numeric', 'fuzzy', "
        "'regex', 'ignore' or 'subset', got 'close'",
        f"{runs}:1: task.outcome_match: expected one of 'exact', 'contains', 'numeric' or "
        "'subset', got 'fuzzy'",
        f"{runs}:1: task.write_tools[1]: expected a string, got 3",
    ]


def test_init_writes_the_starter_config_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "taskgate.yaml"
    assert invoke("init", str(target)).exit_code == 0
    assert target.read_text().startswith("# taskgate config.")
    again = invoke("init", str(target))
    assert (again.exit_code, again.output) == (
        2,
        f"error: {target} already exists; use --force to overwrite it\n",
    )
    assert invoke("init", str(target), "--force").exit_code == 0


@pytest.mark.parametrize("name", ["record", "config", "report", "monitor"])
def test_schema_prints_json_schema(name: str) -> None:
    result = invoke("schema", name)
    assert result.exit_code == 0
    assert json.loads(result.output)["type"] == "object"


def test_internal_error_exits_3_with_saved_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))

    def broken(*_: object, **__: object) -> None:
        raise ZeroDivisionError("boom")

    monkeypatch.setattr("taskgate.api.score", broken)
    result = invoke("score", str(dataset(tmp_path)))
    assert result.exit_code == 3
    line = result.output.strip()
    assert line.startswith(
        "internal error (ZeroDivisionError): this is a bug in taskgate. Traceback saved to "
    )
    saved = Path(line.rsplit(" ", 1)[1])
    assert "ZeroDivisionError: boom" in saved.read_text()


def test_keyboard_interrupt_exits_130(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_: object, **__: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("taskgate.api.score", interrupted)
    result = invoke("score", str(dataset(tmp_path)))
    assert (result.exit_code, result.output) == (130, "interrupted; no output was written\n")


def _commands() -> dict[str, Any]:
    import typer.main

    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


def test_every_registered_command_is_covered_here() -> None:
    assert sorted(_commands()) == [
        "diff",
        "explain",
        "import",
        "init",
        "monitor",
        "plan",
        "schema",
        "score",
        "validate",
    ]


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_explains_itself_and_each_of_its_options(command: str) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: taskgate {command}")
    for param in _commands()[command].params:
        if getattr(param, "hidden", False) or param.param_type_name != "option":
            continue
        assert param.help, f"{command} {param.opts}: no help text"
        assert param.opts[-1] in result.output, f"{command}: {param.opts} not in --help"


def test_the_output_help_names_every_format_there_is() -> None:
    from taskgate.report import RENDERERS

    for command in ("score", "diff"):
        help_text = " ".join(invoke(command, "--help").output.split())
        assert all(f" {suffix}" in help_text for suffix in RENDERERS), (command, help_text)


def test_the_import_help_names_every_import_format() -> None:
    from taskgate.importers import FORMATS

    help_text = " ".join(invoke("import", "--help").output.split())
    assert [fmt for fmt in FORMATS if fmt not in help_text] == []


def test_python_dash_m_runs_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "taskgate", "--version"], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (0, "taskgate 0.1.0\n")


@pytest.mark.parametrize(
    ("stop", "code", "output"),
    [
        (KeyboardInterrupt(), 130, "interrupted; no output was written\n"),
        (Terminated(), 143, "terminated; no output was written\n"),
    ],
)
def test_a_stop_wrapped_by_python_is_still_a_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stop: BaseException, code: int, output: str
) -> None:
    # A signal arriving while a class is created (a module being imported) reaches us as
    # a RuntimeError caused by the signal's exception: not a bug to report.
    def stopped(*_: object, **__: object) -> None:
        raise RuntimeError("Error calling __set_name__") from stop

    monkeypatch.setattr("taskgate.api.score", stopped)
    result = invoke("score", str(dataset(tmp_path)))
    assert (result.exit_code, result.output) == (code, output)
