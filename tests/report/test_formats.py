"""Every output format comes from the same report object, and renders the same bytes twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from taskgate.api import score
from taskgate.errors import TaskgateError
from taskgate.model.report import Report
from taskgate.report import RENDERERS, renderer_for
from tests.conftest import FIXTURES

DOCUMENTED = {".json", ".jsonl", ".md", ".xml", ".html"}


@pytest.fixture(scope="module")
def report() -> Report:
    return score(FIXTURES / "candidate.jsonl", baseline=FIXTURES / "baseline.json")


def test_every_documented_format_has_a_renderer() -> None:
    # That docs/report.md documents each of them is tests/test_docs.py's to check.
    assert set(RENDERERS) == DOCUMENTED


@pytest.mark.parametrize("suffix", sorted(DOCUMENTED))
def test_rendering_twice_gives_the_same_bytes(report: Report, suffix: str) -> None:
    render = renderer_for(Path(f"out{suffix}"))
    first, second = render(report), render(report)
    assert first == second and len(first) > 0


@pytest.mark.parametrize("suffix", sorted(DOCUMENTED))
def test_every_format_is_chosen_by_name_whatever_the_case(suffix: str) -> None:
    assert renderer_for(Path(f"REPORT{suffix.upper()}")) is RENDERERS[suffix]


def test_an_unknown_format_names_the_ones_there_are() -> None:
    with pytest.raises(TaskgateError) as caught:
        renderer_for(Path("report.pdf"))
    assert caught.value.message == (
        "-o report.pdf: unknown output format '.pdf'; name the file with one of: "
        ".html, .json, .jsonl, .md, .xml"
    )
