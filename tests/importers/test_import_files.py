"""import_files and detect_format: the registry, wrong formats, cohorts, run ids, determinism."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest

from taskgate.errors import InputError, Problem
from taskgate.importers import FORMATS, detect_format, import_files, prefixes, record_json
from taskgate.model.record import RunRecord
from tests.importers.helpers import (
    AGENTS,
    ATIF,
    CLAUDE,
    LANGCHAIN,
    OPENAI,
    OTLP,
    SPANS,
    TAU2_ABORTED,
    TAU2_AIRLINE,
    TAU2_TELECOM,
    TAU_BENCH,
    assert_round_trips,
    jsonl,
)

SAMPLE_OF = {
    "openai-messages": [OPENAI],
    "tau-bench": [TAU_BENCH],
    "tau2": [TAU2_AIRLINE, TAU2_TELECOM, TAU2_ABORTED],
    "otel": [OTLP, SPANS],
    "langchain": [LANGCHAIN],
    "claude-agent": [CLAUDE],
    "openai-agents": [AGENTS],
    "atif": [ATIF],
}


def message_of(fmt: str, path: Path | str) -> str:
    with pytest.raises(InputError) as caught:
        import_files(fmt, [str(path)])
    return caught.value.message


def test_every_format_has_a_sample_and_nothing_else_is_registered() -> None:
    assert list(FORMATS) == [
        "openai-messages",
        "tau-bench",
        "tau2",
        "otel",
        "langchain",
        "claude-agent",
        "openai-agents",
        "atif",
    ]
    assert set(SAMPLE_OF) == set(FORMATS)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_each_sample_is_detected_as_its_format(fmt: str) -> None:
    assert [detect_format(str(path)) for path in SAMPLE_OF[fmt]] == [fmt] * len(SAMPLE_OF[fmt])


@pytest.mark.parametrize("fmt", list(FORMATS))
@pytest.mark.parametrize("actual", list(FORMATS))
def test_a_file_of_another_format_names_the_format_it_looks_like(fmt: str, actual: str) -> None:
    if fmt == actual:
        return
    path = SAMPLE_OF[actual][0]
    assert message_of(fmt, path).endswith(f"; use: taskgate import {actual} {path} -o OUT.jsonl")


def test_the_wrong_format_message_reads_in_full() -> None:
    assert message_of("tau2", TAU_BENCH) == (
        f"{TAU_BENCH}: not a τ²-bench simulation file: it looks like a τ-bench results file; "
        f"use: taskgate import tau-bench {TAU_BENCH} -o OUT.jsonl"
    )


def test_a_run_file_is_sent_to_taskgate_score(fixtures_dir: Path) -> None:
    golden = fixtures_dir / "golden.jsonl"
    assert message_of("openai-messages", golden) == (
        f"{golden}: not an OpenAI chat-messages JSONL file: it already holds taskgate run "
        f"records; score it: taskgate score {golden}"
    )


def test_a_file_of_no_known_format_says_why_and_lists_the_formats(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some notes\n")
    assert message_of("tau-bench", path) == (
        f"{path}: not a τ-bench results file: not valid JSON (unexpected character, expected a "
        "JSON value); check the file, or the format (one of: openai-messages, tau-bench, tau2, "
        "otel, langchain, claude-agent, openai-agents, atif, adk-evalset)"
    )
    assert detect_format(str(path)) is None


def test_an_unknown_format_lists_the_known_ones() -> None:
    with pytest.raises(InputError) as caught:
        import_files("langsmith", [str(OPENAI)])
    assert caught.value.problems == [
        Problem(
            "FORMAT",
            None,
            None,
            "unknown import format 'langsmith'; use one of: openai-messages, tau-bench, tau2, "
            "otel, langchain, claude-agent, openai-agents, atif, adk-evalset",
        )
    ]


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    missing = str(tmp_path / "gone.json")
    assert message_of("tau2", missing) == f"{missing}: file not found; check the path"


def test_cohort_pairs_are_merged_into_every_record_and_win() -> None:
    result = import_files("tau-bench", [str(TAU_BENCH)], {"release": "v2", "model": "gpt-4o-0513"})
    assert {record.cohort["release"] for record in result.records} == {"v2"}
    assert {record.cohort["model"] for record in result.records} == {"gpt-4o-0513"}
    assert result.records[0].cohort["domain"] == "airline"


def test_an_empty_cohort_pair_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        import_files("tau-bench", [str(TAU_BENCH)], {"release": " "})
    assert caught.value.problems == [
        Problem("--cohort", None, "release", "a cohort pair needs a key and a value: key=value")
    ]


def test_run_ids_stay_unique_when_two_inputs_share_a_file_name(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first, second = tmp_path / "a" / "runs.jsonl", tmp_path / "b" / "runs.jsonl"
    shutil.copy(OPENAI, first)
    shutil.copy(OPENAI, second)
    assert prefixes([str(first), str(second), "x/other.json"]) == [
        f"{tmp_path}/a/runs",
        f"{tmp_path}/b/runs",
        "other",
    ]
    result = import_files("openai-messages", [str(first), str(second)])
    # Lines 1 and 3 carry their own run ids, so only line 2's derived id is distinct.
    assert [record.run_id for record in result.records] == [
        "refund-1182-t0",
        f"{tmp_path}/a/runs:2",
        "lookup-9-t0",
        f"{tmp_path}/b/runs:2",
    ]
    assert [(p.source, p.line, p.field) for p in result.problems] == [
        (str(second), 1, None),
        (str(second), 3, None),
    ]
    assert result.problems[0].message == (
        f"duplicate run_id 'refund-1182-t0' (first from {first}:1); "
        "give each input its own file name or each run its own run_id"
    )


def test_the_same_file_given_twice_reports_each_duplicate_where_it_is() -> None:
    result = import_files("tau2", [str(TAU2_TELECOM), str(TAU2_TELECOM)])
    assert len(result.records) == 2
    assert [(p.line, p.field) for p in result.problems] == [
        (None, "simulations[0]"),
        (None, "simulations[1]"),
    ]


def test_a_gzip_compressed_input_imports_like_the_plain_one(tmp_path: Path) -> None:
    packed = tmp_path / "gpt-4o-airline.json.gz"
    packed.write_bytes(gzip.compress(TAU_BENCH.read_bytes()))
    plain = import_files("tau-bench", [str(TAU_BENCH)]).records
    assert [r.steps for r in import_files("tau-bench", [str(packed)]).records] == [
        r.steps for r in plain
    ]


def test_an_empty_jsonl_file_imports_nothing_and_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(b"")
    result = import_files("openai-messages", [str(path)])
    assert (result.records, result.problems) == ([], [])
    assert result.notes == [f"{path}: the file holds no runs; nothing imported"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_importing_twice_gives_the_same_bytes(fmt: str) -> None:
    paths = [str(path) for path in SAMPLE_OF[fmt]]
    assert jsonl(import_files(fmt, paths).records) == jsonl(import_files(fmt, paths).records)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_written_records_read_back_as_the_records_imported(fmt: str) -> None:
    assert_round_trips(import_files(fmt, [str(path) for path in SAMPLE_OF[fmt]]).records)


def test_fields_at_their_default_are_left_out_of_written_steps_and_expected_calls() -> None:
    record = RunRecord.model_validate(
        {
            "run_id": "r",
            "task_id": "t",
            "task": {
                "expected_calls": [
                    {"name": "look", "optional": True},
                    {"name": "act", "optional": False, "turn": 1},
                ]
            },
            "steps": [
                {"role": "user", "message": "hi"},
                {"role": "agent", "tool_calls": [{"name": "act"}], "is_final": False},
                {"message": "done", "is_final": True, "tool_calls": []},
            ],
        }
    )
    written = record_json(record)
    assert written["steps"] == [
        {"role": "user", "message": "hi"},
        {"tool_calls": [{"name": "act"}]},
        {"message": "done", "is_final": True},
    ]
    assert written["task"]["expected_calls"] == [
        {"name": "look", "optional": True},
        {"name": "act", "turn": 1},
    ]
    assert RunRecord.model_validate(written) == record
