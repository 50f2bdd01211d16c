"""The core never prints, never exits and never imports typer: the cli package does that."""

from __future__ import annotations

import ast
from pathlib import Path

import taskgate

PACKAGE = Path(taskgate.__file__).parent
CORE = sorted(p for p in PACKAGE.rglob("*.py") if "cli" not in p.relative_to(PACKAGE).parts)


def _breaches(path: Path, root: Path = PACKAGE) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
        else:
            modules = []
        found += [f"imports {m}" for m in modules if m.split(".")[0] in ("typer", "click")]
        if isinstance(node, ast.Call):
            name = ast.unparse(node.func)
            if name in ("print", "sys.exit", "exit", "sys.stdout.write", "sys.stderr.write"):
                found.append(f"calls {name}")
    return [f"{path.relative_to(root)}: {breach}" for breach in found]


def test_the_core_modules_are_found() -> None:
    names = {str(p.relative_to(PACKAGE)) for p in CORE}
    assert {"pipeline.py", "gate.py", "evaluators/base.py", "report/terminal.py"} <= names
    assert not any(name.startswith("cli") for name in names)


def test_only_the_cli_prints_exits_or_imports_typer() -> None:
    assert [breach for path in CORE for breach in _breaches(path)] == []


def test_a_breach_would_be_found(tmp_path: Path) -> None:
    module = tmp_path / "loud.py"
    module.write_text("import sys\nimport typer\nprint('hi')\nsys.exit(1)\n")
    assert [b.split(": ", 1)[1] for b in _breaches(module, tmp_path)] == [
        "imports typer",
        "calls print",
        "calls sys.exit",
    ]
