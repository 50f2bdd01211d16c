"""How taskgate's work grows with the parts of a run that can grow: time and memory at
sizes n, 2n and 4n of each, as ratios to the smallest (linear growth doubles).

    python benchmarks/growth.py            # every case
    python benchmarks/growth.py --case calls --case cohorts

Each case writes its inputs under benchmarks/.data/growth/ and runs `taskgate score FILE -q`
as a user does, a subprocess, measuring wall seconds and peak resident memory. Cases:

- calls: expected calls and calls made to one tool (strict and unordered alike)
- observations: observations x observation_contains criteria
- near_misses: a phrase keyword hidden inside longer words, megabytes of them
- fuzzy: the length of a result compared by graded similarity
- cohorts: distinct values of one cohort key, one run (and task) each, with a baseline
- blank_gzip: a gzip file of blank lines (stopped by the expansion bound)
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Callable
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import TASKGATE, run_measured  # noqa: E402

DATA = HERE / ".data" / "growth"
FINAL = {"message": "done", "is_final": True}


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


def _run(run_id: str, **fields: object) -> dict[str, object]:
    task = {"description": "d", "expected_result": "done"}
    return {"run_id": run_id, "task_id": "t", "task": task, "final_result": "done", **fields}


def calls(n: int, folder: Path) -> list[str]:
    made = [{"name": "lookup", "arguments": {"id": str(i)}} for i in range(n)]
    task = {"description": "d", "expected_calls": made, "call_order": "unordered"}
    record = _run("r", task=task, steps=[{"tool_calls": made}, FINAL])
    return [str(_write(folder / f"calls-{n}.jsonl", [record]))]


def observations(n: int, folder: Path) -> list[str]:
    steps = [{"observation": f"item {i} shipped to depot {i % 97}"} for i in range(n)]
    criteria = [{"observation_contains": f"depot {i}"} for i in range(n // 25)]
    task = {"description": "d", "expected_result": "done", "success_criteria": criteria}
    record = _run("r", task=task, steps=[*steps, FINAL])
    return [str(_write(folder / f"observations-{n}.jsonl", [record]))]


def near_misses(n: int, folder: Path) -> list[str]:
    evidence = "xrefundx " * (n * 100)
    task = {"description": "d", "success_criteria": [f"refund issued {i}" for i in range(40)]}
    record = _run("r", task=task, steps=[{"observation": evidence}, FINAL])
    return [str(_write(folder / f"near-misses-{n}.jsonl", [record]))]


def fuzzy(n: int, folder: Path) -> list[str]:
    text = " ".join(f"w{i}x{i * 7919 % 10007}" for i in range(n * 100))
    task = {"description": "d", "expected_result": text[::-1]}
    record = _run("r", task=task, steps=[{"message": text, "is_final": True}], final_result=text)
    return [str(_write(folder / f"fuzzy-{n}.jsonl", [record]))]


def cohorts(n: int, folder: Path) -> list[str]:
    steps = [FINAL]
    records = [
        _run(f"r{i}", task_id=f"t{i}", cohort={"session": f"s{i}"}, steps=steps) for i in range(n)
    ]
    runs = _write(folder / f"cohorts-{n}.jsonl", records)
    baseline = folder / f"cohorts-{n}.json"
    run_measured([*TASKGATE, "score", str(runs), "-q", "-o", str(baseline)])
    return [str(runs), "--baseline", str(baseline)]


def blank_gzip(n: int, folder: Path) -> list[str]:
    path = folder / f"blank-{n}.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n" * (n * 10_000)))
    return [str(path)]


CASES: dict[str, tuple[Callable[[int, Path], list[str]], int]] = {
    "calls": (calls, 1000),
    "observations": (observations, 2500),
    "near_misses": (near_misses, 1000),
    "fuzzy": (fuzzy, 500),
    "cohorts": (cohorts, 1000),
    "blank_gzip": (blank_gzip, 1000),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", action="append", choices=sorted(CASES))
    chosen = parser.parse_args().case or list(CASES)
    DATA.mkdir(parents=True, exist_ok=True)
    print("| case | n | seconds | peak MB | time ratio | memory ratio |")
    print("|---|---|---|---|---|---|")
    for name in chosen:
        make, base = CASES[name]
        first: tuple[float, float] | None = None
        for n in (base, 2 * base, 4 * base):
            seconds, peak = run_measured([*TASKGATE, "score", *make(n, DATA), "-q"])
            first = first or (seconds, peak)
            print(
                f"| {name} | {n:,} | {seconds:.2f} | {peak:.0f} | "
                f"{seconds / first[0]:.2f} | {peak / first[1]:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
