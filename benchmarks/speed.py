"""Speed and memory of taskgate score, against the floor of parsing the same file.

    python benchmarks/speed.py                 # 1k, 10k and 100k runs
    python benchmarks/speed.py --sizes 1000 10000

For each size it writes (once, seeded) a dataset of realistic runs under
benchmarks/.data/, then measures in one run, on the same file: the wall time of
merely parsing every line with orjson (no scorer can beat that), and the wall time
and peak memory of `taskgate score FILE -q` run as a user runs it, a subprocess;
with one worker and with the default (one per core for large inputs). Also the
time of `taskgate --help`. Prints a table and the ratios to the parse floor, then the
CPU seconds of one default run split between the parent process (reading lines, handing
them over, assembling the report) and its workers.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import orjson

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datasets import write_dataset  # noqa: E402

DATA = HERE / ".data"
TASKGATE = [sys.executable, "-m", "taskgate"]


def parse_floor(path: Path) -> float:
    started = time.perf_counter()
    with path.open("rb") as handle:
        for line in handle:
            orjson.loads(line)
    return time.perf_counter() - started


def run_measured(arguments: list[str]) -> tuple[float, float]:
    """Wall seconds and peak resident MB of one child process (children measured alone)."""
    started = time.perf_counter()
    child = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) not in (0, 1, 2):  # 2: an input bound said so
        raise SystemExit(f"{' '.join(arguments)} failed with {status}")
    return seconds, usage.ru_maxrss / 1024


SPLIT = """
import resource, runpy, sys
sys.argv = ["taskgate", *sys.argv[1:]]
try:
    runpy.run_module("taskgate", run_name="__main__")
finally:
    own, workers = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(own.ru_utime + own.ru_stime, workers.ru_utime + workers.ru_stime, file=sys.stderr)
"""
"""Runs taskgate as ``-m taskgate`` does, and tells the CPU seconds of the parent process
and of its workers (reaped when scoring ends) on standard error."""


def cpu_split(path: Path) -> tuple[float, float]:
    """CPU seconds of the parent and of the workers, default workers."""
    arguments = [sys.executable, "-c", SPLIT, "score", str(path), "-q"]
    done = subprocess.run(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    parent, workers = done.stderr.split()[-2:]
    return float(parent), float(workers)


def best_of(arguments: list[str], repeats: int) -> tuple[float, float]:
    results = [run_measured(arguments) for _ in range(repeats)]
    return min(r[0] for r in results), max(r[1] for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3, help="best of N for sizes under 100k")
    args = parser.parse_args()
    DATA.mkdir(exist_ok=True)
    cores = os.cpu_count()
    machine = platform.processor() or platform.machine()
    print(f"{machine}, {cores} cores, Python {platform.python_version()}")
    help_time = min(run_measured([*TASKGATE, "--help"])[0] for _ in range(5))
    print(f"taskgate --help: {help_time:.3f} s (target < 0.25 s)\n")
    columns = ("runs", "file MB", "parse s", "1 worker s", "ratio", "default s", "ratio", "peak MB")
    widths = (8, 8, 8, 11, 6, 10, 6, 8)
    print(" ".join(f"{name:>{width}}" for name, width in zip(columns, widths, strict=True)))
    splits: list[tuple[int, float, float]] = []
    for size in args.sizes:
        path = write_dataset(DATA / f"runs-{size}.jsonl", size)
        repeats = args.repeats if size < 100_000 else 1
        floor = min(parse_floor(path) for _ in range(repeats))
        serial, _ = best_of([*TASKGATE, "score", str(path), "-q", "--workers", "1"], repeats)
        default, peak = best_of([*TASKGATE, "score", str(path), "-q"], repeats)
        megabytes = path.stat().st_size / 1e6
        print(
            f"{size:>8} {megabytes:>8.1f} {floor:>8.2f} {serial:>11.2f} {serial / floor:>6.1f}"
            f" {default:>10.2f} {default / floor:>6.1f} {peak:>8.0f}"
        )
        splits.append((size, *cpu_split(path)))
    # On as many cores as workers, the parent's work competes with theirs: what reading
    # and handing over lines in the workers could save at most.
    print("\nCPU of one default run: the parent (reads, hands over, assembles) and the workers")
    for size, parent, workers in splits:
        share = parent / (parent + workers) if parent + workers else 0.0
        split = f"parent {parent:.2f} s, workers {workers:.2f} s ({share:.0%} in the parent)"
        print(f"{size:>8} runs: {split}")


if __name__ == "__main__":
    main()
