"""The gate's false alarms and power on real benchmark runs, trials compared within tasks.

Real runs (fixtures/labelled, or --data DIR with the same files), imported and scored once
under a regression-only config (absolute bands, tail and worst-cohort rules off: what is
measured is the comparison), then re-gated many times:

- A/A at k trials a side: each task's trials dealt at random, k to the baseline and k to the
  candidate (disjoint: tasks need 2k trials). Nothing changed, so any failing comparison
  finding (regression, tail_regression, newly_failing) is false. Goal: at most alpha.
- Power at k trials a side, for planted drops of D points of pass rate: the A/A split, then
  D x (candidate runs) passing candidate trials swapped for failing runs of the same task.
  At 4 trials a side (more than half of τ-bench's 4), both sides draw their 4 trials with
  replacement from the task's trials, a resampled stand-in for a rerun.
- Alongside, what the plan model (power.py) predicts for the same design from the
  comparison's own minimum detectable drop.

    python benchmarks/calibration_real.py [--splits 200] [--data DIR]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taskgate.api.pipeline import assemble  # noqa: E402
from taskgate.config.model import Config  # noqa: E402
from taskgate.importers import import_files, write_records  # noqa: E402
from taskgate.model.report import Dataset, Report, RunResult  # noqa: E402
from taskgate.scoring.file import score_file  # noqa: E402

CONFIG = Config.model_validate(
    {
        "thresholds": {
            "task_completion": {"green": 0.0, "yellow": 0.0},
            "trajectory_score": {"green": 0.0, "yellow": 0.0},
        },
        "gate": {"tail": {"level": "off"}, "worst_cohort": {"level": "off"}},
    }
)
COMPARISON = {"regression", "tail_regression", "newly_failing"}
SETS = {
    # name: (importer, (the file as fixtures/labelled names it, as ../shared/data does))
    "τ-bench gpt-4o airline (50 tasks x 4)": (
        "tau-bench",
        ("tau-bench-gpt-4o-airline.json*", "tau-bench/gpt-4o-airline.json*"),
    ),
    "τ²-bench grok-3 airline (4 tasks x 4)": (
        "tau2",
        ("tau2-2025-10-13T114016*_airline.json*", "tau2-bench/2025-10-13T11:40:16*_airline_*.json"),
    ),
}
Split = tuple[list[RunResult], list[RunResult]]


def load(fmt: str, patterns: tuple[str, ...], data: Path) -> list[RunResult]:
    inputs = sorted({str(p) for pattern in patterns for p in data.glob(pattern)})
    if not inputs:
        raise SystemExit(f"{data}: no file matches {' or '.join(patterns)}")
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "runs.jsonl"
        write_records(path, import_files(fmt, inputs).records)
        return score_file(str(path), CONFIG).runs


def by_task(runs: list[RunResult]) -> dict[str, list[RunResult]]:
    tasks: dict[str, list[RunResult]] = {}
    for run in runs:
        tasks.setdefault(run.task_id, []).append(run)
    return tasks


def _dataset(runs: list[RunResult], name: str) -> Dataset:
    return Dataset(source=name, runs=len(runs), invalid=0, underspecified=0, sha256=name)


def gate(base: list[RunResult], cand: list[RunResult]) -> Report:
    baseline = assemble(base, _dataset(base, "base"), [], CONFIG)
    return assemble(cand, _dataset(cand, "cand"), [], CONFIG, (baseline, "base"))


def _renamed(run: RunResult, side: str, index: int) -> RunResult:
    return run.model_copy(update={"run_id": f"{side}:{run.run_id}:{index}", "trial": index})


def split(runs: list[RunResult], k: int, rng: random.Random) -> Split:
    """k trials a side per task: disjoint when the task has 2k, else drawn with replacement."""
    base, cand = [], []
    for _, trials in sorted(by_task(runs).items()):
        if len(trials) >= 2 * k:
            dealt = rng.sample(trials, 2 * k)
            chosen = dealt[:k], dealt[k:]
        else:
            chosen = [rng.choice(trials) for _ in range(k)], [rng.choice(trials) for _ in range(k)]
        base += [_renamed(r, "b", i) for i, r in enumerate(chosen[0])]
        cand += [_renamed(r, "c", i) for i, r in enumerate(chosen[1])]
    return base, cand


def plant(
    cand: list[RunResult], runs: list[RunResult], drop: float, rng: random.Random
) -> list[RunResult]:
    """Swap drop x len(cand) passing trials for failing runs of the same task."""
    failing = {t: [r for r in rs if r.passed is False] for t, rs in by_task(runs).items()}
    wanted = round(drop * len(cand))
    order = [i for i in rng.sample(range(len(cand)), len(cand)) if cand[i].passed]
    changed = list(cand)
    for index in order:
        if wanted == 0:
            break
        pool = failing.get(cand[index].task_id) or []
        if pool:
            failed = rng.choice(pool)
            changed[index] = failed.model_copy(
                update={"run_id": cand[index].run_id, "trial": cand[index].trial}
            )
            wanted -= 1
    return changed


def failed(report: Report, rules: set[str]) -> bool:
    return any(f.level == "fail" and f.rule in rules for f in report.verdict.findings)


def detectable(report: Report) -> float | None:
    cohort = next(c for c in report.cohorts if c.dimension == "all")
    delta = (cohort.delta or {}).get("task_completion")
    return None if delta is None else delta.min_detectable_drop


def study(
    label: str, splits: int, make: Callable[[random.Random], Split], checks: set[str]
) -> None:
    started = time.perf_counter()
    hits, drops = 0, []
    for i in range(splits):
        report = gate(*make(random.Random(f"{label}:{i}")))
        hits += failed(report, checks)
        drops.append(detectable(report))
    known = [d for d in drops if d is not None]
    mdd = f"{sum(known) / len(known):.3f}" if known else "none"
    seconds = time.perf_counter() - started
    print(
        f"  {label:<38} {hits:>4}/{splits} = {hits / splits:6.1%}   MDD {mdd}   ({seconds:.0f} s)",
        flush=True,
    )


def measure(runs: list[RunResult], splits: int) -> None:
    for k in (1, 2, 4):
        study(f"A/A, {k} trial(s) a side", splits, lambda g, k=k: split(runs, k, g), COMPARISON)
    if len(by_task(runs)) < 10:
        return  # a few tasks: the A/A only
    for k in (1, 2, 4):
        for drop in (0.05, 0.10, 0.20):

            def planted(g: random.Random, k: int = k, drop: float = drop) -> Split:
                base, cand = split(runs, k, g)
                return base, plant(cand, runs, drop, g)

            study(f"{drop:.0%} drop, {k} trial(s) a side: caught", splits, planted, {"regression"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=200)
    parser.add_argument("--data", type=Path, default=ROOT / "fixtures" / "labelled")
    args = parser.parse_args()
    print(f"alpha {CONFIG.gate.regression.alpha}, max_drop {CONFIG.gate.regression.max_drop}")
    for name, (fmt, patterns) in SETS.items():
        runs = load(fmt, patterns, args.data)
        rate = sum(r.passed is True for r in runs) / len(runs)
        print(f"{name}: {len(runs)} runs, pass rate {rate:.1%}")
        measure(runs, args.splits)


if __name__ == "__main__":
    main()
