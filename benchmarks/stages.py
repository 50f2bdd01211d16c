"""Where the time of scoring one run goes, stage by stage, in one process.

    python benchmarks/stages.py                  # 2,000 runs of the 10k dataset
    python benchmarks/stages.py --runs 500 --size 1000

Each stage is timed over the same runs (best of --repeats), per run in microseconds and
as a multiple of L, one ``orjson.loads`` of the line: the floor no reader beats. Stages:
reading the line as a checked record (parse, depth check, validation, field-name checks);
scoring it with the default panel; each evaluator alone on a fresh context (so each
carries the shared work it needs: the sum exceeds the whole); and the parent's hand-over
to workers (a line pickled one way, a result back); and assembling the report of all the
runs timed (per cohort and task: the parent's serial work once scoring ends), per run.
Wall time on a shared machine moves from run to run: compare the ratios of one run, and
count instructions (benchmarks/instructions.py) to compare two versions of the code.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datasets import write_dataset  # noqa: E402

from taskgate.api.pipeline import assemble, check_dimensions, dataset_of  # noqa: E402
from taskgate.config.load import default_config  # noqa: E402
from taskgate.config.model import Config  # noqa: E402
from taskgate.read.runs import read_record  # noqa: E402
from taskgate.scoring.context import RunContext  # noqa: E402
from taskgate.scoring.file import LineScorer, ScoredRuns  # noqa: E402
from taskgate.scoring.scorer import Scorer  # noqa: E402


def best(work: Callable[[Any], object], items: Sequence[Any], repeats: int) -> float:
    """Microseconds per item of ``work`` over ``items``, the best of ``repeats``. Each
    result is dropped at once, as the scorer drops each record: kept, they would have the
    garbage collector walk them all, again and again, and that would be timed instead."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        for item in items:
            work(item)
        times.append(time.perf_counter() - started)
    return min(times) / len(items) * 1e6


def alone(evaluate: Callable[[RunContext], object], scorer: Scorer, record: Any) -> object:
    return evaluate(RunContext(record, scorer.settings, scorer.judging))


def read(source: str, line: bytes) -> object:
    return read_record(source, 1, line, None)


def assembled(scored: ScoredRuns, dimensions: list[str], config: Config, _: object) -> object:
    return assemble(scored.runs, dataset_of(scored), dimensions, config)


def round_trip(value: object) -> object:
    return pickle.loads(pickle.dumps(value))


def timed_lines(description: str) -> tuple[Path, list[bytes], int]:
    """The command line's dataset (written if need be), the lines of it to time, and how
    many times to time them; shared with read_paths.py."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--size", type=int, default=10_000, help="the dataset to read from")
    parser.add_argument("--runs", type=int, default=2_000, help="how many of its runs to time")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    (HERE / ".data").mkdir(exist_ok=True)
    path = write_dataset(HERE / ".data" / f"runs-{args.size}.jsonl", args.size)
    with path.open("rb") as handle:
        lines = [line for _, line in zip(range(args.runs), handle, strict=False)]
    return path, lines, args.repeats


def main() -> None:
    path, lines, repeats = timed_lines(__doc__.splitlines()[0])
    source = str(path)
    config = default_config()
    scorer = Scorer(config)
    records = [read_record(source, n, line, None)[0] for n, line in enumerate(lines, 1)]
    floor = best(orjson.loads, lines, repeats)
    rows = [
        ("parse (orjson.loads): L", floor),
        ("read: a checked record", best(partial(read, source), lines, repeats)),
        ("score: the default panel", best(scorer.score, records, repeats)),
    ]
    for name, evaluate in scorer.evaluators.items():
        rows.append((f"  {name} alone", best(partial(alone, evaluate, scorer), records, repeats)))
    batches = [[(number, line)] for number, line in enumerate(lines, 1)]
    outcomes = [LineScorer(config, None, source).batch(batch) for batch in batches]
    rows += [
        ("hand-over: a line pickled + unpickled", best(round_trip, batches, repeats)),
        ("hand-over: a result pickled + unpickled", best(round_trip, outcomes, repeats)),
    ]
    results = [scorer.score(record).result for record in records]
    scored = ScoredRuns(source, results, 0, [], "0" * 64)
    dimensions = check_dimensions(config.cohorts, results, source)
    whole = best(partial(assembled, scored, dimensions, config), [None], repeats)
    rows.append(("assembly: the report, per run", whole / len(results)))
    sent = sum(len(pickle.dumps(batch)) for batch in batches) / len(lines)
    back = sum(len(pickle.dumps(outcome)) for outcome in outcomes) / len(lines)
    print(f"{len(lines)} runs of {path.name}: {sent / 1e3:.1f} kB a line sent, {back:.0f} B back")
    print_rows("stage", rows, floor)


def print_rows(heading: str, rows: list[tuple[str, float]], floor: float) -> None:
    """Each row's microseconds a run, and as a multiple of the parse (the first row)."""
    print(f"{heading:<42} {'us/run':>8} {'x L':>6}")
    for name, micros in rows:
        print(f"{name:<42} {micros:>8.1f} {micros / floor:>6.2f}")


if __name__ == "__main__":
    main()
