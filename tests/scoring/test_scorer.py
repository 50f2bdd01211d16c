from __future__ import annotations

import gc
import weakref
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
    scorer = Scorer(default_config())
    kept = 0
    for _, record in RunReader(str(FIXTURES / name)):
        scored = scorer.score(record)
        context = weakref.ref(scored.ctx)
        del scored
        kept += context() is not None
    assert kept == 0
