"""Running the user's judge command, and the cache of its verdicts (SPEC §11).

The command is the config's ``judge.command``, never anything a run file says: taskgate runs
it without a shell, one process per question, at most ``judge.parallel`` at once, each sent
one JSON request on standard input and stopped after ``judge.timeout_s``. It must print one
JSON object: ``{"verdict": true|false, "score": 0..1, "reason": "..."}`` (``score``
optional). Whatever else it does (not found, a non-zero exit, a timeout, another reply) is a
problem naming the run and the question; the verdicts it did give are cached all the same.

The cache is JSONL, one verdict a line keyed by :func:`taskgate.scoring.judging.question_key`,
sorted by key and written atomically, so that it can be committed and reruns ask nothing.
"""

from __future__ import annotations

import contextlib
import math
import os
import shlex
import signal
import subprocess  # the user's own judge command, named in their config: see docs/judge.md
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import orjson

from taskgate.config.model import JudgeSettings
from taskgate.errors import InputError, Problem
from taskgate.output import write_atomic
from taskgate.scoring.judging import Question, Verdict

SHOWN_OUTPUT = 200
"""Characters of a bad reply or of the command's standard error quoted in a problem."""
REPLY = 'reply with one JSON object: {"verdict": true or false, "score": 0 to 1, "reason": "..."}'


@dataclass(frozen=True)
class Answer:
    question: Question
    verdict: Verdict | None
    problem: str | None


@dataclass(frozen=True)
class JudgeCache:
    """The verdicts of ``judge.cache`` by key, and each one's line as it is in the file."""

    verdicts: dict[str, Verdict]
    lines: dict[str, bytes]


def load_cache(settings: JudgeSettings) -> JudgeCache:
    """The cached verdicts, by key; none when the file does not exist yet."""
    path = Path(settings.cache)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return JudgeCache({}, {})
    except OSError as error:
        raise InputError(
            [Problem(str(path), None, "judge.cache", f"cannot read the cache: {error.strerror}")]
        ) from None
    cache = JudgeCache({}, {})
    problems = []
    for number, line in enumerate(data.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entry = orjson.loads(line)
            key = entry["key"]
            verdict = _verdict(entry)
        except (orjson.JSONDecodeError, KeyError, TypeError):
            verdict, key = None, None
        if verdict is None or not isinstance(key, str):
            problems.append(
                Problem(
                    str(path),
                    number,
                    None,
                    "not a cached verdict; delete the line (its question is asked again) or "
                    "restore the file from version control",
                )
            )
            continue
        cache.verdicts[key], cache.lines[key] = verdict, line
    if problems:
        raise InputError(problems, headline=f"{path}: the judge's cache is damaged")
    return cache


def save_cache(settings: JudgeSettings, known: JudgeCache, answers: list[Answer]) -> None:
    """The cache with the new verdicts, sorted by key, written atomically. The lines already
    there keep their bytes: who asked, and which judge answered, stay as they were."""
    lines = dict(known.lines)
    for answer in answers:
        question, verdict = answer.question, answer.verdict
        if verdict is None or question.key in lines:
            continue
        entry = {
            "key": question.key,
            "judge": settings.label,
            "verdict": verdict.verdict,
            "score": verdict.score,
            "reason": verdict.reason,
            "asked_by": f"{question.run_id}: {question.what}",
        }
        lines[question.key] = orjson.dumps(entry, option=orjson.OPT_SORT_KEYS)
    if len(lines) == len(known.lines):
        return
    path = Path(settings.cache)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, b"".join(lines[key] + b"\n" for key in sorted(lines)))


def ask(settings: JudgeSettings, questions: Sequence[Question]) -> list[Answer]:
    """Every question put to the judge command, at most ``parallel`` at once; answers in the
    order of the questions."""
    try:
        command = shlex.split(settings.command)
    except ValueError as error:
        raise InputError(
            [Problem("judge.command", None, None, f"cannot split the command: {error}")]
        ) from None
    if not command:
        raise InputError([Problem("judge.command", None, None, "names no program; give one")])
    with ThreadPoolExecutor(max_workers=settings.parallel) as pool:
        return list(pool.map(lambda q: _ask_one(settings, command, q), questions))


def _ask_one(settings: JudgeSettings, command: list[str], question: Question) -> Answer:
    try:
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # so that a timeout stops whatever the command started
        )
    except OSError as error:
        return Answer(question, None, f"could not be started ({error.strerror}): {command[0]!r}")
    request = orjson.dumps(question.request)
    try:
        out, err = process.communicate(request, timeout=settings.timeout_s)
    except subprocess.TimeoutExpired:
        _stop(process)
        return Answer(question, None, f"gave no verdict within {settings.timeout_s:g} s")
    if process.returncode != 0:
        said = _shown(err.decode("utf-8", "replace")) or "nothing on standard error"
        return Answer(question, None, f"exited with {process.returncode}: {said}")
    try:
        reply = orjson.loads(out)
    except orjson.JSONDecodeError:
        return Answer(question, None, f"replied {_quoted(out)}, not JSON; {REPLY}")
    verdict = _verdict(reply)
    if verdict is None:
        return Answer(question, None, f"replied {_quoted(out)}; {REPLY}")
    return Answer(question, verdict, None)


def _stop(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended on its own meanwhile
        os.killpg(process.pid, signal.SIGKILL)
    process.communicate()


def _verdict(reply: object) -> Verdict | None:
    """The verdict a reply gives; None when it is not one."""
    if not isinstance(reply, dict):
        return None
    verdict, score, reason = reply.get("verdict"), reply.get("score"), reply.get("reason")
    if not isinstance(verdict, bool) or not isinstance(reason, str) or not reason.strip():
        return None
    if score is not None:
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            return None
        if not (math.isfinite(score) and 0 <= score <= 1):
            return None
        score = float(score)
    return Verdict(verdict, score, " ".join(reason.split()))


def answer_problems(settings: JudgeSettings, answers: list[Answer]) -> list[Problem]:
    """A problem for each question the judge did not answer."""
    return [
        Problem(
            "judge",
            None,
            None,
            f"run {a.question.run_id!r}, {a.question.what}: the judge command "
            f"{settings.command!r} {a.problem}",
        )
        for a in answers
        if a.problem is not None
    ]


def _shown(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_OUTPUT else "..." + text[-(SHOWN_OUTPUT - 3) :]


def _quoted(out: bytes) -> str:
    text = " ".join(out.decode("utf-8", "replace").split())
    if not text:
        return "nothing"
    return repr(text if len(text) <= SHOWN_OUTPUT else text[: SHOWN_OUTPUT - 3] + "...")
