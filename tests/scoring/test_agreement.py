"""passed agrees with the benchmarks' own success labels on the bundled real runs
(fixtures/labelled: τ-bench and τ²-bench, imported by taskgate's importers). The figures are
docs/scoring.md's "Does passed agree with real success?"; benchmarks/agreement.py prints them."""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType

from taskgate.config.load import default_config
from taskgate.config.model import Config
from tests.conftest import FIXTURES


def _load() -> ModuleType:
    path = FIXTURES.parent / "benchmarks" / "agreement.py"
    spec = importlib.util.spec_from_file_location("agreement", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["agreement"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


agreement = _load()


def measured(config: Config) -> dict[str, tuple[int, int, int, int, float, float | None]]:
    return {
        r.name: (r.runs, r.rewarded, r.passed, r.unjudged, round(r.accuracy, 3), r.auroc)
        for r in agreement.measure_all(FIXTURES / "labelled", config)
    }


def test_passed_agrees_with_the_benchmarks_labels() -> None:
    assert measured(default_config()) == {
        "τ-bench gpt-4o airline": (200, 84, 84, 0, 0.99, 0.993432),
        "τ²-bench grok-3 airline + telecom": (62, 34, 34, 0, 0.968, 0.959559),
    }


def test_the_contract_1_rule_passes_runs_that_failed() -> None:
    # The reason the rule changed: a blended score at green passed 16 and 13 points more runs
    # than the benchmarks counted as successes.
    config = Config.model_validate({"evaluators": {"task_completion": {"pass_rule": "score"}}})
    lenient = measured(config)
    assert {name: row[2] for name, row in lenient.items()} == {
        "τ-bench gpt-4o airline": 116,
        "τ²-bench grok-3 airline + telecom": 42,
    }


def test_requiring_grounding_fails_one_rewarded_run_of_these() -> None:
    # benchmarks/grounding.py: these agents rarely invent facts; a rewarded τ-bench total
    # over several cancellations cannot be traced to two or three of the run's numbers.
    config = Config.model_validate({"evaluators": {"grounding": {"required": True}}})
    assert measured(config) == {
        "τ-bench gpt-4o airline": (200, 84, 83, 0, 0.985, 0.993432),
        "τ²-bench grok-3 airline + telecom": (62, 34, 34, 0, 0.968, 0.959559),
    }
