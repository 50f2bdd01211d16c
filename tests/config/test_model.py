from __future__ import annotations

from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from taskgate.config.load import (
    config_fingerprint,
    default_config,
    load_config,
    resolve_config_path,
    starter_config_text,
)
from taskgate.config.model import Threshold
from taskgate.errors import ConfigError
from taskgate.model.names import METRIC_NAMES, MetricName

REPO = Path(__file__).resolve().parents[2]
TEMPLATE = REPO / "taskgate" / "config" / "config_template.yaml"
ALL_METRICS = ", ".join(METRIC_NAMES)
TRAJECTORY_PARTS = ", ".join(m for m in METRIC_NAMES if m != "trajectory_score")

Found = tuple[int | None, str | None, str]


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "taskgate.yaml"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def problems(path: Path) -> list[Found]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert all(p.source == str(path) for p in caught.value.problems)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def problems_in(tmp_path: Path, content: str | bytes) -> list[Found]:
    return problems(write(tmp_path, content))


def key_paths(value: Any, prefix: str = "") -> set[str]:
    if not isinstance(value, dict):
        return set()
    paths = set()
    for key, child in value.items():
        path = f"{prefix}.{key}" if prefix else key
        paths |= {path} | key_paths(child, path)
    return paths


# --- defaults and the template -----------------------------------------------------------------


def test_metric_names_match_the_literal_type() -> None:
    assert get_args(MetricName) == METRIC_NAMES


@pytest.mark.parametrize("content", ["", "# only a comment\n", "{}\n", "~\n"])
def test_an_empty_config_gives_the_defaults(tmp_path: Path, content: str) -> None:
    assert load_config(write(tmp_path, content)) == default_config()


def test_defaults() -> None:
    config = default_config()
    assert config.version == 1
    assert config.cohorts is None
    assert config.evaluators.task_completion.weights.outcome == 0.5
    assert config.evaluators.trajectory_score.weights == {
        "task_completion": 0.4,
        "step_efficiency": 0.3,
        "tool_selection": 0.3,
    }
    assert config.thresholds == {
        "task_completion": Threshold(green=0.7, yellow=0.5),
        "trajectory_score": Threshold(green=0.7, yellow=0.5),
        "pass_rate": Threshold(green=0.7, yellow=0.3),
    }
    assert config.gate.regression.metrics == ("task_completion", "trajectory_score")
    assert config.gate.small_cohort.level == "warn"
    assert config.gate.invalid_runs.max == 0


def test_the_template_loads_as_the_defaults() -> None:
    assert load_config(TEMPLATE) == default_config()


def test_the_template_names_every_key() -> None:
    written = yaml.safe_load(TEMPLATE.read_text(encoding="utf-8"))
    assert key_paths(written) == key_paths(default_config().model_dump())


def test_the_example_is_the_template() -> None:
    assert (REPO / "config.example.yaml").read_bytes() == TEMPLATE.read_bytes()


def test_starter_config_text_is_the_template() -> None:
    assert starter_config_text() == TEMPLATE.read_text(encoding="utf-8")


# --- values that are accepted ------------------------------------------------------------------


def test_values_are_read(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "cohorts: [segment, variant]\n"
            "evaluators:\n"
            "  task_completion: {weights: {outcome: 0.7, criteria: 0.3}}\n"
            "  function_calls: {order: strict}\n"
            "thresholds:\n"
            "  goal_progress: {green: 1, yellow: 0}\n"
            "gate:\n"
            "  small_cohort: {level: off}\n"
            "  regression: {alpha: 1e-3, metrics: []}\n",
        )
    )
    assert config.cohorts == ("segment", "variant")
    assert config.evaluators.task_completion.weights.final_step == 0.0
    assert config.evaluators.function_calls.order == "strict"
    assert config.evaluators.function_calls.arguments == "exact"
    assert config.thresholds["goal_progress"] == Threshold(green=1.0, yellow=0.0)
    assert config.thresholds["task_completion"] == Threshold(green=0.7, yellow=0.5)
    assert config.gate.small_cohort.level == "off"
    assert config.gate.regression.alpha == 0.001
    assert config.gate.regression.metrics == ()
    assert config.gate.regression.max_drop == 0.03


def test_small_aliases_are_fine(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            "thresholds:\n  goal_progress: &t {green: 0.9, yellow: 0.6}\n  tool_selection: *t\n",
        )
    )
    assert config.thresholds["tool_selection"] == Threshold(green=0.9, yellow=0.6)


def test_a_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, b"\xef\xbb\xbfversion: 1\n")) == default_config()


