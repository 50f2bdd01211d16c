"""score --baseline and diff, end to end through the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from tests.conftest import FIXTURES, write_jsonl

REPO = FIXTURES.parent
BASELINE = "fixtures/baseline.json"
CANDIDATE = "fixtures/candidate.jsonl"
CONFIG_CHANGED = (
    "error: {path}: config_fingerprint: the baseline was scored under a different evaluator "
    "config than this one, so its scores do not compare; score it again with this config, or "
    "pass --allow-config-change\n"
)
TASK = {"expected_result": "Order 7 cancelled", "success_criteria": ["order cancelled"]}

runner = CliRunner()


def invoke(*args: str) -> Any:
    return runner.invoke(app, list(args))


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The fixtures' candidate scored alone, scored against the baseline, and diffed, once."""
    out = tmp_path_factory.mktemp("reports")
    paths = {name: out / f"{name}.json" for name in ("candidate", "via_score", "diff1", "diff2")}
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        results = {
            "candidate": invoke("score", CANDIDATE, "-o", str(paths["candidate"])),
            "via_score": invoke(
                "score", CANDIDATE, "--baseline", BASELINE, "-o", str(paths["via_score"])
            ),
            "diff1": invoke("diff", BASELINE, str(paths["candidate"]), "-o", str(paths["diff1"])),
            "diff2": invoke("diff", BASELINE, str(paths["candidate"]), "-o", str(paths["diff2"])),
        }
    return {"paths": paths, "results": results}


def test_score_against_the_baseline_fails_on_the_broken_surface(saved: dict[str, Any]) -> None:
    result = saved["results"]["via_score"]
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1].startswith("FAIL: ")
    report = json.loads(saved["paths"]["via_score"].read_text())
    assert report["baseline"]["source"] == BASELINE
    assert report["baseline"]["vanished"] == []
    failing = [f for f in report["verdict"]["findings"] if f["level"] == "fail"]
    regressed = {
        (f["rule"], f["cohort"], f["metric"]) for f in failing if "regression" in f["rule"]
    }
    # The means dropped on the broken surface only. The worst decile also dropped for the
    # segment and variant that hold most of its tasks (see the next test).
    assert regressed == {
        ("regression", "mcp-identity", "task_completion"),
        ("regression", "mcp-identity", "trajectory_score"),
        ("tail_regression", "mcp-identity", "task_completion"),
        ("tail_regression", "mcp-identity", "trajectory_score"),
        ("tail_regression", "consumer", "task_completion"),
        ("tail_regression", "consumer", "trajectory_score"),
        ("tail_regression", "react-baseline", "task_completion"),
    }


def worst_decile(runs: list[dict[str, Any]], dimension: str, value: str, metric: str) -> Any:
    """Task means of a cohort's runs on one metric: {task: (mean, surfaces)}."""
    tasks: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        if run["cohort"].get(dimension) == value and run["scores"].get(metric) is not None:
            tasks.setdefault(run["task_id"], []).append(run)
    return {
        task: (
            sum(r["scores"][metric] for r in members) / len(members),
            {r["cohort"]["tool_surface"] for r in members},
        )
        for task, members in tasks.items()
    }


def test_the_tail_regressions_off_the_broken_surface_are_its_tasks(
    saved: dict[str, Any],
) -> None:
    # Recomputed from the runs of both reports, without taskgate's statistics: the worst
    # decile of task means (over the shared tasks) of segment=consumer and
    # variant=react-baseline is now mostly mcp-identity's tasks, which the baseline's was not.
    report = json.loads(saved["paths"]["via_score"].read_text())
    base = json.loads((REPO / BASELINE).read_text())
    findings = [
        f
        for f in report["verdict"]["findings"]
        if f["rule"] == "tail_regression" and f["cohort"] != "mcp-identity"
    ]
    surfaces = []
    for found in findings:
        where = (found["dimension"], found["cohort"], found["metric"])
        now, before = worst_decile(report["runs"], *where), worst_decile(base["runs"], *where)
        shared = sorted(now.keys() & before.keys())
        k = math.ceil(len(shared) / 10)
        worst_now = sorted((now[t][0], t) for t in shared)[:k]
        worst_before = sorted((before[t][0], t) for t in shared)[:k]
        change = (sum(m for m, _ in worst_now) - sum(m for m, _ in worst_before)) / k
        assert found["observed"] == pytest.approx(change, abs=1e-6)
        surfaces.append(
            (
                found["cohort"],
                found["metric"],
                k,
                sum(now[t][1] == {"mcp-identity"} for _, t in worst_now),
                sum(before[t][1] == {"mcp-identity"} for _, t in worst_before),
            )
        )
    assert surfaces == [
        ("consumer", "task_completion", 11, 10, 0),
        ("consumer", "trajectory_score", 11, 10, 0),
        ("react-baseline", "task_completion", 9, 8, 1),
    ]


def test_score_against_the_baseline_passes_on_golden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    result = invoke("score", "fixtures/golden.jsonl", "--baseline", BASELINE)
    assert result.exit_code == 0, result.output
    # The baseline is the golden runs scored, so nothing changed; but none of the 12 judged
    # cohorts can see a drop of the worst decile of 0.05 (tail_max_drop), and 10 not a mean
    # drop of 0.03 either: a PASS must say so. The golden runs' own 20 warnings and 12
    # underpowered ones.
    assert result.output.splitlines()[-1] == (
        "PASS (inconclusive for all, segment=consumer, segment=enterprise, segment=smb and 8 "
        "more: too few tasks x trials to detect the allowed drops): no finding failed the "
        "gate, 32 warnings; 597 runs scored"
    )


