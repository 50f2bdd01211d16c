"""The config's JSON Schema (`taskgate schema config`), each key described by the docstring
written under it in taskgate.config.model, gate_settings and monitor_settings.

pydantic can read those docstrings itself, but it does so for every model when the module
is imported, a tenth of a command's start-up; only this schema needs them.
"""

from __future__ import annotations

import ast
import inspect
from itertools import pairwise
from typing import Any

from taskgate.config import gate_settings, model, monitor_settings

FieldDocs = dict[str, dict[str, str]]
"""Per model class, per field: the docstring under the field."""


def field_docs(source: str) -> FieldDocs:
    """The docstring written under each annotated field of each class in ``source``."""
    docs: FieldDocs = {}
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        fields = docs.setdefault(node.name, {})
        for field, under in pairwise(node.body):
            if (
                isinstance(field, ast.AnnAssign)
                and isinstance(field.target, ast.Name)
                and isinstance(under, ast.Expr)
                and isinstance(under.value, ast.Constant)
                and isinstance(under.value.value, str)
            ):
                fields[field.target.id] = inspect.cleandoc(under.value.value)
    return docs


def config_schema() -> dict[str, Any]:
    schema = model.Config.model_json_schema()
    docs: FieldDocs = {}
    for module in (model, gate_settings, monitor_settings):
        docs.update(field_docs(inspect.getsource(module)))
    for name, definition in [("Config", schema), *schema.get("$defs", {}).items()]:
        properties = definition.get("properties", {})
        for field, doc in docs.get(name, {}).items():
            if field in properties:  # keys sorted, as pydantic writes them
                properties[field] = dict(sorted({**properties[field], "description": doc}.items()))
    return schema