def test_the_config_is_frozen() -> None:
    with pytest.raises(ValueError, match="frozen"):
        default_config().version = 2  # type: ignore[misc]


# --- mistakes, with exact lines and messages ---------------------------------------------------


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "versoin: 1\n",
            (
                1,
                "versoin",
                "unknown key 'versoin'; expected one of: cohorts, evaluators, gate, judge, "
                "monitor, thresholds, tools, version; did you mean 'version'?",
            ),
        ),
        (
            "gate:\n  fail_on: red\n  tail:\n    max_gapp: 0.3\n",
            (
                4,
                "gate.tail.max_gapp",
                "unknown key 'max_gapp'; expected one of: level, max_gap; did you mean 'max_gap'?",
            ),
        ),
        (
            "evaluators:\n  task_completion:\n    weights: {outcome: 1, zzz: 0}\n",
            (
                3,
                "evaluators.task_completion.weights.zzz",
                "unknown key 'zzz'; expected one of: criteria, final_step, outcome",
            ),
        ),
        (
            "thresholds:\n  task_completion: {green: 0.7, yellow: 0.5, red: 0.1}\n",
            (
                2,
                "thresholds.task_completion.red",
                "unknown key 'red'; expected one of: green, yellow",
            ),
        ),
    ],
)
def test_unknown_keys(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "gate:\n  min_cohort_size: abc\n",
            (2, "gate.min_cohort_size", "expected a whole number, got 'abc'"),
        ),
        (
            "gate:\n  tail: {max_gap: abc}\n",
            (2, "gate.tail.max_gap", "expected a number, got 'abc'"),
        ),
        (
            "gate:\n  tail: {max_gap: true}\n",
            (2, "gate.tail.max_gap", "expected a number, got true"),
        ),
        (
            "gate:\n  pass_k: {k: false}\n",
            (2, "gate.pass_k.k", "expected a whole number, got false"),
        ),
        ("gate:\n  pass_k: {k: 2.5}\n", (2, "gate.pass_k.k", "expected a whole number, got 2.5")),
        ("gate:\n  pass_k: {k: 0}\n", (2, "gate.pass_k.k", "must be at least 1, got 0")),
        ("gate:\n  tail: {max_gap: 1.5}\n", (2, "gate.tail.max_gap", "must be at most 1, got 1.5")),
        (
            "gate:\n  regression: {alpha: 1}\n",
            (2, "gate.regression.alpha", "must be below 1, got 1"),
        ),
        (
            "gate:\n  step_drift: {max_relative_increase: .inf}\n",
            (2, "gate.step_drift.max_relative_increase", "expected a finite number, got inf"),
        ),
        ("gate:\n  tail: 0.3\n", (2, "gate.tail", "expected a mapping, got 0.3")),
        (
            "gate:\n  tail:\n",
            (2, "gate.tail", "expected a mapping, got an empty value; give one, or remove the key"),
        ),
        ("cohorts: segment\n", (1, "cohorts", "expected a list, got 'segment'")),
        ("cohorts:\n  - segment\n  - 3\n", (3, "cohorts[1]", "expected text, got 3")),
        ("cohorts: ['']\n", (1, "cohorts[0]", "must not be empty")),
    ],
)
def test_wrong_types_and_ranges(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


def test_yellow_above_green(tmp_path: Path) -> None:
    content = "thresholds:\n  task_completion:\n    green: 0.7\n    yellow: 0.8\n"
    assert problems_in(tmp_path, content) == [
        (
            4,
            "thresholds.task_completion.yellow",
            "yellow (0.8) is above green (0.7); yellow must be at or below green",
        ),
    ]


def test_a_missing_threshold_key_points_at_its_parent(tmp_path: Path) -> None:
    assert problems_in(tmp_path, "thresholds:\n  goal_progress: {green: 0.7}\n") == [
        (2, "thresholds.goal_progress.yellow", "missing key 'yellow'; add it"),
    ]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "evaluators:\n  task_completion:\n"
            "    weights: {final_step: 0.2, outcome: 0.6, criteria: 0.3}\n",
            (3, "evaluators.task_completion.weights", "weights sum to 1.1; they must sum to 1"),
        ),
        (
            "evaluators:\n  trajectory_score:\n    weights:\n      task_completion: 0.5\n",
            (3, "evaluators.trajectory_score.weights", "weights sum to 0.5; they must sum to 1"),
        ),
        (
            "evaluators:\n  trajectory_score:\n    weights: {}\n",
            (3, "evaluators.trajectory_score.weights", "weights sum to 0; they must sum to 1"),
        ),
    ],
)
def test_weights_must_sum_to_one(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "thresholds:\n  task_complete: {green: 0.7, yellow: 0.5}\n",
            (
                2,
                "thresholds.task_complete",
                f"unknown threshold 'task_complete'; expected one of: {ALL_METRICS}, pass_rate; "
                "did you mean 'task_completion'?",
            ),
        ),
        (
            "gate:\n  regression:\n    metrics:\n      - task_completion\n      - latency\n",
            (
                5,
                "gate.regression.metrics[1]",
                f"unknown metric 'latency'; expected one of: {ALL_METRICS}",
            ),
        ),
        (
            "evaluators:\n  trajectory_score:\n    weights: {trajectory_score: 1.0}\n",
            (
                3,
                "evaluators.trajectory_score.weights.trajectory_score",
                f"unknown metric 'trajectory_score'; expected one of: {TRAJECTORY_PARTS}",
            ),
        ),
    ],
)
def test_unknown_metric_names(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "gate:\n  tail: {level: warnn}\n",
            (
                2,
                "gate.tail.level",
                "expected one of: fail, warn, off; got 'warnn'; did you mean 'warn'?",
            ),
        ),
        (
            "gate:\n  small_cohort: {level: no}\n",
            (2, "gate.small_cohort.level", "expected one of: fail, warn, off; got 'no'"),
        ),
        (
            "gate:\n  fail_on: orange\n",
            (2, "gate.fail_on", "expected one of: red, yellow; got 'orange'"),
        ),
        (
            "evaluators:\n  function_calls: {arguments: loose}\n",
            (
                2,
                "evaluators.function_calls.arguments",
                "expected one of: exact, subset, superset, ignore; got 'loose'",
            ),
        ),
    ],
)
def test_bad_choices(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "# config\nversion: 2\n",
            (2, "version", "version 2 is not supported; supported versions: 1"),
        ),
        ("version: true\n", (1, "version", "expected a whole number, got true")),
    ],
)
def test_bad_version(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "gate:\n  tail: {max_gap: 0.3\n",
            (3, None, "not valid YAML: expected ',' or '}', but got '<stream end>'"),
        ),
        (
            "gate:\n  fail_on: red: yellow\n",
            (2, None, "not valid YAML: mapping values are not allowed here"),
        ),
        (
            "version: 1\n---\nversion: 1\n",
            (
                2,
                None,
                "not valid YAML: expected a single document in the stream, "
                "but found another document",
            ),
        ),
        (
            "version: 1\ncohorts: [\x07]\n",
            (
                2,
                None,
                "not valid YAML: unacceptable character #x0007: special characters are not allowed",
            ),
        ),
        (
            "[" * 600 + "]" * 600,
            (
                None,
                None,
                "the YAML is nested too deeply to read; a config nests at most 32, so flatten it",
            ),
        ),
    ],
)
def test_yaml_syntax_errors(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


def test_tags_that_build_objects_are_refused(tmp_path: Path) -> None:
    content = "version: 1\ngate: !!python/object/apply:os.system ['echo hacked']\n"
    assert problems_in(tmp_path, content) == [
        (
            2,
            "gate",
            "YAML tags such as '!!python/object/apply:os.system' are not allowed; remove the tag",
        ),
    ]


def test_custom_tags_are_refused(tmp_path: Path) -> None:
    content = "gate:\n  tail: !rule {max_gap: 0.2}\n  !!python/name:os.system : 1\n"
    assert problems_in(tmp_path, content) == [
        (2, "gate.tail", "YAML tags such as '!rule' are not allowed; remove the tag"),
        (3, "gate", "YAML tags such as '!!python/name:os.system' are not allowed; remove the tag"),
    ]


def test_duplicate_keys(tmp_path: Path) -> None:
    content = "gate:\n  tail: {max_gap: 0.2}\n  fail_on: red\n  tail: {max_gap: 0.3}\n"
    assert problems_in(tmp_path, content) == [
        (4, "gate.tail", "duplicate key 'tail' (also on line 2); keep only one"),
    ]


def test_merge_keys_are_refused(tmp_path: Path) -> None:
    content = "gate:\n  tail: &t {max_gap: 0.2}\n  worst_cohort:\n    <<: *t\n"
    assert problems_in(tmp_path, content) == [
        (4, "gate.worst_cohort", "merge keys ('<<') are not supported; write the keys out"),
    ]


BOMB_MESSAGE = (
    "YAML aliases (*name) expand this config to more than 10,000 values; "
    "write the values out instead of using aliases"
)


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 30)]
    assert problems_in(tmp_path, "\n".join(lines)) == [(1, None, BOMB_MESSAGE)]


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    assert problems_in(tmp_path, "# loop\ncohorts: &c [*c]\n") == [(2, None, BOMB_MESSAGE)]


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (
            "- version\n- 1\n",
            (
                1,
                None,
                "the config must be a mapping of keys such as 'version' and 'gate', got a list",
            ),
        ),
        (
            "\n\nhello\n",
            (
                3,
                None,
                "the config must be a mapping of keys such as 'version' and 'gate', got 'hello'",
            ),
        ),
    ],
)
def test_the_top_level_must_be_a_mapping(tmp_path: Path, content: str, found: Found) -> None:
    assert problems_in(tmp_path, content) == [found]