def test_diff_of_saved_reports_is_the_report_of_score_with_baseline(saved: dict[str, Any]) -> None:
    results, paths = saved["results"], saved["paths"]
    assert results["candidate"].exit_code == 1
    assert results["diff1"].exit_code == results["via_score"].exit_code == 1
    assert results["diff1"].output == results["via_score"].output
    assert paths["diff1"].read_bytes() == paths["via_score"].read_bytes()


def test_two_diff_runs_write_identical_bytes(saved: dict[str, Any]) -> None:
    assert saved["results"]["diff2"].exit_code == 1
    assert saved["paths"]["diff1"].read_bytes() == saved["paths"]["diff2"].read_bytes()


# small runs in tmp_path ---------------------------------------------------------------------


def small_runs(tmp_path: Path) -> Path:
    records = [
        {
            "run_id": f"{surface}-{i}",
            "task_id": f"t-{surface}-{i}",
            "cohort": {"surface": surface},
            "task": TASK,
            "steps": [{"message": "Order 7 cancelled", "is_final": True}],
            "final_result": "Order 7 cancelled",
        }
        for surface in ("api", "mcp")
        for i in range(12)
    ]
    return write_jsonl(tmp_path / "runs.jsonl", records)


@pytest.fixture
def other_config_baseline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A baseline scored with other thresholds, so another config fingerprint."""
    monkeypatch.chdir(tmp_path)
    other = tmp_path / "other.yaml"
    other.write_text("thresholds:\n  task_completion: {green: 0.8, yellow: 0.6}\n")
    base = tmp_path / "base.json"
    result = invoke("score", str(small_runs(tmp_path)), "-c", str(other), "-o", str(base))
    assert result.exit_code == 0, result.output
    return base


def test_a_baseline_of_another_config_is_refused(other_config_baseline: Path) -> None:
    result = invoke("score", "runs.jsonl", "--baseline", str(other_config_baseline))
    assert (result.exit_code, result.output) == (
        2,
        CONFIG_CHANGED.format(path=other_config_baseline),
    )


def test_allow_config_change_compares_anyway(other_config_baseline: Path) -> None:
    result = invoke(
        "score", "runs.jsonl", "--baseline", str(other_config_baseline), "--allow-config-change"
    )
    assert result.exit_code == 0, result.output
    # Compared: every cohort has a delta, and one trial a task of identical scores shows no
    # noise to measure a drop against, so the pass is inconclusive rather than bare.
    assert result.output.splitlines()[-1] == (
        "PASS (inconclusive for all, surface=api, surface=mcp: too few tasks x trials to detect "
        "the allowed drops): no finding failed the gate, 3 warnings; 24 runs scored"
    )


def test_diff_refuses_a_baseline_or_candidate_of_another_config(
    other_config_baseline: Path,
) -> None:
    assert invoke("score", "runs.jsonl", "-o", "candidate.json").exit_code == 0
    refused = invoke("diff", str(other_config_baseline), "candidate.json")
    assert (refused.exit_code, refused.output) == (
        2,
        CONFIG_CHANGED.format(path=other_config_baseline),
    )
    # The candidate is checked too: here it is the one of another config.
    swapped = invoke("diff", "candidate.json", str(other_config_baseline))
    assert swapped.exit_code == 2
    assert swapped.output.startswith(f"error: {other_config_baseline}: config_fingerprint: ")
    allowed = invoke("diff", str(other_config_baseline), "candidate.json", "--allow-config-change")
    assert allowed.exit_code == 0, allowed.output


def test_a_candidate_of_another_config_is_not_called_the_baseline(
    other_config_baseline: Path,
) -> None:
    assert invoke("score", "runs.jsonl", "-o", "candidate.json").exit_code == 0
    swapped = invoke("diff", "candidate.json", str(other_config_baseline))
    assert swapped.exit_code == 2
    assert "the baseline was scored" not in swapped.output
    assert "score the baseline again" not in swapped.output


def test_a_truncated_baseline_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runs = small_runs(tmp_path)
    assert invoke("score", str(runs), "-o", "full.json").exit_code == 0
    lines = Path("full.json").read_bytes().splitlines(keepends=True)
    Path("cut.json").write_bytes(b"".join(lines[:10]))
    expected = (
        "error: cut.json:11: not valid JSON (unexpected end of data): the file is truncated; "
        "write it again with taskgate score -o\n"
    )
    via_score = invoke("score", str(runs), "--baseline", "cut.json")
    assert (via_score.exit_code, via_score.output) == (2, expected)
    via_diff = invoke("diff", "cut.json", "full.json")
    assert (via_diff.exit_code, via_diff.output) == (2, expected)
    as_candidate = invoke("diff", "full.json", "cut.json")
    assert (as_candidate.exit_code, as_candidate.output) == (2, expected)


def test_a_baseline_that_does_not_exist_exits_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runs = small_runs(tmp_path)
    expected = "error: missing.json: file not found; check the path\n"
    via_score = invoke("score", str(runs), "--baseline", "missing.json")
    assert (via_score.exit_code, via_score.output) == (2, expected)
    assert invoke("score", str(runs), "-o", "full.json").exit_code == 0
    for args in (("missing.json", "full.json"), ("full.json", "missing.json")):
        result = invoke("diff", *args)
        assert (result.exit_code, result.output) == (2, expected)


def test_diff_refuses_an_unknown_output_format_before_reading(tmp_path: Path) -> None:
    result = invoke("diff", "a.json", "b.json", "-o", str(tmp_path / "out.pdf"))
    assert result.exit_code == 2
    assert "unknown output format '.pdf'" in result.output
