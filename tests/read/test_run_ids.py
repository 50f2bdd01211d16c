"""The compact table of seen run ids answers as a dict's setdefault does."""

from __future__ import annotations

import tracemalloc

from hypothesis import given
from hypothesis import strategies as st

from taskgate.read.run_ids import RunIdDigests


@given(st.lists(st.text(max_size=12), max_size=300), st.integers(min_value=1, max_value=2**40))
def test_it_answers_as_a_dict_does(ids: list[str], offset: int) -> None:
    table, oracle = RunIdDigests(), dict[str, int]()
    for number, run_id in enumerate(ids, offset):
        assert table.setdefault(run_id, number) == oracle.setdefault(run_id, number)
    assert len(table) == len(oracle)


def test_it_grows_and_keeps_every_first_line() -> None:
    table = RunIdDigests()
    assert table.slots == 4096
    for number in range(1, 20_001):
        assert table.setdefault(f"run-{number}", number) == number
    # Kept at most two thirds full: 20,000 ids need 32,768 slots.
    assert (len(table), table.slots) == (20_000, 32_768)
    assert [table.setdefault(f"run-{n}", 0) for n in (1, 4096, 20_000)] == [1, 4096, 20_000]
    assert table.setdefault("", 7) == 7 and table.setdefault("", 8) == 7


def test_it_costs_a_fraction_of_a_dict() -> None:
    def allocated(make: type) -> int:
        """What keeping 50,000 ids costs, each read as a new string as the reader does."""
        tracemalloc.start()
        seen = make()
        for number in range(1, 50_001):
            seen.setdefault(f"prod-2026-11-03-{number:08d}", number)
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        return size

    compact, plain = allocated(RunIdDigests), allocated(dict)
    # 131,072 slots of 16 bytes; the dict keeps every id's string besides its entry.
    assert 2_097_152 <= compact < 2_300_000
    assert plain > 6_500_000
