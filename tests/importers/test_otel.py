"""otel: OpenInference traces, as OTLP JSON and as one span per line (fixtures/import/otel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskgate.errors import Problem
from taskgate.importers import import_files
from taskgate.importers.otel_spans import nanoseconds
from taskgate.model.record import RunRecord
from tests.importers.helpers import OTLP, SPANS, assert_round_trips, write_json, write_lines

REFUND = "5b8efff798038103d269b633813fc60c"
CANCEL = "0af7651916cd43dd8448eb211c80319c"
WEATHER = "4bf92f3577b34da6a3ce929d0e0e4736"


def traces(path: Path) -> list[RunRecord]:
    result = import_files("otel", [str(path)])
    assert (result.problems, result.notes) == ([], [])
    return result.records


def test_a_hand_checked_otlp_trace_maps_exactly() -> None:
    run = traces(OTLP)[0]
    calls = [call for step in run.steps for call in step.tool_calls]
    assert (run.run_id, run.task_id, run.trial) == (f"otlp-traces:{REFUND}", "refund-1182", 0)
    assert run.cohort == {
        "model": "gpt-4o-mini",
        "agent": "refund-agent",
        "service": "support-agent",
    }
    assert [step.role for step in run.steps] == ["user", "agent", "agent", "agent"]
    assert run.steps[0].message == "Refund order 1182 after checking the receipt"
    assert (calls[0].name, calls[0].arguments) == ("parse_receipt", {"order_id": "1182"})
    assert calls[0].result == '{"order_id": "1182", "total": 20.5, "currency": "USD"}'
    assert [call.name for call in calls] == ["parse_receipt", "issue_refund"]
    assert run.steps[2].message == "The receipt shows $20.50. Issuing the refund now."
    assert [step.is_final for step in run.steps] == [False, False, False, True]
    assert run.final_result == "Refund of $20.50 issued for order 1182."
    assert run.task is not None
    assert run.task.description == "Refund order 1182 after checking the receipt"
    assert run.task.available_tools == [
        "parse_receipt",
        "lookup_policy",
        "issue_refund",
        "send_email",
    ]
    assert (run.usage.input_tokens, run.usage.output_tokens) == (2677, 91)
    assert (run.usage.cost_usd, run.usage.latency_ms) == (0.000457, 8400.0)
    messages: list[dict[str, Any]] = (run.model_extra or {})["messages"]
    assert [(m["role"], m["after_steps"]) for m in messages] == [("system", 0)]


def test_an_errored_trace_is_an_errored_run_and_failed_tool_spans_are_call_errors() -> None:
    run = traces(OTLP)[1]
    calls = [call for step in run.steps for call in step.tool_calls]
    assert (run.run_id, run.task_id, run.status) == (f"otlp-traces:{CANCEL}", "cancel-7", "error")
    assert [call.error for call in calls] == ["OrderLocked: order 7 is being shipped"] * 2
    assert not any(step.is_final for step in run.steps)


def test_spans_one_per_line_are_ordered_by_start_time() -> None:
    (run,) = traces(SPANS)
    assert (run.run_id, run.task_id) == (f"spans:{WEATHER}", f"spans-{WEATHER}")
    assert run.cohort == {
        "model": "claude-3-5-haiku",
        "agent": "weather-agent",
        "service": "weather-bot",
    }
    assert (run.steps[0].role, run.steps[0].message) == (
        "user",
        "What's the weather in Paris in Celsius?",
    )
    call = run.steps[1].tool_calls[0]
    assert (call.name, call.arguments, call.result) == (
        "get_weather",
        {"city": "Paris", "unit": "celsius"},
        '{"temp_c": 18, "sky": "cloudy"}',
    )
    assert run.final_result == "It is 18 °C and cloudy in Paris."
    assert run.steps[-1].is_final
    assert run.usage.latency_ms == 3250.0
    assert (run.model_extra or {})["imported_from"] == {
        "file": str(SPANS),
        "line": 2,
        "field": f"traces[{WEATHER}]",
    }


def test_every_trace_validates_and_round_trips() -> None:
    records = traces(OTLP) + traces(SPANS)
    assert_round_trips(records)
    assert len({record.run_id for record in records}) == 3


def _span(trace: str, span: str, kind: str, **attributes: Any) -> dict[str, Any]:
    return {
        "trace_id": trace,
        "span_id": span,
        "name": kind.lower(),
        "start_time": 1,
        "attributes": {"openinference.span.kind": kind, **attributes},
    }


def test_traces_and_spans_that_cannot_be_mapped_are_reported(tmp_path: Path) -> None:
    path = write_lines(
        tmp_path / "spans.jsonl",
        [
            _span("t1", "a", "LLM", **{"llm.output_messages.0.message.content": "done"}),
            {"name": "orphan", "attributes": {}},
            _span("t2", "b", "CHAIN"),
        ],
    )
    result = import_files("otel", [path])
    assert [record.run_id for record in result.records] == ["spans:t1"]
    assert result.problems == [
        Problem(
            path, 2, None, "a span without a trace id or span id; export spans with their context"
        ),
        Problem(
            path,
            3,
            "traces[t2]",
            "the trace has no LLM or TOOL spans (openinference.span.kind), so no agent steps; "
            "instrument the agent with OpenInference",
        ),
    ]


def test_nested_attributes_and_a_json_list_of_spans_are_read_too(tmp_path: Path) -> None:
    nested = {
        "trace_id": "t9",
        "span_id": "s1",
        "attributes": {
            "openinference": {"span": {"kind": "LLM"}},
            "llm": {"output_messages": [{"message": {"role": "assistant", "content": "hi"}}]},
        },
    }
    (run,) = import_files("otel", [write_json(tmp_path / "list.json", [nested])]).records
    assert (run.steps[0].message, run.steps[0].is_final, run.final_result) == ("hi", True, "hi")


def _llm(span: str, start: int, inputs: list[tuple[str, str]], reply: str) -> dict[str, Any]:
    prompt = {
        f"llm.input_messages.{i}.message.{key}": value
        for i, (role, content) in enumerate(inputs)
        for key, value in (("role", role), ("content", content))
    }
    attributes = {**prompt, "llm.output_messages.0.message.content": reply}
    return {**_span("t", span, "LLM", **attributes), "start_time": start}


def test_the_user_messages_that_end_each_model_input_are_user_steps_in_order(
    tmp_path: Path,
) -> None:
    history = [("system", "Be brief."), ("user", "earlier"), ("assistant", "ok"), ("user", "hi")]
    spans = [
        _llm("a", 1, history, "hello"),
        _llm("b", 2, history, "hello"),  # a retry: the same input is no new turn
        _llm("c", 3, [*history, ("assistant", "hello"), ("user", "bye")], "bye!"),
        _llm("d", 4, [("user", "one more"), ("user", " ")], "sure"),  # only the new turn
    ]
    (run,) = import_files("otel", [write_lines(tmp_path / "chat.jsonl", spans)]).records
    assert [(step.role, step.message) for step in run.steps] == [
        ("user", "hi"),
        ("agent", "hello"),
        ("agent", "hello"),
        ("user", "bye"),
        ("agent", "bye!"),
        ("user", "one more"),
        ("agent", "sure"),
    ]
    assert [i for i, step in enumerate(run.steps) if step.is_final] == [6]
    assert (run.model_extra or {})["messages"] == [
        {"role": "system", "content": "Be brief.", "after_steps": 0},
        {"role": "user", "content": "earlier", "after_steps": 0},
    ]


def test_span_times_are_read_as_nanoseconds() -> None:
    assert nanoseconds("1718000000000000000") == 1718000000000000000
    assert nanoseconds("2024-06-10T12:00:01.3Z") == 1718020801300000000
    assert nanoseconds("2024-06-10T14:00:01.300000123+02:00") == 1718020801300000123
    assert nanoseconds("yesterday") is None
