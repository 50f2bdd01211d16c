"""Reports of the bundled fixtures, scored once for every renderer's tests.

Scored from the repository's folder, so that the paths the reports name read as a user
running the README's commands sees them (``fixtures/candidate.jsonl``)."""

from __future__ import annotations

import pytest

from taskgate.api import score
from taskgate.model.report import Report
from tests.conftest import FIXTURES

REPO = FIXTURES.parent


@pytest.fixture(scope="session")
def candidate() -> Report:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        return score("fixtures/candidate.jsonl", baseline="fixtures/baseline.json")


@pytest.fixture(scope="session")
def golden() -> Report:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        return score("fixtures/golden.jsonl")
