"""The docs keep up with the code and with each other: every command and option of the CLI is
in docs/commands.md, under its command; the README links every docs page, and every relative
link of the docs reaches a file and a heading; every output format is in docs/report.md."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

import typer.main

import taskgate.cli

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = (DOCS / "commands.md").read_text(encoding="utf-8")
FORMATS = (".json", ".jsonl", ".md", ".xml", ".html")
PAGES = sorted([ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "benchmarks" / "README.md"])
PAGES += sorted(DOCS.glob("*.md"))


def cli_options() -> dict[str, list[str]]:
    """Each command's long options (``--config``) as the CLI parses them; ``""`` is taskgate's
    own (``--version``)."""
    group = typer.main.get_command(taskgate.cli.app)
    commands = {"": group, **group.commands}  # type: ignore[attr-defined]
    return {
        name: sorted(
            option
            for param in command.params
            if param.param_type_name == "option"
            for option in param.opts
            if option.startswith("--")
        )
        for name, command in commands.items()
    }


def command_sections(text: str) -> dict[str, str]:
    """The text under each ``## `taskgate NAME` `` heading, by NAME."""
    sections = {}
    for block in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading, _, body = block.partition("\n")
        named = re.fullmatch(r"`taskgate ([a-z][a-z-]*)`", heading.strip())
        if named:
            sections[named.group(1)] = body
    return sections


def mentions(text: str, option: str) -> bool:
    """``--config`` as a whole token: ``--config-dir`` or ``--configs`` do not count."""
    return re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", text) is not None


def undocumented(options: Mapping[str, Sequence[str]], text: str) -> list[str]:
    """What the CLI has and the text does not: a command without its ``## `taskgate NAME` ``
    section, or an option missing from its command's section (taskgate's own options may be
    anywhere)."""
    sections = command_sections(text)
    missing = []
    for name, long_options in sorted(options.items()):
        if name and name not in sections:
            missing.append(f"taskgate {name}")
            continue
        where = sections[name] if name else text
        missing += [
            " ".join(["taskgate", *([name] if name else []), option])
            for option in long_options
            if not mentions(where, option)
        ]
    return missing


def test_every_command_and_option_is_in_commands_md() -> None:
    options = cli_options()
    # The walk reaches the commands and their options: an empty walk would pass vacuously.
    assert {"score", "diff", "explain", "validate", "plan", "init", "import", "schema"} <= set(
        options
    )
    assert {"--baseline", "--labels", "--workers"} <= set(options["score"])
    assert options[""] == ["--version"]
    assert undocumented(options, COMMANDS) == []


def test_an_undocumented_command_or_option_is_caught() -> None:
    options = cli_options()
    planted = {
        **options,
        "score": [*options["score"], "--planted"],
        "frobnicate": ["--fast"],
        "": ["--version", "--verbose"],
    }
    assert undocumented(planted, COMMANDS) == [
        "taskgate --verbose",
        "taskgate frobnicate",
        "taskgate score --planted",
    ]
    # An option is looked for under its own command: --labels is score's, not schema's.
    assert undocumented({"schema": ["--labels"]}, COMMANDS) == ["taskgate schema --labels"]
    # A longer or shorter name does not stand for an option: --label is not --labels.
    assert undocumented(options, COMMANDS.replace("--labels", "--label")) == [
        "taskgate score --labels"
    ]


def test_the_readme_links_every_docs_page_and_each_exists() -> None:
    linked = sorted(set(re.findall(r"\]\((docs/[^)#\s]+)", README)))
    pages = [page.relative_to(ROOT).as_posix() for page in sorted(DOCS.glob("*.md"))]
    assert "docs/commands.md" in linked
    assert [link for link in linked if not (ROOT / link).is_file()] == []
    assert [page for page in pages if page not in linked] == []


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = heading.strip().lower()
    kept = "".join(c for c in text if c in " -_" or unicodedata.category(c)[0] in "LN")
    return kept.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.M | re.S)
    return {slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.MULTILINE)}


def broken_links(page: Path, text: str | None = None) -> list[str]:
    """Relative links of a page (or of ``text`` as if it stood there) whose file, or whose
    heading, is not there."""
    if text is None:
        text = page.read_text(encoding="utf-8")
    text = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        if not linked.exists() or (anchor and anchor not in anchors(linked)):
            broken.append(f"{page.relative_to(ROOT).as_posix()}: {target}")
    return broken


def test_every_relative_link_of_the_docs_reaches_its_file_and_heading() -> None:
    assert slug("How big a golden set? `taskgate plan`") == "how-big-a-golden-set-taskgate-plan"
    planted = "[a](scoring.md#the-scores) [b](scoring.md#no-such-heading) [c](nowhere.md)"
    assert broken_links(DOCS / "gate.md", planted) == [
        "docs/gate.md: scoring.md#no-such-heading",
        "docs/gate.md: nowhere.md",
    ]
    assert [link for page in PAGES for link in broken_links(page)] == []


def test_every_output_format_is_in_report_md() -> None:
    report = (DOCS / "report.md").read_text(encoding="utf-8")
    assert [suffix for suffix in FORMATS if f"`{suffix}`" not in report] == []
