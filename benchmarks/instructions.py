"""Instructions per run of each stage of scoring, counted by valgrind: a measure that a
shared, noisy machine does not disturb, for comparing two versions of the code.

    python benchmarks/instructions.py              # 300 runs of the 1k dataset
    python benchmarks/instructions.py --runs 100

Needs valgrind (Debian: apt-get install valgrind). For each stage it counts the
instructions of a process that does the stage for N runs and of one that does it for
none, and prints the difference per run: the start-up cost drops out. Stages, each
including the ones before it: parsing the line with orjson, reading it as a record
(depth check, validation), scoring it with every evaluator.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from datasets import write_dataset  # noqa: E402

STAGES = ("parse", "read", "score")
# Run under valgrind: one stage over the first N lines of the file.
CHILD = """
import sys
import orjson
from taskgate.config.load import default_config
from taskgate.read.runs import read_record
from taskgate.scoring.scorer import Scorer

path, stage, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
scorer = Scorer(default_config())
with open(path, "rb") as handle:
    lines = [next(handle) for _ in range(count)]
for number, line in enumerate(lines, start=1):
    if stage == "parse":
        orjson.loads(line)
        continue
    record, problems = read_record(path, number, line, None)
    assert record is not None and not problems, problems
    if stage == "score":
        scorer.score(record)
"""


def instructions(path: Path, stage: str, count: int) -> int:
    command = [
        "valgrind",
        "--tool=cachegrind",
        "--cache-sim=no",
        "--cachegrind-out-file=/dev/null",
        sys.executable,
        "-c",
        CHILD,
        str(path),
        stage,
        str(count),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if found is None:
        raise SystemExit(f"valgrind printed no instruction count:\n{done.stderr}")
    return int(found.group(1).replace(",", ""))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=300, help="runs measured (at most 1,000)")
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("needs valgrind: apt-get install valgrind")
    count = max(1, min(args.runs, 1_000))
    (HERE / ".data").mkdir(exist_ok=True)
    path = write_dataset(HERE / ".data" / "runs-1000.jsonl", 1_000)
    print(f"instructions per run, over {count} runs of {path.name}")
    for stage in STAGES:
        per_run = (instructions(path, stage, count) - instructions(path, stage, 0)) / count
        print(f"{stage:>6}: {per_run / 1e6:6.2f} M")


if __name__ == "__main__":
    main()
