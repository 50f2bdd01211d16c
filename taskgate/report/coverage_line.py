"""One sentence on what the runs covered and how they were compared, shared by every format:
a comparison over some of the golden tasks must never read like one over all of them."""

from __future__ import annotations

from taskgate.model.report import Report


def coverage_line(report: Report) -> str | None:
    """E.g. "238 of 240 golden tasks ran (2 missing); compared task by task over 238
    shared tasks"; None without a baseline or a tasks file."""
    cover = report.coverage
    if cover is None:
        return None
    ran = cover.expected - len(cover.missing)
    noted = [f"{len(cover.missing)} missing"] if cover.missing else []
    noted += [f"{len(cover.new)} new"] if cover.new else []
    text = f"{ran} of {cover.expected} golden tasks ran" + (
        f" ({', '.join(noted)})" if noted else ""
    )
    if cover.shared is None:
        return text
    if cover.shared == 0:
        return f"{text}; compared unpaired: no task in common with the baseline"
    unpaired = [
        c for c in report.cohorts if c.delta and any(not d.paired for d in c.delta.values())
    ]
    apart = (
        f" ({len(unpaired)} cohort{'s' if len(unpaired) != 1 else ''} unpaired: no task in "
        "common with the same cohort of the baseline)"
        if unpaired
        else ""
    )
    return f"{text}; compared task by task over {cover.shared} shared tasks{apart}"


def inconclusive_note(report: Report, shown: int = 4) -> str | None:
    """E.g. "inconclusive for all, segment=smb: too few tasks x trials to see a drop the
    gate allows"; None when every comparison could tell."""
    labels = report.verdict.inconclusive  # the cohorts of the underpowered findings
    if not labels:
        return None
    names = ", ".join(labels[:shown]) + (
        f" and {len(labels) - shown} more" if len(labels) > shown else ""
    )
    return f"inconclusive for {names}: too few tasks x trials to detect the allowed drops"
