"""The most common failure shape or diagnosis of a cohort, as every format shows it."""

from __future__ import annotations

from collections.abc import Callable


def most_common(
    counts: dict[str, int], escape: Callable[[str], str] = str, skip: str = "passed"
) -> str:
    """E.g. "early_stop (4)": the largest count but ``skip``'s, ties by name; "-" for none."""
    ranked = sorted((-n, name) for name, n in counts.items() if name != skip)
    return f"{escape(ranked[0][1])} ({-ranked[0][0]})" if ranked else "-"
