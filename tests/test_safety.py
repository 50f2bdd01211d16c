"""Safety: YAML builds no objects, nothing from the input is run, no network, no stray paths.

The network test runs the CLI in a network namespace with no interface but loopback
(``unshare --net``, where the system allows it) and, everywhere, with every socket
function replaced by one that records the attempt and refuses it.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from taskgate.cli import app
from taskgate.report import RENDERERS
from tests.conftest import FIXTURES
from tests.sandbox import run, run_taskgate, taskgate_command, unshare_works

PACKAGE = Path(__file__).resolve().parent.parent / "taskgate"
GOLDEN = FIXTURES / "golden.jsonl"
BASELINE = FIXTURES / "baseline.json"
OUTPUTS = [f"report{suffix}" for suffix in sorted(RENDERERS)]

PAYLOADS = {
    "object-apply": "gate: !!python/object/apply:os.system ['touch {marker}']\n",
    "object-new": "gate: !!python/object/new:subprocess.Popen [['touch', '{marker}']]\n",
    "nested": "gate:\n  tail:\n    max_gap: !!python/object/apply:os.system ['touch {marker}']\n",
    "key": "? !!python/object/apply:os.system ['touch {marker}']\n: 1\n",
}


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS)
@pytest.mark.parametrize("how", ["--config", "taskgate.yaml"])
def test_a_yaml_tag_that_would_run_a_command_never_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, payload: str, how: str
) -> None:
    marker = tmp_path / "pwned"
    (tmp_path / "taskgate.yaml").write_text(payload.format(marker=marker))
    monkeypatch.chdir(tmp_path)
    config = ["--config", "taskgate.yaml"] if how == "--config" else []  # else found in cwd
    result = CliRunner().invoke(app, ["validate", str(GOLDEN), *config])
    assert result.exit_code == 2
    assert "taskgate.yaml: the config is not valid" in result.output
    assert not marker.exists()


def test_text_in_the_runs_is_never_run(tmp_path: Path) -> None:
    """Strings that would do something if evaluated or given to a shell are just text."""
    marker = tmp_path / "pwned"
    hostile = [
        f"__import__('os').system('touch {marker}')",
        f"$(touch {marker})",
        f"`touch {marker}`",
        "{{ config.__class__.__init__.__globals__ }}",
        "!!python/object/apply:os.system",
    ]
    lines = []
    for index, text in enumerate(hostile):
        call = {"name": text, "arguments": text, "result": text, "error": None}
        step = {"thought": text, "tool_calls": [call], "observation": text, "is_final": True}
        task = {"expected_result": text, "success_criteria": [text, {"result_matches": text}]}
        fields = {"final_result": text, "cohort": {"segment": text}, "labels": {"reward": text}}
        record = {"run_id": f"r{index}", "task_id": text, "task": task, "steps": [step], **fields}
        lines.append(json.dumps(record))
    (tmp_path / "runs.jsonl").write_text("\n".join(lines) + "\n")
    args = ["score", "runs.jsonl", *(arg for name in OUTPUTS for arg in ("-o", name))]
    outcome = run_taskgate(*args, cwd=tmp_path)
    assert outcome.exit_code in (0, 1, 2), outcome.output  # judged or refused, never a crash
    assert not marker.exists()


def test_the_package_has_no_way_to_run_code_or_reach_the_network() -> None:
    """No eval, exec, pickle, shell or socket anywhere in taskgate's source."""
    forbidden = re.compile(
        r"(?<![.\w])(eval|exec|__import__)\(|\bpickle\b|\bmarshal\b|\bshelve\b"
        r"|yaml\.(load|unsafe_load|full_load)\(|yaml\.(Unsafe|Full)?Loader\b"
        r"|\bos\.system\b|\bsubprocess\b|\bsocket\b|\burllib\b|\bhttp\.client\b|\brequests\b"
    )
    found = [
        f"{path.relative_to(PACKAGE.parent)}:{number}: {line.strip()}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if forbidden.search(line) and not line.lstrip().startswith("#")
    ]
    # The one exception: the judge runs the command the user's own config names
    # (judge.command), without a shell; nothing a run file says is ever run.
    judge = "taskgate/scoring/judge_command.py"
    assert [line for line in found if not line.startswith(f"{judge}:")] == []
    assert {line.split(": ", 1)[1] for line in found} == {
        "import subprocess  # the user's own judge command, named in their config: see "
        "docs/judge.md",
        "process = subprocess.Popen(",
        "stdin=subprocess.PIPE,",
        "stdout=subprocess.PIPE,",
        "stderr=subprocess.PIPE,",
        "except subprocess.TimeoutExpired:",
        "def _stop(process: subprocess.Popen[bytes]) -> None:",
    }


