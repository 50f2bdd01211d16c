"""otel: traces in the OpenTelemetry GenAI conventions and the OpenLLMetry dialect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from taskgate.importers import import_files
from taskgate.importers.otel_genai import as_openinference
from tests.importers.helpers import (
    GENAI,
    OPENLLMETRY,
    assert_round_trips,
    step_rows,
    write_lines,
)

PARIS = '{"temp_c": 18, "sky": "cloudy"}'


def test_a_genai_trace_maps_exactly_and_one_without_content_is_said() -> None:
    result = import_files("otel", [str(GENAI)])
    [run] = result.records
    assert step_rows(run) == [
        ("user", None, "What is the weather in Paris?", [], False),
        ("agent", None, None, [("get_weather", {"city": "Paris"}, PARIS, None)], False),
        ("agent", None, "It is 18°C and cloudy in Paris.", [], True),
    ]
    assert run.cohort == {
        "model": "gpt-4o-2024-08-06",  # the response's model over the request's
        "agent": "weather-agent",
        "service": "weather-bot",
    }
    assert (run.usage.input_tokens, run.usage.output_tokens) == (280, 30)
    assert run.model_extra is not None
    assert run.model_extra["messages"] == [
        {"role": "system", "content": "You report the weather.", "after_steps": 0}
    ]
    # The second trace was recorded without message content: never a run scoring 0 or 1.
    assert [str(p) for p in result.problems] == [
        f"{GENAI}: traces[0f1e2d3c4b5a69788796a5b4c3d2e1f0]: the trace's model calls carry no "
        "messages: GenAI instrumentation records them only when content capture is on "
        "(OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true); nothing to score"
    ]
    assert_round_trips([run])


def test_an_openllmetry_trace_maps_exactly() -> None:
    result = import_files("otel", [str(OPENLLMETRY)])
    assert result.problems == []
    [run] = result.records
    refund = {"order_id": "1182", "amount": 20.5}
    assert step_rows(run) == [
        ("user", None, "Refund order 1182.", [], False),
        ("agent", None, None, [("issue_refund", refund, "refunded 20.5", None)], False),
        ("agent", None, "Refund of $20.50 issued for order 1182.", [], True),
    ]
    assert run.final_result == "Refund of $20.50 issued for order 1182."
    assert run.task is not None and run.task.description == "Refund order 1182."
    assert (run.usage.input_tokens, run.usage.output_tokens) == (190, 34)


def test_genai_attributes_read_as_openinference_ones() -> None:
    parts = '[{"role": "assistant", "parts": [{"type": "text", "content": "Hi"}, '
    parts += '{"type": "tool_call", "id": "c", "name": "f", "arguments": {"x": 1}}]}]'
    mapped = as_openinference(
        {"gen_ai.operation.name": "chat", "gen_ai.output.messages": parts, "error.type": "timeout"}
    )
    assert {k: v for k, v in mapped.items() if not k.startswith("gen_ai.")} == {
        "openinference.span.kind": "LLM",
        "llm.output_messages.0.message.role": "assistant",
        "llm.output_messages.0.message.content": "Hi",
        "llm.output_messages.0.message.tool_calls.0.tool_call.id": "c",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.name": "f",
        "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments": '{"x":1}',
        "error.type": "timeout",
    }
    # An OpenInference span is left as it is, and its own names win over mapped ones.
    own = {"openinference.span.kind": "TOOL", "gen_ai.tool.name": "g"}
    assert as_openinference(own) is own


def test_a_tool_span_with_an_error_type_is_a_failed_call(tmp_path: Path) -> None:
    def span(sid: str, parent: str | None, **attributes: Any) -> dict[str, Any]:
        context = {"trace_id": "0x" + "ab" * 16, "span_id": sid}
        return {"name": sid, "context": context, "parent_id": parent, "attributes": attributes}

    said = '[{"role": "assistant", "parts": [{"type": "text", "content": "It failed."}]}]'
    asked = '[{"role": "assistant", "parts": [{"type": "tool_call", "id": "c", "name": "f"}]}]'
    path = write_lines(
        tmp_path / "spans.jsonl",
        [
            span("0x01", None, **{"gen_ai.operation.name": "invoke_agent"}),
            span(
                "0x02", "0x01", **{"gen_ai.operation.name": "chat", "gen_ai.output.messages": asked}
            ),
            span(
                "0x03",
                "0x01",
                **{"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "f"},
                **{"gen_ai.tool.call.id": "c", "error.type": "TimeoutError"},
            ),
            span(
                "0x04", "0x01", **{"gen_ai.operation.name": "chat", "gen_ai.output.messages": said}
            ),
        ],
    )
    [run] = import_files("otel", [path]).records
    assert [(c.name, c.error) for step in run.steps for c in step.tool_calls] == [
        ("f", "TimeoutError")
    ]
