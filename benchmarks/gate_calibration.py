"""How often the gate raises false alarms, and how often it catches real drops.

Uses the runs of fixtures/golden.jsonl, scored once, and re-gates them many
times under the default config:

- A/A, unpaired: the tasks split at random into two halves, one the baseline
  and one the candidate. Nothing changed, so any failing finding is false.
- A/A, paired: two different trials of each multi-trial task, one on each
  side: the same tasks run twice, with real run-to-run variation.
- Power: the paired A/A, with a cohort of 100 runs planted in it whose
  task_completion mean drops by 10 points (passing runs turned into failed
  ones drawn from the dataset). How often does a regression finding name it?
- Tail: the baseline's planted cohort again, the candidate identical except
  that the worst decile of that cohort loses 5 points. Does tail_regression
  catch it while the mean barely moves?

    python benchmarks/gate_calibration.py [--splits 200] [--seed 1]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taskgate.api.pipeline import assemble  # noqa: E402
from taskgate.config.model import Config  # noqa: E402
from taskgate.model.report import Dataset, Report, RunResult  # noqa: E402
from taskgate.scoring.file import score_file  # noqa: E402

# The scenarios measure the comparison's statistics. The unpaired A/A halves cover
# different tasks by construction, which the coverage rule would rightly fail: it is off.
CONFIG = Config.model_validate({"gate": {"coverage": {"level": "off"}}})
DIMENSIONS = ["segment", "tool_surface", "variant", "planted"]
COMPARISON_RULES = {"regression", "tail_regression"}
PLANTED = 100
# tail_max_drop is 0.05 and a drop must exceed it: plant a little more.
TAIL_DROP = 0.06


def dataset(runs: list[RunResult], name: str) -> Dataset:
    return Dataset(source=name, runs=len(runs), invalid=0, underspecified=0, sha256=name)


def gate(base: list[RunResult], cand: list[RunResult]) -> Report:
    baseline = assemble(base, dataset(base, "base"), DIMENSIONS, CONFIG)
    return assemble(cand, dataset(cand, "cand"), DIMENSIONS, CONFIG, (baseline, "base"))


def with_cohort(run: RunResult, planted: bool) -> RunResult:
    return run.model_copy(update={"cohort": {**run.cohort, "planted": "yes" if planted else "no"}})


def by_task(runs: list[RunResult]) -> dict[str, list[RunResult]]:
    tasks: dict[str, list[RunResult]] = {}
    for run in runs:
        tasks.setdefault(run.task_id, []).append(run)
    return tasks


def unpaired_split(
    runs: list[RunResult], rng: random.Random
) -> tuple[list[RunResult], list[RunResult]]:
    tasks = sorted(by_task(runs))
    rng.shuffle(tasks)
    half = set(tasks[: len(tasks) // 2])
    planted = set(rng.sample(tasks, PLANTED // 2))
    marked = [with_cohort(r, r.task_id in planted) for r in runs]
    return [r for r in marked if r.task_id in half], [r for r in marked if r.task_id not in half]


def paired_split(
    runs: list[RunResult], rng: random.Random
) -> tuple[list[RunResult], list[RunResult]]:
    """Two distinct trials of every task that has several: one per side."""
    tasks = {t: rs for t, rs in by_task(runs).items() if len(rs) >= 2}
    names = sorted(tasks)
    rng.shuffle(names)
    planted = set(names[:PLANTED])
    base, cand = [], []
    for name in sorted(tasks):
        first, second = rng.sample(tasks[name], 2)
        base.append(with_cohort(first, name in planted))
        cand.append(with_cohort(second, name in planted))
    return base, cand


def mean_completion(runs: list[RunResult]) -> float:
    return math.fsum(r.scores["task_completion"] or 0.0 for r in runs) / len(runs)


def plant_drop(
    cand: list[RunResult], failures: list[RunResult], rng: random.Random, drop: float
) -> list[RunResult]:
    """Turn passing runs of the planted cohort into failed ones until its mean drops by ``drop``."""
    members = [i for i, r in enumerate(cand) if r.cohort["planted"] == "yes"]
    target = mean_completion([cand[i] for i in members]) - drop
    changed = list(cand)
    for index in rng.sample(members, len(members)):
        if mean_completion([changed[i] for i in members]) <= target:
            break
        if changed[index].passed:
            failed = rng.choice(failures)
            changed[index] = changed[index].model_copy(
                update={
                    "scores": failed.scores,
                    "passed": False,
                    "failure_shape": failed.failure_shape,
                }
            )
    return changed


def lower_tail(runs: list[RunResult], drop: float) -> list[RunResult]:
    """Lower the worst decile of the planted cohort by ``drop`` on every gated metric."""
    members = sorted(
        (i for i, r in enumerate(runs) if r.cohort["planted"] == "yes"),
        key=lambda i: (runs[i].scores["task_completion"] or 0.0, runs[i].run_id),
    )
    worst = members[: math.ceil(len(members) / 10)]
    changed = list(runs)
    for i in worst:
        scores = {
            k: (
                max(0.0, v - drop)
                if v is not None and k in ("task_completion", "trajectory_score")
                else v
            )
            for k, v in runs[i].scores.items()
        }
        changed[i] = runs[i].model_copy(update={"scores": scores})
    return changed


def failing(report: Report, rules: set[str] | None = None, cohort: str | None = None) -> bool:
    return any(
        f.level == "fail"
        and (rules is None or f.rule in rules)
        and (cohort is None or f.cohort == cohort)
        for f in report.verdict.findings
    )


def rate(count: int, total: int) -> str:
    return f"{count}/{total} = {count / total:.1%}"


Check = Callable[[Report], bool]
Maker = Callable[[random.Random], tuple[list[RunResult], list[RunResult]]]


def study(name: str, trials: int, make: Maker, seed: int, checks: dict[str, Check]) -> None:
    """Gate ``trials`` generated comparisons; print how often each check held."""
    started = time.perf_counter()
    hits = dict.fromkeys(checks, 0)
    for i in range(trials):
        report = gate(*make(random.Random(f"{name}:{seed}:{i}")))
        for label, check in checks.items():
            hits[label] += check(report)
    seconds = time.perf_counter() - started
    for label, count in hits.items():
        print(
            f"{name + ': ' + label:<44} {rate(count, trials):>18}   ({seconds:.0f} s)", flush=True
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    runs = score_file(str(ROOT / "fixtures" / "golden.jsonl"), CONFIG).runs
    failures = [r for r in runs if not r.passed and r.status == "completed"]
    n, seed = args.splits, args.seed
    print(
        f"{len(runs)} runs, {len(by_task(runs))} tasks; "
        f"alpha {CONFIG.gate.regression.alpha}; {n} trials each"
    )
    false_alarms: dict[str, Check] = {
        "gate failed": lambda rep: failing(rep),
        "regression finding": lambda rep: failing(rep, COMPARISON_RULES),
    }
    study("A/A unpaired", n, lambda r: unpaired_split(runs, r), seed, false_alarms)
    study("A/A paired", n, lambda r: paired_split(runs, r), seed, false_alarms)

    def planted(rng: random.Random) -> tuple[list[RunResult], list[RunResult]]:
        base, cand = paired_split(runs, rng)
        return base, plant_drop(cand, failures, rng, 0.10)

    study(
        "10-pt drop in 100 runs",
        n,
        planted,
        seed,
        {
            "caught (regression names it)": lambda rep: failing(rep, {"regression"}, "yes"),
            "gate failed": lambda rep: failing(rep),
        },
    )

    def tail_only(rng: random.Random) -> tuple[list[RunResult], list[RunResult]]:
        base, _ = paired_split(runs, rng)
        return base, lower_tail(base, TAIL_DROP)

    study(
        f"{TAIL_DROP:.2f} drop of the worst decile",
        n,
        tail_only,
        seed,
        {
            "caught (tail_regression)": lambda rep: failing(rep, {"tail_regression"}, "yes"),
            "mean regression": lambda rep: failing(rep, {"regression"}),
        },
    )


if __name__ == "__main__":
    main()
