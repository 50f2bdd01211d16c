"""The package's shape: data flows one way through the stage folders, and only the cli
prints, exits or imports typer. Imports inside functions count as imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import taskgate

PACKAGE = Path(taskgate.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))
CORE = [p for p in MODULES if "cli" not in p.relative_to(PACKAGE).parts]

STAGES = [
    "plumbing",
    "model",
    "stats",
    "config",
    "read",
    "importers",
    "scoring",
    "aggregate",
    "compare",
    "gate",
    "monitor",
    "report",
    "api",
    "cli",
]
"""In the order data flows: a module may import its own stage and earlier ones only."""
PLUMBING = {"errors", "printable", "output", "parallel"}
"""Top-level modules every stage may use: they know nothing of runs or reports."""


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = path.relative_to(root.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> str | None:
    """The stage of ``taskgate.x.y``; None for the package itself (the lazy public names)."""
    parts = module.split(".")[1:]
    if not parts:
        return None
    if parts[0] in PLUMBING:
        return "plumbing"
    return "cli" if parts[0] == "__main__" else parts[0]


def imported(path: Path) -> Iterator[tuple[int, str]]:
    """(line, module) for every taskgate module ``path`` imports, at any depth."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
            if node.module == "taskgate":  # from taskgate import x: x may be a module
                names = [f"taskgate.{alias.name}" for alias in node.names]
        else:
            names = []
        yield from ((node.lineno, name) for name in names if name.split(".")[0] == "taskgate")


def backward_imports(paths: list[Path], root: Path = PACKAGE) -> list[str]:
    found = []
    for path in paths:
        mine = stage_of(module_name(path, root))
        for line, target in imported(path):
            theirs = stage_of(target)
            if mine is None or theirs is None or target == "taskgate.__version__":
                continue
            if theirs not in STAGES or STAGES.index(theirs) > STAGES.index(mine):
                found.append(f"{module_name(path, root)}:{line} ({mine}) imports {target}")
    return found


def cycles(paths: list[Path], root: Path = PACKAGE) -> list[list[str]]:
    """Import cycles between modules, each as the modules around it."""
    modules = {module_name(path, root): path for path in paths}
    edges = {
        name: sorted({t for _, t in imported(path) if t in modules and t != name})
        for name, path in modules.items()
    }
    found: list[list[str]] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in edges[name]:
            if state.get(target) == "open":
                found.append(trail[trail.index(target) :])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(modules):
        if name not in state:
            visit(name, [name])
    return found


def test_every_module_is_in_a_stage() -> None:
    stages = {stage_of(module_name(path)) for path in MODULES}
    assert stages == {None, *STAGES}


def test_no_stage_imports_a_later_one() -> None:
    assert backward_imports(MODULES) == []


def test_no_module_imports_itself_back() -> None:
    assert cycles(MODULES) == []


def test_a_backward_import_and_a_cycle_would_be_found(tmp_path: Path) -> None:
    root = tmp_path / "taskgate"
    (root / "scoring").mkdir(parents=True)
    (root / "gate").mkdir()
    scorer = root / "scoring" / "scorer.py"
    scorer.write_text("def late():\n    from taskgate.gate.rules import x\n")
    rules = root / "gate" / "rules.py"
    rules.write_text("import taskgate.scoring.scorer\n")
    paths = [scorer, rules]
    assert backward_imports(paths, root) == [
        "taskgate.scoring.scorer:2 (scoring) imports taskgate.gate.rules"
    ]
    assert cycles(paths, root) == [["taskgate.gate.rules", "taskgate.scoring.scorer"]]


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
    expected = {
        "api/__init__.py",
        "gate/verdict.py",
        "scoring/evaluators/base.py",
        "report/terminal.py",
    }
    assert expected <= names
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
