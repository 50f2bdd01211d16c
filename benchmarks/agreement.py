"""Does ``passed`` agree with real success? Real benchmark runs, imported and scored.

Each file of public runs that carry the benchmark's own success label (``labels.reward``) is
imported with taskgate's importer, scored under the default config (or ``--config``), and
compared with the label: the accuracy of ``passed`` (an unjudged run counts as not passed),
the pass rate against the reward rate, and the AUROC of task_completion.

    python benchmarks/agreement.py                   # the bundled fixtures/labelled/ files
    python benchmarks/agreement.py --data ../shared/data   # any folder with the same files
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from taskgate.api import score  # noqa: E402
from taskgate.config.load import default_config, load_config  # noqa: E402
from taskgate.config.model import Config  # noqa: E402
from taskgate.importers import import_files, write_records  # noqa: E402

LABELLED = ROOT / "fixtures" / "labelled"
SETS = {
    # name: (importer, file name patterns)
    "τ-bench gpt-4o airline": ("tau-bench", ("*tau-bench*/*.json*", "tau-bench-*.json*")),
    "τ²-bench grok-3 airline + telecom": ("tau2", ("*tau2*/*.json*", "tau2-*.json*")),
}


@dataclass(frozen=True)
class Agreement:
    name: str
    runs: int
    rewarded: int
    passed: int
    unjudged: int
    accuracy: float
    auroc: float | None

    @property
    def pass_rate(self) -> float:
        return self.passed / self.runs

    @property
    def reward_rate(self) -> float:
        return self.rewarded / self.runs


def files_of(data: Path, patterns: tuple[str, ...]) -> list[str]:
    found = {path for pattern in patterns for path in data.glob(pattern)}
    return sorted(str(path) for path in found)


def measure(name: str, fmt: str, inputs: list[str], config: Config, work: Path) -> Agreement:
    records = work / f"{fmt}.jsonl"
    write_records(records, import_files(fmt, inputs).records)
    report = score(records, config=config)
    labels = report.labels
    assert labels is not None, f"{name}: no run carries labels.reward"
    passed = labels.passed_and_succeeded + labels.passed_but_failed
    return Agreement(
        name=name,
        runs=labels.runs,
        rewarded=labels.successes,
        passed=passed,
        unjudged=labels.unjudged_succeeded + labels.unjudged_failed,
        accuracy=labels.accuracy or 0.0,
        auroc=labels.auroc.get("task_completion"),
    )


def measure_all(data: Path, config: Config) -> list[Agreement]:
    results = []
    with tempfile.TemporaryDirectory() as work:
        for name, (fmt, patterns) in SETS.items():
            inputs = files_of(data, patterns)
            if inputs:
                results.append(measure(name, fmt, inputs, config, Path(work)))
    return results


def table(results: list[Agreement]) -> str:
    lines = [
        "| runs | n | reward rate | pass rate | unjudged | accuracy of passed | AUROC |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        auroc = "-" if r.auroc is None else f"{r.auroc:.3f}"
        lines.append(
            f"| {r.name} | {r.runs} | {r.reward_rate:.1%} | {r.pass_rate:.1%} | {r.unjudged} "
            f"| {r.accuracy:.3f} | {auroc} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=LABELLED, help="folder of labelled runs")
    parser.add_argument("--config", type=Path, default=None, help="a taskgate.yaml")
    args = parser.parse_args()
    config = load_config(args.config) if args.config else default_config()
    results = measure_all(args.data, config)
    if not results:
        sys.exit(f"no labelled run files under {args.data}")
    print(table(results))


if __name__ == "__main__":
    main()
