from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from taskgate.config.load import default_config
from taskgate.read.runs import RunReader
from taskgate.scoring.scorer import Scorer
from tests.conftest import FIXTURES


@pytest.fixture
def no_cycle_collector() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_cycle_collector")
@pytest.mark.parametrize("name", ["golden.jsonl", "candidate.jsonl"])
def test_a_scored_run_is_freed_as_soon_as_it_is_dropped(name: str) -> None:
    # Nothing a run's scoring builds may refer back to its context: a run in a reference
    # cycle stays in memory until the cycle collector's next full pass, and a large file
    # then holds hundreds of runs' trajectories at once.
    # Counted by the cycle collector itself, which finds whatever only a cycle holds: weak
    # references would do for the pure build, but compiled classes do not take them.
    scorer = Scorer(default_config())
    runs = 0
    for _, record in RunReader(str(FIXTURES / name)):
        scorer.score(record)
        runs += 1
    assert runs > 10
    assert gc.collect() == 0
