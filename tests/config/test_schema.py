from __future__ import annotations

import inspect

from pydantic import BaseModel

from taskgate.config import fields, gate_settings, model, monitor_settings
from taskgate.config.schema import config_schema, field_docs

SOURCE = '''
class Outer:
    """Not a field's."""

    first: int = 1
    """The first.

    Over two lines."""
    undocumented: str = ""

    def method(self) -> None:
        """Not a field's either."""

    last: bool = True
    """The last."""
    plain = 3
    """Not annotated: not a field."""
'''


def test_the_docstring_under_each_annotated_field() -> None:
    assert field_docs(SOURCE) == {
        "Outer": {"first": "The first.\n\nOver two lines.", "last": "The last."}
    }


def _models() -> list[type[BaseModel]]:
    found = {
        value: None
        for module in (model, gate_settings, monitor_settings)
        for value in vars(module).values()
        if inspect.isclass(value)
        and issubclass(value, fields.Section)
        and value is not fields.Section
    }
    return list(found)


def test_every_config_key_is_described() -> None:
    docs = {
        **field_docs(inspect.getsource(model)),
        **field_docs(inspect.getsource(gate_settings)),
        **field_docs(inspect.getsource(monitor_settings)),
    }
    undocumented = [
        f"{model.__name__}.{name}"
        for model in _models()
        for name in model.model_fields
        if not docs.get(model.__name__, {}).get(name)
    ]
    assert undocumented == []
    # 21, and the rules underpowered, behaviour, newly_failing and must_pass; plugins; the
    # judge and its ask_when; monitor and its six kinds of alert sections
    assert len(_models()) == 39


def test_the_schema_carries_the_descriptions() -> None:
    schema = config_schema()
    assert schema["properties"]["version"] == {
        "default": 1,
        "description": "Version of the config format.",
        "title": "Version",
        "type": "integer",
    }
    fail_on = schema["$defs"]["GateSettings"]["properties"]["fail_on"]
    assert fail_on["description"] == "Cohort status that fails the gate."
    described = [
        prop.get("description")
        for definition in [schema, *schema["$defs"].values()]
        for prop in definition.get("properties", {}).values()
    ]
    # 63, and gate.regression.power, each new rule's level and its section in GateSettings,
    # evaluators.plugins and a plugin's four keys, judge, its nine keys and ask_when's two;
    # monitor, its twelve keys and the sixteen of its six alert sections
    assert len(described) == 131 and all(described)
