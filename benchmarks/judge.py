"""How a judge changes agreement with the benchmarks' success labels, measured with the
deterministic stand-in judge (benchmarks/stand_in_judge.py): the plumbing, not a model.

For each labelled file (as agreement.py finds them): how many checks the rules found
ambiguous and asked about, how many verdicts differed from the rules, and the pass rate,
accuracy and AUROC of task_completion against the labels with the rules alone and with the
judge. A rerun with the cache asks nothing (checked here: the second pass must make no call).

    python benchmarks/judge.py                 # fixtures/golden.jsonl and fixtures/labelled/
    python benchmarks/judge.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.agreement import LABELLED, SETS, files_of  # noqa: E402
from benchmarks.grounding import agreement  # noqa: E402
from taskgate.api import score  # noqa: E402
from taskgate.config.load import default_config  # noqa: E402
from taskgate.config.model import Config, JudgeSettings  # noqa: E402
from taskgate.importers import import_files, write_records  # noqa: E402

STAND_IN = ROOT / "benchmarks" / "stand_in_judge.py"


def judged(cache: Path) -> Config:
    judge = JudgeSettings(
        command=f"{sys.executable} {STAND_IN}",
        model_family="stand-in",
        agent_family="benchmark agent",
        name="stand-in",
        cache=str(cache),
    )
    return default_config().model_copy(update={"judge": judge})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=LABELLED, help="folder of labelled runs")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as work:
        golden = ROOT / "fixtures" / "golden.jsonl"
        files = {"fixtures/golden.jsonl (synthetic, its own labels)": golden}
        for name, (fmt, patterns) in SETS.items():
            inputs = files_of(args.data, patterns)
            if inputs:
                files[name] = Path(work) / f"{fmt}.jsonl"
                write_records(files[name], import_files(fmt, inputs).records)
        for number, (name, path) in enumerate(files.items()):
            cache = Path(work) / f"{number}-cache.jsonl"
            rules = score(path, config=default_config())
            with_judge = score(path, config=judged(cache))
            asked = len(cache.read_bytes().splitlines()) if cache.exists() else 0
            before = cache.read_bytes() if cache.exists() else b""
            again = score(path, config=judged(cache))  # from the cache: must ask nothing
            assert again == with_judge and (cache.read_bytes() if asked else b"") == before
            checks = [c for run in with_judge.runs for c in run.judged or ()]
            by_rules = {run.run_id: run.passed for run in rules.runs}
            flipped = sum(run.passed != by_rules[run.run_id] for run in with_judge.runs)
            by_rules = agreement(path, default_config(), "task_completion")
            by_judge = agreement(path, judged(cache), "task_completion")  # cached: no call
            rows.append(
                f"| {name} | {len(rules.runs)} | {asked} | {len(checks)} in "
                f"{with_judge.dataset.judged} runs | {flipped} | "
                f"{_shown(by_rules)} | {_shown(by_judge)} |"
            )
    print(
        "| runs | n | questions asked | checks decided by the judge | runs whose pass changed "
        "| rules: pass rate, accuracy, AUROC | with the stand-in judge |"
    )
    print("|---|---|---|---|---|---|---|")
    print("\n".join(rows))


def _shown(figures: tuple[float, float, float | None]) -> str:
    rate, accuracy, auroc = figures
    return f"{rate:.1%}, {accuracy:.3f}, {'-' if auroc is None else f'{auroc:.3f}'}"


if __name__ == "__main__":
    main()
