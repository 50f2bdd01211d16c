"""Reading one line as a checked record, piece by piece, and what a msgspec path would save.

    python benchmarks/read_paths.py                  # 2,000 runs of the 10k dataset
    python benchmarks/read_paths.py --runs 500 --size 1000

Today a line is parsed by orjson, its depth checked from its bytes, and the record checked
by pydantic: the steps (most of a record) as TypedDicts turned into Step and ToolCall
objects, the rest as models; then the field-name checks. Each piece is timed alone over the
same runs (best of --repeats), per run in microseconds and as a multiple of L, one
``orjson.loads`` of the line.

When msgspec is installed (it is not a dependency of taskgate), two more rows measure the
alternative the speed work weighed for the steps: msgspec checking them into Structs in C,
alone and with the pass that makes those Structs what the scorer reads (a null role is the
agent's, null tool_calls none, string arguments decoded, ``failed`` set, unknown fields
kept). The second is checked to hold, for every run timed, the same values as today's
Step objects, so the two rows time the same work.
"""

import importlib.util
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import orjson
from pydantic import TypeAdapter

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from stages import best, print_rows, timed_lines  # noqa: E402

from taskgate.model.jsondepth import MAX_DEPTH, nesting_depth  # noqa: E402
from taskgate.model.record import RunRecord  # noqa: E402
from taskgate.model.trajectory import Step, decode_arguments  # noqa: E402
from taskgate.read.aliases import alias_errors  # noqa: E402
from taskgate.read.runs import read_record  # noqa: E402

_STEPS = TypeAdapter(list[Step])
_STEP_KEYS = frozenset(Step._FIELDS)
_CALL_KEYS = frozenset(("name", "arguments", "result", "error"))
_NO_ERROR = (None, "", False, {}, [])


def without_steps(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "steps"}


def names_checked(source: str, record: RunRecord) -> object:
    return alias_errors(source, 1, record, True)


def read(source: str, line: bytes) -> object:
    return read_record(source, 1, line, None)


def same_steps(usable: Callable[[Any], list[Any]], raw: Any) -> bool:
    ours = [step_values(step) for step in _STEPS.validate_python(raw)]
    return [step_values(step) for step in usable(raw)] == ours


def step_values(step: Any) -> tuple[Any, ...]:
    """What the scorer reads of a step, from a Step or from a msgspec Struct alike."""
    handoff = step.handoff
    if handoff is not None and not isinstance(handoff, dict):
        handoff = {"from": handoff.from_, "to": handoff.to}
    calls = [(c.name, c.arguments, c.result, c.error, c.failed, c.extra) for c in step.tool_calls]
    own = (step.role, step.agent, handoff, step.thought, step.message, step.observation)
    return (*own, step.is_final, step.extra, calls)


def msgspec_steps() -> tuple[Callable[[Any], object], Callable[[Any], list[Any]]]:
    """The two msgspec readers of a record's steps: checked only, and checked into what the
    scorer reads."""
    import msgspec

    class Call(msgspec.Struct, gc=False):
        name: str
        arguments: Any = None
        result: Any = None
        error: Any = None
        failed: bool = msgspec.field(default=False, name=" failed")
        extra: dict[str, Any] = msgspec.field(default_factory=dict, name=" extra")

    class Handoff(msgspec.Struct, rename={"from_": "from"}):
        from_: str
        to: str

    class Shape(msgspec.Struct, gc=False):
        role: Any = "agent"
        agent: str | None = None
        handoff: Handoff | None = None
        thought: str | None = None
        message: str | None = None
        tool_calls: list[Call] | None = None
        observation: Any = None
        is_final: bool = False
        extra: dict[str, Any] = msgspec.field(default_factory=dict, name=" extra")

    shape = list[Shape]

    def checked(raw: Any) -> object:
        return msgspec.convert(raw, shape, strict=True)

    def usable(raw: Any) -> list[Any]:
        steps = msgspec.convert(raw, shape, strict=True)
        for step, given in zip(steps, raw, strict=True):
            if step.role not in ("agent", "user", None):
                raise ValueError(f"role {step.role!r}")  # a Literal, checked by pydantic
            if not given.keys() <= _STEP_KEYS:
                step.extra = {k: v for k, v in given.items() if k not in _STEP_KEYS}
            if step.role is None:
                step.role = "agent"
            if step.tool_calls is None:
                step.tool_calls = []
                continue
            for call, made in zip(step.tool_calls, given["tool_calls"], strict=True):
                if not made.keys() <= _CALL_KEYS:
                    call.extra = {k: v for k, v in made.items() if k not in _CALL_KEYS}
                call.arguments = decode_arguments(call.arguments)
                call.failed = call.error not in _NO_ERROR
        return steps

    return checked, usable


def main() -> None:
    path, lines, repeats = timed_lines(__doc__.splitlines()[0])
    source = str(path)
    data = [orjson.loads(line) for line in lines]
    steps = [item.get("steps", []) for item in data]
    records = [RunRecord.model_validate(item) for item in data]
    floor = best(orjson.loads, lines, repeats)
    rest = [without_steps(item) for item in data]
    rows = [
        ("parse (orjson.loads): L", floor),
        ("depth check", best(partial(nesting_depth, beyond=MAX_DEPTH), lines, repeats)),
        ("pydantic: the record, steps aside", best(RunRecord.model_validate, rest, repeats)),
        ("pydantic: the steps, as Step objects", best(_STEPS.validate_python, steps, repeats)),
        ("field-name checks", best(partial(names_checked, source), records, repeats)),
        ("read: all of it (read_record)", best(partial(read, source), lines, repeats)),
    ]
    if importlib.util.find_spec("msgspec") is None:
        note = "msgspec is not installed: pip install msgspec to time its rows too"
    else:
        checked, usable = msgspec_steps()
        if not all(same_steps(usable, raw) for raw in steps):
            raise SystemExit("the msgspec steps differ from the Step objects: fix the prototype")
        rows += [
            ("msgspec: the steps, checked", best(checked, steps, repeats)),
            ("msgspec: the steps, as the scorer reads", best(usable, steps, repeats)),
        ]
        note = "msgspec rows: the same values as the Step objects, checked on every run"
    print(f"{len(lines)} runs of {path.name}; {note}")
    print_rows("piece", rows, floor)


if __name__ == "__main__":
    main()
