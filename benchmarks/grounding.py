"""What grounding finds in real runs, and how it changes agreement with their success labels.

For each labelled file (as agreement.py finds them): how the facts of the final results sort
(found, derived, unverified, ungrounded); the AUROC of the grounding score against the label;
the pass rate and accuracy of ``passed`` under the default config and with
``evaluators.grounding.required: true``; and how often chance makes a whole number near a
stated one from two or three of the run's numbers (the reason whole-number derivations count
only where chance would not explain them).

    python benchmarks/grounding.py                 # the bundled fixtures/labelled/ files
    python benchmarks/grounding.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.agreement import LABELLED, SETS, files_of  # noqa: E402
from taskgate.api import score  # noqa: E402
from taskgate.config.load import default_config  # noqa: E402
from taskgate.config.model import Config  # noqa: E402
from taskgate.importers import import_files, write_records  # noqa: E402
from taskgate.model.record import RunRecord  # noqa: E402
from taskgate.scoring.context import RunContext  # noqa: E402
from taskgate.scoring.facts import seen_texts  # noqa: E402
from taskgate.scoring.stated_facts import Seen, stated_facts  # noqa: E402

OFFSETS = (-23, -11, 7, 13, 29)
"""Whole numbers this far from a stated one stand for values no one stated."""


def required() -> Config:
    config = default_config()
    grounding = config.evaluators.grounding.model_copy(update={"required": True})
    evaluators = config.evaluators.model_copy(update={"grounding": grounding})
    return config.model_copy(update={"evaluators": evaluators})


def sorts(records: list[RunRecord]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for record in records:
        facts = RunContext(record).grounding
        counts.update(
            found=len(facts.found),
            derived=len(facts.derived),
            unverified=len(facts.unverified),
            ungrounded=len(facts.ungrounded),
        )
    return counts


def chance(records: list[RunRecord]) -> tuple[int, int, int]:
    """(values tried, made from two numbers seen, made from two or three)."""
    tried = two = three = 0
    for record in records:
        ctx = RunContext(record)
        stated = [f for f in stated_facts(ctx.result_text) if f.kind == "number"]
        if not stated:
            continue
        numbers = Seen(seen_texts(record)).numbers
        pairs = {a + b for a in numbers for b in numbers}
        for fact in stated:
            for value in fact.values:
                assert isinstance(value, Decimal)
                for offset in OFFSETS:
                    target = value.to_integral_value() + offset
                    if target <= 0:
                        continue
                    tried += 1
                    made = target in pairs
                    two += made
                    three += made or any(target - a in pairs for a in numbers)
    return tried, two, three


def agreement(
    records_file: Path, config: Config, metric: str = "grounding"
) -> tuple[float, float, float | None]:
    """The pass rate, the accuracy of passed and the AUROC of ``metric``, against the labels."""
    labels = score(records_file, config=config).labels
    assert labels is not None
    passed = labels.passed_and_succeeded + labels.passed_but_failed
    return passed / labels.runs, labels.accuracy or 0.0, labels.auroc.get(metric)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=LABELLED, help="folder of labelled runs")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, (fmt, patterns) in SETS.items():
            inputs = files_of(args.data, patterns)
            if not inputs:
                continue
            records = import_files(fmt, inputs).records
            path = Path(work) / f"{fmt}.jsonl"
            write_records(path, records)
            default_rate, default_accuracy, auroc = agreement(path, default_config())
            strict_rate, strict_accuracy, _ = agreement(path, required())
            counts = sorts(records)
            tried, two, three = chance(records)
            rows.append(
                f"| {name} | {len(records)} | {counts['found']} / {counts['derived']} / "
                f"{counts['unverified']} / {counts['ungrounded']} | "
                f"{'-' if auroc is None else f'{auroc:.3f}'} | "
                f"{default_rate:.1%}, {default_accuracy:.3f} | "
                f"{strict_rate:.1%}, {strict_accuracy:.3f} | "
                f"{two / tried:.0%} / {three / tried:.0%} of {tried} |"
            )
    if not rows:
        sys.exit(f"no labelled run files under {args.data}")
    print(
        "| runs | n | facts found / derived / unverified / ungrounded | grounding AUROC "
        "| pass rate, accuracy (default) | with grounding required "
        "| whole numbers chance makes from 2 / 3 seen |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
