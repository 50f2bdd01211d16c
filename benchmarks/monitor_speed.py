"""Can ``taskgate monitor`` keep up with a large production sample on one machine?

Writes one day of production runs at several sizes (fixtures/monitor/generate.py, scaled),
then times ``taskgate monitor DAY.jsonl --state S`` on each in a fresh process and reads its
peak resident memory. The monitor keeps counts per window and cohort, never runs, so peak
memory should not grow with the number of runs; time should grow linearly.

    python benchmarks/monitor_speed.py                 # 25k and 100k runs, default workers
    python benchmarks/monitor_speed.py --runs 10000 100000 --workers 1
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
RUNS_A_DAY = 240
"""What the generator's segments send on a weekday at scale 1."""


def _generator() -> ModuleType:
    path = ROOT / "fixtures" / "monitor" / "generate.py"
    spec = importlib.util.spec_from_file_location("monitor_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def write_day(path: Path, runs: int) -> int:
    """A weekday of about ``runs`` runs; the count written."""
    generate = _generator()
    monday = date(2026, 11, 2)  # a weekday: the full count
    records = list(
        generate.month(seed=7, quiet=True, days=1, start=monday, scale=runs / RUNS_A_DAY)
    )
    generate.write(path, records)
    return len(records)


def measure(day: Path, folder: Path, workers: int | None) -> tuple[float, float]:
    """Seconds and peak RSS (MB) of one monitor run over ``day`` into a new state."""
    state = folder / f"state-{day.stem}.jsonl"
    command = [sys.executable, "-m", "taskgate", "monitor", str(day), "--state", str(state)]
    command += ["--now", "2026-11-03T00:10:00Z", "-q"]
    if workers is not None:
        command += ["--workers", str(workers)]
    script = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
        "print(peak, file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    # A fresh parent per measurement: RUSAGE_CHILDREN reports the largest child it waited for.
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", script, *command], capture_output=True, text=True, check=False
    )
    elapsed = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"monitor failed ({done.returncode}): {done.stdout}{done.stderr}")
    peak_kb = int(done.stderr.strip().splitlines()[-1])
    return elapsed, peak_kb / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, nargs="+", default=[25_000, 100_000])
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    print(f"cores: {os.cpu_count()}, workers: {args.workers or 'default'}")
    assert resource.RUSAGE_CHILDREN  # POSIX only
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for runs in args.runs:
            day = folder / f"day-{runs}.jsonl"
            written = write_day(day, runs)
            size = day.stat().st_size / 1e6
            seconds, peak = measure(day, folder, args.workers)
            rate = written / seconds
            print(
                f"{written:>7} runs ({size:.0f} MB): {seconds:6.1f} s, {rate:,.0f} runs/s, "
                f"peak RSS {peak:.0f} MB (largest process)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
