"""The judge command end to end: small judge scripts that are right, wrong, slow, crashing or
talk garbage, the cache that makes reruns ask nothing, and the CLI around them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import orjson
import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.config.model import JudgeSettings
from taskgate.errors import InputError
from taskgate.scoring.judge_command import ask, load_cache
from taskgate.scoring.judging import Question
from tests.conftest import write_jsonl

runner = CliRunner()

# Every script notes each request it gets in calls.jsonl, next to it.
NOTE = (
    "import json, pathlib, sys\n"
    "request = json.load(sys.stdin)\n"
    "with open(pathlib.Path(__file__).with_name('calls.jsonl'), 'a') as calls:\n"
    "    calls.write(json.dumps(request) + '\\n')\n"
)
SCRIPTS = {
    # A stand-in for a model: a result that speaks of cancelling is right.
    "right": NOTE
    + "ok = 'cancel' in str(request['result']).lower()\n"
    + "print(json.dumps({'verdict': ok, 'score': 1.0 if ok else 0.0, "
    + "'reason': 'says cancelled' if ok else 'does not say cancelled'}))\n",
    "wrong": NOTE + "print(json.dumps({'verdict': False, 'score': 0, 'reason': 'no'}))\n",
    "slow": NOTE + "import time\ntime.sleep(30)\n",
    "crashing": NOTE + "sys.stderr.write('model quota exceeded\\n')\nsys.exit(3)\n",
    "garbage": NOTE + "print('I think it is fine')\n",
    "half": NOTE + "print(json.dumps({'verdict': 'yes', 'reason': 'looks right'}))\n",
}
EXPECTED = "Order 7 cancelled"
RESULTS = {
    "exact": "Order 7 cancelled",  # equal: the rules decide
    "reworded": "I have cancelled order number 7 for you",  # in part: asked
    "open": "Order 7 is still open",  # in part: asked
    "nothing": "Hello",  # far: the rules decide
}


def runs(tmp_path: Path, family: str | None = "openai", copies: int = 1) -> Path:
    records = []
    for copy in range(copies):
        for name, result in RESULTS.items():
            cohort = {"model_family": family} if family else {}
            records.append(
                {
                    "run_id": f"{name}-{copy}",
                    "task_id": name,
                    "cohort": cohort,
                    "task": {"expected_result": EXPECTED},
                    "steps": [{"message": result, "is_final": True}],
                    "final_result": result,
                }
            )
    return write_jsonl(tmp_path / "runs.jsonl", records)


def config(tmp_path: Path, script: str, **more: Any) -> Path:
    path = tmp_path / f"{script}.py"
    path.write_text(SCRIPTS[script], encoding="utf-8")
    settings = {
        "command": f"{sys.executable} {path}",
        "model_family": "anthropic",
        "name": f"{script} judge",
        "cache": str(tmp_path / "cache.jsonl"),
        "criteria": "none",
        **more,
    }
    written = tmp_path / "taskgate.yaml"
    written.write_bytes(orjson.dumps({"judge": settings}))  # JSON is YAML
    return written


def calls(tmp_path: Path) -> list[dict[str, Any]]:
    path = tmp_path / "calls.jsonl"
    if not path.exists():
        return []
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def score(tmp_path: Path, *args: str) -> Any:
    out = tmp_path / "report.json"
    result = runner.invoke(app, ["score", str(tmp_path / "runs.jsonl"), "-o", str(out), *args])
    return result, (orjson.loads(out.read_bytes()) if out.exists() else None)


def passed(report: dict[str, Any]) -> dict[str, bool | None]:
    return {run["run_id"]: run["passed"] for run in report["runs"]}


def test_a_right_judge_decides_the_ambiguous_outcomes_only(tmp_path: Path) -> None:
    runs(tmp_path)
    settings = config(tmp_path, "right")
    result, report = score(tmp_path, "-c", str(settings))
    assert result.exit_code == 0, result.output
    assert sorted(call["run_id"] for call in calls(tmp_path)) == ["open-0", "reworded-0"]
    assert passed(report) == {
        "exact-0": True,
        "reworded-0": True,
        "open-0": False,
        "nothing-0": False,
    }
    by_run = {run["run_id"]: run for run in report["runs"]}
    assert by_run["reworded-0"]["judged"] == [
        {
            "check": "outcome",
            "subject": None,
            "verdict": True,
            "score": 1.0,
            "reason": "says cancelled",
            "judge": "right judge",
        }
    ]
    assert "judged" not in by_run["exact-0"]
    assert report["dataset"]["judged"] == 2
    assert "4 runs scored, 2 decided in part by a judge" in result.output


def test_the_request_carries_what_the_judge_needs(tmp_path: Path) -> None:
    runs(tmp_path)
    score(tmp_path, "-c", str(config(tmp_path, "right")))
    request = next(call for call in calls(tmp_path) if call["run_id"] == "open-0")
    assert {name: request[name] for name in request if name != "rule_score"} == {
        "kind": "outcome",
        "run_id": "open-0",
        "task_id": "open",
        "task": {"description": None},
        "expected": EXPECTED,
        "result": "Order 7 is still open",
        "criterion": "The final result achieves what the expected result describes.",
        "evidence": [],
        "evidence_truncated": False,
    }
    assert 0.4 <= request["rule_score"] < 0.9


def test_a_rerun_asks_nothing_and_gives_the_same_bytes(tmp_path: Path) -> None:
    runs(tmp_path)
    settings = config(tmp_path, "right")
    first, _ = score(tmp_path, "-c", str(settings))
    report_bytes = (tmp_path / "report.json").read_bytes()
    cache_bytes = (tmp_path / "cache.jsonl").read_bytes()
    assert len(calls(tmp_path)) == 2
    second, _ = score(tmp_path, "-c", str(settings))
    assert len(calls(tmp_path)) == 2  # no call the second time
    assert (tmp_path / "report.json").read_bytes() == report_bytes
    assert (tmp_path / "cache.jsonl").read_bytes() == cache_bytes
    assert first.output == second.output


def test_lines_already_cached_keep_their_bytes_when_new_verdicts_join_them(
    tmp_path: Path,
) -> None:
    runs(tmp_path)
    settings = str(config(tmp_path, "right"))
    score(tmp_path, "-c", settings)
    cache = tmp_path / "cache.jsonl"
    first, second = cache.read_bytes().splitlines()
    # Edited by hand, credited to another judge: believed, and left as written.
    entry = orjson.loads(first)
    kept = b'{ "key": "%s", "judge": "a person", "verdict": %s, "reason": "read it" }' % (
        entry["key"].encode(),
        b"true" if entry["verdict"] else b"false",
    )
    cache.write_bytes(kept + b"\n")
    score(tmp_path, "-c", settings)
    assert len(calls(tmp_path)) == 3  # the line deleted is asked again, the other is not
    assert cache.read_bytes() == kept + b"\n" + second + b"\n"


def test_explain_uses_cached_verdicts_asks_nothing_and_can_leave_the_judge_out(
    tmp_path: Path,
) -> None:
    source = str(runs(tmp_path))
    settings = str(config(tmp_path, "right"))
    explain = ["explain", source, "reworded-0", "-c", settings, "--format", "json"]
    uncached = runner.invoke(app, explain)
    assert uncached.exit_code == 2
    assert uncached.output == (
        "error: run 'reworded-0', outcome: the judge has no cached verdict for it; score the "
        "runs with taskgate score to ask, or use --no-judge\n"
    )
    rules = runner.invoke(app, [*explain, "--no-judge"])
    assert rules.exit_code == 0, rules.output
    assert orjson.loads(rules.output)["run"]["passed"] is False
    score(tmp_path, "-c", settings)
    asked = len(calls(tmp_path))
    judged = runner.invoke(app, explain)
    assert judged.exit_code == 0, judged.output
    assert orjson.loads(judged.output)["run"]["passed"] is True
    assert len(calls(tmp_path)) == asked


def test_the_same_question_from_many_runs_is_asked_once(tmp_path: Path) -> None:
    runs(tmp_path, copies=5)
    result, report = score(tmp_path, "-c", str(config(tmp_path, "right")), "--workers", "2")
    assert result.exit_code == 0, result.output
    assert len(calls(tmp_path)) == 2
    assert report["dataset"]["judged"] == 10


def test_workers_find_the_same_questions_and_give_the_same_bytes(tmp_path: Path) -> None:
    runs(tmp_path, copies=40)  # 160 runs: batches for both workers in both passes
    settings = str(config(tmp_path, "right"))
    outputs = []
    for workers in ("2", "1"):
        (tmp_path / "cache.jsonl").unlink(missing_ok=True)
        (tmp_path / "calls.jsonl").unlink(missing_ok=True)
        result, report = score(tmp_path, "-c", settings, "--workers", workers)
        assert result.exit_code == 0, result.output
        assert report["dataset"]["judged"] == 80
        outputs.append(
            (
                (tmp_path / "report.json").read_bytes(),
                (tmp_path / "cache.jsonl").read_bytes(),
                len(calls(tmp_path)),
            )
        )
    assert outputs[0] == outputs[1]
    assert outputs[0][2] == 2


def test_a_wrong_judge_is_believed_and_shown(tmp_path: Path) -> None:
    runs(tmp_path)
    result, report = score(tmp_path, "-c", str(config(tmp_path, "wrong")))
    assert result.exit_code == 1, result.output
    assert passed(report)["reworded-0"] is False
    run = next(r for r in report["runs"] if r["run_id"] == "reworded-0")
    assert run["reason"] == (
        "Result does not match expected (contains): judged by wrong judge: no."
    )


@pytest.mark.parametrize(
    ("script", "more", "what"),
    [
        ("slow", {"timeout_s": 0.5}, "gave no verdict within 0.5 s"),
        ("crashing", {}, "exited with 3: model quota exceeded"),
        (
            "garbage",
            {},
            "replied 'I think it is fine', not JSON; reply with one JSON object: "
            '{"verdict": true or false, "score": 0 to 1, "reason": "..."}',
        ),
        (
            "half",
            {},
            'replied \'{"verdict": "yes", "reason": "looks right"}\'; reply with one JSON '
            'object: {"verdict": true or false, "score": 0 to 1, "reason": "..."}',
        ),
    ],
)
def test_a_judge_that_gives_no_verdict_is_exit_2_naming_each_question(
    tmp_path: Path, script: str, more: dict[str, Any], what: str
) -> None:
    runs(tmp_path)
    settings = config(tmp_path, script, **more)
    result, report = score(tmp_path, "-c", str(settings))
    assert result.exit_code == 2
    assert report is None
    command = f"{sys.executable} {tmp_path / script}.py"
    assert result.output.splitlines()[1:] == [
        f"judge: run '{run_id}', outcome: the judge command '{command}' {what}"
        for run_id in ("reworded-0", "open-0")
    ]
    assert result.output.splitlines()[0] == (
        f"error: the judge did not answer 2 of 2 question(s); the verdicts it gave are cached "
        f"in {tmp_path / 'cache.jsonl'}; fix the command and run again"
    )
    assert not (tmp_path / "cache.jsonl").exists()


def test_no_judge_scores_by_the_rules_and_reads_no_cache(tmp_path: Path) -> None:
    runs(tmp_path)
    settings = config(tmp_path, "right")
    (tmp_path / "cache.jsonl").write_text("damaged\n", encoding="utf-8")
    result, report = score(tmp_path, "-c", str(settings), "--no-judge")
    assert calls(tmp_path) == []
    plain, plain_report = score(tmp_path)
    assert report == plain_report  # the fingerprint too: as without a judge
    assert passed(report)["reworded-0"] is False
    assert result.exit_code == plain.exit_code


def test_a_damaged_cache_is_named_by_line(tmp_path: Path) -> None:
    runs(tmp_path)
    settings = config(tmp_path, "right")
    (tmp_path / "cache.jsonl").write_text('{"key": "sha256:0"}\n\nnot json\n', encoding="utf-8")
    result, _ = score(tmp_path, "-c", str(settings))
    assert result.exit_code == 2
    cache = tmp_path / "cache.jsonl"
    assert result.output.splitlines() == [
        f"error: {cache}: the judge's cache is damaged",
        f"{cache}:1: not a cached verdict; delete the line (its question is asked again) or "
        "restore the file from version control",
        f"{cache}:3: not a cached verdict; delete the line (its question is asked again) or "
        "restore the file from version control",
    ]


@pytest.mark.parametrize(
    ("family", "message"),
    [
        (
            "Anthropic",
            "run 'reworded-0': the agent's model family 'Anthropic' is the judge's "
            "('anthropic'); a model judging its own family inflates scores; use a judge of "
            "another family",
        ),
        (
            None,
            "run 'reworded-0', outcome: would be judged, but the agent's model family is "
            "unknown; set cohort.model_family in the runs, or judge.agent_family",
        ),
    ],
)
def test_the_agents_family_must_be_known_and_not_the_judges(
    tmp_path: Path, family: str | None, message: str
) -> None:
    runs(tmp_path, family=family)
    result, _ = score(tmp_path, "-c", str(config(tmp_path, "right")))
    assert result.exit_code == 2
    where = f"{tmp_path / 'runs.jsonl'}:2: cohort.model_family: "
    assert where + message in result.output
    assert calls(tmp_path) == []


@pytest.mark.parametrize("family", ["anthropic", None])
def test_runs_the_judge_may_not_judge_are_never_skipped_as_invalid_lines(
    tmp_path: Path, family: str | None
) -> None:
    # Skipped, the two runs that would be asked would leave the gate to pass on the rest.
    runs(tmp_path, family=family)
    path = config(tmp_path, "right")
    settings = orjson.loads(path.read_bytes())
    path.write_bytes(orjson.dumps({**settings, "gate": {"invalid_runs": {"max": 2}}}))
    result, report = score(tmp_path, "-c", str(path))
    assert result.exit_code == 2, result.output
    assert report is None
    source = tmp_path / "runs.jsonl"
    assert result.output.startswith(
        f"error: {source}: the evaluators could not score 2 run(s), so nothing was judged"
    )
    assert [line.split(": ")[0] for line in result.output.splitlines()[1:]] == [
        f"{source}:2",
        f"{source}:3",
    ]
    assert calls(tmp_path) == []


def test_agent_family_in_the_config_speaks_for_every_run(tmp_path: Path) -> None:
    runs(tmp_path, family=None)
    result, _ = score(tmp_path, "-c", str(config(tmp_path, "right", agent_family="openai")))
    assert result.exit_code == 0, result.output


def test_parallel_requests_are_bounded_and_answered_in_order(tmp_path: Path) -> None:
    script = tmp_path / "echo.py"
    script.write_text(
        "import json, sys\nr = json.load(sys.stdin)\n"
        "print(json.dumps({'verdict': r['n'] % 2 == 0, 'reason': str(r['n'])}))\n",
        encoding="utf-8",
    )
    settings = JudgeSettings(command=f"{sys.executable} {script}", model_family="x", parallel=3)
    questions = [Question(f"k{n}", f"r{n}", "outcome", {"n": n}) for n in range(7)]
    answers = ask(settings, questions)
    assert [(a.verdict.verdict, a.verdict.reason) for a in answers if a.verdict] == [
        (n % 2 == 0, str(n)) for n in range(7)
    ]


def test_a_command_that_does_not_exist_is_said(tmp_path: Path) -> None:
    settings = JudgeSettings(command="no-such-judge-command --x", model_family="x")
    (answer,) = ask(settings, [Question("k", "r", "outcome", {})])
    assert (
        answer.problem
        == "could not be started (No such file or directory): 'no-such-judge-command'"
    )


def test_an_absent_cache_is_empty_and_an_unreadable_one_is_said(tmp_path: Path) -> None:
    assert (
        load_cache(JudgeSettings(command="j", model_family="x", cache=str(tmp_path / "c"))).verdicts
        == {}
    )
    with pytest.raises(InputError, match="cannot read the cache: Is a directory"):
        load_cache(JudgeSettings(command="j", model_family="x", cache=str(tmp_path)))
