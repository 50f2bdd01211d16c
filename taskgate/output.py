"""Atomic output: a report, a config or converted runs is written whole or not at all.

Each file is staged in a temporary file beside its target, synced, then moved into place,
so an interruption (Ctrl-C, SIGTERM, a full disk) leaves the old file whole.
"""

from __future__ import annotations

import errno
import glob
import os
import stat
import tempfile
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from taskgate.errors import OutputError

# What to do about the errors an output path commonly meets.
_OUTPUT_ADVICE = {
    errno.EACCES: "choose a folder you may write to",
    errno.EPERM: "choose a folder you may write to",
    errno.EROFS: "choose a folder on a writable disk",
    errno.ENOSPC: "the disk is full; free some space or write elsewhere",
    errno.EDQUOT: "the disk quota is exceeded; free some space or write elsewhere",
    errno.EISDIR: "give a file name, not a folder",
}


def _output_error(path: Path, exc: OSError) -> OutputError:
    advice = _OUTPUT_ADVICE.get(exc.errno or 0)
    return OutputError(f"cannot write {path}: {exc.strerror}" + (f"; {advice}" if advice else ""))


def refuse_overwriting_inputs(outputs: Sequence[Path], inputs: Sequence[str | Path | None]) -> None:
    """An output that is one of the inputs (by name, link or hard link) would replace what
    was read with what was made from it: refused before any work is done."""
    files = [Path(i) for i in inputs if i is not None and str(i) != "-"]
    for output in outputs:
        for source in files:
            try:
                same = os.path.samefile(output, source)
            except OSError:  # one of them does not exist (yet): not the same file
                continue
            if same:
                raise OutputError(
                    f"cannot write {output}: the output is the input {source}; give another "
                    "file name for -o"
                )


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that an interrupted write leaves the old file whole."""
    write_all_atomic([(path, data)])


Content = bytes | Iterable[bytes]
"""A file's bytes, whole or as chunks (an output too large to hold in memory)."""


def write_all_atomic(files: Sequence[tuple[Path, Content]]) -> None:
    """Write every file or, interrupted or failing, none: each is staged whole in a temporary
    file beside its target, then all are moved into place together.

    An output that is a symbolic link is written through it, to its target; one that is not
    a regular file (a device, a pipe) is written to as it is, since it cannot be replaced."""
    staged: list[tuple[str, Path]] = []
    direct: list[tuple[Path, Content]] = []
    try:
        for path, data in files:
            target = _target(path)
            if _is_special(target):
                direct.append((target, data))
            else:
                staged.append((_stage(target, data), target))
        for temp, target in staged:
            try:
                os.replace(temp, target)
            except OSError as exc:
                raise _output_error(target, exc) from None
        for target, data in direct:
            _write_special(target, data)
    finally:
        for temp, _ in staged:  # gone once moved into place; left over only on failure
            Path(temp).unlink(missing_ok=True)
    for _, target in staged:
        remove_stale_temporaries(target)


def _target(path: Path) -> Path:
    """The file a path names: through symbolic links, so that a link stays a link. A link
    to something that is no regular file (/dev/stdout, a pipe) is written through as it is:
    its resolved name may not exist (/proc/PID/fd/pipe:[N])."""
    if not path.is_symlink() or _is_special(path):
        return path
    return Path(os.path.realpath(path))


def _is_special(path: Path) -> bool:
    try:
        mode = path.stat().st_mode
    except OSError:  # does not exist yet: a new regular file
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _write_special(path: Path, data: Content) -> None:
    # Non-blocking open first: a pipe nobody reads would otherwise wait for ever (ENXIO).
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OutputError(
                f"cannot write {path}: it is a pipe that no process reads; start the reader "
                "first, or write to a file"
            ) from None
        raise _output_error(path, exc) from None
    try:
        os.set_blocking(descriptor, True)
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in [data] if isinstance(data, bytes) else data:
                handle.write(chunk)
    except OSError as exc:
        raise _output_error(path, exc) from None


def _mode_for(path: Path) -> int:
    """Keep an existing regular file's permissions; give a new one what the umask allows."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _stage(path: Path, data: Content) -> str:
    """Write ``data`` to a new temporary file in ``path``'s folder; return its name."""
    folder = path.parent
    if not folder.is_dir():
        problem = (
            f"{str(folder)!r} is a file, not a folder"
            if folder.exists()
            else f"folder {str(folder)!r} does not exist; create it"
        )
        raise OutputError(f"cannot write {path}: {problem}")
    try:
        fd, temp = tempfile.mkstemp(dir=folder, prefix=_temporary_prefix(path), suffix=".tmp")
    except OSError as exc:
        raise _output_error(path, exc) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in [data] if isinstance(data, bytes) else data:
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, _mode_for(path))
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise _output_error(path, exc) from None
        raise
    return temp


STALE_SECONDS = 300
"""A temporary file older than this whose process is gone was left by a kill -9."""


def _temporary_prefix(path: Path) -> str:
    # The writer's process id in the name tells a later run whether it may still be at work.
    return f".{path.name}.{os.getpid()}."


def remove_stale_temporaries(path: Path, now: float | None = None) -> list[str]:
    """Remove the temporary files of ``path`` that a killed run left behind: older than
    STALE_SECONDS, from a process that no longer runs. Returns their names."""
    now = time.time() if now is None else now
    removed = []
    try:
        candidates = list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))
    except OSError:
        return []
    for candidate in candidates:
        pid = _writer_of(candidate.name, path.name)
        if pid is None or _running(pid):
            continue
        try:
            if now - candidate.lstat().st_mtime > STALE_SECONDS:
                candidate.unlink()
                removed.append(candidate.name)
        except OSError:  # gone already, or not ours to remove
            continue
    return removed


def _writer_of(name: str, target: str) -> int | None:
    """The process id in a temporary's name; None unless the name is exactly the form
    _stage gives it (the id, then mkstemp's eight characters)."""
    middle = name[len(target) + 2 : -len(".tmp")]
    pid, _, random = middle.partition(".")
    ours = pid.isdigit() and len(random) == 8 and all(c in _MKSTEMP_CHARS for c in random)
    return int(pid) if ours else None


_MKSTEMP_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: running
        return True
    return True