def test_many_problems_are_all_listed_in_line_order(tmp_path: Path) -> None:
    content = (
        "gate:\n"
        "  tail: {level: maybe}\n"
        "  min_cohort_size: 0\n"
        "thresholds:\n"
        "  task_completion: {green: 0.5, yellow: 0.6}\n"
        "version: 3\n"
        "colors: true\n"
    )
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.message.splitlines() == [
        f"{path}: the config is not valid",
        f"{path}:2: gate.tail.level: expected one of: fail, warn, off; got 'maybe'",
        f"{path}:3: gate.min_cohort_size: must be at least 1, got 0",
        f"{path}:5: thresholds.task_completion.yellow: yellow (0.6) is above green (0.5); "
        "yellow must be at or below green",
        f"{path}:6: version: version 3 is not supported; supported versions: 1",
        f"{path}:7: colors: unknown key 'colors'; expected one of: "
        "cohorts, evaluators, gate, judge, monitor, thresholds, tools, version; "
        "did you mean 'cohorts'?",
    ]


# --- files that cannot be read -----------------------------------------------------------------


def unreadable(path: Path) -> tuple[str, list[Found]]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    headline = caught.value.message.splitlines()[0]
    return headline, [(p.line, p.field, p.message) for p in caught.value.problems]


def test_a_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert unreadable(path) == (
        f"{path}: the config cannot be read",
        [
            (
                None,
                None,
                "no such file; check the path, or run 'taskgate init' to write a starter config",
            )
        ],
    )