# Replaces every way to open a network connection with one that notes the attempt and fails.
NO_NETWORK = """
import os, socket, sys
def refused(*args, **kwargs):
    with open(os.environ["ATTEMPTS"], "a") as log:
        log.write(repr(args)[:200] + "\\n")
    raise OSError("network access attempted")
socket.socket.connect = refused
socket.socket.connect_ex = refused
socket.socket.sendto = refused
socket.create_connection = refused
socket.getaddrinfo = refused
socket.gethostbyname = refused
from taskgate.cli import main
sys.argv[0] = "taskgate"
main()
"""


def score_everything() -> list[str]:
    return ["score", str(GOLDEN), *(arg for name in OUTPUTS for arg in ("-o", name))]


def test_scoring_makes_no_network_call(tmp_path: Path) -> None:
    attempts = tmp_path / "attempts.log"
    command = [sys.executable, "-c", NO_NETWORK, *score_everything()]
    outcome = run(command, tmp_path, env={"ATTEMPTS": str(attempts)})
    assert outcome.exit_code == 0, outcome.output
    assert not attempts.exists()
    assert all((tmp_path / name).stat().st_size > 0 for name in OUTPUTS)


@pytest.mark.skipif(not unshare_works("--net"), reason="needs network namespaces (unshare -n)")
def test_scoring_works_with_no_network_at_all(tmp_path: Path) -> None:
    offline, online = tmp_path / "offline", tmp_path / "online"
    offline.mkdir()
    online.mkdir()
    args = score_everything()
    outcome = run(["unshare", "--net", *taskgate_command(*args)], offline)
    assert outcome.exit_code == 0, outcome.output
    assert run(taskgate_command(*args), online).exit_code == 0
    for name in OUTPUTS:
        assert (offline / name).read_bytes() == (online / name).read_bytes(), name


def test_reports_name_files_as_the_user_gave_them(tmp_path: Path) -> None:
    """Relative paths stay relative: a report shows no folder of the machine it ran on."""
    shutil.copyfile(GOLDEN, tmp_path / "runs.jsonl")
    shutil.copyfile(BASELINE, tmp_path / "base.json")
    args = ["score", "runs.jsonl", "--baseline", "base.json"]
    outcome = run_taskgate(*args, *(arg for name in OUTPUTS for arg in ("-o", name)), cwd=tmp_path)
    assert outcome.exit_code == 0, outcome.output
    report = json.loads((tmp_path / "report.json").read_bytes())
    assert (report["dataset"]["source"], report["baseline"]["source"]) == (
        "runs.jsonl",
        "base.json",
    )
    machine = [str(tmp_path), str(Path.home()), str(PACKAGE.parent)]
    for name in OUTPUTS:
        data = (tmp_path / name).read_text(encoding="utf-8")
        assert not [folder for folder in machine if folder in data], name


def test_an_absolute_path_given_is_shown_as_given(tmp_path: Path) -> None:
    outcome = run_taskgate("score", str(GOLDEN), "-o", "report.json", cwd=tmp_path)
    assert outcome.exit_code == 0, outcome.output
    report = json.loads((tmp_path / "report.json").read_bytes())
    assert report["dataset"]["source"] == str(GOLDEN)
