"""Determinism: the same inputs give the same bytes, whatever the hash seed or line order.

Every format is written by separate processes under different PYTHONHASHSEED values (set
and string iteration order changes with it) and compared byte for byte.

Line order: the runs of a file shuffled give the same verdict, cohorts, dimensions and
findings. What follows the file, rightly, is the order of ``runs[]`` (and of the per-run
lines of ``.jsonl``), which lists runs as the file does, and ``dataset.sha256``, the
fingerprint of the file's bytes. taskgate reads one run file, so the order in which a
shell expands a glob never reaches it.
"""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import orjson
import pytest

from taskgate.report import RENDERERS
from tests.conftest import FIXTURES
from tests.sandbox import taskgate_command

pytestmark = pytest.mark.system

CANDIDATE = FIXTURES / "candidate.jsonl"
BASELINE = FIXTURES / "baseline.json"
SUFFIXES = sorted(RENDERERS)
SEEDS = ["0", "1", "4294967295", "random"]


def score_in_parallel(folders: dict[str, Path], runs: str, seeds: dict[str, str]) -> None:
    """Score ``runs`` (relative to each folder) in one process per folder, all at once."""
    outputs = [arg for suffix in SUFFIXES for arg in ("-o", f"report{suffix}")]
    command = taskgate_command("score", runs, "--baseline", str(BASELINE), *outputs)
    processes = {
        name: subprocess.Popen(
            command,
            cwd=folder,
            env={**os.environ, "PYTHONHASHSEED": seeds[name], "TMPDIR": str(folder)},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for name, folder in folders.items()
    }
    for name, process in processes.items():
        out, err = process.communicate(timeout=120)
        (folders[name] / "stdout.txt").write_bytes(out + err)
        assert process.returncode == 1, (name, err.decode())  # the candidate fails the gate


def test_same_bytes_in_every_format_whatever_the_hash_seed(tmp_path: Path) -> None:
    folders = {seed: tmp_path / f"seed-{seed}" for seed in SEEDS}
    for folder in folders.values():
        folder.mkdir()
    score_in_parallel(folders, str(CANDIDATE), {seed: seed for seed in SEEDS})
    for name in [f"report{suffix}" for suffix in SUFFIXES] + ["stdout.txt"]:
        first, *others = [(folder / name).read_bytes() for folder in folders.values()]
        assert first, name
        assert all(other == first for other in others), name


@pytest.fixture(scope="module")
def ordered_and_shuffled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The candidate as it is and with its lines shuffled, both scored as ./runs.jsonl."""
    lines = CANDIDATE.read_bytes().splitlines(keepends=True)
    shuffled = lines[:]
    random.Random(20240611).shuffle(shuffled)
    assert shuffled != lines
    root = tmp_path_factory.mktemp("order")
    folders = {"ordered": root / "ordered", "shuffled": root / "shuffled"}
    for name, content in (("ordered", lines), ("shuffled", shuffled)):
        folders[name].mkdir()
        (folders[name] / "runs.jsonl").write_bytes(b"".join(content))
    score_in_parallel(folders, "runs.jsonl", {"ordered": "0", "shuffled": "0"})
    return folders


def report_of(folder: Path) -> dict[str, object]:
    report: dict[str, object] = orjson.loads((folder / "report.json").read_bytes())
    return report


def test_line_order_changes_no_verdict_cohort_or_finding(
    ordered_and_shuffled: dict[str, Path],
) -> None:
    ordered = report_of(ordered_and_shuffled["ordered"])
    shuffled = report_of(ordered_and_shuffled["shuffled"])
    differing = sorted(key for key in ordered if ordered[key] != shuffled[key])
    assert differing == ["dataset", "runs"]
    assert ordered["verdict"] == shuffled["verdict"]
    assert ordered["cohorts"] == shuffled["cohorts"]


def test_what_follows_the_file_is_the_run_order_and_its_fingerprint(
    ordered_and_shuffled: dict[str, Path],
) -> None:
    ordered = report_of(ordered_and_shuffled["ordered"])
    shuffled = report_of(ordered_and_shuffled["shuffled"])

    def by_id(report: dict[str, object]) -> list[object]:
        runs = report["runs"]
        assert isinstance(runs, list)
        return sorted(runs, key=lambda run: str(run["run_id"]))

    assert by_id(ordered) == by_id(shuffled)
    assert ordered["runs"] != shuffled["runs"]
    datasets = [dict(r["dataset"]) for r in (ordered, shuffled)]  # type: ignore[call-overload]
    assert datasets[0].pop("sha256") != datasets[1].pop("sha256")
    assert datasets[0] == datasets[1]


@pytest.mark.parametrize("suffix", [".md", ".xml"])
def test_summaries_are_byte_identical_in_any_line_order(
    ordered_and_shuffled: dict[str, Path], suffix: str
) -> None:
    ordered, shuffled = (folder / f"report{suffix}" for folder in ordered_and_shuffled.values())
    assert ordered.read_bytes() == shuffled.read_bytes()


def test_the_html_page_differs_only_by_the_file_fingerprint(
    ordered_and_shuffled: dict[str, Path],
) -> None:
    pages = []
    for folder in ordered_and_shuffled.values():
        digest = str(report_of(folder)["dataset"]["sha256"])  # type: ignore[index]
        page = (folder / "report.html").read_text(encoding="utf-8")
        pages.append(page.replace(digest, "SHA").replace(digest[:12], "SHA"))
    assert pages[0] == pages[1]