def test_a_directory(tmp_path: Path) -> None:
    assert unreadable(tmp_path) == (
        f"{tmp_path}: the config cannot be read",
        [(None, None, "is a folder; give the path of a YAML file")],
    )


def test_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = write(tmp_path, b"version: 1\ngate:\n  fail_on: r\xe9d\n")
    assert unreadable(path)[1] == [(3, None, "the file is not UTF-8 text; save it as UTF-8")]


def test_a_file_without_permission(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Path, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", refuse)  # root may read any file: refused by hand
    path = tmp_path / "taskgate.yaml"
    assert unreadable(path)[1] == [(None, None, "permission denied; make the file readable")]


# --- fingerprint -------------------------------------------------------------------------------


def fingerprint_of(tmp_path: Path, content: str) -> str:
    return config_fingerprint(load_config(write(tmp_path, content)))


def test_the_fingerprint_is_stable(tmp_path: Path) -> None:
    default = config_fingerprint(default_config())
    assert default.startswith("sha256:")
    assert len(default) == len("sha256:") + 64
    assert fingerprint_of(tmp_path, "") == default
    assert load_config(TEMPLATE) == default_config()
    # The same thresholds written differently (order, int for float) are the same config.
    assert (
        fingerprint_of(tmp_path, "thresholds:\n  trajectory_score: {yellow: 0.5, green: 0.70}\n")
        == default
    )
    # A baseline scored before grounding existed keeps its fingerprint under the defaults.
    assert fingerprint_of(tmp_path, "evaluators:\n  grounding: {required: false}\n") == default
    assert default == "sha256:1de3771fffd760835bf67fb519d955fe92ad837275422a83c82457a8eaad982a"


@pytest.mark.parametrize(
    "content",
    [
        "evaluators:\n  task_completion: {criteria_keyword_share: 0.5}\n",
        "evaluators:\n  function_calls: {arguments: ignore}\n",
        "evaluators:\n  trajectory_score: {weights: {task_completion: 1}}\n",
        "thresholds:\n  task_completion: {green: 0.8, yellow: 0.5}\n",
        "thresholds:\n  goal_progress: {green: 0.8, yellow: 0.5}\n",
        "evaluators:\n  grounding: {required: true}\n",
    ],
)
def test_the_fingerprint_follows_scoring_settings(tmp_path: Path, content: str) -> None:
    assert fingerprint_of(tmp_path, content) != config_fingerprint(default_config())


@pytest.mark.parametrize(
    "content",
    [
        "cohorts: [segment]\n",
        "gate:\n  fail_on: yellow\n  tail: {max_gap: 0.1}\n",
        "gate:\n  regression: {metrics: [goal_progress], alpha: 0.01}\n",
    ],
)
def test_the_fingerprint_ignores_gate_and_cohorts(tmp_path: Path, content: str) -> None:
    assert fingerprint_of(tmp_path, content) == config_fingerprint(default_config())


# --- finding the config ------------------------------------------------------------------------


def test_an_explicit_path_wins(tmp_path: Path) -> None:
    write(tmp_path, "")
    explicit = tmp_path / "other.yaml"
    assert resolve_config_path(explicit, tmp_path) == explicit


def test_taskgate_yaml_in_the_working_directory(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    assert resolve_config_path(None, tmp_path) == path


def test_no_config_means_defaults(tmp_path: Path) -> None:
    assert resolve_config_path(None, tmp_path) is None


# --- properties --------------------------------------------------------------------------------

unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)


@settings(max_examples=50, deadline=None)
@given(pair=st.tuples(unit, unit).map(sorted), metric=st.sampled_from(METRIC_NAMES))
def test_any_valid_threshold_loads_and_round_trips(
    tmp_path_factory: pytest.TempPathFactory, pair: list[float], metric: str
) -> None:
    yellow, green = pair
    path = tmp_path_factory.getbasetemp() / "threshold.yaml"
    path.write_text(f"thresholds:\n  {metric}: {{green: {green!r}, yellow: {yellow!r}}}\n")
    config = load_config(path)
    assert config.thresholds[metric] == Threshold(green=green, yellow=yellow)  # type: ignore[index]
    path.write_text(yaml.safe_dump(config.model_dump(mode="json")))
    assert load_config(path) == config


def test_an_alpha_the_test_can_never_reach_is_refused(tmp_path: Path) -> None:
    from taskgate.config import gate_settings as config
    from taskgate.stats import bootstrap

    assert config.RESAMPLES == bootstrap.RESAMPLES  # the one number, in two places
    message = (
        "0.0001 can never be reached: the test's smallest p-value is 1/5001 (about 0.0002); "
        "give 0.0003 or more"
    )
    content = "gate:\n  regression: {alpha: 0.0001}\n"
    assert problems_in(tmp_path, content) == [(2, "gate.regression.alpha", message)]
    assert load_config(write(tmp_path, "gate:\n  regression: {alpha: 0.0003}\n"))


def test_a_big_config_without_aliases_is_not_called_an_alias_bomb(tmp_path: Path) -> None:
    content = "cohorts: [" + ", ".join(f"c{i}" for i in range(10_001)) + "]\n"
    assert problems_in(tmp_path, content) == [
        (
            1,
            None,
            "the config holds more than 10,000 values, the most taskgate reads (a full config "
            "has about 100); check that this is the config",
        )
    ]


def test_an_alias_used_a_few_times_is_fine(tmp_path: Path) -> None:
    shared = "thresholds:\n  task_completion: &b {green: 0.8, yellow: 0.6}\n  pass_rate: *b\n"
    config = load_config(write(tmp_path, shared))
    assert config.thresholds["pass_rate"] == Threshold(green=0.8, yellow=0.6)


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        (33, "the YAML is nested 33 levels deep; a config nests at most 32, so flatten it"),
        (331, "the YAML is nested 331 levels deep; a config nests at most 32, so flatten it"),
        # deeper than PyYAML itself can compose
        (2000, "the YAML is nested too deeply to read; a config nests at most 32, so flatten it"),
    ],
)
def test_a_deeply_nested_config_is_refused_not_a_crash(
    tmp_path: Path, depth: int, message: str
) -> None:
    content = "gate: " + "[" * (depth - 1) + "]" * (depth - 1) + "\n"
    assert problems_in(tmp_path, content) == [(1 if depth < 2000 else None, None, message)]


def test_nesting_up_to_the_limit_is_read(tmp_path: Path) -> None:
    content = "gate: " + "[" * 31 + "]" * 31 + "\n"  # 32 levels with the top mapping
    assert problems_in(tmp_path, content) == [(1, "gate", "expected a mapping, got a list")]


def test_a_config_that_never_ends_is_read_no_further_than_its_limit(tmp_path: Path) -> None:
    path = tmp_path / "taskgate.yaml"
    path.write_bytes(b"# " + b"x" * 1_000_000 + b"\n")
    assert problems(path) == [
        (
            None,
            None,
            "the file is larger than 1,000,000 bytes, the most a config may take (a full config "
            "is about 5 KB); check that this is the config",
        )
    ]
